"""Data versions: every write to an area bumps its counter in the same transaction.

Caches store the versions they were computed from and are served only while those still
match, so a stale figure cannot be served after an import, a mapping change or a program
change (areas: program, enterprises, financials, qualifications, memberships, facts).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainlead.db.models import DataVersion, table_of, utcnow

AREAS = ("program", "enterprises", "financials", "qualifications", "memberships", "facts")
_TABLE = table_of(DataVersion)


def bump(session: Session, *areas: str) -> None:
    for area in areas:
        row = session.get(DataVersion, area)
        if row is None:
            session.add(DataVersion(area=area, version=1, changed_at=utcnow()))
        else:
            row.version += 1
            row.changed_at = utcnow()
    session.flush()


def versions_text(rows: Iterable[tuple[str, int]], areas: Iterable[str] = AREAS) -> str:
    """The versions string of `areas` (sorted) from (area, version) rows; an area without a row is 0.

    The one place for the format: `versions()` and the web's status probe (web/fastpath.py) both
    use it.
    """
    found = {area: int(version) for area, version in rows}
    return ";".join(f"{a}={found.get(a, 0)}" for a in sorted(areas))


def versions(session: Session, *areas: str) -> str:
    """A stable string of the current versions of `areas` (all areas when none given).

    A Core query of (area, version) tuples, no ORM entities (~9× cheaper: 36 µs vs 330 µs on SQLite; pages read it on
    every request); the session still autoflushes first.
    """
    query = select(_TABLE.c.area, _TABLE.c.version)
    if areas:
        query = query.where(_TABLE.c.area.in_(areas))
    return versions_text(session.execute(query), areas or AREAS)
