"""Benchmark: demo data generation to CSV (`--out`) and into SQLite / PostgreSQL (`--db`).

Each case runs in a child process so its peak RSS is its own. The baseline, measured in the
same run on the same disk, is numpy drawing the same number of random rows and columns
(enterprises + financials) and pyarrow writing them as CSV: the ratio says how much the
realism (names, texts, calibration, titles, facts) and the database cost on top of raw I/O.

    .venv/bin/python bench/demo_bench.py            # 100k and 1M, CSV + SQLite + PostgreSQL
    .venv/bin/python bench/demo_bench.py --quick    # 20k and 100k
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"  # reference data is not needed here; kept for symmetry


def _child(case: str, n: int, target: str) -> None:
    start = time.perf_counter()
    if case == "baseline":
        import numpy as np
        import pyarrow as pa
        import pyarrow.csv as pacsv

        rng = np.random.default_rng(0)
        out = Path(target)
        out.mkdir(parents=True, exist_ok=True)
        for name, rows, cols in (("enterprises", n, 10), ("financials", int(n * 5.3), 16)):
            with pacsv.CSVWriter(out / f"{name}.csv", pa.schema([(f"c{i}", pa.float64()) for i in range(cols)])) as w:
                for lo in range(0, rows, 50_000):
                    m = min(50_000, rows - lo)
                    w.write_table(pa.table({f"c{i}": np.round(rng.lognormal(5, 2, m), 2) for i in range(cols)}))
    else:
        sys.path.insert(0, str(ROOT / "src"))
        from chainlead.demo.service import generate_demo

        if case == "out":
            generate_demo(n, 1, out_dir=target)
        else:
            generate_demo(n, 1, db_url=target, replace=True)
    seconds = time.perf_counter() - start
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # worker processes
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    print(
        json.dumps(
            {"seconds": seconds, "cpu": cpu, "rss_mb": me.ru_maxrss / 1024, "worker_rss_mb": kids.ru_maxrss / 1024}
        )
    )


def _run(case: str, n: int, target: str) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", case, "--n", str(n), "--target", target]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20k and 100k only")
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--child")
    parser.add_argument("--n", type=int)
    parser.add_argument("--target")
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.n, args.target)
        return

    sizes = (20_000, 100_000) if args.quick else (100_000, 1_000_000)
    work = Path(tempfile.mkdtemp(prefix="demo-bench-"))
    work.chmod(0o755)  # the PostgreSQL server runs as another user
    pg_dir = work / "pg"
    pg_url = None
    if not args.no_pg:
        sys.path.insert(0, str(ROOT / "scripts"))
        import pg_test_server

        pg_url = pg_test_server.start(pg_dir)
    rows = []
    try:
        for n in sizes:
            base = _run("baseline", n, str(work / f"base{n}"))
            cases = [("out", str(work / f"out{n}")), ("sqlite", str(work / f"demo{n}.db"))]
            if pg_url:
                cases.append(("postgresql", pg_url))
            for case, target in cases:
                res = _run("out" if case == "out" else "db", n, target)
                rows.append((case, n, res, base))
                print(
                    f"{case:<11} N={n:>9,}  wall {res['seconds']:6.1f} s  {n / res['seconds']:>8,.0f} ent/s  "
                    f"CPU {res['cpu']:6.1f} s  peak RSS {res['rss_mb']:5.0f} MB "
                    f"(+ worker {res['worker_rss_mb']:4.0f} MB)  ratio to baseline "
                    f"{res['seconds'] / base['seconds']:4.1f}× wall, {res['cpu'] / base['cpu']:4.1f}× CPU  "
                    f"(baseline numpy+pyarrow CSV {base['seconds']:.1f} s, CPU {base['cpu']:.1f} s)  "
                    f"load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
                for leftover in (work / f"out{n}", work / f"demo{n}.db", work / f"base{n}"):
                    if leftover.is_dir():
                        shutil.rmtree(leftover, ignore_errors=True)
    finally:
        if pg_url:
            pg_test_server.stop(pg_dir)
        shutil.rmtree(work, ignore_errors=True)
    target_ok = all(res["seconds"] < 120 for case, n, res, _ in rows if case == "out" and n == 1_000_000)
    if not args.quick:
        print(f"1M enterprises to CSV under 2 minutes: {'yes' if target_ok else 'NO'}")


if __name__ == "__main__":
    main()
