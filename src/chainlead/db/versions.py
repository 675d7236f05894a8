"""Data versions: every write to an area bumps its counter in the same transaction.

Caches store the versions they were computed from and are served only while those still
match, so a stale figure cannot be served after an import, a mapping change or a program
change (areas: program, enterprises, financials, qualifications, memberships, facts).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainlead.db.models import DataVersion, utcnow

AREAS = ("program", "enterprises", "financials", "qualifications", "memberships", "facts")


def bump(session: Session, *areas: str) -> None:
    for area in areas:
        row = session.get(DataVersion, area)
        if row is None:
            session.add(DataVersion(area=area, version=1, changed_at=utcnow()))
        else:
            row.version += 1
            row.changed_at = utcnow()
    session.flush()


def versions(session: Session, *areas: str) -> str:
    """A stable string of the current versions of `areas` (all areas when none given)."""
    wanted = areas or AREAS
    found = {r.area: r.version for r in session.scalars(select(DataVersion).where(DataVersion.area.in_(wanted)))}
    return ";".join(f"{a}={found.get(a, 0)}" for a in sorted(wanted))
