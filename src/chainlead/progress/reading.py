"""Reading the inputs of scale accounting as arrays (读取): counted memberships and yearly figures.

Two readers give the same arrays:

- ``arrow`` — connectorx runs the queries over its own connections, split by enterprise-id range
  and in parallel, straight into Arrow (no Python object per row; progress/arrowread.py — in a
  child process for SQLite). SQLite returns the raw (enterprise, year, value) rows, which it
  scans fastest; PostgreSQL pivots the years per enterprise itself (``FILTER``), which sends 5×
  fewer rows.
- ``session`` — the session's own connection: any database, and it sees the session's
  uncommitted writes.

``auto`` takes ``arrow`` for a file SQLite or a PostgreSQL database of at least
ARROW_MIN_ENTERPRISES enterprises when the session has written nothing yet (another connection
would not see those writes), ``session`` otherwise; when ``arrow`` fails it falls back to the
session, except after a timeout. The SQLite child process is killed after READ_TIMEOUT_SECONDS
(environment: CHAINLEAD_PROGRESS_READ_TIMEOUT) with a ReadTimeout; a child that fails or dies
raises ReadError saying so; a bad CHAINLEAD_PROGRESS_READ_TIMEOUT raises ReadSettingError.
Both read the latest committed data, never data older than the data versions the result cache
checked before computing (progress/cache.py).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pyarrow as pa
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from chainlead.db.models import COUNTED_MEMBERSHIP_STATUSES, Enterprise
from chainlead.errors import BilingualError

COUNTED_STATUSES = COUNTED_MEMBERSHIP_STATUSES
ARROW_MIN_ENTERPRISES = 50_000  # below this the session reads as fast (no process or pool to start)
PARALLEL_MIN_ENTERPRISES = 100_000  # below this one query is as fast as several
MAX_PARTS = 4
READ_TIMEOUT_ENV = "CHAINLEAD_PROGRESS_READ_TIMEOUT"
READ_TIMEOUT_SECONDS = 300.0  # the SQLite reader child: ~1 s for a million enterprises
log = logging.getLogger(__name__)


class ReadError(BilingualError, RuntimeError):
    """The SQLite reader child process (读取子进程) timed out or died (bilingual)."""


class ReadTimeout(ReadError):
    """The reader child did not finish within the timeout and was killed."""


class ReadSettingError(BilingualError, ValueError):
    """CHAINLEAD_PROGRESS_READ_TIMEOUT is not a positive number of seconds (读取设置有误; bilingual)."""


def read_timeout() -> float:
    """Seconds the SQLite reader child may take: CHAINLEAD_PROGRESS_READ_TIMEOUT, else 300."""
    raw = os.environ.get(READ_TIMEOUT_ENV, "").strip()
    if not raw:
        return READ_TIMEOUT_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise ReadSettingError(
            f"环境变量 {READ_TIMEOUT_ENV}={raw!r} 不是正的秒数",
            f"{READ_TIMEOUT_ENV}={raw!r} is not a positive number of seconds",
        )
    return seconds


@dataclass(frozen=True)
class Inputs:
    """Counted memberships (one row each) and yearly figures of the metric.

    ``values`` is either 1-D with ``year_index`` (raw enterprise-year rows) or 2-D (one row per
    year, one column per enterprise, NaN = not reported) with ``year_index`` None.
    """

    member_eid: np.ndarray
    member_node: np.ndarray
    figure_eid: np.ndarray
    year_index: np.ndarray | None
    values: np.ndarray


def _memberships_sql(chain_ids: list[int], sqlite: bool) -> str:
    plus = "+" if sqlite else ""  # SQLite: one scan (of the covering ix_membership_progress), no index search
    statuses = ",".join(f"'{s}'" for s in COUNTED_STATUSES)
    chains = ",".join(str(int(c)) for c in chain_ids)
    return (
        f"SELECT enterprise_id, node_id FROM chain_membership "
        f"WHERE {plus}status IN ({statuses}) AND {plus}chain_id IN ({chains})"
    )


def _figures_sql(
    metric: str, years: list[int], ids: tuple[int, int] | None = None, *, sqlite: bool = False, pivot: bool = False
) -> str:
    """The metric's figures in the window; `metric` is a checked name.

    Raw (enterprise, year offset, value) rows, or with `pivot` one row per enterprise and a column
    per year (NaN = not reported); `sqlite` reads the covering index of migration 0002 in
    enterprise order.
    """
    plus = "+" if sqlite else ""
    where = f"{plus}year BETWEEN {years[0]} AND {years[-1]} AND {metric} IS NOT NULL"
    if ids is not None:
        where += f" AND enterprise_id BETWEEN {int(ids[0])} AND {int(ids[1])}"
    if pivot:
        columns = ", ".join(f"SUM({metric}) FILTER (WHERE year = {y}) AS v{y}" for y in years)
        return f"SELECT enterprise_id, {columns} FROM enterprise_financial WHERE {where} GROUP BY enterprise_id"
    index = " INDEXED BY ix_financial_progress" if sqlite else ""
    return f"SELECT enterprise_id, year - {years[0]} AS y, {metric} AS v FROM enterprise_financial{index} WHERE {where}"


def _array(column: pa.ChunkedArray, dtype: type | None = None) -> np.ndarray:
    """A numpy copy (never a view of a memory-mapped file); nulls → NaN for floats."""
    return np.array(column.to_numpy(zero_copy_only=False), dtype=dtype)


def _inputs(member: pa.Table | list, figures: pa.Table | list, years: list[int], pivot: bool) -> Inputs:
    if isinstance(member, pa.Table):
        m_eid, m_node = (_array(member.column(i), np.int64) for i in range(2))
    else:
        arr = np.array(member, dtype=np.int64).reshape(-1, 2)
        m_eid, m_node = arr[:, 0], arr[:, 1]
    if isinstance(figures, pa.Table) and pivot:  # one column per year, nulls → NaN
        values = [_array(c, np.float64) for c in figures.columns[1:]]
        matrix = np.vstack(values) if values else np.empty((len(years), 0))
        return Inputs(m_eid, m_node, _array(figures.column(0), np.int64), None, matrix)
    if isinstance(figures, pa.Table):  # raw rows, compact integer types kept (arrowread.compact)
        eid, year = _array(figures.column(0)), _array(figures.column(1))
        if year.dtype.kind != "i":  # an empty result comes back untyped
            eid, year = eid.astype(np.int64), year.astype(np.int64)
        return Inputs(m_eid, m_node, eid, year, _array(figures.column(2), np.float64))
    rows = np.array(figures, dtype=np.float64).reshape(-1, 3)
    return Inputs(m_eid, m_node, rows[:, 0].astype(np.int64), rows[:, 1].astype(np.int64), rows[:, 2])


def read_session(session: Session, metric: str, years: list[int], chain_ids: list[int]) -> Inputs:
    """Both inputs over the session's connection (raw rows on every back-end).

    Read with the DB-API cursor of the session's own connection (same transaction, so its pending
    writes are seen): plain tuples convert to numpy in C, whereas SQLAlchemy Row objects make numpy
    probe each row for array attributes (≈ 3 s for 20,000 enterprises instead of ≈ 0.1 s).
    """
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(_memberships_sql(chain_ids, False))
        member = cursor.fetchall()
        cursor.execute(_figures_sql(metric, years))
        figures = cursor.fetchall()
    finally:
        cursor.close()
    return _inputs(member, figures, years, pivot=False)


def arrow_url(session: Session) -> str | None:
    """The connectorx URL of the session's database, or None when only the session can read it."""
    url = session.get_bind().url  # type: ignore[union-attr]
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
            return None
        return "sqlite://" + quote(str(Path(url.database).resolve()))
    if url.get_backend_name() == "postgresql":
        rendered = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return rendered + ("&" if "?" in rendered else "?") + "options=-c%20jit%3Doff"
    return None


