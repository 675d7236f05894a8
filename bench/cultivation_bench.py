"""Cultivation benchmark: evaluate N enterprises for all four tiers (target: 1,000,000 in ≤ 10 s on 2 cores).

Prints the time to build the input columns from tables (build_inputs), the time of the vectorised
evaluation itself (evaluate_all), the time of the near-miss advice for a sample, and the ratio of the
evaluation to a baseline measured in the same run: a bare numpy pass over the same columns (R&D
ratio, debt ratio, main-business share, growth, and a handful of threshold tests).

On the database (`--part db`, demo data built once with `chainlead demo-data` under
var/bench/cultivation-N.db): `candidates()` for all tiers and for each tier, and `funnel` uncached,
with the ratio to a baseline measured in the same run: `evaluate_all` for every tier on the input
columns already read (the vectorised core that no table or words can avoid); reading the tables is
printed too.

    .venv/bin/python bench/cultivation_bench.py            # 1,000,000 synthetic + 200,000 on the database
    .venv/bin/python bench/cultivation_bench.py --quick    # 100,000 synthetic + 20,000 on the database
    .venv/bin/python bench/cultivation_bench.py --part db --db-n 200000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd

from chainlead.cultivation.engine import evaluate_all
from chainlead.cultivation.explain import explain
from chainlead.cultivation.inputs import build_inputs
from chainlead.cultivation.metrics import ENUM_CODES, FIN_FIELDS

YEAR = 2024
ROOT = Path(__file__).resolve().parents[1]
CLI = str(ROOT / ".venv" / "bin" / "chainlead")


def synthetic_tables(n: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """n enterprises with 3 years of figures, one facts row each, ~5% missing cells, ~3% titles."""
    rng = np.random.default_rng(seed)
    uscc = np.char.add("U", np.char.zfill(np.arange(n).astype(str), 17))
    ids = np.arange(n)
    ent = pd.DataFrame(
        {
            "enterprise_id": ids,
            "uscc": uscc,
            "industry_code": rng.choice(["3981", "3562", "6511", "5211", "3841"], n),
            "district_code": rng.choice(["330106", "330108", "330110", "330109"], n),
            "founded_on": pd.to_datetime("1995-01-01") + pd.to_timedelta(rng.integers(0, 9000, n), unit="D"),
            "is_high_tech": rng.random(n) < 0.3,
        }
    )
    revenue = rng.lognormal(8.0, 1.2, n)  # median ≈ 3000万元
    fins = []
    for k in (1, 2, 3):
        scale = (1 + rng.normal(0.08, 0.1, n)) ** -(k - 1)
        rev = revenue * scale
        part = {
            "enterprise_id": ids,
            "uscc": uscc,
            "year": YEAR - k,
            "revenue_wan": rev,
            "main_business_revenue_wan": rev * rng.uniform(0.4, 1.0, n),
            "rd_expense_wan": rev * rng.uniform(0, 0.1, n),
            "employees": rng.integers(10, 1500, n).astype(float),
            "rd_employees": rng.integers(0, 200, n).astype(float),
            "total_assets_wan": rev * rng.uniform(0.6, 2.0, n),
            "total_liabilities_wan": rev * rng.uniform(0.1, 1.5, n),
            "profit_wan": rev * rng.normal(0.06, 0.05, n),
            "equity_financing_wan": np.where(rng.random(n) < 0.05, rng.uniform(100, 9000, n), 0.0),
        }
        df = pd.DataFrame(part)
        for f in FIN_FIELDS:
            df.loc[rng.random(n) < 0.05, f] = np.nan
        fins.append(df)
    fin = pd.concat(fins, ignore_index=True)
    facts = pd.DataFrame(
        {"enterprise_id": ids, "uscc": uscc, "year": YEAR - 1, "niche_since_year": rng.integers(1995, YEAR, n)}
    )
    for c in (
        "ip_class1_high_value",
        "ip_class1_self_developed",
        "ip_class1",
        "ip_class2",
        "ip_class1_applied",
        "invention_patents_related",
        "leading_product_count",
        "standards_count",
        "intl_certifications",
    ):
        facts[c] = rng.integers(0, 6, n).astype(float)
    facts["digital_level"] = rng.integers(1, 5, n).astype(float)
    facts["national_market_share_pct"] = rng.uniform(0, 30, n)
    facts["national_niche_rank"] = rng.integers(1, 20, n).astype(float)
    facts["global_niche_rank"] = rng.integers(1, 50, n).astype(float)
    for c, codes in ENUM_CODES.items():
        facts[c] = rng.choice(list(codes), n)
    for c in (
        "leading_product_in_sei",
        "quality_award_provincial",
        "qms_certified",
        "own_brand",
        "core_business_on_info_system",
        "bank_credit_ok",
    ):
        facts[c] = pd.Series(rng.random(n) < 0.6, dtype=object)
    for c in ("on_abnormal_list", "on_dishonesty_list", "major_incident_3y"):
        facts[c] = pd.Series(rng.random(n) < 0.02, dtype=object)
    for c in facts.columns[3:]:
        mask = rng.random(n) < 0.05
        facts[c] = facts[c].astype(object)
        facts.loc[mask, c] = None
    pick = rng.random(n) < 0.03
    quals = pd.DataFrame(
        {
            "enterprise_id": ids[pick],
            "uscc": uscc[pick],
            "tier": rng.choice(["zjtx_provincial", "innovative_sme", "high_tech", "little_giant_national"], pick.sum()),
            "granted_on": pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 1400, pick.sum()), unit="D"),
            "expires_on": pd.NaT,
        }
    )
    return ent, fin, facts, quals


def baseline(x: dict[str, np.ndarray]) -> np.ndarray:
    """A bare numpy pass: the derived ratios and a handful of threshold tests on the same columns."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rd = x["rd_expense_wan_1"] / x["revenue_wan_1"] * 100
        debt = x["total_liabilities_wan_1"] / x["total_assets_wan_1"] * 100
        share = x["main_business_revenue_wan_1"] / x["revenue_wan_1"] * 100
        growth = (x["main_business_revenue_wan_1"] / x["main_business_revenue_wan_2"] - 1) * 100
        staff = x["rd_employees_1"] / x["employees_1"] * 100
    return (rd >= 3) & (debt <= 70) & (share >= 70) & (growth >= 5) & (staff >= 10) & (x["revenue_wan_1"] >= 1000)


