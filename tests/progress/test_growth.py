"""Growth measures: hand cases and properties (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chainlead.progress.growth import cagr, decompose, progress_ratio, ratio_minus_one, required_cagr

positive = st.floats(min_value=1e-3, max_value=1e9, allow_nan=False, allow_infinity=False)
years = st.integers(min_value=1, max_value=30)


def test_hand_cases() -> None:
    assert cagr(100, 121, 2) == pytest.approx(0.10)
    assert required_cagr(9400, 10000, 1) == pytest.approx(10000 / 9400 - 1)
    assert required_cagr(7800, 10000, 3) == pytest.approx((10000 / 7800) ** (1 / 3) - 1)
    assert ratio_minus_one(110, 100) == pytest.approx(0.1)
    assert progress_ratio(9387, 10000) == pytest.approx(0.9387)


def test_undefined_cases_are_none() -> None:
    assert cagr(0, 10, 2) is None and cagr(10, 0, 2) is None and cagr(10, 20, 0) is None
    assert required_cagr(100, 200, 0) is None  # the target year has come
    assert required_cagr(100, 200, -1) is None
    assert ratio_minus_one(10, 0) is None and ratio_minus_one(None, 10) is None
    assert progress_ratio(10, None) is None and progress_ratio(10, 0) is None


@given(start=positive, growth=st.floats(min_value=-0.9, max_value=3.0), n=years)
def test_cagr_inverts_compounding(start: float, growth: float, n: int) -> None:
    end = start * (1 + growth) ** n
    assert cagr(start, end, n) == pytest.approx(growth, rel=1e-6, abs=1e-9)


@given(current=positive, factor=st.floats(min_value=0.01, max_value=100.0), n=years)
def test_required_cagr_reaches_the_target(current: float, factor: float, n: int) -> None:
    target = current * factor
    rate = required_cagr(current, target, n)
    assert rate is not None
    assert current * (1 + rate) ** n == pytest.approx(target, rel=1e-6)
    # needing more time never needs faster growth
    later = required_cagr(current, target, n + 1)
    assert later is not None
    assert abs(later) <= abs(rate) + 1e-12
    # above target → a non-positive rate is enough
    assert (rate <= 1e-12) == (current >= target) or current == pytest.approx(target)


ratio = st.floats(min_value=0.01, max_value=100.0)


@given(a=positive, rb=ratio, rc=ratio, n1=years, n2=years)
def test_cagr_chains(a: float, rb: float, rc: float, n1: int, n2: int) -> None:
    b, c = a * rb, a * rb * rc
    whole = cagr(a, c, n1 + n2)
    first, second = cagr(a, b, n1), cagr(b, c, n2)
    assert whole is not None and first is not None and second is not None
    assert (1 + whole) ** (n1 + n2) == pytest.approx((1 + first) ** n1 * (1 + second) ** n2, rel=1e-6)


@given(
    cont_prev=st.floats(min_value=0, max_value=1e7),
    cont_cur=st.floats(min_value=0, max_value=1e7),
    entrants=st.floats(min_value=0, max_value=1e7),
    exits=st.floats(min_value=0, max_value=1e7),
)
def test_decomposition_adds_up(cont_prev: float, cont_cur: float, entrants: float, exits: float) -> None:
    total_prev, total = cont_prev + exits, cont_cur + entrants
    d = decompose(total, total_prev, entrants, exits, cont_cur, cont_prev)
    assert d["entrants"] + d["exits"] + d["continuing"] == pytest.approx(d["change"], abs=1e-6)
    if total_prev > 1e-3:
        assert d["entrants_pct"] + d["exits_pct"] + d["continuing_pct"] == pytest.approx(
            total / total_prev - 1, rel=1e-9, abs=1e-6
        )


def test_decomposition_refuses_inconsistent_parts() -> None:
    with pytest.raises(ValueError):
        decompose(100, 90, 5, 0, 50, 50)