def has_written(session: Session) -> bool:
    """True when the session's transaction holds writes another connection cannot see yet."""
    if session.new or session.dirty or session.deleted:
        return True
    conn = session.connection()
    if conn.dialect.name == "sqlite":  # pysqlite opens a transaction only for a write
        return bool(getattr(conn.connection.dbapi_connection, "in_transaction", True))
    return session.execute(text("SELECT pg_current_xact_id_if_assigned() IS NOT NULL")).scalar_one() is True


def _fetch_sqlite(url: str, member_sql: str, figure_sqls: list[str], years: list[int], timeout: float) -> Inputs:
    """connectorx in a child process (see progress/arrowread.py: never two SQLites in one process),
    killed after `timeout` seconds (ReadTimeout); a child that fails or dies raises ReadError."""
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(prefix="chainlead-", dir=shm if os.access(shm, os.W_OK) else None) as tmp:
        job = json.dumps({"url": url, "member_sql": member_sql, "figure_sqls": figure_sqls})
        script = str(Path(__file__).with_name("arrowread.py"))
        try:
            done = subprocess.run(  # -P: the script's folder stays off sys.path (no module shadowing)
                [sys.executable, "-P", script, tmp],
                input=job,
                capture_output=True,
                text=True,
                check=False,
                timeout=timeout,  # on expiry run() kills the child and reaps it before raising
            )
        except subprocess.TimeoutExpired:
            raise ReadTimeout(
                f"SQLite 读取子进程 {timeout:g} 秒内未完成，已终止（可用环境变量 {READ_TIMEOUT_ENV} 调整）",
                f"the SQLite reader child process did not finish within {timeout:g} s and was killed"
                f" (set {READ_TIMEOUT_ENV} to allow longer)",
            ) from None
        if done.returncode != 0:
            raise _child_failed(done.returncode, done.stderr)
        tables = [pa.ipc.open_file(pa.memory_map(f"{tmp}/{name}.arrow")).read_all() for name in ("members", "figures")]
        return _inputs(tables[0], tables[1], years, pivot=False)  # copies out of the mapped files