def synthetic(n: int) -> None:
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    ent, fin, facts, quals = synthetic_tables(n)
    t_gen = time.perf_counter() - t0

    t0, c0 = time.perf_counter(), time.process_time()
    build_inputs(ent, fin, facts, quals, YEAR)
    t_build_uscc, c_build_uscc = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    inputs = build_inputs(ent, fin, facts, quals, YEAR, key="enterprise_id")
    t_build, c_build = time.perf_counter() - t0, time.process_time() - c0
    x = inputs.columns

    base_times, eval_times, eval_cpu = [], [], []
    for _ in range(3):
        t0 = time.perf_counter()
        baseline(x)
        base_times.append(time.perf_counter() - t0)
        t0, c0 = time.perf_counter(), time.process_time()
        evals = evaluate_all(x, YEAR)
        eval_times.append(time.perf_counter() - t0)
        eval_cpu.append(time.process_time() - c0)
    t_base, t_eval, c_eval = min(base_times), min(eval_times), min(eval_cpu)

    near = {t: np.flatnonzero(te.near_miss) for t, te in evals.items()}
    sample = [(t, i) for t, idx in near.items() for i in idx[:250]]
    t0 = time.perf_counter()
    for t, i in sample:
        explain(evals[t], int(i))
    t_explain = (time.perf_counter() - t0) / max(1, len(sample))

    print(f"enterprises: {n:,}  (synthetic tables generated in {t_gen:.1f} s)")
    for t, te in evals.items():
        counts = np.bincount(te.result + 1, minlength=3)
        print(
            f"  {t:28s} eligible {counts[2]:>8,}  undetermined {counts[0]:>8,}  not eligible {counts[1]:>8,}  "
            f"near miss {int(te.near_miss.sum()):>7,}"
        )
    print(f"load average at start:                {load:6.2f}   (2 cores; wall times grow with load, CPU less)")
    print(f"build_inputs keyed by USCC text:      {t_build_uscc:6.2f} s wall  {c_build_uscc:6.2f} s CPU   (files)")
    print(f"build_inputs keyed by enterprise id:  {t_build:6.2f} s wall  {c_build:6.2f} s CPU   (database)")
    print(f"evaluate_all (4 tiers, best of 3):    {t_eval:6.2f} s wall  {c_eval:6.2f} s CPU")
    print(
        f"build (id) + evaluate:                {t_build + t_eval:6.2f} s wall  {c_build + c_eval:6.2f} s CPU"
        "   (target ≤ 10 s for 1,000,000)"
    )
    print(f"baseline bare numpy pass (best of 3): {t_base:6.3f} s")
    print(f"ratio evaluate / baseline:            {t_eval / t_base:6.1f} ×")
    print(f"explain + advice per near miss:       {t_explain * 1000:6.2f} ms  ({len(sample)} sampled)")


