"""Import a CSV/XLSX interchange file (数据导入): the service behind `chainlead import` and the web upload.

    report = import_file(url, "financials", path, unit="万元", mode="strict", dry_run=False, user="wang")

Strict mode applies the whole file in one transaction or nothing; `accept_valid` applies the
valid rows and writes every rejected row to the rejects file. Every run is an import batch.
Imports (and undos) take one lock, so two at once serialise: SQLite `BEGIN IMMEDIATE`,
PostgreSQL `pg_advisory_xact_lock`.
"""

from __future__ import annotations

import gc
import getpass
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, select, text, update
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from chainlead.db.engine import get_engine
from chainlead.db.models import ChainNodeRow, ChainRow, ImportBatch, table_of, utcnow
from chainlead.db.versions import bump
from chainlead.program.store import active_program_row
from chainlead.registry import fixup
from chainlead.registry.apply import Applier
from chainlead.registry.cells import UNITS
from chainlead.registry.formats import FORMATS
from chainlead.registry.readers import FileProblem, Source, open_source
from chainlead.registry.report import ImportReport, RejectsWriter
from chainlead.registry.state import State
from chainlead.registry.targets import TARGETS
from chainlead.registry.validate import ChainIndex, RowValidator

CHUNK = 5000
LOCK_KEY = 0x63686C31  # "chl1": one advisory lock for all imports and undos
MODES = ("strict", "accept_valid")
Progress = Callable[[int, int | None], None]


def resolve_engine(db: str | Engine | Session | None) -> Engine:
    if isinstance(db, Engine):
        return db
    if isinstance(db, Session):
        bind = db.get_bind()
        return bind if isinstance(bind, Engine) else bind.engine
    return get_engine(db)


def current_user(user: str | None) -> str:
    if user:
        return user
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):
        return ""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def lock(conn: Connection) -> None:
    """Serialise imports: the second waits (SQLite up to its busy timeout) or fails cleanly."""
    try:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    except OperationalError:
        raise FileProblem(
            "另一个导入或撤销正在进行，数据库被占用；请稍后重试",
            "another import or undo is running and holds the database; try again later",
        ) from None


