"""数据导入: upload a file, see the validation report (dry run), apply it, undo a batch.

The upload is kept under the data folder (`uploads/`) between the check and the apply, named by
a random token; the apply form carries only that token. Importing is for the chain office and
administrators.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi import Path as PathParam
from sqlalchemy.orm import Session

from chainlead.config import data_dir
from chainlead.registry.formats import FORMATS
from chainlead.web.data.imports import ImportProblem, apply_upload, check_upload, recent_batches, undo
from chainlead.web.deps import MAX_ID, get_db, office_user, page_user, render
from chainlead.web.users import Principal

router = APIRouter()
MAX_UPLOAD = 50 * 1024 * 1024
SUFFIXES = (".csv", ".xlsx", ".xls", ".txt")
UNITS = ("元", "万元", "亿元")
MODES = {
    "strict": ("全部有效才导入", "all or nothing"),
    "accept_valid": ("导入有效行，退回无效行", "apply valid rows, hand back the rest"),
}
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def upload_dir() -> Path:
    path = Path(data_dir()) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _page(request: Request, db: Session, user: Principal, status: int = 200, **extra):  # type: ignore[no-untyped-def]
    ctx = {
        "nav": "imports",
        "batches": recent_batches(db),
        "formats": FORMATS,
        "units": UNITS,
        "modes": MODES,
        "report": None,
        "token": None,
        "errors": [],
    }
    ctx.update(extra)
    return render(request, "imports.html", ctx, status_code=status, user=user)


@router.get("/imports")
def imports_page(request: Request, db: Session = Depends(get_db), user: Principal = Depends(page_user)):
    return _page(request, db, user)


def _validate(kind: str, unit: str, mode: str) -> list[tuple[str, str]]:
    errors = []
    if kind not in FORMATS:
        errors.append((f"请选择文件类型（{'、'.join(FORMATS)}）", f"choose a file kind ({', '.join(FORMATS)})"))
    if unit and unit not in UNITS:
        errors.append((f"金额单位只能是 {'、'.join(UNITS)}", f"the money unit must be one of {', '.join(UNITS)}"))
    if mode not in MODES:
        errors.append(("导入方式无效", "invalid import mode"))
    return errors


@router.post("/imports/check")
async def import_check(
    request: Request,
    file: UploadFile | None = File(None),
    kind: str = Form(""),
    unit: str = Form(""),
    mode: str = Form("strict"),
    db: Session = Depends(get_db),
    user: Principal = Depends(office_user),
):
    errors = _validate(kind, unit, mode)
    name = (file.filename or "") if file is not None else ""
    suffix = Path(name).suffix.lower()
    if file is None or not name:
        errors.append(("请选择要上传的文件", "choose a file to upload"))
    elif suffix not in SUFFIXES:
        errors.append(
            (
                f"不支持的文件类型 {suffix or '(无扩展名)'}，请上传 CSV 或 Excel",
                f"unsupported file type {suffix or '(none)'}; upload CSV or Excel",
            )
        )
    content = await file.read(MAX_UPLOAD + 1) if file is not None and not errors else b""
    if not errors and not content:
        errors.append(("文件是空的", "the file is empty"))
    if len(content) > MAX_UPLOAD:
        errors.append(("文件超过 50 MB", "the file is larger than 50 MB"))
    form = {"kind": kind, "unit": unit or "万元", "mode": mode}
    if errors:
        return _page(request, db, user, 422, errors=errors, form=form)
    token = secrets.token_urlsafe(18)
    path = upload_dir() / f"{token}{suffix}"
    path.write_bytes(content)
    report = check_upload(db, path, name, kind, unit or None, mode, user.username)  # a report, never a raise
    return _page(request, db, user, report=report, token=token, file_name=name, form=form)


@router.post("/imports/apply")
def import_apply(
    request: Request,
    token: str = Form(""),
    file_name: str = Form("", max_length=500),
    kind: str = Form(""),
    unit: str = Form(""),
    mode: str = Form("strict"),
    db: Session = Depends(get_db),
    user: Principal = Depends(office_user),
):
    errors = _validate(kind, unit, mode)
    found = sorted(upload_dir().glob(f"{token}.*")) if TOKEN_RE.match(token) else []
    if not found:
        errors.append(("上传的文件已失效，请重新上传", "the uploaded file is gone; upload it again"))
    if errors:
        return _page(request, db, user, 422, errors=errors)
    path = found[0]
    report = apply_upload(db, path, file_name or path.name, kind, unit or None, mode, user.username)
    path.unlink(missing_ok=True)
    return _page(request, db, user, report=report, applied=True)


@router.post("/imports/{batch_id}/undo")
def import_undo(
    request: Request,
    batch_id: int = PathParam(ge=1, le=MAX_ID),
    db: Session = Depends(get_db),
    user: Principal = Depends(office_user),
):
    try:
        summary = undo(db, batch_id, user.username)
    except ImportProblem as exc:
        db.rollback()
        return _page(request, db, user, exc.status, errors=[(exc.zh, exc.en)])
    zh, _, en = summary.partition(" / ")
    return _page(request, db, user, message=(zh, en or zh))
