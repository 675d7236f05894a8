"""Figures per unit (node, chain, ecosystem, program) for one year: scale, growth, data quality.

Built from `accounting.unit_year_table`; every figure carries its unit (亿元), its as-of year and
how many enterprises reported it, and flags say when the data are stale or thin.
"""

from __future__ import annotations

from typing import Any

from chainlead.progress.accounting import WAN_PER_YI
from chainlead.progress.growth import cagr, decompose, ratio_minus_one

MIN_REPORTING = 10  # fewer reporting enterprises than this → "thin"
MIN_COVERAGE = 0.5  # fewer than half the members reporting → "low_coverage"
COVERAGE_DROP = 0.8  # reporting fell below 80% of last year's → "coverage_drop"

FLAG_TEXT = {
    "no_data": ("无数据", "no figures reported up to this year"),
    "stale": ("数据滞后", "latest figures are older than the year asked for"),
    "thin": ("样本过少", f"fewer than {MIN_REPORTING} enterprises reported"),
    "low_coverage": ("覆盖不足", f"under {MIN_COVERAGE:.0%} of member enterprises reported"),
    "coverage_drop": ("报送减少", "far fewer enterprises reported than the year before; nominal growth is distorted"),
    "no_base_year": ("缺基准年", "no figures for the base year; CAGR since the base year unavailable"),
}


def _yi(wan: float | None) -> float | None:
    return None if wan is None else wan / WAN_PER_YI


class _Row:
    """One unit-year record with attribute access (total, reporting, members, cont_cur, …)."""

    __slots__ = ("__dict__",)

    def __init__(self, record: dict[str, Any]) -> None:
        self.__dict__.update(record)


def index_table(records: list[dict[str, Any]]) -> dict[tuple[str, int], dict[int, Any]]:
    """{(kind, id): {year: row}} from the unit-year table's records."""
    out: dict[tuple[str, int], dict[int, Any]] = {}
    for rec in records:
        out.setdefault((rec["kind"], int(rec["id"])), {})[int(rec["year"])] = _Row(rec)
    return out


def unit_figures(by_year: dict[int, Any], year: int, base_year: int) -> dict[str, Any]:
    """Figures for one unit from its rows of the unit-year table, by year."""
    reported = [y for y, r in by_year.items() if r.reporting > 0 and y <= year]
    members = int(next(iter(by_year.values())).members) if by_year else 0
    flags: list[str] = []
    if not reported:
        return {
            "as_of_year": None,
            "scale_yi": None,
            "enterprises_reporting": 0,
            "members": members,
            "flags": ["no_data"],
            "history": [],
            "unit": "亿元",
        }
    as_of = max(reported)
    if as_of < year:
        flags.append("stale")
    r = by_year[as_of]
    if r.reporting < MIN_REPORTING:
        flags.append("thin")
    if members and r.reporting / members < MIN_COVERAGE:
        flags.append("low_coverage")
    prev = by_year.get(as_of - 1)
    if prev is not None and prev.reporting > 0 and r.reporting < COVERAGE_DROP * prev.reporting:
        flags.append("coverage_drop")
    yoy = like = None
    parts = None
    if prev is not None and prev.reporting > 0:
        yoy = ratio_minus_one(r.total, prev.total)
        like = ratio_minus_one(r.cont_cur, r.cont_prev) if r.cont_n > 0 else None
        d = decompose(r.total, prev.total, r.entrants, r.exits, r.cont_cur, r.cont_prev)
        parts = {
            "change_yi": _yi(d["change"]),
            "entrants_yi": _yi(d["entrants"]),
            "exits_yi": _yi(d["exits"]),
            "continuing_yi": _yi(d["continuing"]),
            "entrants_pct": d["entrants_pct"],
            "exits_pct": d["exits_pct"],
            "continuing_pct": d["continuing_pct"],
            "entrants_n": int(r.entrants_n),
            "exits_n": int(r.exits_n),
            "continuing_n": int(r.cont_n),
        }
    base = by_year.get(base_year)
    cagr_actual = None
    if as_of > base_year:
        if base is None or base.reporting == 0:
            flags.append("no_base_year")
        else:
            cagr_actual = cagr(base.total, r.total, as_of - base_year)
    history = [
        {"year": y, "scale_yi": _yi(by_year[y].total), "enterprises_reporting": int(by_year[y].reporting)}
        for y in sorted(by_year)
        if y <= year and by_year[y].reporting > 0
    ]
    return {
        "as_of_year": as_of,
        "unit": "亿元",
        "scale_yi": _yi(r.total),
        "enterprises_reporting": int(r.reporting),
        "members": members,
        "coverage": (r.reporting / members) if members else None,
        "yoy_nominal": yoy,
        "yoy_like_for_like": like,
        "like_for_like_enterprises": int(r.cont_n) if prev is not None else None,
        "decomposition": parts,
        "base_year": base_year,
        "base_scale_yi": _yi(base.total) if base is not None and base.reporting else None,
        "cagr_actual": cagr_actual,
        "flags": flags,
        "history": history,
    }
