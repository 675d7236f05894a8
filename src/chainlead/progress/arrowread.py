"""Run read-only queries through connectorx into Arrow (Arrow 读取), in parallel.

``fetch(url, member_sql, figure_sqls)`` returns (memberships, figures) as Arrow tables; the
figure queries (one per enterprise-id range) run at once, the membership query alongside them
(connectorx releases the GIL).

connectorx carries its own copy of SQLite. Two copies of SQLite in one process must not open the
same database file (POSIX locks are per process: one copy closing the file drops the other's locks
— https://www.sqlite.org/howtocorrupt.html §2.2 — and in a test it also read a stale snapshot).
So for a SQLite database this file runs as a separate process: ``python arrowread.py DIR`` reads a
JSON job on stdin and writes ``members.arrow`` and ``figures.arrow`` (Arrow IPC files) into DIR,
which the caller memory-maps. It imports nothing from chainlead, to start fast.
"""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import connectorx as cx  # type: ignore[import-untyped]
import pyarrow as pa
import pyarrow.compute as pc


def fetch(url: str, member_sql: str, figure_sqls: list[str]) -> tuple[pa.Table, pa.Table]:
    with ThreadPoolExecutor(max_workers=1) as pool:
        members = pool.submit(cx.read_sql, url, member_sql, return_type="arrow")
        figures = cx.read_sql(url, figure_sqls if len(figure_sqls) > 1 else figure_sqls[0], return_type="arrow")
        return members.result(), figures


def compact(figures: pa.Table) -> pa.Table:
    """Raw figure rows with the smallest exact types: enterprise id int32 (when it fits), year
    offset int8 — less to write, map and copy (the window is at most a few dozen years)."""
    if figures.num_rows == 0:
        return figures
    eid, year = figures.column(0), figures.column(1)
    top = pc.max(eid).as_py()
    columns = [eid.cast(pa.int32()) if top is not None and top < 2**31 else eid, year.cast(pa.int8())]
    return pa.table([*columns, figures.column(2)], names=figures.column_names)


def _write(table: pa.Table, path: Path) -> None:
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def main() -> None:
    job = json.loads(sys.stdin.read())
    members, figures = fetch(job["url"], job["member_sql"], job["figure_sqls"])
    out = Path(sys.argv[1])
    _write(members, out / "members.arrow")
    _write(compact(figures), out / "figures.arrow")


if __name__ == "__main__":
    main()