def _child_failed(returncode: int, stderr: str) -> ReadError:
    """The error for a reader child that exited with `returncode` (negative: killed by a signal)."""
    last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        zh, en = f"被信号 {name} 终止", f"was killed by {name}"
    else:
        zh, en = f"异常退出（退出码 {returncode}）", f"exited with code {returncode}"
    detail = f": {last}" if last else ""
    return ReadError(f"SQLite 读取子进程{zh}{detail}", f"the SQLite reader child process {en}{detail}")


def read_arrow(
    url: str,
    metric: str,
    years: list[int],
    chain_ids: list[int],
    span: tuple[int, int],
    parts: int | None = None,
    timeout: float | None = None,
) -> Inputs:
    """Both inputs through connectorx, the figures in `parts` ranges of the enterprise ids `span`;
    on SQLite the child process gets `timeout` seconds (default: read_timeout())."""
    sqlite = url.startswith("sqlite")
    lo, hi = span
    if parts is None:
        parts = min(os.cpu_count() or 1, MAX_PARTS) if hi - lo >= PARALLEL_MIN_ENTERPRISES else 1
    step = (hi - lo) // parts + 1
    queries = [
        _figures_sql(metric, years, (lo + i * step, lo + (i + 1) * step - 1), sqlite=sqlite, pivot=not sqlite)
        for i in range(parts)
    ]
    member_sql = _memberships_sql(chain_ids, sqlite)
    if sqlite:
        return _fetch_sqlite(url, member_sql, queries, years, read_timeout() if timeout is None else timeout)
    from chainlead.progress.arrowread import fetch  # connectorx: native, loaded only to recompute

    members, figures = fetch(url, member_sql, queries)
    return _inputs(members, figures, years, pivot=True)


def read_inputs(
    session: Session,
    metric: str,
    years: list[int],
    chain_ids: list[int],
    reader: str = "auto",
    parts: int | None = None,
    arrow_min: int = ARROW_MIN_ENTERPRISES,
) -> Inputs:
    """Counted memberships and the metric's figures for `years` (see the module docstring).

    `reader` "auto" | "arrow" | "session"; `parts` forces the number of id ranges; `arrow_min` is
    the size from which "auto" reads with connectorx.
    """
    url = arrow_url(session) if reader != "session" else None
    if reader == "arrow" and url is None:
        raise ValueError("this database can only be read through the session")
    if url is not None:
        lo, hi = session.execute(select(func.min(Enterprise.id), func.max(Enterprise.id))).one()
        span = (int(lo or 0), int(hi or 0))
        if reader == "auto" and (span[1] - span[0] < arrow_min or has_written(session)):
            url = None
    if url is not None:
        timeout = read_timeout()  # a bad setting is reported, not hidden by the fallback below
        try:
            return read_arrow(url, metric, years, chain_ids, span, parts, timeout)
        except Exception as exc:  # e.g. a connection option connectorx does not know
            if reader == "arrow" or isinstance(exc, ReadTimeout):  # the session would be no faster
                raise
            log.warning("progress: connectorx could not read the database (%s); reading through the session", exc)
    return read_session(session, metric, years, chain_ids)
