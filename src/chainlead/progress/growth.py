"""Growth measures (增长): year-on-year nominal and 同口径, CAGR, and its decomposition.

Pure functions over plain numbers, so they can be checked by hand and by hypothesis.

- nominal YoY: total(t) / total(t−1) − 1 over whoever reported in each year;
- 同口径 (like-for-like) YoY: the same ratio over only the enterprises that reported in both
  years, as official statistics publish growth;
- decomposition: total(t) − total(t−1) = entrants(t) − exits(t) + [cont(t) − cont(t−1)], where
  entrants reported in t but not t−1, exits in t−1 but not t, and continuing firms in both.
  The identity is exact; each part is also given as a share of total(t−1).
"""

from __future__ import annotations

import math


def ratio_minus_one(current: float | None, previous: float | None) -> float | None:
    """current / previous − 1, or None when either is missing or previous is not positive."""
    if current is None or previous is None or previous <= 0 or current < 0:
        return None
    return current / previous - 1.0


def cagr(start: float | None, end: float | None, years: int | float) -> float | None:
    """Compound annual growth rate from `start` to `end` over `years` years (None if undefined)."""
    if start is None or end is None or years <= 0 or start <= 0 or end <= 0:
        return None
    return (end / start) ** (1.0 / years) - 1.0


def required_cagr(current: float | None, target: float | None, years_left: int | float) -> float | None:
    """The yearly growth still needed to go from `current` to `target` in `years_left` years.

    None when there is no year left (the target year has come) or the inputs are not positive.
    """
    if years_left <= 0:
        return None
    return cagr(current, target, years_left)


def progress_ratio(current: float | None, target: float | None) -> float | None:
    """How far the current scale is towards the target (1.0 = reached)."""
    if current is None or target is None or target <= 0:
        return None
    return current / target


def decompose(
    total: float, total_prev: float, entrants: float, exits: float, cont_cur: float, cont_prev: float
) -> dict[str, float | None]:
    """Contribution of entrants, exits and continuing firms to the change (in the input unit)."""
    change = total - total_prev
    continuing = cont_cur - cont_prev
    share = (lambda part: part / total_prev) if total_prev > 0 else (lambda part: None)
    residual = change - (entrants - exits + continuing)
    if not math.isclose(residual, 0.0, abs_tol=1e-6 * max(1.0, abs(total), abs(total_prev))):
        raise ValueError(f"decomposition does not add up (residual {residual})")
    return {
        "change": change,
        "entrants": entrants,
        "exits": -exits,
        "continuing": continuing,
        "entrants_pct": share(entrants),
        "exits_pct": share(-exits),
        "continuing_pct": share(continuing),
    }