def demo_db(n: int) -> str:
    """The demo database of n enterprises under var/bench/ (built once, then reused)."""
    path = ROOT / "var" / "bench" / f"cultivation-{n}.db"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        cmd = [CLI, "demo-data", "--enterprises", str(n), "--seed", "1", "--db", str(path), "--replace"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        print(f"demo database built in {time.perf_counter() - t0:.0f} s")
    return str(path)


def _timed(fn):  # type: ignore[no-untyped-def]
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t0, time.process_time() - c0


def database(n: int, per_tier: bool, db: str | None = None) -> None:
    """candidates() and funnel on a demo database, against reading + evaluating in the same run."""
    from chainlead.cultivation import service
    from chainlead.cultivation.rules import EVAL_TIERS
    from chainlead.db import session_scope

    path = db or demo_db(n)
    load = os.getloadavg()
    with session_scope(path) as s:
        year = service.default_year(s)
        (_, inp), t_read, c_read = _timed(lambda: service._inputs(s, year))
        base = []
        for _ in range(3):
            base.append(_timed(lambda: evaluate_all(inp.columns, year))[1:])
        t_base, c_base = min(base)
        rows = []
        table, t_all, c_all = _timed(lambda: service.candidates(s, year=year))
        rows.append(("candidates(), all tiers", t_all, c_all, len(table)))
        table, t, c = _timed(lambda: service.candidates(s, year=year, limit=30))
        rows.append(("candidates(limit=30), all tiers", t, c, len(table)))
        for tier in EVAL_TIERS if per_tier else ():
            table, t, c = _timed(lambda tier=tier: service.candidates(s, tier, year=year))  # type: ignore[misc]
            rows.append((f"candidates({tier})", t, c, len(table)))
        _, t, c = _timed(lambda: service.funnel(s, year, use_cache=False))
        rows.append(("funnel, uncached", t, c, 4))
    print(f"database: {path} ({len(inp.uscc):,} enterprises, application year {year})")
    print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}   (2 cores)")
    print(f"  {'read tables + build input columns':40s} {t_read:7.2f} s wall {c_read:7.2f} s CPU")
    print(f"  {'baseline: evaluate_all, best of 3':40s} {t_base:7.2f} s wall {c_base:7.2f} s CPU")
    for name, t, c, k in rows:
        print(f"  {name:40s} {t:7.2f} s wall {c:7.2f} s CPU  {k:>8,} rows  ratio {t / t_base:6.1f} ×")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="100,000 synthetic, 20,000 on the database")
    ap.add_argument("-n", type=int, default=None, help="synthetic enterprises")
    ap.add_argument("--db-n", type=int, default=None, help="demo enterprises on the database")
    ap.add_argument("--part", choices=("all", "synthetic", "db"), default="all")
    ap.add_argument("--db", default=None, help="an existing demo database instead of var/bench/cultivation-N.db")
    ap.add_argument("--per-tier", action="store_true", help="also candidates(tier) for each tier")
    args = ap.parse_args()
    if args.part in ("all", "synthetic"):
        synthetic(args.n or (100_000 if args.quick else 1_000_000))
    if args.part in ("all", "db"):
        database(args.db_n or (20_000 if args.quick else 200_000), args.per_tier, args.db)


if __name__ == "__main__":
    main()
