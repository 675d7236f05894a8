"""Enterprise facts for the tier criteria (培育评价事实), consistent with titles and figures.

Facts are collected (as a chain office would survey them) for above-scale enterprises, title
holders and high-tech firms, for fiscal years 2021–2024. Title holders show the facts their
title requires (e.g. 小巨人: ≥ 2 Ⅰ类 IP, national market share ≥ 10%, niche ≥ 3 years); an
empty cell (NULL) means unknown, never false — some cells are left unknown on purpose.
"""

from __future__ import annotations

import numpy as np

from chainlead.demo import profile
from chainlead.demo.core import Population
from chainlead.demo.figures import SECTORS, ChunkFigures
from chainlead.demo.tiers import TIER_INDEX, Titles

FACT_YEARS = (2021, 2022, 2023, 2024)
FACT_COLUMNS = (
    "niche_since_year",
    "leading_product_count",
    "leading_product_in_sei",
    "leading_product_field_level",
    "leading_product_priority_field",
    "ip_class1_high_value",
    "ip_class1_self_developed",
    "ip_class1",
    "ip_class2",
    "ip_class1_applied",
    "invention_patents_related",
    "rd_institution_level",
    "digital_level",
    "quality_award_provincial",
    "qms_certified",
    "own_brand",
    "standards_count",
    "intl_certifications",
    "core_business_on_info_system",
    "national_market_share_pct",
    "national_niche_rank",
    "global_niche_rank",
    "sci_tech_award",
    "maker_china",
    "bank_credit_ok",
    "on_abnormal_list",
    "on_dishonesty_list",
    "major_incident_3y",
)
BOOL_FACTS = frozenset(
    {
        "leading_product_in_sei",
        "quality_award_provincial",
        "qms_certified",
        "own_brand",
        "core_business_on_info_system",
        "bank_credit_ok",
        "on_abnormal_list",
        "on_dishonesty_list",
        "major_incident_3y",
    }
)
TEXT_FACTS = frozenset(
    {
        "leading_product_field_level",
        "leading_product_priority_field",
        "rd_institution_level",
        "sci_tech_award",
        "maker_china",
    }
)
FLOAT_FACTS = frozenset({"national_market_share_pct"})


def _pick(rng, m, options, p) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=m, p=np.asarray(p) / np.sum(p))]


