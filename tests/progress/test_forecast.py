"""Projection models: exact cases, statsmodels agreement, model choice, back-tests on reported series."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainlead.progress import backtest
from chainlead.progress.forecast import (
    ETS_ALPHA,
    ETS_BETA,
    SIGMA_FLOOR,
    SIGMA_TWO_POINTS,
    _ets_fit,
    ets,
    holt_recursion,
    loglinear,
    pick_model,
)

YEARS = [2019, 2020, 2021, 2022, 2023, 2024]


def test_loglinear_recovers_exact_growth() -> None:
    values = [1000 * 1.1**i for i in range(6)]
    p = loglinear(YEARS, values, 2025)
    assert p.mean == pytest.approx(1000 * 1.1**6)
    # a perfect fit still gets the floor, never a zero-width interval
    assert p.sigma_log == pytest.approx(SIGMA_FLOOR)
    assert p.low < p.mean < p.high


def test_two_points_use_documented_spread() -> None:
    p = loglinear([2022, 2024], [7800, 9400], 2025)
    assert p.mean == pytest.approx(9400 * (9400 / 7800) ** 0.5)
    assert p.sigma_log == pytest.approx(SIGMA_TWO_POINTS)
    assert p.model == "loglinear"


def test_loglinear_interval_matches_ols_prediction_interval() -> None:
    import statsmodels.api as sm

    values = [100, 125, 119, 150, 142, 175]
    p = loglinear(YEARS, values, 2026)
    assert p.sigma_log > SIGMA_FLOOR * math.sqrt(2)  # the floor does not bind here
    fit = sm.OLS(np.log(values), sm.add_constant(np.array(YEARS, dtype=float))).fit()
    frame = fit.get_prediction(np.array([[1.0, 2026.0]])).summary_frame(alpha=0.2)
    assert p.mu_log == pytest.approx(frame["mean"].iloc[0])
    assert math.log(p.low) == pytest.approx(frame["obs_ci_lower"].iloc[0], rel=1e-6)
    assert math.log(p.high) == pytest.approx(frame["obs_ci_upper"].iloc[0], rel=1e-6)


def test_ets_interval_matches_statsmodels_prediction() -> None:
    values = [100, 109, 121, 128, 142, 151]
    y = np.log(values)
    fit = _ets_fit(np.array(YEARS, dtype=float), y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = fit.get_prediction(start=6, end=8).summary_frame(alpha=0.2)
    p = ets(YEARS, values, 2027)
    assert fit.model.smoothing_level if hasattr(fit.model, "smoothing_level") else True
    assert fit.params.iloc[0] == pytest.approx(ETS_ALPHA) and fit.params.iloc[1] == pytest.approx(ETS_BETA)
    assert p.mu_log == pytest.approx(frame["mean"].iloc[-1])
    half = (frame["pi_upper"].iloc[-1] - frame["pi_lower"].iloc[-1]) / 2
    assert max(half, SIGMA_FLOOR * math.sqrt(3) * 1.2815515655446004) == pytest.approx(
        math.log(p.high) - p.mu_log, rel=1e-6
    )


@settings(max_examples=25, deadline=None)
@given(
    values=st.lists(st.floats(min_value=10.0, max_value=1e5), min_size=4, max_size=6),
    horizon=st.integers(min_value=1, max_value=4),
)
def test_recursion_equals_statsmodels(values: list[float], horizon: int) -> None:
    years = YEARS[: len(values)]
    fast = ets(years, values, years[-1] + horizon, engine="recursion")
    exact = ets(years, values, years[-1] + horizon, engine="statsmodels")
    assert fast.mu_log == pytest.approx(exact.mu_log, abs=1e-10)
    assert fast.sigma_log == pytest.approx(exact.sigma_log, abs=1e-10)
    y = np.log(values)
    level, trend, mse = holt_recursion(y)
    fit = _ets_fit(np.array(years, dtype=float), y)
    assert mse == pytest.approx(float(fit.mse), rel=1e-9, abs=1e-15)
    assert level + trend == pytest.approx(float(np.asarray(fit.forecast(1))[0]), abs=1e-10)


def test_ets_needs_four_consecutive_points() -> None:
    with pytest.raises(ValueError):
        ets([2021, 2022, 2023], [1, 2, 3], 2025)
    with pytest.raises(ValueError):
        ets([2019, 2020, 2022, 2023], [1, 2, 3, 4], 2025)
    with pytest.raises(ValueError):
        ets([2019, 2020, 2022, 2023], [1, 2, 3, 4], 2025, engine="recursion")


def test_pick_model_says_which_and_why() -> None:
    # a growth rate that slows down: the local-trend model should win the back-test
    values = [1000, 1200, 1380, 1520, 1610, 1660]
    p = pick_model(YEARS, values, 2025)
    assert set(p.backtest_errors) == {"loglinear", "ets"}
    assert p.model == min(p.backtest_errors, key=p.backtest_errors.get)
    assert p.model == "ets"
    assert p.backtest_error == p.backtest_errors["ets"]
    # a straight exponential: log-linear is exact and wins (ties go to log-linear too)
    steady = [1000 * 1.08**i for i in range(6)]
    assert pick_model(YEARS, steady, 2025).model == "loglinear"
    # three points: only log-linear can be back-tested
    short = pick_model(YEARS[:3], [1, 1.1, 1.2], 2025)
    assert short.model == "loglinear" and set(short.backtest_errors) == {"loglinear"}


def test_pick_model_ignores_missing_and_non_positive_years() -> None:
    p = pick_model([2019, 2020, 2021, 2022], [0.0, 100.0, 110.0, 121.0], 2025)
    assert p.mean == pytest.approx(121 * 1.1**3)
    with pytest.raises(ValueError):
        pick_model([2020, 2021], [0.0, 10.0], 2025)


@settings(max_examples=40, deadline=None)
@given(
    start=st.floats(min_value=1.0, max_value=1e6),
    growth=st.floats(min_value=-0.3, max_value=0.5),
    target_factor=st.floats(min_value=0.2, max_value=5.0),
)
def test_probability_is_monotone_in_target(start: float, growth: float, target_factor: float) -> None:
    values = [start * (1 + growth) ** i * (1 + 0.02 * (-1) ** i) for i in range(4)]
    p = loglinear(YEARS[:4], values, 2025)
    target = p.mean * target_factor
    assert 0.0 <= p.probability_at_least(target) <= 1.0
    assert p.probability_at_least(target) >= p.probability_at_least(target * 1.1) - 1e-12
    # the median of the predictive distribution has probability one half
    assert p.probability_at_least(p.mean) == pytest.approx(0.5)
    assert p.low < p.mean < p.high


def test_backtest_on_reported_digital_economy_series() -> None:
    rows = {(r.train, r.year): r for r in backtest.rolling(backtest.DIGITAL_CORE_VALUE_ADDED, "数字经济")}
    # 2021–2022 (4905 → 5080, +3.57%) projected one year: 5080 × 1.0357 ≈ 5261 vs 5675 reported
    one = rows[("2021–2022", 2023)]
    assert one.forecast == pytest.approx(5080 * 5080 / 4905, rel=1e-9)
    assert one.error_pct == pytest.approx(5261.2 / 5675 - 1, abs=1e-3)
    assert one.inside
    assert rows[("2021–2022", 2024)].error_pct == pytest.approx(-0.136, abs=0.002)
    assert not rows[("2021–2022", 2024)].inside  # the 2023 acceleration lies outside the 80% band
    assert rows[("2021–2023", 2024)].error_pct == pytest.approx(-0.044, abs=0.002)
    assert all(r.model == "loglinear" for r in rows.values())  # ≤ 3 training points


def test_backtest_all_reported_series_errors_are_bounded() -> None:
    rows = backtest.report()
    assert len(rows) == 12
    mae = sum(abs(r.error_pct) for r in rows) / len(rows)
    assert mae == pytest.approx(0.042, abs=0.003)
    assert sum(r.inside for r in rows) == 11
    forced = backtest.both_models(backtest.INDUSTRY_VALUE_ADDED, "规上工业增加值")
    assert {r.model for r in forced} == {"loglinear", "ets"}
    assert all(abs(r.error_pct) < 0.03 for r in forced)


def test_iot_reported_bounds_outlook() -> None:
    o = backtest.iot_outlook()
    assert o["implied_cagr"] == pytest.approx((9400 / 7800) ** 0.5 - 1)
    assert o["projection"] == pytest.approx(9400 * (9400 / 7800) ** 0.5)
    assert 0.5 < o["probability"] < 0.9  # a trend says "likely", not "certain" — as the record shows


def test_loglinear_matches_pandas_free_reference() -> None:
    s = pd.Series([50.0, 55.0, 61.0, 66.0], index=[2021, 2022, 2023, 2024])
    p = loglinear(list(s.index), list(s.values), 2025)
    slope, intercept = np.polyfit(s.index.to_numpy(dtype=float), np.log(s.to_numpy()), 1)
    assert p.mu_log == pytest.approx(intercept + slope * 2025)
