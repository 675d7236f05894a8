"""Calibration: base-year scale per ecosystem, tier counts on 2022-05-31, two-chain share, growth."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from chainlead.demo.service import prepare, summarize
from chainlead.program.builtin import load_builtin
from tests.demo.conftest import CALIBRATION_N, read_csv

PROGRAM = load_builtin("hangzhou-2022").program
ECO_OF_CHAIN = {chain.name: eco.name for eco, chain in PROGRAM.chains()}
BASELINE_WAN = {eco.name: eco.baseline.scale_yi * 10_000 for eco in PROGRAM.ecosystems if eco.baseline}


def _ecos_by_uscc(out):
    ecos = defaultdict(set)
    for row in read_csv(out / "memberships.csv"):
        ecos[row["uscc"]].add(ECO_OF_CHAIN[row["chain"]])
    return ecos


def _revenue(out):
    rev = defaultdict(dict)
    for row in read_csv(out / "financials.csv"):
        if row["revenue_wan"]:
            rev[int(row["year"])][row["uscc"]] = float(row["revenue_wan"])
    return rev


def test_base_year_scale_matches_baselines_within_two_percent(demo5000):
    _, out = demo5000
    ecos = _ecos_by_uscc(out)
    base = _revenue(out)[2021]
    totals = defaultdict(float)
    for uscc, value in base.items():
        for eco in ecos[uscc]:  # once per ecosystem, even if in two of its chains
            totals[eco] += value
    assert set(totals) == set(BASELINE_WAN)
    for eco, want in BASELINE_WAN.items():
        assert abs(totals[eco] / want - 1) <= 0.02, (eco, totals[eco] / 1e4, want / 1e4)


def test_summary_reports_the_same_scale(demo5000):
    summary, _ = demo5000
    assert summary.n == CALIBRATION_N
    for eco in summary.ecosystems:
        assert eco.is_estimate
        assert abs(eco.base_scale_yi / eco.baseline_yi - 1) <= 0.02


def _valid_on(rows, tier, day):
    return {
        r["uscc"]
        for r in rows
        if r["tier"] == tier and dt.date.fromisoformat(r["granted_on"]) <= day <= dt.date.fromisoformat(r["expires_on"])
    }


def test_tier_counts_on_baseline_date_are_exact(demo5000):
    _, out = demo5000
    rows = read_csv(out / "qualifications.csv")
    day = dt.date(2022, 5, 31)
    assert len(_valid_on(rows, "zjtx_provincial", day)) == 310
    assert len(_valid_on(rows, "hidden_champion_provincial", day)) == 36
    assert len(_valid_on(rows, "little_giant_national", day)) == 53
    for r in rows:
        granted, expires = dt.date.fromisoformat(r["granted_on"]), dt.date.fromisoformat(r["expires_on"])
        assert expires == dt.date(granted.year + 3, granted.month, granted.day) - dt.timedelta(days=1)


def test_later_grants_continue_through_2024(demo5000):
    _, out = demo5000
    rows = read_csv(out / "qualifications.csv")
    for tier in ("zjtx_provincial", "little_giant_national", "hidden_champion_provincial"):
        years = {dt.date.fromisoformat(r["granted_on"]).year for r in rows if r["tier"] == tier}
        assert {2022, 2023, 2024} <= years, tier
    end = dt.date(2024, 12, 31)
    assert len(_valid_on(rows, "zjtx_provincial", end)) > 310
    assert len(_valid_on(rows, "little_giant_national", end)) > 53


def test_little_giants_hold_a_provincial_zjtx_title(demo5000):
    _, out = demo5000
    rows = read_csv(out / "qualifications.csv")
    zjtx = {r["uscc"] for r in rows if r["tier"] == "zjtx_provincial"}
    giants = {r["uscc"] for r in rows if r["tier"] == "little_giant_national"}
    assert giants <= zjtx


def test_a_few_percent_sit_in_two_chains_with_one_primary(demo5000):
    summary, out = demo5000
    rows = read_csv(out / "memberships.csv")
    per = defaultdict(list)
    for r in rows:
        per[r["uscc"]].append(r)
    assert len(per) == CALIBRATION_N
    assert all(sum(x["is_primary"] == "true" for x in v) == 1 for v in per.values())
    two = sum(1 for v in per.values() if len({x["chain"] for x in v}) == 2)
    assert two == summary.two_chains
    assert 0.02 * CALIBRATION_N <= two <= 0.07 * CALIBRATION_N


def test_ecosystem_growth_follows_the_profiles(demo5000):
    _, out = demo5000
    ecos = _ecos_by_uscc(out)
    rev = _revenue(out)
    series = {
        eco: [sum(v for u, v in rev[y].items() if eco in ecos[u]) for y in range(2019, 2025)] for eco in BASELINE_WAN
    }
    growth = {eco: np.diff(s) / np.array(s[:-1]) for eco, s in series.items()}
    # 智能物联 about 9–10% a year (7800 in 2022, 9400 in 2024 from 7100 in 2021).
    assert 0.07 <= growth["智能物联"][2] <= 0.12
    assert 0.07 <= (series["智能物联"][5] / series["智能物联"][3]) ** 0.5 - 1 <= 0.12
    # 生物医药: strong to 2022, a dip in 2023, recovery after.
    assert growth["生物医药"][1] > 0.08 and growth["生物医药"][3] < 0 < growth["生物医药"][4]
    assert 0.03 <= growth["高端装备"].mean() <= 0.09
    assert 0.05 <= growth["新材料"].mean() <= 0.11
    assert 0.09 <= growth["绿色低碳"].mean() <= 0.15


def test_sizes_are_heavy_tailed(demo5000):
    _, out = demo5000
    values = np.sort(np.array(list(_revenue(out)[2021].values())))[::-1]
    top1 = values[: max(1, values.size // 100)].sum() / values.sum()
    median_over_mean = np.median(values) / values.mean()
    assert top1 > 0.25  # a few chain masters and listed firms carry a large share
    assert median_over_mean < 0.3  # a long tail of small firms
    listed = [r for r in read_csv(out / "enterprises.csv") if r["is_listed"] == "true"]
    assert 0 < len(listed) <= 150


@settings(max_examples=8, deadline=None)
@given(n=st.integers(1500, 4000), seed=st.integers(0, 10**6))
def test_calibration_and_tier_counts_hold_for_any_seed(n, seed):
    run = prepare(n, seed)
    summary = summarize(run, seed)
    for eco in summary.ecosystems:
        assert abs(eco.base_scale_yi / eco.baseline_yi - 1) < 1e-6
    assert summary.tiers_on_baseline == {
        "zjtx_provincial": 310,
        "hidden_champion_provincial": 36,
        "little_giant_national": 53,
    }
