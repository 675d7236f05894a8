"""Projection to the target year (目标年预测) from short annual series (2–6 points).

Two models, both on the log scale (growth is multiplicative, intervals stay positive):

- ``loglinear``: ordinary least squares of log(value) on year; prediction interval from the
  t distribution with the residual standard error.
- ``ets``: Holt's linear trend as an ETS(A,A,N) state-space model on log(value), from
  statsmodels (``ETSModel``), with the initial level and trend fixed from the data
  (``initialization_method="known"``) and the smoothing weights fixed at ``ETS_ALPHA`` /
  ``ETS_BETA`` (``ETSModel.smooth``): with at most six points, estimating four parameters (or
  even two) fits the noise — the optimiser drives α→1, β→0 — and costs ~0.1 s per fit.

Both predictive distributions are treated as normal on the log scale. The standard deviation
is never below ``SIGMA_FLOOR`` per √year ahead, because a near-perfect fit of four points says
little about the next two years. ``pick_model`` back-tests both on the series itself
(rolling origin, forecasting every later point) and picks the lower mean absolute log error;
ties and series too short to back-test go to ``loglinear``. See docs/progress.md.

Speed: a statsmodels ETS fit costs ~10–30 ms; a full recompute needs ~70 ETS fits (back-tests of
27 series). Back-tests and target-less series therefore run the same ETS(A,A,N) recursion in numpy
(``holt_recursion``, equal to statsmodels to 1e-10 — tested), and statsmodels fits the final
projection of every series that has a plan target (ecosystems and the program total).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

SIGMA_FLOOR = 0.03  # log units per √year ahead (≈3% a year)
SIGMA_TWO_POINTS = 0.06  # per √year, when two points give no residuals at all
Z80 = stats.norm.ppf(0.9)  # 80% central interval
MIN_ETS_POINTS = 4
ETS_ALPHA = 0.8  # level weight: annual totals are persistent
ETS_BETA = 0.2  # trend weight: growth rates drift slowly
MODELS = ("loglinear", "ets")


@dataclass(frozen=True)
class Projection:
    """A projection of one series to one year, on the original scale."""

    model: str
    year: int
    mean: float
    low: float  # 10% quantile
    high: float  # 90% quantile
    mu_log: float
    sigma_log: float
    backtest_error: float | None = None  # mean absolute log error of the chosen model
    backtest_errors: dict[str, float] | None = None

    def probability_at_least(self, target: float) -> float:
        """P(value in `year` ≥ target) under the log-normal predictive distribution."""
        if target <= 0:
            return 1.0
        if self.sigma_log <= 0:
            return 1.0 if self.mu_log >= math.log(target) else 0.0
        return float(stats.norm.sf((math.log(target) - self.mu_log) / self.sigma_log))

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _clean(years: list[int], values: list[float]) -> tuple[np.ndarray, np.ndarray]:
    pairs = sorted((int(y), float(v)) for y, v in zip(years, values, strict=True) if v is not None and v > 0)
    if len(pairs) < 2:
        raise ValueError("need at least two positive values to project a series")
    x = np.array([p[0] for p in pairs], dtype=float)
    return x, np.log(np.array([p[1] for p in pairs]))


def _result(model: str, year: int, mu: float, sigma: float, horizon: float) -> Projection:
    sigma = max(sigma, SIGMA_FLOOR * math.sqrt(max(horizon, 0.0)))
    return Projection(model, year, math.exp(mu), math.exp(mu - Z80 * sigma), math.exp(mu + Z80 * sigma), mu, sigma)


def loglinear(years: list[int], values: list[float], year: int) -> Projection:
    """Log-linear trend (OLS of log value on year) projected to `year`."""
    x, y = _clean(years, values)
    n = len(x)
    xbar = x.mean()
    sxx = float(((x - xbar) ** 2).sum())
    slope = float(((x - xbar) * (y - y.mean())).sum() / sxx)
    intercept = float(y.mean() - slope * xbar)
    mu = intercept + slope * year
    horizon = year - x[-1]
    if n == 2:
        sigma = SIGMA_TWO_POINTS * math.sqrt(max(horizon, 0.0))
    else:
        resid = y - (intercept + slope * x)
        s = math.sqrt(float((resid**2).sum()) / (n - 2))
        se = s * math.sqrt(1 + 1 / n + (year - xbar) ** 2 / sxx)
        # widen so the normal 80% quantile matches the t quantile with n−2 degrees of freedom
        sigma = se * stats.t.ppf(0.9, n - 2) / Z80
    return _result("loglinear", year, mu, sigma, horizon)


def _ets_fit(x: np.ndarray, y: np.ndarray):  # type: ignore[no-untyped-def]
    """statsmodels ETS(A,A,N) on log values with known initial states and fixed weights."""
    import pandas as pd
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    _ets_checks(x)
    trend0 = float((y[-1] - y[0]) / (len(y) - 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ETSModel(
            pd.Series(y),
            error="add",
            trend="add",
            initialization_method="known",
            initial_level=float(y[0]) - trend0,
            initial_trend=trend0,
        )
        return model.smooth([ETS_ALPHA, ETS_BETA])


def holt_recursion(y: np.ndarray, alpha: float = ETS_ALPHA, beta: float = ETS_BETA) -> tuple[float, float, float]:
    """ETS(A,A,N) in error-correction form with the same known initial states as `_ets_fit`.

    Returns (final level, final trend, mean squared one-step error). Identical to statsmodels'
    ``ETSModel(...).smooth`` (tested to 1e-10) at a hundredth of the cost, so the back-tests
    (two to three fits per series) stay fast.
    """
    trend = float((y[-1] - y[0]) / (len(y) - 1))
    level = float(y[0]) - trend
    sse = 0.0
    for value in y:
        error = float(value) - (level + trend)
        sse += error * error
        level, trend = level + trend + alpha * error, trend + beta * error
    return level, trend, sse / len(y)


def ets_variance_factor(h: int, alpha: float = ETS_ALPHA, beta: float = ETS_BETA) -> float:
    """Forecast variance of ETS(A,A,N) h steps ahead in units of σ² (Hyndman et al. 2008, class 1)."""
    return 1.0 + (h - 1) * (alpha**2 + alpha * beta * h + beta**2 * h * (2 * h - 1) / 6.0)


def ets(years: list[int], values: list[float], year: int, engine: str = "statsmodels") -> Projection:
    """Holt linear trend, ETS(A,A,N) on log values, projected to `year`.

    engine="statsmodels" fits with statsmodels' ETSModel; "recursion" runs the identical
    recursion in numpy (`holt_recursion`).
    """
    x, y = _clean(years, values)
    steps = int(year - x[-1])
    if steps <= 0:
        return _result("ets", year, float(y[int(year - x[0])]), 0.0, 0)
    if engine == "statsmodels":
        fit = _ets_fit(x, y)
        mu = float(np.asarray(fit.forecast(steps))[-1])
        mse = float(fit.mse)  # σ² as statsmodels estimates it for its own intervals
    else:
        _ets_checks(x)
        level, trend, mse = holt_recursion(y)
        mu = level + steps * trend
    sigma = math.sqrt(mse * ets_variance_factor(steps))
    return _result("ets", year, mu, sigma, steps)


def _ets_checks(x: np.ndarray) -> None:
    if len(x) < MIN_ETS_POINTS:
        raise ValueError(f"ETS needs at least {MIN_ETS_POINTS} points")
    if np.any(np.diff(x) != 1):
        raise ValueError("ETS needs consecutive years")


FITTERS = {"loglinear": loglinear, "ets": ets}


def _point_forecasts(model: str, x: np.ndarray, y: np.ndarray, later: np.ndarray) -> np.ndarray:
    """Mean log forecasts for the years `later` from training data (x, y)."""
    if model == "loglinear":
        slope, intercept = np.polyfit(x, y, 1)
        return intercept + slope * later
    _ets_checks(x)
    level, trend, _ = holt_recursion(y)
    return level + (later - x[-1]) * trend


def backtest(years: list[int], values: list[float], model: str, min_train: int) -> float | None:
    """Mean absolute log error of `model` forecasting every later point from each origin."""
    x, y = _clean(years, values)
    errors: list[float] = []
    for k in range(min_train, len(x)):
        try:
            predicted = _point_forecasts(model, x[:k], y[:k], x[k:])
        except ValueError:
            return None
        errors.extend(np.abs(predicted - y[k:]).tolist())
    return float(np.mean(errors)) if errors else None


def pick_model(years: list[int], values: list[float], year: int, engine: str = "statsmodels") -> Projection:
    """Back-test both models on the series and project with the better one (see module doc).

    Back-tests always use the fast recursion; `engine` chooses how the final ETS projection is fit.
    """
    x, _ = _clean(years, values)
    n = len(x)
    errors: dict[str, float] = {}
    if n >= MIN_ETS_POINTS + 1:
        for name in MODELS:
            err = backtest(years, values, name, MIN_ETS_POINTS)
            if err is not None:
                errors[name] = err
    elif n >= 3:
        err = backtest(years, values, "loglinear", 2)
        if err is not None:
            errors["loglinear"] = err
    best = "loglinear"
    if "ets" in errors and errors["ets"] < errors.get("loglinear", math.inf) - 1e-9:
        best = "ets"
    try:
        projection = ets(years, values, year, engine) if best == "ets" else loglinear(years, values, year)
    except ValueError:
        best, projection = "loglinear", loglinear(years, values, year)
    return Projection(**{**asdict(projection), "backtest_error": errors.get(best), "backtest_errors": errors or None})
