"""Benchmark: progress figures (目标进度) on N demo enterprises with six years of figures.

For SQLite and PostgreSQL it times
  - aggregation: the SQL pass + pandas crediting (progress.accounting), all nodes/chains/ecosystems;
  - recompute:   `status_report` with an empty cache — every figure of `chainlead status`
                 (aggregation, growth, projections with back-tests, tiers) — the ≤ 3 s target;
  - cached:      `status_report` served from result_cache in a new session — the ≤ 100 ms target;
and, as the reference for how fast this aggregation can be, the same (signature, mask) pivot run by
DuckDB over a Parquet export of the same tables. Prints each figure and the ratio to DuckDB.

Data: `chainlead demo-data` (chainlead.demo) with seed 1; `--own-data` uses bench/_progress_data.py.

    .venv/bin/python bench/progress_bench.py            # 1,000,000 enterprises, SQLite + PostgreSQL
    .venv/bin/python bench/progress_bench.py --quick    # 20,000 enterprises
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"  # not needed: the data are generated
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from sqlalchemy import text  # noqa: E402

from chainlead.db import session_scope  # noqa: E402
from chainlead.db.engine import get_engine  # noqa: E402
from chainlead.db.migrate import upgrade  # noqa: E402
from chainlead.program.store import active_program_row  # noqa: E402
from chainlead.progress import accounting  # noqa: E402
from chainlead.progress.cache import clear  # noqa: E402
from chainlead.progress.service import status_report  # noqa: E402


def build(url: str, n: int, own: bool) -> float:
    upgrade(url)
    start = time.perf_counter()
    if own:
        import _progress_data as progress_data

        progress_data.build(url, n)
    else:
        from chainlead.demo.service import generate_demo

        generate_demo(n, 1, db_url=url, replace=True, with_facts=False)
    return time.perf_counter() - start


def _context(url: str) -> tuple[str, list[int], list[int]]:
    with session_scope(url) as s:
        row = active_program_row(s)
        assert row is not None
        structure = accounting.load_structure(s, row.id)
        span = accounting.year_range(s, row.scale_metric)
        assert span is not None
        return row.scale_metric, list(range(span[0], span[1] + 1)), sorted(structure.chain_eco)


def time_aggregation(url: str) -> tuple[float, float]:
    metric, years, chains = _context(url)
    with session_scope(url) as s:
        row = active_program_row(s)
        assert row is not None
        structure = accounting.load_structure(s, row.id)
        start = time.perf_counter()
        groups, members = accounting.load_groups(s, metric, years, chains)
        accounting.unit_year_table(groups, members, structure, years)
        elapsed = time.perf_counter() - start
    return elapsed, float(groups[[f"v{y}" for y in years]].sum().sum())


def _backend_cpu(pid: int | None) -> float:
    """CPU seconds used so far by a local PostgreSQL backend process (0 for SQLite)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_recompute(url: str) -> tuple[float, float]:
    """(wall s, CPU s of this process + its PostgreSQL backend). On a shared machine the wall time
    also contains waiting for a core; the CPU time is the work itself."""
    with session_scope(url) as s:
        clear(s)
    with session_scope(url) as s:
        pid = None if url.startswith("sqlite") else int(s.execute(text("SELECT pg_backend_pid()")).scalar_one())
        start, cpu, server = time.perf_counter(), time.process_time(), _backend_cpu(pid)
        status_report(s)
        s.commit()
        return time.perf_counter() - start, time.process_time() - cpu + _backend_cpu(pid) - server


def time_cached(url: str, repeats: int = 20) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        with session_scope(url) as s:
            status_report(s)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def export_parquet(url: str, folder: Path) -> None:
    """The two tables the aggregation reads, as Parquet (not timed)."""
    engine = get_engine(url)
    queries = {
        "enterprise_financial": "SELECT enterprise_id, year, revenue_wan, output_value_wan FROM enterprise_financial",
        "chain_membership": "SELECT enterprise_id, node_id, chain_id, status FROM chain_membership",
    }
    with engine.connect() as conn:
        for name, sql in queries.items():
            writer = None
            for chunk in pd.read_sql(text(sql), conn, chunksize=500_000):
                table = pa.Table.from_pandas(chunk, preserve_index=False)
                writer = writer or pq.ParquetWriter(folder / f"{name}.parquet", table.schema)
                writer.write_table(table)
            if writer is not None:
                writer.close()


