"""Enterprise ids far apart (imported ids, deleted ranges): scale accounting numbers the counted
firms by binary search instead of a lookup table (accounting._firm_index), and must give the
same figures — checked against an independent SQL count and the hand-worked fixture."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text

from chainlead.db import session_scope
from chainlead.db.models import COUNTED_MEMBERSHIP_STATUSES
from chainlead.db.versions import bump
from chainlead.progress import accounting
from chainlead.progress.service import build_report
from tests.progress.fixture import FIGURES, load_fixture

YEARS = [2021, 2022, 2023]
# E (figures, never counted) has the highest id: past every counted id; B the lowest. Max ≤ int4.
SPARSE = {
    "A": 1_000_003,
    "B": 7,
    "C": 900_000_000,
    "D": 45_678_901,
    "E": 2_147_483_000,
    "F": 300_000_001,
    "G": 1_999_999_999,
}
COUNTED = ", ".join(f"'{s}'" for s in COUNTED_MEMBERSHIP_STATUSES)
UNIT_PAIRS = {  # (kind, unit id, enterprise id) of each counted membership, distinct per unit
    "node": "SELECT DISTINCT 'node' AS kind, m.node_id AS uid, m.enterprise_id AS eid FROM chain_membership m",
    "chain": "SELECT DISTINCT 'chain' AS kind, m.chain_id AS uid, m.enterprise_id AS eid FROM chain_membership m",
    "ecosystem": (
        "SELECT DISTINCT 'ecosystem' AS kind, c.ecosystem_id AS uid, m.enterprise_id AS eid FROM chain_membership m"
        " JOIN chain c ON c.id = m.chain_id"
    ),
    "program": "SELECT DISTINCT 'program' AS kind, 0 AS uid, m.enterprise_id AS eid FROM chain_membership m",
}


def _sql_figures(s) -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    """Per (kind, id, year): (total, reporting) and per (kind, id): members, counted by SQL alone."""
    figures, members = {}, {}
    for pairs in UNIT_PAIRS.values():
        units = f"{pairs} WHERE m.status IN ({COUNTED})"
        for kind, uid, year, total, reporting in s.execute(
            text(
                f"SELECT u.kind, u.uid, f.year, SUM(f.revenue_wan), COUNT(*) FROM ({units}) AS u"
                " JOIN enterprise_financial f ON f.enterprise_id = u.eid"
                f" WHERE f.revenue_wan IS NOT NULL AND f.year BETWEEN {YEARS[0]} AND {YEARS[-1]}"
                " GROUP BY u.kind, u.uid, f.year"
            )
        ):
            figures[(kind, int(uid), int(year))] = (pytest.approx(float(total)), int(reporting))
        for kind, uid, n in s.execute(text(f"SELECT kind, uid, COUNT(*) FROM ({units}) AS u GROUP BY 1, 2")):
            members[(kind, int(uid))] = int(n)
    return figures, members


def _table(s, reader: str, parts: int | None = None) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    prog_id = s.execute(text("SELECT id FROM program WHERE is_active")).scalar_one()
    structure = accounting.load_structure(s, prog_id)
    return accounting.unit_table(s, structure, "revenue_wan", YEARS, reader, parts, 0)


@pytest.mark.parametrize(("reader", "parts"), [("session", None), ("arrow", 1), ("arrow", 3)])
def test_sparse_ids_give_the_counted_figures(db_url: str, reader: str, parts: int | None) -> None:
    assert load_fixture(db_url, SPARSE) == SPARSE
    rows = len(SPARSE) + sum(len(v) for v in FIGURES.values())
    assert max(SPARSE.values()) > 8 * rows + 1024  # far past the lookup-table bound of _firm_index
    with session_scope(db_url) as s:
        expected, members = _sql_figures(s)
        table = _table(s, reader, parts)
    assert len(expected) == 29 and members[("program", 0)] == 6  # 11 node, 9 chain, 6 ecosystem, 3 program years
    reported = table[table["reporting"] > 0]
    got = {(r.kind, r.id, r.year): (r.total, r.reporting) for r in reported.itertuples()}
    assert got == expected
    assert {(r.kind, r.id): r.members for r in table.itertuples()} == members


def test_sparse_ids_status_report_matches_the_hand_worked_figures(db_url: str) -> None:
    load_fixture(db_url, SPARSE)
    with session_scope(db_url) as s:
        r = build_report(s, 2023, None, None)
    total = r["total"]
    assert total["scale_yi"] * 10_000 == pytest.approx(241)  # A + C + D + F (docs/progress.md)
    assert (total["members"], total["enterprises_reporting"]) == (6, 4)
    jia = next(e for e in r["ecosystems"] if e["name"] == "甲生态")
    assert jia["scale_yi"] * 10_000 == pytest.approx(201) and jia["overlap"]["overlap_yi"] * 10_000 == pytest.approx(
        121
    )
    assert jia["yoy_like_for_like"] == pytest.approx(201 / 180 - 1)


def test_sparse_ids_without_counted_memberships(db_url: str) -> None:
    """Figures but no counted member (all suggested): nothing to credit, not an IndexError."""
    load_fixture(db_url, SPARSE)
    with session_scope(db_url) as s:
        s.execute(text("UPDATE chain_membership SET status = 'suggested'"))
        bump(s, "memberships")
    with session_scope(db_url) as s:
        for reader in ("session", "arrow"):
            assert _table(s, reader).empty
        total = build_report(s, 2023, None, None)["total"]
    assert total["members"] == 0 and total["scale_yi"] is None and "no_data" in total["flags"]
