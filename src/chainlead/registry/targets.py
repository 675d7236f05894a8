"""Where each file kind is stored (导入目标表) and how its key maps to table columns.

`facts` (another package's format) is stored in `enterprise_fact`; kinds registered later
with `register_target` import the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Boolean, Date, Table

from chainlead.db.models import (
    ChainMembership,
    Enterprise,
    EnterpriseFact,
    EnterpriseFinancial,
    Qualification,
    table_of,
)


@dataclass(frozen=True)
class Target:
    """A table an interchange kind is upserted into."""

    kind: str
    table: Table
    area: str  # db.versions area bumped on write
    key: tuple[str, ...]  # record fields of the key; uscc first for enterprise-linked tables
    db_key: tuple[str, ...]  # table columns of the same key
    linked: bool = True  # has enterprise_id (the uscc resolves to it)

    def value_columns(self, present: list[str]) -> list[str]:
        cols = set(self.table.c.keys())
        return [n for n in present if n in cols and n not in self.key and n not in self.db_key]


TARGETS: dict[str, Target] = {
    "enterprises": Target("enterprises", table_of(Enterprise), "enterprises", ("uscc",), ("uscc",), linked=False),
    "financials": Target(
        "financials",
        table_of(EnterpriseFinancial),
        "financials",
        ("uscc", "year"),
        ("enterprise_id", "year"),
    ),
    "qualifications": Target(
        "qualifications",
        table_of(Qualification),
        "qualifications",
        ("uscc", "tier", "granted_on"),
        ("enterprise_id", "tier", "granted_on"),
    ),
    "memberships": Target(
        "memberships",
        table_of(ChainMembership),
        "memberships",
        ("uscc", "node_id"),
        ("enterprise_id", "node_id"),
    ),
    "facts": Target("facts", table_of(EnterpriseFact), "facts", ("uscc", "year"), ("enterprise_id", "year")),
}


def register_target(target: Target) -> None:
    TARGETS[target.kind] = target


def to_json(table: Table, name: str, value: object) -> object:
    """A column value as JSON (dates as ISO text, SQLite's 0/1 as booleans)."""
    if value is None:
        return None
    col_type = table.c[name].type
    if isinstance(col_type, Boolean):
        return bool(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def from_json(table: Table, name: str, value: object) -> object:
    if value is None:
        return None
    if isinstance(table.c[name].type, Date) and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def key_text(key: tuple) -> str:
    """The audit log's entity_key for a record key: `uscc|2023`."""
    return "|".join(v.isoformat() if isinstance(v, dt.date) else str(v) for v in key)
