"""Back-tests of the projection models on reported Hangzhou series (回测).

The series are from ../shared/design/program-facts.md §3 (figures as reported; sources there).
Revenue-type and value-added series are kept apart: never mix them in one series.

Run ``python -m chainlead.progress.backtest`` to print the table quoted in docs/progress.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from chainlead.progress.forecast import FITTERS, MIN_ETS_POINTS, loglinear, pick_model

# 数字经济核心产业增加值 (亿元, value added): 2022 is inferred (">5000", 27.1% of GDP ≈ 5080).
DIGITAL_CORE_VALUE_ADDED = {2021: 4905.0, 2022: 5080.0, 2023: 5675.0, 2024: 6305.0}
# 规上工业增加值 (亿元, value added): 2024 reported as ">4400".
INDUSTRY_VALUE_ADDED = {2021: 4100.0, 2022: 4198.0, 2023: 4355.0, 2024: 4400.0, 2025: 4624.0}
# GDP (亿元): 2021 as revised (18247).
GDP = {2021: 18247.0, 2022: 18753.0, 2023: 20059.0, 2024: 21860.0}
# 智能物联产业生态圈 规模 (亿元, revenue-type scale): reported as lower bounds (">7800", ">9400").
IOT_SCALE_LOWER_BOUNDS = {2022: 7800.0, 2024: 9400.0}
IOT_TARGET = (2025, 10000.0)


@dataclass(frozen=True)
class BacktestRow:
    series: str
    train: str
    year: int
    actual: float
    model: str
    forecast: float
    low: float
    high: float

    @property
    def error_pct(self) -> float:
        return self.forecast / self.actual - 1.0

    @property
    def inside(self) -> bool:
        return self.low <= self.actual <= self.high


def rolling(series: dict[int, float], name: str, min_train: int = 2) -> list[BacktestRow]:
    """Forecast every later year from each early window (the model chosen as in production)."""
    years = sorted(series)
    rows = []
    for k in range(min_train, len(years)):
        train = years[:k]
        for year in years[k:]:
            p = pick_model(train, [series[y] for y in train], year)
            rows.append(
                BacktestRow(name, f"{train[0]}–{train[-1]}", year, series[year], p.model, p.mean, p.low, p.high)
            )
    return rows


def both_models(series: dict[int, float], name: str) -> list[BacktestRow]:
    """Both models forced, from every window long enough for ETS (for the docs' comparison)."""
    years = sorted(series)
    rows = []
    for k in range(MIN_ETS_POINTS, len(years)):
        train = years[:k]
        for year in years[k:]:
            for model, fit in FITTERS.items():
                p = fit(train, [series[y] for y in train], year)
                rows.append(
                    BacktestRow(name, f"{train[0]}–{train[-1]}", year, series[year], model, p.mean, p.low, p.high)
                )
    return rows


def iot_outlook() -> dict[str, float]:
    """What the two reported 智能物联 points imply for the 2025 target (no 2025 actual published yet)."""
    years = sorted(IOT_SCALE_LOWER_BOUNDS)
    values = [IOT_SCALE_LOWER_BOUNDS[y] for y in years]
    p = loglinear(years, values, IOT_TARGET[0])
    implied = (values[-1] / values[0]) ** (1 / (years[-1] - years[0])) - 1
    return {
        "implied_cagr": implied,
        "projection": p.mean,
        "low": p.low,
        "high": p.high,
        "probability": p.probability_at_least(IOT_TARGET[1]),
    }


SERIES = {
    "数字经济核心产业增加值": DIGITAL_CORE_VALUE_ADDED,
    "规上工业增加值": INDUSTRY_VALUE_ADDED,
    "GDP": GDP,
}


def report() -> list[BacktestRow]:
    return [row for name, series in SERIES.items() for row in rolling(series, name)]


def main() -> None:
    rows = report()
    print("| series | trained on | year | actual | model | forecast [80%] | error |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r.series} | {r.train} | {r.year} | {r.actual:,.0f} | {r.model} | "
            f"{r.forecast:,.0f} [{r.low:,.0f}–{r.high:,.0f}] | {r.error_pct:+.1%}{'' if r.inside else ' (outside)'} |"
        )
    mae = sum(abs(r.error_pct) for r in rows) / len(rows)
    print(f"\nmean absolute error {mae:.1%}; inside the 80% interval {sum(r.inside for r in rows)}/{len(rows)}")
    for h in (1, 2, 3):
        sub = [r for r in rows if r.year - int(r.train[-4:]) == h]
        if sub:
            print(f"  {h} year(s) ahead: MAE {sum(abs(r.error_pct) for r in sub) / len(sub):.1%} over {len(sub)}")
    print("\nboth models, where the window is long enough for ETS:")
    for name, series in SERIES.items():
        for r in both_models(series, name):
            print(f"  {r.series} {r.train} → {r.year}: {r.model} {r.forecast:,.0f} ({r.error_pct:+.1%})")
    o = iot_outlook()
    print(
        f"智能物联 2022→2024 implied CAGR {o['implied_cagr']:.1%}; 2025 projection {o['projection']:,.0f} "
        f"[{o['low']:,.0f}–{o['high']:,.0f}], P(≥10000) {o['probability']:.0%}"
    )
    assert not math.isnan(mae)


if __name__ == "__main__":
    main()
