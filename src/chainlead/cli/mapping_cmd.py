"""`chainlead map ...` and `chainlead classify`: chain mapping (挂链) from the command line."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from chainlead.cli.common import DbOption, console, fail
from chainlead.config import DEFAULT_PROGRAM
from chainlead.db import session_scope
from chainlead.db.migrate import ensure_schema
from chainlead.mapping.errors import MappingError
from chainlead.mapping.predict import Thresholds

app = typer.Typer(
    help="挂链 / chain mapping: 自动挂链、审核、确认、驳回、评估",
    invoke_without_command=True,
)

ApplyOption = typer.Option(0.80, "--apply-threshold", min=0.0, max=1.0, help="≥ 此置信度自动挂链 / apply at or above")
SuggestOption = typer.Option(
    0.35, "--suggest-threshold", min=0.0, max=1.0, help="≥ 此置信度进入审核 / review at or above"
)


def _thresholds(apply: float, suggest: float) -> Thresholds:
    try:
        return Thresholds(apply=apply, suggest=suggest, secondary=max(suggest, Thresholds().secondary))
    except ValueError:
        fail(
            f"阈值无效：审核阈值 {suggest} 须不大于自动挂链阈值 {apply}",
            f"invalid thresholds: --suggest-threshold {suggest} must not exceed --apply-threshold {apply}",
        )


@app.callback()
def map_all(
    ctx: typer.Context,
    retrain: bool = typer.Option(False, "--retrain", help="用已确认的挂链重新训练模型 / retrain the model"),
    apply: float = ApplyOption,
    suggest: float = SuggestOption,
    user: str = typer.Option("", "--user", help="操作人 / who runs it"),
    db: DbOption = None,
) -> None:
    """对库中全部企业自动挂链 / map every enterprise in the database."""
    if ctx.invoked_subcommand is not None:
        return
    from chainlead.mapping.service import map_all as run

    thresholds = _thresholds(apply, suggest)
    ensure_schema(db)
    try:
        with session_scope(db) as session:
            report = run(session, retrain=retrain, thresholds=thresholds, user=user)
    except MappingError as exc:
        fail(exc.zh, exc.en)
    training = f"，其中训练 training {report.train_seconds:.1f} s" if report.train_seconds else ""
    console.print(
        f"挂链完成 / mapped: {report.enterprises:,} 家企业 enterprises, {report.seconds:.1f} s{training} "
        f"({report.rate:,.0f}/s); 模型 model: {report.model}"
        + (f"（{report.model_examples:,} 个训练样本 examples）" if report.model_examples else "")
    )
    console.print(
        f"  自动挂链 applied: {report.applied:,}   待审核 suggested: {report.suggested:,}   "
        f"无匹配 none: {report.none:,}   已有人工决定 kept (manual/import): {report.skipped_decided:,}"
    )
    if report.per_chain:
        table = Table("产业链 chain", "自动挂链 applied")
        for chain, n in sorted(report.per_chain.items(), key=lambda x: -x[1]):
            table.add_row(chain, str(n))
        console.print(table)
    if report.suggested:
        console.print("查看待审核：chainlead map review / list the review queue: chainlead map review")


@app.command("review")
def review(
    chain: str | None = typer.Option(None, "--chain", help="只看某条产业链 / one chain only"),
    limit: int = typer.Option(50, "--limit", min=1, help="最多显示条数 / rows to show"),
    lowest_first: bool = typer.Option(
        False, "--lowest-first", help="置信度低的在前（最需要人工看的）/ least confident first"
    ),
    db: DbOption = None,
) -> None:
    """列出待审核的挂链建议 / list suggestions waiting for review."""
    from chainlead.mapping.review import review_queue

    ensure_schema(db)
    try:
        with session_scope(db) as session:
            items, total = review_queue(session, chain=chain, limit=limit, lowest_first=lowest_first)
    except MappingError as exc:
        fail(exc.zh, exc.en)
    if not items:
        console.print("没有待审核的挂链建议 / the review queue is empty")
        return
    table = Table("统一社会信用代码 USCC", "企业 name", "产业链/节点 chain/node", "置信度", "依据 reason")
    for it in items:
        table.add_row(it.uscc, it.name, f"{it.chain}/{it.node}", f"{it.confidence:.2f}", it.reason)
    console.print(table)
    console.print(
        f"共 {total} 条待审核，显示 {len(items)} 条 / {total} waiting, {len(items)} shown. "
        "确认 confirm: chainlead map confirm USCC 产业链/节点；驳回 reject: chainlead map reject USCC 产业链/节点"
    )


def _decide(uscc: str, node: str, confirm: bool, user: str, note: str, db: str | None) -> None:
    from chainlead.mapping.review import decide

    ensure_schema(db)
    try:
        with session_scope(db) as session:
            row = decide(session, uscc, node, confirm=confirm, user=user, note=note)
            status = row.status
    except MappingError as exc:
        fail(exc.zh, exc.en)
    word = "已确认 / confirmed" if confirm else "已驳回 / rejected"
    console.print(f"{word}: {uscc} → {node} ({status}, source=manual)")


@app.command("confirm")
def confirm(
    uscc: str = typer.Argument(..., help="统一社会信用代码 / USCC"),
    node: str = typer.Argument(..., help="产业链/节点，或唯一的节点名 / chain/node or a unique node name"),
    user: str = typer.Option("", "--user", help="操作人 / who decides"),
    note: str = typer.Option("", "--note", help="备注 / note"),
    db: DbOption = None,
) -> None:
    """确认挂链（人工决定，自动运行不会覆盖）/ confirm a membership (never overwritten)."""
    _decide(uscc, node, True, user, note, db)


@app.command("reject")
def reject(
    uscc: str = typer.Argument(..., help="统一社会信用代码 / USCC"),
    node: str = typer.Argument(..., help="产业链/节点，或唯一的节点名 / chain/node or a unique node name"),
    user: str = typer.Option("", "--user", help="操作人 / who decides"),
    note: str = typer.Option("", "--note", help="备注 / note"),
    db: DbOption = None,
) -> None:
    """驳回挂链建议（不再自动建议该节点）/ reject a suggestion (never suggested again)."""
    _decide(uscc, node, False, user, note, db)


@app.command("eval")
def evaluate_cmd(
    companies: Path = typer.Option(..., "--companies", help="companies.csv (上市公司主营产品)"),
    labels: Path = typer.Option(..., "--labels", help="dev_labels.csv (产业链标签)"),
    train: bool = typer.Option(
        True, "--train/--rules-only", help="交叉验证训练模型，或只用规则 / k-fold CV or rules only"
    ),
    folds: int = typer.Option(5, "--folds", min=2, max=20),
    tokenizer: str = typer.Option("char", "--tokenizer", help="char | jieba"),
    program: str = typer.Option(DEFAULT_PROGRAM, "--program", help="内置方案名或 TOML 路径 / program"),
    relations: Path | None = typer.Option(None, "--relations", help="产品关系 CSV（可选）/ product relations file"),
) -> None:
    """在带标签的企业上评估挂链（逐链 P/R/F1，宏平均 F1）/ evaluate mapping on labelled companies."""
    from chainlead.mapping.evaluate import evaluate, load_listed
    from chainlead.mapping.relations import RelationsError, load_relations
    from chainlead.program import ProgramError, resolve_program

    for path in (companies, labels):
        if not path.exists():
            fail(f"文件不存在：{path}", f"no such file: {path}")
    if tokenizer not in ("char", "jieba"):
        fail(f"分词方式须为 char 或 jieba：{tokenizer}", f"--tokenizer must be char or jieba: {tokenizer}")
    try:
        prog = resolve_program(program).program
    except ProgramError as exc:
        fail(str(exc))
    try:
        data = load_listed(companies, labels)
    except (KeyError, ValueError) as exc:
        fail(f"标签文件格式不对：{exc}", f"unexpected label file format: {exc}")
    try:
        rel = load_relations(relations) if relations else None
    except RelationsError as exc:
        fail(exc.zh, exc.en)
    result = evaluate(prog, data, train=train, folds=folds, tokenizer=tokenizer, relations=rel)
    console.print(f"[bold]{result.mode}[/]  n={result.n}  folds={result.folds or '-'}")
    console.print("产业链 chain level:", highlight=False)
    console.print(result.chain.table(), highlight=False, markup=False)
    console.print("生态圈 ecosystem level:", highlight=False)
    console.print(result.ecosystem.table(), highlight=False, markup=False)


def classify(
    input_path: Path = typer.Argument(
        ..., metavar="INPUT", help="CSV/XLSX：name, main_products, business_scope, industry_code …"
    ),
    output: Path = typer.Option(..., "-o", "--output", help="输出 .csv 或 .xlsx / output file"),
    train: Path | None = typer.Option(None, "--train", help="带 chain 列的标注文件，本次训练用 / labelled file"),
    program: str = typer.Option(DEFAULT_PROGRAM, "--program", help="内置方案名或 TOML 路径 / program"),
    apply: float = ApplyOption,
    suggest: float = SuggestOption,
    relations: Path | None = typer.Option(
        None, "--relations", help="产品关系 CSV，训练时用（可选）/ product relations file for --train"
    ),
) -> None:
    """对文件中的企业挂链 / classify the enterprises of a file into chains."""
    from chainlead.mapping.classify import classify_file
    from chainlead.program import ProgramError, resolve_program

    thresholds = _thresholds(apply, suggest)
    try:
        prog = resolve_program(program).program
    except ProgramError as exc:
        fail(str(exc))
    try:
        counts = classify_file(prog, input_path, output, train, thresholds, relations_path=relations)
    except MappingError as exc:
        fail(exc.zh, exc.en)
    total = sum(counts.values())
    none = counts.pop("", 0)
    console.print(f"已写出 / written: {output} — {total} 行 rows, 无匹配 none: {none}")
    for chain, n in sorted(counts.items(), key=lambda x: -x[1]):
        console.print(f"  {chain}: {n}")
