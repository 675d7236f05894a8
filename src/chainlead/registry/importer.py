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
from operator import itemgetter
from pathlib import Path

from sqlalchemy import Connection, Engine, select, text, update
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from chainlead.db.engine import get_engine
from chainlead.db.models import ChainNodeRow, ChainRow, ImportBatch, utcnow
from chainlead.db.versions import bump
from chainlead.program.store import active_program_row
from chainlead.registry import fixup
from chainlead.registry.apply import KEPT, NEW, REJECTED, UNCHANGED, UPDATED, Applier
from chainlead.registry.cells import UNITS
from chainlead.registry.formats import FORMATS
from chainlead.registry.readers import FileProblem, Source, open_source
from chainlead.registry.report import ImportReport, RejectsWriter
from chainlead.registry.targets import TARGETS
from chainlead.registry.validate import ChainIndex, Issue, RowValidator

CHUNK = 5000
_MASK = (1 << 64) - 1
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
        detail = str(exc.orig if getattr(exc, "orig", None) is not None else exc).splitlines()[0][:300]
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
        state = State(report, applier, rejects, report.mode == "strict")
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


class State:
    """Counts, duplicates within the file, pending chunk."""

    def __init__(self, report: ImportReport, applier: Applier, rejects: RejectsWriter | None, strict: bool) -> None:
        self.report = report
        self.applier = applier
        self.rejects = rejects
        self.strict = strict
        self.seen: dict[int, int] = {}  # hash(key) → first row << 64 | hash(values)
        self.poisoned: dict[int, int] = {}  # hash(key) → first row, for keys with conflicting duplicates
        self.identical: list[tuple[int, int]] = []  # (row, hash(key)) of identical duplicates
        self.outcome = bytearray()  # per row number: NEW/UPDATED/… of applied rows
        self.pending: list[tuple[int, dict, int, list[object]]] = []
        self.key_fields = applier.target.key if applier.target.kind != "memberships" else ("uscc", "chain", "node")
        self.key_of = itemgetter(*self.key_fields)
        self.validate: RowValidator | None = None

    def row(
        self, number: int, cells: list[object], record: dict | None, errors: list[Issue], warnings: list[Issue]
    ) -> None:
        report = self.report
        report.rows_read += 1
        if warnings:
            for w in warnings:
                report.warn(w)
        if record is None:
            self.reject(number, cells, errors)
            return
        kh = hash(self.key_of(record))
        fp = hash(tuple(record.values())) & _MASK
        packed = self.seen.get(kh)
        if packed is None:
            self.seen[kh] = (number << 64) | fp  # one int per key keeps a million keys small
            self.pending.append((number, record, kh, cells))
            if len(self.pending) >= CHUNK:
                self.flush()
            return
        first = (packed >> 64, packed & _MASK)
        if first[1] == fp and kh not in self.poisoned:
            self.identical.append((number, kh))
            report.rows_unchanged += 1
            report.warn(
                Issue(
                    number,
                    "uscc",
                    f"与第 {first[0]} 行完全重复，只导入一次",
                    f"exact duplicate of row {first[0]}; applied once",
                )
            )
            return
        self.poisoned.setdefault(kh, first[0])
        keys = "、".join(self.key_fields)
        self.reject(
            number,
            cells,
            [
                Issue(
                    number,
                    self.key_fields[0],
                    f"与第 {first[0]} 行的键（{keys}）相同但取值不同，两行都不导入",
                    f"same key ({keys}) as row {first[0]} with different values; both rows rejected",
                    str(record.get("uscc", "")),
                )
            ],
        )

    def reject(self, number: int, cells: list[object], issues: list[Issue]) -> None:
        self.report.rows_rejected += 1
        for issue in issues:
            self.report.reject(issue)
        if self.rejects is not None:
            self.rejects.write(number, cells, issues)
        if self.strict:
            self.applier.write = False  # keep validating, stop writing: it will all roll back

    def flush(self) -> None:
        if not self.pending:
            return
        items = []
        raw: dict[int, list[object]] = {}
        for number, record, kh, cells in self.pending:
            if kh in self.poisoned:
                self._mark(number, REJECTED)
                self.reject(number, cells, [dup_issue(number, self.key_fields)])
            else:
                items.append((number, record))
                raw[number] = cells
        self.pending = []
        results = self.applier.apply(items)
        if results:
            self._mark(max(r[0] for r in results), 0)  # grow the outcome array once
        outcome_of = self.outcome
        counts = {NEW: 0, UPDATED: 0, UNCHANGED: 0, KEPT: 0}
        for number, outcome, issue in results:
            outcome_of[number] = outcome
            if outcome == REJECTED:
                self.reject(number, raw[number], [issue])  # type: ignore[list-item]
                continue
            if issue is not None:
                self.report.warn(issue)
            counts[outcome] += 1
        self.report.rows_new += counts[NEW]
        self.report.rows_updated += counts[UPDATED]
        self.report.rows_unchanged += counts[UNCHANGED] + counts[KEPT]

    def _mark(self, number: int, outcome: int) -> None:
        if number >= len(self.outcome):
            self.outcome.extend(b"\0" * max(number + 1 - len(self.outcome), 65536))
        self.outcome[number] = outcome


COUNTERS = {NEW: "rows_new", UPDATED: "rows_updated", UNCHANGED: "rows_unchanged", KEPT: "rows_unchanged"}


def dup_issue(number: int, key_fields: tuple[str, ...]) -> Issue:
    keys = "、".join(key_fields)
    return Issue(
        number,
        key_fields[0],
        f"后面有键（{keys}）相同但取值不同的行，两行都不导入",
        f"a later row has the same key ({keys}) with different values; both rows rejected",
    )


def _start_batch(conn: Connection, report: ImportReport) -> int:
    result = conn.execute(
        ImportBatch.__table__.insert().values(
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
    return int(result.inserted_primary_key[0])


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
    table = ImportBatch.__table__
    conn.execute(update(table).where(table.c.id == report.batch_id).values(**_values(report)))


def _record(engine: Engine, report: ImportReport) -> None:
    """A batch row for runs that wrote nothing (failed, dry run), in its own transaction."""
    try:
        with engine.begin() as conn:
            report.batch_id = _start_batch(conn, report)
            _finish_batch(conn, report)
    except SQLAlchemyError:
        report.batch_id = None