def chunk_facts(
    pop: Population, titles: Titles, sl: slice, sector: np.ndarray, fig: ChunkFigures, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """(local enterprise index, year, {column: values}) for the surveyed enterprise-years."""
    ever = titles.ever[sl]
    m = int(ever.shape[0])
    zjtx = ever[:, TIER_INDEX["zjtx_provincial"]]
    lg = ever[:, TIER_INDEX["little_giant_national"]]
    hc = ever[:, TIER_INDEX["hidden_champion_provincial"]]
    sc = ever[:, TIER_INDEX["single_champion_national"]]
    ht = ever[:, TIER_INDEX["high_tech"]]
    holder = zjtx | lg | hc | sc
    sec = sector[sl]
    mfg = pop.manufacturing[sl]
    surveyed = pop.above_scale[sl] | holder | ht | ever[:, TIER_INDEX["innovative_sme"]]
    founded_year = pop.founded[sl].astype("datetime64[Y]").astype(int) + 1970

    # Per-firm constants.
    niche = founded_year + rng.integers(0, 4, size=m)
    niche = np.where(holder, np.maximum(founded_year, np.minimum(niche, 2018)), niche)
    niche = np.where(lg | hc, founded_year, niche)  # champions have served their niche since founding
    lp_count = rng.integers(1, 4, size=m)
    in_sei = rng.random(m) < np.where(holder | ht, 0.95, 0.7)
    # 小巨人 must play a 补短板/锻长板/填空白 role in a key chain; a few files still say otherwise.
    field = np.where(
        lg,
        _pick(rng, m, ("chain_breakthrough", "six_basics"), (99, 1)),
        np.where(
            hc,
            _pick(rng, m, ("chain_breakthrough", "six_basics", "none"), (4, 4, 2)),
            _pick(rng, m, ("chain_breakthrough", "six_basics", "none"), (1, 1, 8)),
        ),
    )
    soft = sec == SECTORS.index("soft")
    priority = np.where(
        soft,
        _pick(rng, m, ("network_power", "none"), (7, 3)),
        np.where(mfg, _pick(rng, m, ("manufacturing_power_10", "six_basics", "none"), (5, 2, 3)), "none"),
    )
    # 小巨人's leading products lie in the 六基 / 制造强国 / 网络强国 fields (a few exceptions).
    lg_priority = np.where(
        soft,
        _pick(rng, m, ("network_power", "none"), (99, 1)),
        _pick(rng, m, ("manufacturing_power_10", "six_basics", "network_power", "none"), (63, 25, 11, 1)),
    )
    priority = np.where(lg, lg_priority, priority)
    rd_inst = np.where(
        lg,
        _pick(rng, m, ("national", "provincial", "municipal"), (2, 6, 2)),
        np.where(
            zjtx | hc,
            _pick(rng, m, ("provincial", "municipal", "below_municipal"), (3, 5, 2)),
            _pick(rng, m, ("municipal", "below_municipal", "none"), (1, 2, 7)),
        ),
    )
    digital = np.where(lg | zjtx, rng.integers(2, 5, size=m), rng.integers(1, 4, size=m))
    quality = rng.random(m) < np.where(lg | hc, 0.15, 0.02)
    qms = rng.random(m) < np.where(holder, 0.97, np.where(mfg, 0.7, 0.35))
    brand = rng.random(m) < np.where(lg | hc, 0.995, np.where(holder, 0.9, 0.55))
    standards = rng.poisson(np.where(lg | hc, 2.5, np.where(zjtx, 1.0, 0.2)))
    standards = np.where(lg | hc, np.maximum(standards, 1), standards)
    intl = rng.poisson(np.where(mfg, 0.8, 0.2) + np.where(holder, 0.8, 0.0))
    intl = np.where(hc, np.maximum(intl, 1), intl)
    info_sys = rng.random(m) < np.where(lg | hc, 0.995, np.where(holder, 0.95, 0.5))
    applied_floor = np.where(lg, rng.integers(2, 6, size=m), 0)  # 小巨人: ≥ 2 Ⅰ类 IP in use
    share = np.where(
        lg | hc,
        rng.uniform(10.0, 38.0, size=m),
        np.where(zjtx, rng.uniform(2.0, 15.0, size=m), rng.uniform(0.05, 5.0, size=m)),
    ).round(1)
    nrank = np.where(
        hc, rng.integers(1, 4, size=m), np.where(lg, rng.integers(1, 11, size=m), rng.integers(5, 60, size=m))
    )
    grank = np.where(hc | sc, rng.integers(1, 11, size=m), -1)
    award = np.where(
        lg,
        _pick(rng, m, ("national_top5", "provincial_top3", "provincial", "none"), (1, 2, 3, 4)),
        _pick(rng, m, ("provincial_top3", "provincial", "none"), (1, 3, 46)),
    )
    maker = np.where(
        holder, _pick(rng, m, ("top50", "top500", "none"), (1, 3, 16)), _pick(rng, m, ("top500", "none"), (1, 99))
    )
    # Small 小巨人 (under 5000万 revenue) mostly came in through the 创客中国 top-50 direct route.
    small_lg = lg & (np.nan_to_num(fig.revenue[:, profile.YEARS.index(2021)]) < 5000)
    maker = np.where(small_lg & (rng.random(m) < 0.7), "top50", maker)
    clean = holder | ht | ever[:, TIER_INDEX["innovative_sme"]]
    abnormal = ~clean & (rng.random(m) < 0.02)
    dishonest = ~clean & (rng.random(m) < 0.005)
    incident = ~clean & (rng.random(m) < 0.005)

    rows_i: list[np.ndarray] = []
    rows_y: list[np.ndarray] = []
    cols: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {c: [] for c in FACT_COLUMNS}
    for year in FACT_YEARS:
        j = profile.YEARS.index(year)
        active = surveyed & ~np.isnan(fig.revenue[:, j])
        idx = np.flatnonzero(active)
        k = idx.size
        if k == 0:
            continue
        rows_i.append(idx)
        rows_y.append(np.full(k, year, dtype=np.int16))
        inv = fig.invention_patents[idx, j]
        ipt = fig.ip_total[idx, j]
        rd = np.nan_to_num(fig.rd_expense[idx, j])
        class1 = inv
        values = {
            "niche_since_year": np.minimum(niche[idx], year).astype(float),
            "leading_product_count": lp_count[idx].astype(float),
            "leading_product_in_sei": in_sei[idx],
            "leading_product_field_level": field[idx],
            "leading_product_priority_field": priority[idx],
            "ip_class1_high_value": np.floor(class1 * rng.uniform(0.0, 0.25, size=k)),
            "ip_class1_self_developed": np.ceil(class1 * rng.uniform(0.6, 1.0, size=k)),
            "ip_class1": class1,
            "ip_class2": ipt - inv,
            "ip_class1_applied": np.maximum(
                rng.poisson(np.clip(rd / 250.0, 0, 1e5)), np.minimum(applied_floor[idx], inv)
            ).astype(float),
            "invention_patents_related": np.ceil(inv * rng.uniform(0.6, 1.0, size=k)),
            "rd_institution_level": rd_inst[idx],
            "digital_level": digital[idx].astype(float),
            "quality_award_provincial": quality[idx],
            "qms_certified": qms[idx],
            "own_brand": brand[idx],
            "standards_count": standards[idx].astype(float),
            "intl_certifications": intl[idx].astype(float),
            "core_business_on_info_system": info_sys[idx],
            "national_market_share_pct": share[idx],
            "national_niche_rank": nrank[idx].astype(float),
            "global_niche_rank": np.where(grank[idx] > 0, grank[idx], np.nan),
            "sci_tech_award": award[idx],
            "maker_china": maker[idx],
            "bank_credit_ok": ~(abnormal[idx] | dishonest[idx]) | (rng.random(k) < 0.5),
            "on_abnormal_list": abnormal[idx],
            "on_dishonesty_list": dishonest[idx],
            "major_incident_3y": incident[idx],
        }
        # Unknown cells: rarer for title holders, whose files the office keeps complete.
        unknown_p = np.where(holder[idx], 0.03, 0.12)
        for col in FACT_COLUMNS:
            v = values[col]
            gone = rng.random(k) < unknown_p
            if col in ("national_market_share_pct", "national_niche_rank"):
                gone |= ~holder[idx] & (rng.random(k) < 0.5)
            cols[col].append((v, gone))
    if not rows_i:
        return np.zeros(0, np.int64), np.zeros(0, np.int16), {}
    out: dict[str, np.ndarray] = {}
    for col in FACT_COLUMNS:
        parts = cols[col]
        if col in BOOL_FACTS or col in TEXT_FACTS:
            vals = np.concatenate([p[0].astype(object) for p in parts])
        else:
            vals = np.concatenate([p[0].astype(float) for p in parts])
        gone = np.concatenate([p[1] for p in parts])
        if col in BOOL_FACTS or col in TEXT_FACTS:
            vals[gone] = None
        else:
            vals[gone] = np.nan
        out[col] = vals
    return np.concatenate(rows_i), np.concatenate(rows_y), out
