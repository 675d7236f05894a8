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
    .venv/bin/python bench/progress_bench.py --sqlite var/bench/progress-1000000.db --pg URL   # reuse data
"""

from __future__ import annotations

import argparse
import os
import resource
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
from sqlalchemy.orm import Session  # noqa: E402

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
    """(s, grand total): reading the inputs + crediting every node, chain, ecosystem and the program."""
    metric, years, _chains = _context(url)
    with session_scope(url) as s:
        row = active_program_row(s)
        assert row is not None
        structure = accounting.load_structure(s, row.id)
        start = time.perf_counter()
        table = accounting.unit_table(s, structure, metric, years)
        elapsed = time.perf_counter() - start
    return elapsed, float(table.loc[table["kind"] == "program", "total"].sum())


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _server_cpu(postmaster: int | None) -> float:
    """CPU seconds used so far by a local PostgreSQL server: every live process of it plus those
    its postmaster has reaped (ended connections, parallel workers). 0 for SQLite."""
    if postmaster is None:
        return 0.0
    ticks = sum(int(x) for x in _stat(postmaster)[11:15])  # utime stime cutime cstime
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = _stat(int(entry.name))
            except OSError:
                continue
            if int(fields[1]) == postmaster:
                ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _postmaster(s: Session) -> int | None:
    if s.get_bind().dialect.name == "sqlite":
        return None
    folder = s.execute(text("SHOW data_directory")).scalar_one()
    return int(Path(folder, "postmaster.pid").read_text().split()[0])


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_recompute(url: str) -> tuple[float, float]:
    """(wall s, CPU s of this process, its child processes and the whole local PostgreSQL server).
    On a shared machine the wall time also contains waiting for a core; the CPU time is the work."""
    with session_scope(url) as s:
        clear(s)
    with session_scope(url) as s:
        server = _postmaster(s)
        start, cpu, pg, kids = time.perf_counter(), time.process_time(), _server_cpu(server), _children_cpu()
        status_report(s)
        s.commit()
        used = time.process_time() - cpu + _server_cpu(server) - pg + _children_cpu() - kids
        return time.perf_counter() - start, used


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


def reference_sql(metric: str, years: list[int], chain_ids: list[int]) -> str:
    """The whole aggregation as one SQL statement (per enterprise: signature of counted nodes and
    reporting mask; per (signature, mask): firms and yearly sums) — what DuckDB runs."""
    y0 = years[0]
    mask = " + ".join(f"(CASE WHEN v{y} IS NULL THEN 0 ELSE {1 << (y - y0)} END)" for y in years)
    statuses = ",".join(f"'{s}'" for s in accounting.COUNTED_STATUSES)
    chains = ",".join(str(c) for c in chain_ids)
    sig = (
        f"SELECT enterprise_id, string_agg(node_id::text, ',' ORDER BY node_id) AS sig FROM chain_membership "
        f"WHERE status IN ({statuses}) AND chain_id IN ({chains}) GROUP BY enterprise_id"
    )
    pivot = ", ".join(f"SUM({metric}) FILTER (WHERE year = {y}) AS v{y}" for y in years)
    per_firm = (
        f"SELECT enterprise_id, {pivot} FROM enterprise_financial "
        f"WHERE year BETWEEN {y0} AND {years[-1]} AND {metric} IS NOT NULL GROUP BY enterprise_id"
    )
    sums = ", ".join(f"SUM(v{y})" for y in years)
    return (
        f"WITH m AS ({sig}), f AS ({per_firm}) SELECT sig, {mask} AS mask, COUNT(*) AS n, {sums} "
        f"FROM m LEFT JOIN f USING (enterprise_id) GROUP BY 1, 2"
    )


def time_duckdb(url: str, folder: Path) -> tuple[float, float]:
    metric, years, chains = _context(url)
    con = duckdb.connect()
    for name in ("enterprise_financial", "chain_membership"):
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{folder / name}.parquet')")
    times, total = [], 0.0
    for _ in range(3):
        start = time.perf_counter()
        rows = con.execute(reference_sql(metric, years, chains)).fetchall()
        times.append(time.perf_counter() - start)
        total = float(sum(sum(v for v in r[3:] if v is not None) for r in rows))
    return min(times), total


def _has_data(url: str) -> bool:
    upgrade(url)
    with session_scope(url) as s:
        return bool(s.execute(text("SELECT EXISTS (SELECT 1 FROM enterprise)")).scalar())


def run_backend(label: str, url: str, n: int, own: bool, reuse: bool) -> dict[str, float]:
    if reuse and _has_data(url):
        print(f"\n[{label}] reusing the data in {url}", flush=True)
    else:
        print(f"\n[{label}] building {n:,} enterprises …", flush=True)
        print(f"[{label}] built in {build(url, n, own):.1f} s", flush=True)
    status_report_import_warmup(url)
    agg = [time_aggregation(url) for _ in range(3)]
    runs = [time_recompute(url) for _ in range(3)]
    recompute = [r[0] for r in runs]
    cached = time_cached(url)
    return {
        "recompute_cpu": min(r[1] for r in runs),
        "aggregation": min(a[0] for a in agg),
        "recompute": min(recompute),
        "cached": cached,
        "recompute_median": statistics.median(recompute),
        "total": agg[0][1],
    }


def status_report_import_warmup(url: str) -> None:
    """First recompute pays for imports (statsmodels, scipy, connectorx); not part of the figure."""
    with session_scope(url) as s:
        clear(s)
    with session_scope(url) as s:
        status_report(s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20,000 enterprises")
    parser.add_argument("-n", type=int, default=None, help="enterprises (default 1,000,000)")
    parser.add_argument("--own-data", action="store_true", help="use bench/_progress_data.py instead of demo-data")
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--sqlite", type=Path, help="SQLite file to use: built when missing, reused otherwise")
    parser.add_argument("--pg", help="PostgreSQL URL to use (instead of a throwaway server): built when empty")
    args = parser.parse_args()
    n = args.n or (20_000 if args.quick else 1_000_000)
    work = Path(tempfile.mkdtemp(prefix="progress-bench-"))
    results: dict[str, dict[str, float]] = {}
    db = args.sqlite.resolve() if args.sqlite else work / "bench.db"
    sqlite_url = f"sqlite:///{db}"
    results["SQLite"] = run_backend("SQLite", sqlite_url, n, args.own_data, reuse=args.sqlite is not None)
    parquet = Path(f"{db}.parquet")  # reused with a reused database (a stale export fails the check below)
    if args.sqlite is None or not (parquet / "chain_membership.parquet").exists():
        parquet.mkdir(exist_ok=True)
        export_parquet(sqlite_url, parquet)
    duck, duck_total = time_duckdb(sqlite_url, parquet)
    assert abs(duck_total - results["SQLite"]["total"]) <= 1e-6 * max(1.0, duck_total), "DuckDB disagrees"
    if args.pg:
        results["PostgreSQL"] = run_backend("PostgreSQL", args.pg, n, args.own_data, reuse=True)
    elif not args.skip_pg:
        import pg_test_server

        base = Path(tempfile.mkdtemp(prefix="progress-bench-pg-"))  # its own dir: postgres must reach it
        pg_url = pg_test_server.start(base)
        try:
            results["PostgreSQL"] = run_backend("PostgreSQL", pg_url, n, args.own_data, reuse=False)
            get_engine(pg_url).dispose()
        finally:
            pg_test_server.stop(base)
    print(f"\nprogress figures, {n:,} enterprises, six years (seed 1); DuckDB over Parquet = reference")
    print(f"load average now {' / '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
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