def import_file(
    db: str | Engine | Session | None,
    kind: str,
    path: str | Path,
    *,
    unit: str = "万元",
    mode: str = "strict",
    dry_run: bool = False,
    user: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    rejects_path: str | Path | None = None,
    file_name: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate and apply one file; never raises for bad input — the report says what happened."""
    path = Path(path)
    report = ImportReport(kind, file_name or path.name, unit=unit, mode=mode, dry_run=dry_run, user=current_user(user))
    started = time.perf_counter()
    engine = resolve_engine(db)
    try:
        _check_args(kind, unit, mode)
        report.file_hash = file_sha256(path) if path.exists() else ""
        source = open_source(path, FORMATS[kind], sheet=sheet, encoding=encoding)
        _describe(report, source)
        with _no_gc():
            _run(engine, report, source, path, rejects_path, progress)
    except FileProblem as exc:
        report.status = "failed"
        report.error = (exc.zh, exc.en)
        report.rows_new = report.rows_updated = report.rows_unchanged = 0
    except SQLAlchemyError as exc:  # e.g. another program wrote the same key at the same moment
        report.status = "failed"
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0][:300]
        report.error = (
            f"数据库拒绝了本次导入，未写入任何数据：{detail}。请稍后重试",
            f"the database refused the import, nothing was written: {detail}; try again",
        )
        report.rows_new = report.rows_updated = report.rows_unchanged = 0
    report.seconds = time.perf_counter() - started
    if report.batch_id is None:
        _record(engine, report)
    return report


@contextmanager
def _no_gc() -> Iterator[None]:
    """The row loop allocates millions of short-lived containers but makes no reference cycles;
    the cyclic collector would spend ~40% of the time scanning them. Restored afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check_args(kind: str, unit: str, mode: str) -> None:
    if kind not in FORMATS or kind not in TARGETS:
        kinds = ", ".join(k for k in FORMATS if k in TARGETS)
        raise FileProblem(f"未知的数据类型：{kind}（可用：{kinds}）", f"unknown kind: {kind} (one of {kinds})")
    if unit not in UNITS:
        raise FileProblem(f"未知的金额单位：{unit}（可用：元、万元、亿元）", f"unknown unit: {unit} (元, 万元 or 亿元)")
    if mode not in MODES:
        raise FileProblem(f"未知的导入模式：{mode}", f"unknown mode: {mode} (strict or accept_valid)")


def _describe(report: ImportReport, source: Source) -> None:
    fmt = FORMATS[report.kind]
    report.encoding, report.sheet, report.header_row = source.encoding, source.sheet, source.header.row_number
    report.columns = list(source.header.columns)
    report.notices.extend(source.notices)
    if source.header.ignored:
        shown = "、".join(source.header.ignored[:20])
        report.notices.append(
            (f"以下列不属于 {fmt.kind} 格式，已忽略：{shown}", f"columns ignored (not in {fmt.kind}): {shown}")
        )
    for name, col_unit in source.header.units.items():
        report.notices.append(
            (
                f"列 {name} 的表头写明单位 {col_unit}，按 {col_unit} 换算",
                f"column {name} states its unit {col_unit} in the header; used",
            )
        )
    missing = [c for c in fmt.columns if c.required and c.name not in source.header.columns]
    if missing:
        names = "、".join(f"{c.zh}({c.name})" for c in missing)
        raise FileProblem(f"缺少必需的列：{names}", f"required columns missing: {', '.join(c.name for c in missing)}")


def _chain_index(conn: Connection) -> ChainIndex:
    session = Session(bind=conn)
    row = active_program_row(session)
    if row is None:
        raise FileProblem(
            "数据库中没有启用的方案，无法导入挂链关系；请先运行 `chainlead program load`",
            "no active program in the database, so memberships cannot be imported; load a program first",
        )
    index = ChainIndex(row.name)
    for crow in session.scalars(select(ChainRow).where(ChainRow.program_id == row.id)):
        index.chains[crow.name] = (crow.id, crow.name)
        for alias in crow.aliases or []:
            index.chains.setdefault(alias, (crow.id, crow.name))
    for node in session.scalars(
        select(ChainNodeRow).join(ChainRow).where(ChainRow.program_id == row.id).order_by(ChainNodeRow.sort)
    ):
        index.nodes[(node.chain_id, node.name)] = node.id
        index.node_names.setdefault(node.chain_id, []).append(node.name)
    return index


def _run(
    engine: Engine,
    report: ImportReport,
    source: Source,
    path: Path,
    rejects_path: str | Path | None,
    progress: Progress | None,
) -> None:
    fmt, target = FORMATS[report.kind], TARGETS[report.kind]
    with engine.connect() as conn:
        if not report.dry_run:
            lock(conn)
            report.batch_id = _start_batch(conn, report)
        chains = _chain_index(conn) if report.kind == "memberships" else None
        validate = RowValidator(fmt, source.header, report.unit, chains)
        applier = Applier(conn, target, batch_id=report.batch_id, user=report.user, write=not report.dry_run)
        rejects = RejectsWriter(Path(rejects_path), source.header.cells) if rejects_path else None
        state = State(report, applier, rejects, report.mode == "strict", CHUNK)
        state.validate = validate
        try:
            buffer: list[tuple[int, list[object]]] = []
            for number, cells in source.rows:
                if not any(cells) and all(c is None or c == "" for c in cells):
                    continue
                buffer.append((number, cells))
                if len(buffer) >= CHUNK:
                    _validate_chunk(state, validate, buffer, progress)
                    buffer = []
            _validate_chunk(state, validate, buffer, progress)
            state.flush()
            if report.rows_read == 0:
                raise FileProblem("文件只有表头，没有数据行", "the file has a header but no data rows")
            fixup.late_rejects(conn, state, path)
        except BaseException:
            if rejects:
                rejects.close()
            conn.rollback()
            report.batch_id = None
            raise
        if rejects:
            rejects.close()
            report.rejects_file = str(rejects_path)
        if progress is not None:
            progress(report.rows_read, report.rows_read)
        if report.dry_run:
            report.status = "dry_run"
            conn.rollback()
            if state.strict and report.rows_rejected:
                report.error = (
                    f"试运行：{report.rows_rejected} 行未通过校验，严格模式下整个文件不会写入",
                    f"dry run: {report.rows_rejected} rows fail validation, so a strict import would write nothing",
                )
        elif state.strict and report.rows_rejected:
            conn.rollback()
            report.batch_id = None
            report.status = "failed"
            report.rows_new = report.rows_updated = report.rows_unchanged = 0
            report.error = (
                f"严格模式：{report.rows_rejected} 行未通过校验，整个文件未写入。修正后重新导入，"
                "或用 --accept-valid --rejects 文件 只导入有效行",
                f"strict mode: {report.rows_rejected} rows failed validation, nothing was written; fix them and "
                "import again, or use --accept-valid --rejects FILE to apply only the valid rows",
            )
        else:
            report.status = "applied"
            if report.rows_new or report.rows_updated:
                areas = {target.area}
                bump(Session(bind=conn), *sorted(areas))
            _finish_batch(conn, report)
            conn.commit()


def _validate_chunk(state: State, validate: RowValidator, rows: list, progress: Progress | None) -> None:
    row = state.row
    for (number, cells), (record, errors, warnings) in zip(rows, validate.chunk(rows), strict=True):
        row(number, cells, record, errors, warnings)
    if progress is not None and rows:
        progress(state.report.rows_read, None)


def _start_batch(conn: Connection, report: ImportReport) -> int:
    result = conn.execute(
        table_of(ImportBatch)
        .insert()
        .values(
            kind=report.kind,
            file_name=report.file_name[:500],
            file_hash=report.file_hash,
            unit=report.unit,
            mode=report.mode,
            user=report.user[:100],
            status="running",
            started_at=utcnow(),
        )
    )
    key = result.inserted_primary_key
    assert key is not None  # an INSERT always returns its key
    return int(key[0])


def _values(report: ImportReport) -> dict:
    return {
        "status": report.status,
        "rows_read": report.rows_read,
        "rows_new": report.rows_new,
        "rows_updated": report.rows_updated,
        "rows_unchanged": report.rows_unchanged,
        "rows_rejected": report.rows_rejected,
        "warnings": report.warnings_count,
        "finished_at": utcnow(),
        "report": report.as_dict(),
    }


def _finish_batch(conn: Connection, report: ImportReport) -> None:
    table = table_of(ImportBatch)
    conn.execute(update(table).where(table.c.id == report.batch_id).values(**_values(report)))


def _record(engine: Engine, report: ImportReport) -> None:
    """A batch row for runs that wrote nothing (failed, dry run), in its own transaction."""
    try:
        with engine.begin() as conn:
            report.batch_id = _start_batch(conn, report)
            _finish_batch(conn, report)
    except SQLAlchemyError:
        report.batch_id = None
