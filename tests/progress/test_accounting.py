"""Scale accounting against the hand-worked fixture (see fixture.py and docs/progress.md)."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text

from chainlead.db import session_scope
from chainlead.progress.service import build_report
from tests.progress.fixture import load_fixture

YI = 10_000.0


def _eco(report, name):  # type: ignore[no-untyped-def]
    return next(e for e in report["ecosystems"] if e["name"] == name)


def _chain(report, name):  # type: ignore[no-untyped-def]
    return next(c for e in report["ecosystems"] for c in e["chains"] if c["name"] == name)


def _node(report, chain, name):  # type: ignore[no-untyped-def]
    return next(n for n in _chain(report, chain)["nodes"] if n["name"] == name)


@pytest.fixture
def report_2023(db_url: str):  # type: ignore[no-untyped-def]
    load_fixture(db_url)
    with session_scope(db_url) as s:
        return build_report(s, 2023, None, None)


def test_counting_rules_by_hand(report_2023) -> None:  # type: ignore[no-untyped-def]
    r = report_2023
    # nodes: an enterprise in two nodes of one chain counts in both nodes
    assert _node(r, "链一", "一上")["scale_yi"] * YI == pytest.approx(131)  # A 121 + F 10 (B exited)
    assert _node(r, "链二", "二中")["scale_yi"] * YI == pytest.approx(191)  # A 121 + C 70
    assert _node(r, "链三", "三中")["scale_yi"] * YI == pytest.approx(110)  # C 70 + D 40
    # chains: suggested (E) and rejected (F in 链二) memberships never count
    assert _chain(r, "链一")["scale_yi"] * YI == pytest.approx(131)
    assert _chain(r, "链二")["scale_yi"] * YI == pytest.approx(191)
    assert _chain(r, "链三")["scale_yi"] * YI == pytest.approx(110)
    # ecosystem: A is in 链一 and 链二 but counts once
    jia = _eco(r, "甲生态")
    assert jia["scale_yi"] * YI == pytest.approx(201)  # A 121 + C 70 + F 10
    assert jia["overlap"]["chains_sum_yi"] * YI == pytest.approx(322)
    assert jia["overlap"]["overlap_yi"] * YI == pytest.approx(121)  # A, credited to two chains
    assert jia["overlap"]["chain_credits"] == 4 and jia["overlap"]["enterprises"] == 3
    assert _eco(r, "乙生态")["scale_yi"] * YI == pytest.approx(110)
    # program: C is in two ecosystems but counts once
    assert r["total"]["scale_yi"] * YI == pytest.approx(241)  # A + C + D + F
    assert r["total"]["overlap"]["overlap_yi"] * YI == pytest.approx(70)  # C
    assert r["total"]["enterprises_reporting"] == 4


def test_reporting_counts_members_and_flags(report_2023) -> None:  # type: ignore[no-untyped-def]
    r = report_2023
    jia = _eco(r, "甲生态")
    assert (jia["members"], jia["enterprises_reporting"], jia["as_of_year"]) == (4, 3, 2023)
    assert jia["coverage"] == pytest.approx(0.75)
    assert "thin" in jia["flags"] and "coverage_drop" in jia["flags"]  # 3 < 10; 3 < 0.8 × 4
    yi = _eco(r, "乙生态")
    assert (yi["members"], yi["enterprises_reporting"]) == (3, 2)  # G never reported
    # 一中 has only B, who stopped reporting: its figure is 2022's and says so
    node = _node(r, "链一", "一中")
    assert node["as_of_year"] == 2022 and "stale" in node["flags"]
    assert node["scale_yi"] * YI == pytest.approx(220)
    assert all(f["unit"] == "亿元" for f in (jia, yi, r["total"]))


def test_growth_like_for_like_and_decomposition(report_2023) -> None:  # type: ignore[no-untyped-def]
    jia = _eco(report_2023, "甲生态")
    assert jia["yoy_nominal"] == pytest.approx(201 / 400 - 1)
    assert jia["yoy_like_for_like"] == pytest.approx(201 / 180 - 1)  # A, C, F in both years
    assert jia["like_for_like_enterprises"] == 3
    d = jia["decomposition"]
    assert d["change_yi"] * YI == pytest.approx(-199)
    assert d["exits_yi"] * YI == pytest.approx(-220) and d["exits_n"] == 1  # B
    assert d["entrants_yi"] * YI == pytest.approx(0) and d["entrants_n"] == 0
    assert d["continuing_yi"] * YI == pytest.approx(21)
    assert d["entrants_yi"] + d["exits_yi"] + d["continuing_yi"] == pytest.approx(d["change_yi"])
    assert jia["cagr_actual"] == pytest.approx((201 / 360) ** 0.5 - 1)  # base year 2021: A+B+C+F


def test_entrants_and_program_growth_2022(db_url: str) -> None:
    load_fixture(db_url)
    with session_scope(db_url) as s:
        r = build_report(s, 2022, None, None)
    total = r["total"]
    assert total["scale_yi"] * YI == pytest.approx(430)
    assert total["decomposition"]["entrants_yi"] * YI == pytest.approx(30)  # D
    assert total["decomposition"]["continuing_yi"] * YI == pytest.approx(40)
    assert total["yoy_nominal"] == pytest.approx(430 / 360 - 1)
    assert total["yoy_like_for_like"] == pytest.approx(400 / 360 - 1)


def test_output_value_metric_and_targets(db_url: str) -> None:
    load_fixture(db_url)
    with session_scope(db_url) as s:
        r = build_report(s, 2023, None, "output_value_wan")
    jia = _eco(r, "甲生态")
    assert r["metric"] == "output_value_wan"
    assert jia["scale_yi"] * YI == pytest.approx(402)  # fixture output value = 2 × revenue
    assert jia["target_yi"] == 0.05 and jia["target_year"] == 2025
    assert jia["progress"] == pytest.approx(402 / 500)
    assert jia["cagr_required"] == pytest.approx((500 / 402) ** 0.5 - 1)
    assert r["total"]["target_yi"] == pytest.approx(0.07)  # sum of the ecosystem targets
    chain = _chain(r, "链一")  # implied: its 2021 scale (620) × what 甲生态 needs (500 / 720)
    assert chain["target_basis"] == "implied" and jia["target_basis"] == "plan"
    assert chain["target_yi"] * YI == pytest.approx(620 * 500 / 720)
    assert chain["progress"] == pytest.approx((2 * 131) / (620 * 500 / 720))
    assert chain["status"] in {"on_track", "at_risk", "off_track"}


def _table(s, reader: str, parts: int | None = None, arrow_min: int = 0) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    from chainlead.progress import accounting

    prog_id = s.execute(text("SELECT id FROM program WHERE is_active")).scalar_one()
    structure = accounting.load_structure(s, prog_id)
    table = accounting.unit_table(s, structure, "revenue_wan", [2021, 2022, 2023], reader, parts, arrow_min)
    return table.sort_values(["kind", "id", "year"]).reset_index(drop=True)


def test_readers_and_split_reads_agree(db_url: str) -> None:
    """connectorx over its own connections (whole, and split by enterprise-id range as for big
    databases) gives the same unit-year table as reading through the session."""
    load_fixture(db_url)
    with session_scope(db_url) as s:
        session = _table(s, "session")
        whole = _table(s, "arrow", parts=1)
        split = _table(s, "arrow", parts=3)
    pd.testing.assert_frame_equal(session, whole)
    pd.testing.assert_frame_equal(session, split)
    program = session[session["kind"] == "program"].set_index("year")
    assert set(program["members"]) == {6}  # A, B, C, D, F, G (E is only suggested)
    assert list(program["reporting"]) == [4, 5, 4]  # 2021: A B C F; 2022: + D; 2023: B gone
    assert program.loc[2023, "total"] == pytest.approx(241)


def test_uncommitted_writes_are_counted(db_url: str) -> None:
    """A session that has written reads through its own connection, so it counts its own writes
    (connectorx's connections would not see them); "auto" would read with connectorx otherwise."""
    from chainlead.progress.reading import has_written

    ids = load_fixture(db_url)

    def total_2023(table: pd.DataFrame) -> float:
        return float(table.query("kind == 'program' and year == 2023")["total"].item())

    with session_scope(db_url) as s:
        assert not has_written(s)
        s.execute(
            text("UPDATE enterprise_financial SET revenue_wan = 1121 WHERE enterprise_id = :a AND year = 2023"),
            {"a": ids["A"]},
        )
        assert has_written(s)
        assert total_2023(_table(s, "arrow")) == pytest.approx(241)  # other connections: not yet
        assert total_2023(_table(s, "auto")) == pytest.approx(241 + 1000)  # its own write
        s.rollback()
        assert not has_written(s)
        assert total_2023(_table(s, "auto")) == pytest.approx(241)
