"""A chain with more enterprises than a database accepts bound parameters (PostgreSQL: 65,535)."""

from __future__ import annotations

from chainlead.cultivation.tables import read_tables
from chainlead.db import session_scope

from .test_service import _seed


def test_read_tables_with_more_ids_than_bound_parameters(db_url: str) -> None:
    _seed(db_url)
    with session_scope(db_url) as s:
        everything = read_tables(s, 2023)
        some = sorted(everything[0]["enterprise_id"].tolist())[:2]
        # The real ids plus 100,000 that do not exist: the same rows as asking for the real ones.
        many = some + list(range(10_000_000, 10_100_000))
        wide = read_tables(s, 2023, many)
        narrow = read_tables(s, 2023, some)
    for got, want in zip(wide, narrow, strict=True):
        assert sorted(got["enterprise_id"].tolist()) == sorted(want["enterprise_id"].tolist())
    assert sorted(wide[0]["enterprise_id"].tolist()) == some
