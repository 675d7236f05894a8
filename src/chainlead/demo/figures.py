"""Yearly figures for a chunk of enterprises (年度经营数据), consistent with size and titles.

Revenue comes from the calibrated population; everything else is derived from it with
sector-typical ratios and firm-level noise: R&D (at least the floor a title requires, e.g.
3% for 专精特新), staff and R&D staff, patents as a growing stock, assets and liabilities
(debt ratio capped for title holders), profit, tax, exports and equity financing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainlead.demo import profile
from chainlead.demo.core import Population
from chainlead.demo.tiers import TIER_INDEX, Titles

NY = len(profile.YEARS)
# Sector parameters: (R&D ratio median, revenue per employee 万元, assets/revenue, margin)
_SECTOR = {
    "make_tech": (0.035, 110.0, 1.15, 0.07),
    "make": (0.020, 120.0, 1.05, 0.055),
    "soft": (0.100, 70.0, 1.30, 0.10),
    "trade": (0.003, 260.0, 0.60, 0.025),
    "service": (0.006, 28.0, 1.40, 0.06),
    "tech": (0.040, 60.0, 1.20, 0.07),
}
SECTORS = tuple(_SECTOR)


def sector_of(codes: list[str], code_idx: np.ndarray, manufacturing: np.ndarray, tech: np.ndarray) -> np.ndarray:
    """Sector index per enterprise (index into SECTORS)."""
    division = np.array([int(c[:2]) for c in codes], dtype=np.int16)[code_idx]
    out = np.full(code_idx.size, SECTORS.index("tech"), dtype=np.int8)
    out[np.isin(division, (63, 64, 65))] = SECTORS.index("soft")
    out[np.isin(division, (51, 52, 59))] = SECTORS.index("trade")
    out[np.isin(division, (80, 84, 85))] = SECTORS.index("service")
    out[manufacturing] = SECTORS.index("make")
    out[manufacturing & tech] = SECTORS.index("make_tech")
    return out


@dataclass
class ChunkFigures:
    """Figures as (m, years) arrays; NaN = inactive or unknown."""

    revenue: np.ndarray
    main_business: np.ndarray
    output_value: np.ndarray
    rd_expense: np.ndarray
    employees: np.ndarray
    rd_employees: np.ndarray
    invention_patents: np.ndarray
    ip_total: np.ndarray
    total_assets: np.ndarray
    total_liabilities: np.ndarray
    profit: np.ndarray
    tax: np.ndarray
    export: np.ndarray
    equity_financing: np.ndarray


def _param(sector: np.ndarray, k: int) -> np.ndarray:
    return np.array([_SECTOR[s][k] for s in SECTORS])[sector]


def chunk_figures(
    pop: Population, titles: Titles, sl: slice, sector: np.ndarray, rng: np.random.Generator
) -> ChunkFigures:
    rev = pop.revenue[sl]
    m = int(rev.shape[0])
    alive = ~np.isnan(rev)
    ever = titles.ever[sl]
    zjtx = ever[:, TIER_INDEX["zjtx_provincial"]]
    lg = ever[:, TIER_INDEX["little_giant_national"]]
    hc = ever[:, TIER_INDEX["hidden_champion_provincial"]]
    ht = ever[:, TIER_INDEX["high_tech"]]
    inno = ever[:, TIER_INDEX["innovative_sme"]]
    holder = zjtx | lg | hc
    sec = sector[sl]
    mfg = pop.manufacturing[sl]
    year_noise = lambda sd: np.exp(rng.normal(0.0, sd, size=(m, NY)))  # noqa: E731

    # R&D: sector median × firm factor, then the floors the titles require.
    ratio = _param(sec, 0) * np.exp(rng.normal(0.0, 0.5, size=m))
    ratio = np.minimum(ratio, 0.35)[:, None] * year_noise(0.08)
    size_band = np.nan_to_num(rev, nan=0.0)
    floor = np.zeros((m, NY))
    floor = np.where(ht[:, None], np.where(size_band < 5000, 0.05, np.where(size_band < 20000, 0.04, 0.03)), floor)
    floor = np.where(zjtx[:, None], np.maximum(floor, 0.03), floor)
    floor = np.where(hc[:, None], np.maximum(floor, 0.04), floor)
    floor = np.where(lg[:, None], np.maximum(floor, np.where(size_band < 10000, 0.06, 0.03)), floor)
    lift = 1.02 + 0.25 * rng.random((m, 1))
    ratio = np.where(ratio < floor, floor * lift, ratio)
    rd = rev * ratio
    # 专精特新 asks for ≥ 100万 R&D as well as ≥ 3%: small holders spend at least that.
    rd = np.where((zjtx | lg)[:, None] & (size_band >= 1500), np.maximum(rd, 100.0 * lift), rd)

    mb_share = np.clip(rng.beta(12, 1.2, size=m), 0.6, 1.0)
    mb_share = np.where(holder, np.maximum(mb_share, 0.82), mb_share)
    # Title holders focus: their main-business share rises a little each year (from ≥ 72% in
    # 2019), so main-business revenue grows faster than revenue, as the growth criteria expect.
    focus = holder | inno
    start = np.where(focus, np.minimum(mb_share, rng.uniform(0.72, 0.86, size=m)), mb_share)
    start = np.where(lg, np.minimum(start, rng.uniform(0.7, 0.76, size=m)), start)
    slope = np.where(focus, rng.uniform(0.01, 0.035, size=m), 0.0)
    slope = np.where(lg, rng.uniform(0.03, 0.045, size=m), slope)
    path = np.minimum(start[:, None] + slope[:, None] * np.arange(NY), 0.995)
    share = np.minimum(path * year_noise(0.01), 1.0)
    # 小巨人 keep main-business revenue growing (≥ 5% on average) through revenue dips where the
    # share allows: the main line grows while side business shrinks (创新型: at least holds).
    step = 1.0 + np.where(lg, rng.uniform(0.04, 0.12, size=m), rng.uniform(0.0, 0.06, size=m))
    for j in range(1, NY):
        want = rev[:, j - 1] * share[:, j - 1] * step / rev[:, j]
        lifted = np.minimum(np.fmax(share[:, j], want), 0.995)
        share[:, j] = np.where((lg | inno) & ~np.isnan(want), lifted, share[:, j])
    main_business = rev * share
    output = np.where(mfg[:, None], rev * np.exp(rng.normal(0.0, 0.04, size=(m, NY))), np.nan)

    per_emp = _param(sec, 1) * np.exp(rng.normal(0.0, 0.35, size=m))
    productivity = 1.04 ** (np.arange(NY) - 2)
    employees = np.maximum(1.0, np.round(rev / (per_emp[:, None] * productivity) * year_noise(0.03)))
    rd_share = np.clip(ratio * 2.2 + rng.normal(0.0, 0.02, size=(m, 1)), 0.01, 0.75)
    rd_employees = np.round(employees * rd_share)
    rd_employees = np.where((rd > 0) & (employees >= 3), np.maximum(rd_employees, 1.0), rd_employees)

    # Patents: a stock that only grows; new grants ~ Poisson(R&D / cost per patent).
    cost = np.where(sec == SECTORS.index("soft"), 500.0, 180.0) * np.exp(rng.normal(0.0, 0.5, size=m))
    # Grants grow less than proportionally with R&D (the largest firms file thousands, not tens of thousands).
    flow = rng.poisson(np.nan_to_num(rd / cost[:, None]).clip(0, 1e7) ** 0.85)
    founded_year = pop.founded[sl].astype("datetime64[Y]").astype(int) + 1970
    age0 = np.clip(profile.YEARS[0] - founded_year, 0, 12)
    start = rng.poisson(np.nan_to_num(rd[:, 0] / cost).clip(0, 1e7) ** 0.85 * age0 * 0.4)
    start = np.maximum(start, np.where(lg, 2, np.where(zjtx | ht | hc, 1, 0)))
    invention = start[:, None] + np.cumsum(flow, axis=1) - flow[:, :1]
    other_rate = rng.uniform(1.5, 6.0, size=m)
    staff = np.nan_to_num(np.fmax.reduce(employees, axis=1))
    other_base = rng.poisson(np.minimum(staff, 5000) * 0.04 + 1)
    other = np.floor(other_base[:, None] * 1.12 ** np.arange(NY) + invention * other_rate[:, None])
    ip_total = invention + other

    assets = rev * _param(sec, 2)[:, None] * np.exp(rng.normal(0.0, 0.3, size=(m, 1))) * year_noise(0.05)
    lev = np.clip(rng.beta(4, 5, size=(m, 1)) * year_noise(0.05), 0.05, 0.95)
    lev = np.where(holder[:, None], np.minimum(lev, 0.68), lev)
    lev = np.where(inno[:, None], np.minimum(lev, rng.uniform(0.4, 0.56, size=(m, 1))), lev)  # light-asset
    liabilities = assets * lev
    margin = _param(sec, 3)[:, None] + rng.normal(0.0, 0.045, size=(m, 1)) + rng.normal(0.0, 0.025, size=(m, NY))
    margin = np.where(holder[:, None] | pop.master[sl, None], np.maximum(margin, 0.03), margin)
    # 隐形冠军 widen their margins (profit growth ≥ 10% a year is one of their criteria); a few
    # see them squeezed instead and drift below the bar.
    widen = np.where(rng.random(m) < 0.93, 1.1, 0.97)[:, None]
    hc_margin = np.maximum(margin[:, :1], 0.04) * widen ** (np.arange(NY) - 2) * year_noise(0.02)
    margin = np.where(hc[:, None], np.minimum(hc_margin, 0.3), margin)
    profit = rev * margin
    tax = rev * rng.uniform(0.012, 0.04, size=(m, 1)) + np.maximum(profit, 0.0) * 0.15

    exporter = rng.random(m) < np.where(mfg, 0.45, 0.08)
    export = rev * np.where(exporter, rng.beta(2, 4, size=m), 0.0)[:, None]
    young = (2024 - founded_year) <= 10
    rounds = rng.random((m, NY)) < np.where(young & (sec != SECTORS.index("trade")), 0.05, 0.005)[:, None]
    equity = np.where(rounds, np.maximum(500.0, rev * np.exp(rng.normal(0.0, 0.8, size=(m, NY)))), 0.0)

    # Small firms leave some optional cells empty, as in real returns.
    small = ~pop.above_scale[sl][:, None]
    export = np.where(small & (rng.random((m, NY)) < 0.3), np.nan, export)
    equity = np.where(small & (rng.random((m, NY)) < 0.3), np.nan, equity)
    rd_employees = np.where(small & (rng.random((m, NY)) < 0.08), np.nan, rd_employees)

    def money(a: np.ndarray) -> np.ndarray:
        return np.where(alive, np.round(a, 2), np.nan)

    def count(a: np.ndarray) -> np.ndarray:
        return np.where(alive, a, np.nan)

    return ChunkFigures(
        revenue=rev,
        main_business=money(main_business),
        output_value=money(output),
        rd_expense=money(rd),
        employees=count(employees),
        rd_employees=count(rd_employees),
        invention_patents=count(invention.astype(float)),
        ip_total=count(ip_total),
        total_assets=money(assets),
        total_liabilities=money(liabilities),
        profit=money(profit),
        tax=money(tax),
        export=money(export),
        equity_financing=money(equity),
    )
