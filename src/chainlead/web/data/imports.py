"""Data import (数据导入): the batch list from import_batch; upload, dry run, apply and undo go
through `chainlead.registry.importer` (import_file / undo_batch / list_batches)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainlead.db.models import ImportBatch
from chainlead.errors import BilingualError
from chainlead.registry.batches import undo_batch
from chainlead.registry.importer import import_file
from chainlead.registry.readers import FileProblem


def recent_batches(session: Session, limit: int = 30) -> list[ImportBatch]:
    return list(session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)))


def last_change(session: Session) -> ImportBatch | None:
    """The latest applied (not undone, not dry-run) batch: what changed since the last import."""
    return session.scalars(
        select(ImportBatch)
        .where(ImportBatch.undone_at.is_(None), ImportBatch.status == "applied")
        .order_by(ImportBatch.id.desc())
    ).first()


class ImportProblem(BilingualError, ValueError):
    """An import the user asked for cannot run (bilingual); `status` is the HTTP status that answers it."""

    def __init__(self, zh: str, en: str, status: int = 422) -> None:
        super().__init__(zh, en)
        self.status = status


def _run(
    session: Session, path: Path, file_name: str, kind: str, unit: str | None, mode: str, user: str, dry_run: bool
) -> dict[str, Any]:
    """Run `registry.importer.import_file` (it never raises for bad input; the report says what happened)."""
    session.commit()  # release this request's snapshot before the importer takes its lock
    report = import_file(
        session, kind, path, unit=unit or "万元", mode=mode, dry_run=dry_run, user=user, file_name=file_name
    )
    out: dict[str, Any] = report.as_dict()
    out["ok"] = out.get("error") is None and out.get("status") in ("applied", "dry_run")
    out["applicable"] = out["ok"] and (mode != "strict" or not out.get("rows_rejected"))
    return out


def check_upload(
    session: Session, path: Path, file_name: str, kind: str, unit: str | None, mode: str, user: str
) -> dict[str, Any]:
    """Validate without applying (dry run): the report a person reads before applying."""
    return _run(session, path, file_name, kind, unit, mode, user, dry_run=True)


def apply_upload(
    session: Session, path: Path, file_name: str, kind: str, unit: str | None, mode: str, user: str
) -> dict[str, Any]:
    return _run(session, path, file_name, kind, unit, mode, user, dry_run=False)


def undo(session: Session, batch_id: int, user: str) -> str:
    """Undo an applied batch (撤销批次) with `registry.batches.undo_batch`; returns its summary."""
    if session.get(ImportBatch, batch_id) is None:
        raise ImportProblem(f"没有批次 {batch_id}", f"no batch {batch_id}", 404)
    session.commit()  # release this request's snapshot before the importer takes its lock
    try:
        result = undo_batch(session, batch_id, user=user)
    except FileProblem as exc:
        raise ImportProblem(exc.zh, exc.en, 409) from exc
    return str(result.summary())
