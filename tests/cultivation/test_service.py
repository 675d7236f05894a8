"""Candidates, funnel, expiring titles and one enterprise's explanation on the database, with a
small hand-made dataset, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from chainlead.cultivation.service import CultivationError, candidates, evaluate_enterprise, expiring, funnel
from chainlead.db import session_scope
from chainlead.db.models import (
    ChainMembership,
    Enterprise,
    EnterpriseFact,
    EnterpriseFinancial,
    Qualification,
    TierGoalRow,
)
from tests.cultivation.helpers import STAR_FACTS, STAR_FINANCIALS, seed_two_chains

A, B, C, D = "91330100MA2C00000P", "91330101MA2C000107", "91330102MA2C00020N", "91330103MA2C000306"


def _seed(url: str) -> None:
    with session_scope(url) as s:
        program_id, chains = seed_two_chains(s, ic_aliases=["IC"])
        for kind, tier, count in (
            ("target", "zjtx_provincial", 2500),
            ("target", "little_giant_national", 240),
            ("target", "hidden_champion_provincial", 100),
            ("baseline", "zjtx_provincial", 310),
        ):
            s.add(
                TierGoalRow(
                    program_id=program_id, kind=kind, tier=tier, count=count, year=2025 if kind == "target" else None
                )
            )
        ents = {}
        for uscc, name, district in (
            (A, "星辰精密", "330108"),
            (B, "近线科技", "330106"),
            (C, "老牌巨人", "330108"),
            (D, "微小公司", "330110"),
        ):
            e = Enterprise(
                uscc=uscc,
                name=name,
                district_code=district,
                industry_code="3981",
                founded_on=dt.date(2005, 3, 1),
                is_high_tech=False,
            )
            s.add(e)
            s.flush()
            ents[uscc] = e.id
        for uscc in (A, B, C):
            for year, vals in STAR_FINANCIALS.items():
                v = dict(vals)
                if uscc == B and year == 2022:
                    v["rd_expense_wan"] = 580  # 2.9% < 3%: a near miss for 专精特新
                s.add(EnterpriseFinancial(enterprise_id=ents[uscc], year=year, **v))
            s.add(EnterpriseFact(enterprise_id=ents[uscc], year=2022, **STAR_FACTS))
        s.add(
            EnterpriseFinancial(
                enterprise_id=ents[D],
                year=2022,
                revenue_wan=300,
                main_business_revenue_wan=100,
                rd_expense_wan=1,
                employees=5,
            )
        )
        s.add(EnterpriseFact(enterprise_id=ents[D], year=2022, niche_since_year=2021, on_abnormal_list=False))
        s.add(Qualification(enterprise_id=ents[A], tier="zjtx_provincial", granted_on=dt.date(2021, 6, 1)))
        s.add(
            Qualification(
                enterprise_id=ents[C],
                tier="zjtx_provincial",
                granted_on=dt.date(2019, 6, 1),
                expires_on=dt.date(2022, 5, 31),
            )
        )  # expired: not valid in 2023
        s.add(Qualification(enterprise_id=ents[C], tier="little_giant_national", granted_on=dt.date(2020, 3, 1)))
        for uscc, chain, status in (
            (A, "集成电路", "applied"),
            (B, "集成电路", "confirmed"),
            (C, "视觉智能", "suggested"),
            (C, "集成电路", "rejected"),
            (D, "集成电路", "confirmed"),
        ):
            cid, nid = chains[chain]
            s.add(ChainMembership(enterprise_id=ents[uscc], chain_id=cid, node_id=nid, source="manual", status=status))


@pytest.fixture
def seeded(db_url: str) -> str:
    _seed(db_url)
    return db_url


def _cat(df, uscc: str, tier: str) -> str:  # type: ignore[no-untyped-def]
    row = df[(df["uscc"] == uscc) & (df["tier"] == tier)]
    return row["category"].iloc[0] if len(row) else ""


def test_candidates_per_tier_chain_and_district(seeded: str) -> None:
    with session_scope(seeded) as s:
        zjtx = candidates(s, "zjtx_provincial", year=2023)
        assert _cat(zjtx, A, "zjtx_provincial") == "holder"
        assert _cat(zjtx, B, "zjtx_provincial") == "near_miss"
        assert _cat(zjtx, C, "zjtx_provincial") == ""  # meets it, but holds 小巨人 (excluded, not listed)
        assert D not in set(zjtx["uscc"])
        near = zjtx[zjtx["uscc"] == B].iloc[0]
        assert (
            "研发费用再增加 20 万元" in near["advice"] and near["chains"] == "集成电路" and near["district"] == "西湖区"
        )
        lg = candidates(s, "little_giant_national", year=2023)
        assert _cat(lg, C, "little_giant_national") == "holder" and _cat(lg, A, "little_giant_national") == "eligible"
        ic = candidates(s, chain="集成电路", year=2023)
        assert set(ic["uscc"]) == {A, B}  # C's membership is rejected, D has nothing to show
        assert set(candidates(s, chain="IC", year=2023)["uscc"]) == {A, B}  # alias
        assert candidates(s, chain="视觉智能", year=2023).empty  # only a suggested membership
        west = candidates(s, year=2023, district="330106")
        assert set(west["uscc"]) == {B}
        # A holds 专精特新, so it is kept out of the 创新型 candidates
        inn = candidates(s, "innovative_sme", year=2023, include=("eligible", "excluded"))
        assert _cat(inn, A, "innovative_sme") == "excluded" and _cat(inn, B, "innovative_sme") == "eligible"


def test_funnel_against_targets(seeded: str) -> None:
    with session_scope(seeded) as s:
        rows = {r["tier"]: r for r in funnel(s, 2023)}
    z = rows["zjtx_provincial"]
    assert (z["holders"], z["target"], z["target_year"], z["baseline"]) == (1, 2500, 2025, 310)
    assert z["gap"] == 2499 and z["per_year_needed"] == 833  # 3 rounds: 2023, 2024, 2025
    assert (z["eligible"], z["near_miss"]) == (0, 1)
    lg = rows["little_giant_national"]
    assert (lg["holders"], lg["eligible"], lg["review_due"]) == (1, 1, 1)  # C's 2020 title expires in 2023
    assert rows["innovative_sme"]["target"] is None and rows["innovative_sme"]["gap"] is None
    with session_scope(seeded) as s:
        ic = {r["tier"]: r for r in funnel(s, 2023, chain="集成电路")}
        west = {r["tier"]: r for r in funnel(s, 2023, district="330106")}
        nobody = {r["tier"]: r for r in funnel(s, 2023, district="330182")}
    assert nobody["little_giant_national"]["holders"] == 0 and nobody["little_giant_national"]["review_due"] == 0
    assert (ic["zjtx_provincial"]["holders"], ic["zjtx_provincial"]["near_miss"]) == (1, 1)
    assert ic["zjtx_provincial"]["target"] is None and ic["little_giant_national"]["review_due"] == 0
    assert (west["zjtx_provincial"]["holders"], west["zjtx_provincial"]["near_miss"]) == (0, 1)


def test_expiring_titles(seeded: str) -> None:
    with session_scope(seeded) as s:
        due = expiring(s, 2023)
        assert list(zip(due["uscc"], due["tier"], strict=True)) == [(C, "little_giant_national")]
        assert due["expires"].iloc[0] == dt.date(2023, 2, 28)
        assert set(expiring(s, 2024)["uscc"]) == {A}


def test_evaluate_enterprise_in_words(seeded: str) -> None:
    with session_scope(seeded) as s:
        data = evaluate_enterprise(s, B, 2023)
        tiers = {t["tier"]: t for t in data["tiers"]}
        assert data["name"] == "近线科技" and len(tiers) == 4
        z = tiers["zjtx_provincial"]
        assert z["result"] == "not_eligible" and z["holds_title"] is False
        assert any("2.9% < 3%" in ln["text"] for ln in z["lines"])
        with pytest.raises(CultivationError):
            evaluate_enterprise(s, "91330100MA2C00000X", 2023)
        with pytest.raises(CultivationError):
            candidates(s, chain="不存在的链", year=2023)


def test_cli_on_the_database(seeded: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd
    from typer.testing import CliRunner

    from chainlead.cli.cultivation_cmd import app

    runner = CliRunner()
    out = tmp_path / "cand.xlsx"
    res = runner.invoke(
        app, ["candidates", "--tier", "zjtx_provincial", "--year", "2023", "--db", seeded, "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    df = pd.read_excel(out, sheet_name="结果", engine="calamine")
    assert set(df["category"]) == {"holder", "near_miss"}
    res = runner.invoke(app, ["funnel", "--year", "2023", "--db", seeded, "--json"])
    assert res.exit_code == 0 and '"per_year_needed": 833' in res.output
    res = runner.invoke(app, ["explain", B, "--year", "2023", "--db", seeded])
    assert res.exit_code == 0 and "2.9% < 3%" in res.output and "研发费用再增加 20 万元" in res.output
    res = runner.invoke(app, ["expiring", "--year", "2023", "--db", seeded])
    assert res.exit_code == 0 and "老牌巨人" in res.output and "2023-02-28" in res.output
    res = runner.invoke(app, ["candidates", "--chain", "没有这条链", "--db", seeded])
    assert res.exit_code == 2 and "没有这条链" in res.output


def test_funnel_is_cached_until_data_change(seeded: str) -> None:
    from chainlead.db.models import ResultCache
    from chainlead.db.versions import bump

    with session_scope(seeded) as s:
        first = funnel(s, 2023)
        rows = s.query(ResultCache).filter(ResultCache.key.like("cultivation.funnel.2023.%")).all()
        assert len(rows) == 1
        rows[0].payload = {"rows": [{"tier": "stale"}]}  # a stored payload is served while versions hold
    with session_scope(seeded) as s:
        assert funnel(s, 2023) == [{"tier": "stale"}]
        bump(s, "facts")
    with session_scope(seeded) as s:
        assert funnel(s, 2023) == first
        assert funnel(s, 2023, use_cache=False) == first