def time_duckdb(url: str, folder: Path) -> tuple[float, float]:
    metric, years, chains = _context(url)
    _, grouped = accounting._sql("postgresql", metric, years, chains)
    con = duckdb.connect()
    for name in ("enterprise_financial", "chain_membership"):
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{folder / name}.parquet')")
    times, total = [], 0.0
    for _ in range(3):
        start = time.perf_counter()
        rows = con.execute(grouped).fetchall()
        times.append(time.perf_counter() - start)
        total = float(sum(sum(v for v in r[3:] if v is not None) for r in rows))
    return min(times), total


def run_backend(label: str, url: str, n: int, own: bool, parquet: Path | None) -> dict[str, float]:
    print(f"\n[{label}] building {n:,} enterprises …", flush=True)
    built = build(url, n, own)
    print(f"[{label}] built in {built:.1f} s", flush=True)
    status_report_import_warmup(url)
    agg = [time_aggregation(url) for _ in range(3)]
    runs = [time_recompute(url) for _ in range(3)]
    recompute = [r[0] for r in runs]
    cached = time_cached(url)
    out = {
        "recompute_cpu": min(r[1] for r in runs),
        "aggregation": min(a[0] for a in agg),
        "recompute": min(recompute),
        "cached": cached,
        "recompute_median": statistics.median(recompute),
        "total": agg[0][1],
    }
    if parquet is not None:
        export_parquet(url, parquet)
    return out


def status_report_import_warmup(url: str) -> None:
    """First call pays for imports (statsmodels, scipy); not part of the figure."""
    with session_scope(url) as s:
        status_report(s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20,000 enterprises")
    parser.add_argument("-n", type=int, default=None, help="enterprises (default 1,000,000)")
    parser.add_argument("--own-data", action="store_true", help="use bench/_progress_data.py instead of demo-data")
    parser.add_argument("--skip-pg", action="store_true")
    args = parser.parse_args()
    n = args.n or (20_000 if args.quick else 1_000_000)
    work = Path(tempfile.mkdtemp(prefix="progress-bench-"))
    parquet = work / "parquet"
    parquet.mkdir()
    results: dict[str, dict[str, float]] = {}
    sqlite_url = f"sqlite:///{work / 'bench.db'}"
    results["SQLite"] = run_backend("SQLite", sqlite_url, n, args.own_data, parquet)
    duck, duck_total = time_duckdb(sqlite_url, parquet)
    assert abs(duck_total - results["SQLite"]["total"]) <= 1e-6 * max(1.0, duck_total), "DuckDB disagrees"
    if not args.skip_pg:
        import pg_test_server

        base = Path(tempfile.mkdtemp(prefix="progress-bench-pg-"))  # its own dir: postgres must reach it
        pg_url = pg_test_server.start(base)
        try:
            results["PostgreSQL"] = run_backend("PostgreSQL", pg_url, n, args.own_data, None)
            get_engine(pg_url).dispose()
        finally:
            pg_test_server.stop(base)
    print(f"\nprogress figures, {n:,} enterprises, six years (seed 1); DuckDB over Parquet = reference")
    print(f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    head = ("back-end", "aggregation", "recompute", "(median)", "CPU", "cached", "agg/DuckDB")
    print(f"{head[0]:<12}{head[1]:>12}{head[2]:>11}{head[3]:>10}{head[4]:>12}{head[5]:>10}{head[6]:>12}")
    for label, r in results.items():
        print(
            f"{label:<12}{r['aggregation']:>11.2f}s{r['recompute']:>10.2f}s{r['recompute_median']:>9.2f}s"
            f"{r['recompute_cpu']:>11.2f}s{r['cached'] * 1000:>8.1f}ms{r['aggregation'] / duck:>11.1f}×"
        )
    print(f"{'DuckDB':<12}{duck:>11.2f}s")
    shutil.rmtree(work, ignore_errors=True)
    ok = all(r["recompute"] <= 3.0 and r["cached"] <= 0.1 for r in results.values())
    print(f"targets (recompute ≤ 3 s, cached ≤ 100 ms): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
