"""Every scored indicator at each band edge and just either side, against the published tables
(../shared/design/sme-criteria.md §1(b), §2(b)), written out here by hand."""

from __future__ import annotations

import numpy as np
import pytest

from chainlead.cultivation.engine import indicator_interval
from chainlead.cultivation.metrics import known
from chainlead.cultivation.rules import Settings, rule_for

EPS = 0.01
# indicator id → (metric, direction, [(threshold, points)] lowest band first, points below the lowest)
INNOVATIVE = {
    "rd_ratio": ("rd_ratio_y1", "higher", [(1, 5), (2, 10), (3, 15), (5, 20)], 0),
    "mbr_growth": ("mbr_growth_y1", "higher", [(0, 5), (5, 10), (10, 15), (15, 20)], 0),
    "debt": ("debt_ratio_y1", "lower", [(75, 5), (55, 10)], 0),
    "mbr_share": ("mbr_share_y1", "higher", [(50, 5), (55, 10), (60, 15), (70, 20)], 0),
}
ZJTX = {
    "mbr_share": ("mbr_share_y1", "higher", [(60, 1), (70, 3), (80, 5)], 0),
    "mbr_growth": ("mbr_growth_avg2", "higher", [(0, 2), (4, 4), (6, 6), (8, 8), (10, 10)], 0),
    "net_margin": ("net_margin_y1", "higher", [(2, 2), (4, 4), (6, 6), (8, 8), (10, 10)], 0),
    "debt": ("debt_ratio_y1", "lower", [(70, 1), (60, 3), (50, 5)], 0),
    "rd_staff": ("rd_staff_ratio_y1", "higher", [(5, 1), (10, 3), (20, 5)], 0),
}
# ordinal / count indicators: value → points
INNOVATIVE_LEVELS = {
    "ip": ("ip_level", {0: 0, 1: 5, 2: 10, 3: 15, 4: 20}),
    "field": ("leading_product_in_sei", {0: 5, 1: 10}),
}
ZJTX_LEVELS = {
    "niche_years": ("niche_years", {0: 0, 1: 0, 2: 1, 3: 1, 4: 2, 5: 2, 6: 3, 7: 3, 8: 4, 9: 4, 10: 5, 11: 5, 30: 5}),
    "field": ("field_level", {0: 0, 1: 3, 2: 5}),
    "digital": ("digital_level", {1: 0, 2: 3, 3: 5, 4: 5}),
    "quality": ("quality_items", {0: 0, 1: 3, 2: 5, 3: 5, 4: 5}),
    "ip": ("ip_level", {0: 0, 1: 2, 2: 6, 3: 8, 4: 10}),
    "rd_institution": ("rd_institution", {0: 0, 1: 2, 2: 4, 3: 8, 4: 10}),
}


def _points(tier: str, ind_id: str, mets: dict, settings: Settings | None = None) -> np.ndarray:
    rule = rule_for(tier, 2023)
    ind = next(i for i in rule.indicators if i.id == ind_id)
    n = len(next(iter(mets.values()))[0])
    lo, hi = indicator_interval(ind, mets, settings or Settings(), n)
    assert np.array_equal(lo, hi)
    return lo


def _edge_cases(direction: str, bands: list[tuple[float, float]], below: float) -> list[tuple[float, float, float]]:
    """(value, points with edge=higher, points with edge=lower) at and around every edge."""
    cases = []
    prev = below
    for t, p in bands:
        if direction == "higher":
            cases += [(t - EPS, prev, prev), (t, p, prev), (t + EPS, p, p)]
        else:  # lower is better: bands listed worst first, value at the edge owns the better band
            cases += [(t + EPS, prev, prev), (t, p, prev), (t - EPS, p, p)]
        prev = p
    return cases


def _table_cases(tier: str, table: dict) -> list:
    return [
        pytest.param(tier, ind, metric, v, hi_pts, lo_pts, id=f"{tier}-{ind}-{v}")
        for ind, (metric, direction, bands, below) in table.items()
        for v, hi_pts, lo_pts in _edge_cases(direction, bands, below)
    ]


@pytest.mark.parametrize(
    ("tier", "ind", "metric", "value", "points", "points_lower_edge"),
    _table_cases("innovative_sme", INNOVATIVE) + _table_cases("zjtx_provincial", ZJTX),
)
def test_band_edges(tier: str, ind: str, metric: str, value: float, points: float, points_lower_edge: float) -> None:
    mets = {metric: known(np.array([value]))}
    assert _points(tier, ind, mets)[0] == points
    assert _points(tier, ind, mets, Settings(edge="lower"))[0] == points_lower_edge


@pytest.mark.parametrize(
    ("tier", "ind", "metric", "levels"),
    [("innovative_sme", k, m, lv) for k, (m, lv) in INNOVATIVE_LEVELS.items()]
    + [("zjtx_provincial", k, m, lv) for k, (m, lv) in ZJTX_LEVELS.items()],
)
def test_level_indicators(tier: str, ind: str, metric: str, levels: dict[int, float]) -> None:
    values = np.array(list(levels), dtype=float)
    got = _points(tier, ind, {metric: known(values)})
    assert list(got) == list(levels.values())


RD_AMOUNT = [(100, 2), (200, 4), (300, 6), (400, 8), (500, 10)]
RD_RATIO = [(3, 2), (4, 4), (6, 6), (8, 8), (10, 10)]


@pytest.mark.parametrize(("value", "points", "_lower"), _edge_cases("higher", RD_AMOUNT, 0))
def test_zjtx_rd_amount_edges(value: float, points: float, _lower: float) -> None:
    mets = {"rd_expense_y1": known(np.array([value])), "rd_ratio_y1": known(np.array([0.0]))}
    assert _points("zjtx_provincial", "rd", mets)[0] == points


@pytest.mark.parametrize(("value", "points", "_lower"), _edge_cases("higher", RD_RATIO, 0))
def test_zjtx_rd_ratio_edges(value: float, points: float, _lower: float) -> None:
    mets = {"rd_expense_y1": known(np.array([0.0])), "rd_ratio_y1": known(np.array([value]))}
    assert _points("zjtx_provincial", "rd", mets)[0] == points


def test_zjtx_rd_takes_the_better_of_amount_and_ratio() -> None:
    # 250万元 (4 points) at 9% of revenue (8 points) → 8; 450万元 (8) at 3.5% (2) → 8
    mets = {"rd_expense_y1": known(np.array([250.0, 450.0])), "rd_ratio_y1": known(np.array([9.0, 3.5]))}
    assert list(_points("zjtx_provincial", "rd", mets)) == [8, 8]


def test_unknown_metric_spans_all_bands() -> None:
    rule = rule_for("innovative_sme", 2023)
    ind = next(i for i in rule.indicators if i.id == "rd_ratio")
    lo, hi = indicator_interval(ind, {"rd_ratio_y1": known(np.array([np.nan]))}, Settings(), 1)
    assert (lo[0], hi[0]) == (0, 20)


def test_zjtx_local_feature_group_is_pending() -> None:
    rule = rule_for("zjtx_provincial", 2023)
    ind = next(i for i in rule.indicators if i.id == "local_feature")
    assert not ind.confirmed and rule.local_max == 15
    lo, hi = indicator_interval(ind, {}, Settings(), 2)
    assert list(lo) == [0, 0] and list(hi) == [15, 15]
