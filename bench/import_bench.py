"""Import benchmark (issue 3): a validated `financials` import against a bare baseline.

For each size (100,000 and 1,000,000 rows; `--quick`: 20,000) the `financials.csv` written
by `chainlead demo-data --out` is imported into SQLite and PostgreSQL with the real importer
(strict mode, all checks), and, in the same run, the baseline: pyarrow's CSV reader plus a
bare bulk insert of the same rows (executemany on SQLite, COPY on PostgreSQL). Each
measurement runs in its own process so that its peak RSS is its own.

    .venv/bin/python bench/import_bench.py [--quick] [--sizes 100000,1000000] [--no-pg]
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
PY = sys.executable
ROWS_PER_ENTERPRISE = 5.3  # demo enterprises have up to six years (2019–2024) of figures


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_import(url: str, path: str) -> dict:
    from chainlead.registry.importer import import_file

    started = time.perf_counter()
    report = import_file(url, "financials", path, user="bench")
    seconds = time.perf_counter() - started
    assert report.ok and report.rows_rejected == 0, report.as_dict()
    started = time.perf_counter()
    again = import_file(url, "financials", path, user="bench")  # the same file again: all unchanged
    assert again.ok and again.rows_unchanged == report.rows_new, again.as_dict()
    return {
        "seconds": seconds,
        "rows": report.rows_new,
        "again_seconds": time.perf_counter() - started,
        "peak_mib": _peak_mib(),
    }


def child_baseline(url: str, path: str) -> dict:
    import pyarrow.csv as pacsv
    from sqlalchemy import text

    from chainlead.db.engine import get_engine

    engine = get_engine(url)
    started = time.perf_counter()
    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types={"uscc": "string"}))
    names = table.column_names
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT uscc, id FROM enterprise")).all())
    columns = [table.column(n).to_pylist() for n in names]
    columns[0] = [ids[u] for u in columns[0]]
    rows = list(zip(*columns, strict=True))
    cols = ["enterprise_id", *names[1:]]
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "sqlite":
            cur.executemany(
                f"INSERT INTO enterprise_financial ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows
            )
        else:
            with cur.copy(f"COPY enterprise_financial ({', '.join(cols)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        raw.commit()
    finally:
        raw.close()
    return {"seconds": time.perf_counter() - started, "rows": len(rows), "peak_mib": _peak_mib()}


def _child(kind: str, url: str, path: Path) -> dict:
    out = subprocess.run(
        [PY, __file__, "--child", kind, url, str(path)], check=True, capture_output=True, text=True, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _prepare(url: str, out: Path) -> float:
    """A fresh schema with the enterprises loaded (through the importer, timed separately)."""
    from chainlead.db.migrate import upgrade
    from chainlead.registry.importer import import_file

    upgrade(url)
    report = import_file(url, "enterprises", out / "enterprises.csv", user="bench")
    assert report.ok, report.as_dict()
    return report.rows_new / report.seconds


def _generate(rows: int, work: Path) -> Path:
    out = work / f"demo-{rows}"
    if not (out / "financials.csv").exists():
        n = max(1000, int(rows / ROWS_PER_ENTERPRISE))
        subprocess.run(
            [
                PY,
                "-m",
                "chainlead.cli.main",
                "demo-data",
                "-n",
                str(n),
                "--out",
                str(out),
                "--db",
                str(work / f"demo-{rows}.db"),
            ],
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
    return out


def _pg_start(work: Path) -> str:
    out = subprocess.run(
        [PY, "scripts/pg_test_server.py", "start", str(work / "pg")],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return out.stdout.strip().splitlines()[-1]


def _pg_new_db(server: str, name: str) -> str:
    from sqlalchemy import create_engine, text

    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.rsplit("/", 1)[0] + f"/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20,000 rows only")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args()
    sizes = [20000] if args.quick else [int(s) for s in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="chainlead-import-bench-"))
    work.chmod(0o755)  # the PostgreSQL server runs as a non-root user
    server = None if args.no_pg else _pg_start(work)
    print(
        f"{'rows':>9} {'backend':<10} {'import s':>9} {'rows/s':>9} {'peak MiB':>9} "
        f"{'base s':>8} {'base MiB':>9} {'ratio':>6} {'re-import s':>11}"
    )
    try:
        for size in sizes:
            out = _generate(size, work)
            csv_path = out / "financials.csv"
            backends = [("sqlite", lambda tag: f"sqlite:///{work / tag}.db")]
            if server:
                backends.append(("postgresql", lambda tag: _pg_new_db(server, tag)))
            for backend, make in backends:
                url_import, url_base = make(f"imp_{size}"), make(f"base_{size}")
                ent_rate = _prepare(url_import, out)
                _prepare(url_base, out)
                imp = _child("import", url_import, csv_path)
                base = _child("baseline", url_base, csv_path)
                assert imp["rows"] == base["rows"]
                ratio = imp["seconds"] / base["seconds"]
                print(
                    f"{imp['rows']:>9,} {backend:<10} {imp['seconds']:>9.1f} {imp['rows'] / imp['seconds']:>9,.0f} "
                    f"{imp['peak_mib']:>9.0f} {base['seconds']:>8.1f} {base['peak_mib']:>9.0f} {ratio:>5.1f}× "
                    f"{imp['again_seconds']:>11.1f}"
                    f"   (enterprises: {ent_rate:,.0f} rows/s)",
                    flush=True,
                )
    finally:
        if server:
            subprocess.run([PY, "scripts/pg_test_server.py", "stop", str(work / "pg")], cwd=ROOT, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, url, path = sys.argv[2:5]
        result = child_import(url, path) if kind == "import" else child_baseline(url, path)
        print(json.dumps(result))
    else:
        main()
