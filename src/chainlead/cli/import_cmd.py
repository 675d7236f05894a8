"""`chainlead import ...`: import interchange files, list batches, undo a batch."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from chainlead.cli.common import DbOption, console, echo_plain, err_console, fail
from chainlead.db.migrate import ensure_schema
from chainlead.registry.batches import list_batches, undo_batch
from chainlead.registry.formats import FORMATS
from chainlead.registry.importer import import_file
from chainlead.registry.readers import FileProblem
from chainlead.registry.report import ImportReport

app = typer.Typer(help="导入企业数据 / import enterprise data (CSV, XLSX)", no_args_is_help=True)

SHOW_ISSUES = 20
BIG_FILE = 5 << 20


def _import(
    kind: str,
    file: Path,
    unit: str,
    sheet: str | None,
    accept_valid: bool,
    rejects: Path | None,
    dry_run: bool,
    user: str | None,
    encoding: str | None,
    as_json: bool,
    db: str | None,
) -> None:
    if rejects is not None and not accept_valid and not dry_run:
        err_console.print("提示：--rejects 与 --accept-valid 一起使用 / note: --rejects is meant for --accept-valid")
    if accept_valid and rejects is None:
        rejects = Path.cwd() / f"{file.stem}.rejects.csv"
    ensure_schema(db)
    big = file.exists() and file.stat().st_size > BIG_FILE and not as_json
    if big:
        with Progress(
            TextColumn("[bold]导入 importing {task.fields[name]}"),
            BarColumn(),
            TextColumn("{task.completed:,} 行 rows"),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        ) as bar:
            task = bar.add_task("import", total=None, name=file.name)
            report = _call(
                kind,
                file,
                unit,
                sheet,
                accept_valid,
                rejects,
                dry_run,
                user,
                encoding,
                db,
                lambda done, total: bar.update(task, completed=done, total=total),
            )
    else:
        report = _call(kind, file, unit, sheet, accept_valid, rejects, dry_run, user, encoding, db, None)
    if as_json:
        echo_plain(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
        if not report.ok:
            raise typer.Exit(2)
        return
    _print(report)
    if not report.ok:
        zh, en = report.error or ("导入失败", "import failed")
        fail(zh, en)


def _call(kind, file, unit, sheet, accept_valid, rejects, dry_run, user, encoding, db, progress) -> ImportReport:  # type: ignore[no-untyped-def]
    return import_file(
        db,
        kind,
        file,
        unit=unit,
        mode="accept_valid" if accept_valid else "strict",
        dry_run=dry_run,
        user=user,
        sheet=sheet,
        encoding=encoding,
        rejects_path=rejects,
        progress=progress,
    )


def _line(label: str, issue: object) -> str:
    i = issue  # an Issue
    return f"{label} 第 {i.row} 行 row {i.row} {escape('[' + i.field + ']')}: {escape(i.zh)} / {escape(i.en)}"  # type: ignore[attr-defined]


def _print(report: ImportReport) -> None:
    where = f"工作表 sheet {report.sheet}" if report.sheet else f"编码 encoding {report.encoding}"
    if report.header_row:
        console.print(
            f"[dim]{report.file_name}: {where}，表头在第 {report.header_row} 行 / header at row {report.header_row}[/]"
        )
    for zh, en in report.notices:
        console.print(f"[cyan]提示 notice:[/] {escape(zh)} / {escape(en)}", highlight=False, soft_wrap=True)
    for issue in report.warnings[:SHOW_ISSUES]:
        console.print(_line("[yellow]警告 warning[/]", issue), highlight=False, soft_wrap=True)
    if report.warnings_count > SHOW_ISSUES:
        console.print(f"[yellow]… 另有 {report.warnings_count - SHOW_ISSUES} 条警告 / more warnings[/]")
    for issue in report.rejected[:SHOW_ISSUES]:
        console.print(_line("[red]拒绝 rejected[/]", issue), highlight=False, soft_wrap=True)
    if report.rows_rejected > SHOW_ISSUES:
        console.print(f"[red]… 另有 {report.rows_rejected - SHOW_ISSUES} 行被拒绝 / more rejected rows[/]")
    if report.rejects_file and report.rows_rejected:
        console.print(f"拒绝行已写入 / rejected rows written to: {report.rejects_file}", soft_wrap=True)
    if report.status == "failed" and report.rows_read == 0:
        return
    prefix = "[试运行 dry run，未写入 nothing written] " if report.dry_run else ""
    style = "green" if report.ok else "red"
    console.print(f"[{style}]{prefix}{report.summary_zh()} / {report.summary_en()}[/]", highlight=False, soft_wrap=True)
    if report.batch_id is not None:
        console.print(f"导入批次 / import batch: {report.batch_id} ({report.status})")


def _make(kind: str) -> None:
    def command(
        file: Path = typer.Argument(..., help="CSV 或 XLSX 文件 / CSV or XLSX file"),
        unit: str = typer.Option("万元", "--unit", help="金额单位 元|万元|亿元 / unit of bare amounts"),
        sheet: str | None = typer.Option(None, "--sheet", help="Excel 工作表名 / sheet name"),
        accept_valid: bool = typer.Option(False, "--accept-valid", help="只导入有效行 / apply valid rows only"),
        rejects: Path | None = typer.Option(None, "--rejects", help="拒绝行文件 .csv/.xlsx / rejects file"),
        dry_run: bool = typer.Option(False, "--dry-run", help="只校验不写入 / validate only"),
        user: str | None = typer.Option(None, "--user", help="操作人 / user (default $USER)"),
        encoding: str | None = typer.Option(None, "--encoding", help="CSV 编码（默认自动）/ CSV encoding"),
        as_json: bool = typer.Option(False, "--json", help="输出 JSON 报告 / print the JSON report"),
        db: DbOption = None,
    ) -> None:
        _import(kind, file, unit, sheet, accept_valid, rejects, dry_run, user, encoding, as_json, db)

    command.__doc__ = f"导入{FORMATS[kind].zh} / import {kind}"
    app.command(kind)(command)


for _kind in FORMATS:
    _make(_kind)


@app.command("list")
def list_cmd(
    limit: int = typer.Option(30, "--limit", help="显示条数 / how many"),
    as_json: bool = typer.Option(False, "--json"),
    db: DbOption = None,
) -> None:
    """列出导入批次 / list import batches."""
    ensure_schema(db)
    rows = list_batches(db, limit)
    if as_json:
        echo_plain(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    table = Table(
        "批次\nbatch",
        "类型\nkind",
        "文件\nfile",
        "操作人\nuser",
        "时间\nstarted (UTC)",
        "状态\nstatus",
        "读取/新增/更新/未变/拒绝/警告\nread/new/upd/same/rej/warn",
    )
    for r in rows:
        counts = "/".join(
            str(r[k]) for k in ("rows_read", "rows_new", "rows_updated", "rows_unchanged", "rows_rejected", "warnings")
        )
        table.add_row(
            str(r["id"]), r["kind"], r["file_name"], r["user"], f"{r['started_at']:%Y-%m-%d %H:%M}", r["status"], counts
        )
    console.print(table)


@app.command("undo")
def undo_cmd(
    batch: int = typer.Argument(..., help="批次号 / batch id"),
    force: bool = typer.Option(False, "--force", help="即使之后有修改也撤销 / undo even if rows changed later"),
    user: str | None = typer.Option(None, "--user"),
    db: DbOption = None,
) -> None:
    """撤销一个导入批次 / undo an import batch (restores previous values exactly)."""
    from chainlead.registry.importer import current_user

    ensure_schema(db)
    try:
        result = undo_batch(db, batch, force=force, user=current_user(user))
    except FileProblem as exc:
        fail(exc.zh, exc.en)
    if result.conflicts:
        console.print(f"[yellow]已强制撤销，覆盖了 {len(result.conflicts)} 处之后的修改 / forced over later changes[/]")
    console.print(f"[green]{result.summary()}[/]")
