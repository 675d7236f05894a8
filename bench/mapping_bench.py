"""Benchmark: `chainlead map` over demo enterprises (enterprises/s, peak memory).

Builds a demo SQLite database (`chainlead demo-data`, not timed) once under var/bench/ and reuses
it (each run works on a copy, since the cases write), then runs each case in a child process so
that its peak RSS (itself + its worker processes) is its own:

- baseline: a bare scikit-learn TF-IDF character 1–3-gram vectoriser transforming the same texts
  (name + main products + business scope) — the cheapest thing a text model could do;
- map, retrain: `map_all(retrain=True)` — trains on the demo's imported memberships, maps every
  enterprise (the imported chains are kept, so few rows are written);
- map, fresh: the imported memberships deleted, `map_all` with the stored model — every
  suggestion is written (the write-heavy case).

    .venv/bin/python bench/mapping_bench.py            # 1,000,000 enterprises
    .venv/bin/python bench/mapping_bench.py --quick    # 50,000 enterprises
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + kids) / 1024  # KiB on Linux: this process + its largest worker


def _child(case: str, db: str) -> None:
    from sqlalchemy import delete, select

    from chainlead.db import session_scope
    from chainlead.db.models import ChainMembership, Enterprise

    result: dict[str, float | int | str] = {"case": case}
    if case == "baseline":
        from sklearn.feature_extraction.text import TfidfVectorizer

        with session_scope(db) as s:
            rows = s.execute(select(Enterprise.name, Enterprise.main_products, Enterprise.business_scope)).all()
        texts = [f"{a or ''} {b or ''} {c or ''}" for a, b, c in rows]
        vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        vec.fit(texts[:20_000])
        start = time.perf_counter()
        for lo in range(0, len(texts), 20_000):
            vec.transform(texts[lo : lo + 20_000])
        result.update(n=len(texts), seconds=time.perf_counter() - start)
    else:
        from chainlead.mapping.service import map_all

        if case == "fresh":
            with session_scope(db) as s:
                s.execute(delete(ChainMembership))
        with session_scope(db) as s:
            report = map_all(s, retrain=case == "retrain")
        result.update(
            n=report.enterprises,
            seconds=report.seconds - report.train_seconds,
            train_seconds=report.train_seconds,
            applied=report.applied,
            suggested=report.suggested,
            none=report.none,
            model=report.model,
        )
    result["rate"] = result["n"] / result["seconds"]  # type: ignore[operator]
    result["peak_mb"] = _peak_mb()
    print(json.dumps(result, ensure_ascii=False))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--cases", default="baseline,retrain,fresh", help="comma-separated subset")
    ap.add_argument("--child", nargs=2, metavar=("CASE", "DB"))
    args = ap.parse_args()
    if args.child:
        _child(*args.child)
        return
    n = args.n or (50_000 if args.quick else 1_000_000)
    cached = ROOT / "var" / "bench" / f"mapping-{n}.db"
    if not cached.exists():
        from chainlead.demo.service import generate_demo

        start = time.perf_counter()
        cached.parent.mkdir(parents=True, exist_ok=True)
        generate_demo(n, 1, db_url=str(cached), replace=True, with_facts=False)
        print(f"demo database: {n:,} enterprises built in {time.perf_counter() - start:.0f} s (not timed below)")
    tmp = Path(tempfile.mkdtemp(prefix="chainlead-mapbench-"))
    db = str(tmp / "demo.db")
    shutil.copyfile(cached, db)
    print(f"demo database: {cached} ({n:,} enterprises), copied to {db}")
    results = {}
    try:
        for case in args.cases.split(","):
            out = subprocess.run(
                [sys.executable, __file__, "--child", case, db], capture_output=True, text=True, check=True
            ).stdout
            results[case] = json.loads(out.strip().splitlines()[-1])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    base = results["baseline"]["rate"] if "baseline" in results else float("nan")
    print(f"{'case':<34}{'enterprises/s':>14}{'× baseline':>12}{'peak MB':>10}")
    labels = {
        "baseline": "baseline: bare TF-IDF transform",
        "retrain": "map (model retrained; imports kept)",
        "fresh": "map (stored model; all rows written)",
    }
    for case, r in results.items():
        print(f"{labels[case]:<34}{r['rate']:>14,.0f}{r['rate'] / base:>12.2f}{r['peak_mb']:>10,.0f}")
    if "retrain" in results:
        r = results["retrain"]
        print(f"training on {r['n']:,} imported memberships (subsampled to ≤ 20,000): {r['train_seconds']:.1f} s")
    if "fresh" in results:
        f = results["fresh"]
        print(f"fresh run wrote applied={f['applied']:,} suggested={f['suggested']:,}; none={f['none']:,}")


if __name__ == "__main__":
    main()
