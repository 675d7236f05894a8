"""Result cache (结果缓存) in the `result_cache` table, keyed by the inputs' data versions.

A cached payload is served only while the versions string it was computed from still equals
the current one (db/versions.py); importers, mapping decisions and program loads bump their
area in the same transaction as the write, so a stale figure cannot be served.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chainlead.db.models import ResultCache, utcnow
from chainlead.db.versions import versions

PROGRESS_AREAS = ("program", "enterprises", "financials", "memberships", "qualifications")


def cached(
    session: Session, key: str, compute: Callable[[], dict[str, Any]], areas: tuple[str, ...] = PROGRESS_AREAS
) -> tuple[dict[str, Any], bool]:
    """(payload, was_cached). Recomputes and stores when the versions moved on."""
    current = versions(session, *areas)
    row = session.get(ResultCache, key)
    if row is not None and row.versions == current:
        return row.payload, True
    payload = compute()
    try:
        with session.begin_nested():
            if row is None:
                session.add(ResultCache(key=key, versions=current, payload=payload, computed_at=utcnow()))
            else:
                row.versions, row.payload, row.computed_at = current, payload, utcnow()
    except IntegrityError:  # another process stored the same key meanwhile; ours is as fresh
        pass
    return payload, False


def clear(session: Session, prefix: str = "progress.") -> int:
    """Drop cached progress results (they would be recomputed anyway once versions move)."""
    rows = session.query(ResultCache).filter(ResultCache.key.like(prefix + "%")).all()
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)
