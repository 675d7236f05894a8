"""数据导入 as JSON: list batches, upload (dry run or apply), undo a batch."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, UploadFile
from fastapi import Path as PathParam
from fastapi.encoders import jsonable_encoder
from sqlalchemy.orm import Session

from chainlead.registry.formats import FORMATS
from chainlead.web.data.imports import ImportProblem, apply_upload, check_upload, recent_batches, undo
from chainlead.web.deps import MAX_ID, api_office, api_user, get_db
from chainlead.web.pages.imports import MAX_UPLOAD, MODES, SUFFIXES, UNITS, upload_dir
from chainlead.web.users import Principal

router = APIRouter(tags=["imports 数据导入"])


@router.get("/imports", summary="导入批次 / recent import batches")
def batches(db: Session = Depends(get_db), _: Principal = Depends(api_user)) -> list[dict[str, Any]]:
    return [
        {
            "id": b.id,
            "kind": b.kind,
            "file_name": b.file_name,
            "status": b.status,
            "user": b.user,
            "rows_read": b.rows_read,
            "rows_new": b.rows_new,
            "rows_updated": b.rows_updated,
            "rows_rejected": b.rows_rejected,
            "started_at": b.started_at.isoformat() if b.started_at else None,
            "undone_at": b.undone_at.isoformat() if b.undone_at else None,
        }
        for b in recent_batches(db)
    ]


@router.post("/imports", summary="上传导入 / upload a file (dry_run=true validates only)")
async def upload(
    file: UploadFile = File(...),
    kind: str = Form(..., description=", ".join(FORMATS)),
    unit: str = Form("", description="元 | 万元 | 亿元"),
    mode: str = Form("strict", description="strict | accept_valid"),
    dry_run: bool = Form(True),
    db: Session = Depends(get_db),
    user: Principal = Depends(api_office),
) -> dict[str, Any]:
    suffix = Path(file.filename or "").suffix.lower()
    if kind not in FORMATS or (unit and unit not in UNITS) or mode not in MODES or suffix not in SUFFIXES:
        raise HTTPException(422, "文件类型、单位、方式或扩展名无效 / invalid kind, unit, mode or file extension")
    content = await file.read(MAX_UPLOAD + 1)
    if not content or len(content) > MAX_UPLOAD:
        raise HTTPException(422, "文件为空或超过 50 MB / the file is empty or larger than 50 MB")
    path = upload_dir() / f"{secrets.token_urlsafe(18)}{suffix}"
    path.write_bytes(content)
    try:  # the importer never raises for bad input: its report says what happened
        run = check_upload if dry_run else apply_upload
        report = run(db, path, file.filename or path.name, kind, unit or None, mode, user.username)
    finally:
        path.unlink(missing_ok=True)
    return jsonable_encoder(report)


@router.post("/imports/{batch_id}/undo", summary="撤销批次 / undo a batch")
def undo_batch(
    batch_id: int = PathParam(ge=1, le=MAX_ID), db: Session = Depends(get_db), user: Principal = Depends(api_office)
) -> dict[str, Any]:
    try:
        undo(db, batch_id, user.username)
    except ImportProblem as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    return {"undone": batch_id}
