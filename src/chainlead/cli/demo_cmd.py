"""`chainlead demo-data`: a deterministic synthetic enterprise population (演示数据)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from chainlead.cli.common import DbOption, console, fail
from chainlead.config import DEFAULT_PROGRAM, database_url
from chainlead.demo.plan import DemoError
from chainlead.demo.service import DemoSummary, generate_demo

TIER_LABELS = {
    "zjtx_provincial": "省级专精特新 provincial zjtx",
    "hidden_champion_provincial": "省隐形冠军 provincial hidden champions",
    "little_giant_national": "国家级小巨人 national little giants",
}


def demo_data(
    enterprises: int = typer.Option(20_000, "--enterprises", "-n", help="企业数 / number of enterprises"),
    seed: int = typer.Option(1, "--seed", help="随机种子（同一种子结果相同）/ seed (same seed, same data)"),
    db: DbOption = None,
    out: Path | None = typer.Option(None, "--out", help="交换格式 CSV 输出目录 / folder for interchange CSV files"),
    replace: bool = typer.Option(False, "--replace", help="先清空演示相关表 / empty the enterprise tables first"),
    program: str = typer.Option(DEFAULT_PROGRAM, "--program", help="内置方案名或 TOML 路径 / program name or path"),
    unmapped_share: float = typer.Option(
        0.0,
        "--unmapped-share",
        help="不写挂链关系的企业比例（新登记、待 chainlead map 挂链；上市企业和链主除外）/ share of enterprises "
        "written without a membership, for chainlead map (never listed firms or chain masters)",
    ),
) -> None:
    """生成演示企业数据 / generate deterministic demo enterprises, figures, titles and memberships."""
    if enterprises <= 0:
        fail(
            f"--enterprises 必须为正整数，收到 {enterprises}",
            f"--enterprises must be a positive integer, got {enterprises}",
        )
    if seed < 0:
        fail(f"--seed 必须为非负整数，收到 {seed}", f"--seed must be a non-negative integer, got {seed}")
    if out is not None and out.exists() and not out.is_dir():
        fail(f"--out 应为目录，而 {out} 是文件", f"--out must be a folder, but {out} is a file")
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("准备 / preparing", total=1)

            def report(stage: str, done: int, total: int) -> None:
                label = "准备 / preparing" if stage == "prepare" else "写入 / writing"
                bar.update(task, description=label, completed=done, total=total)

            summary = generate_demo(
                enterprises,
                seed,
                program=program,
                out_dir=out,
                # Without --out, write to --db or the default database (CHAINLEAD_DATABASE_URL, data dir).
                db_url=db if db is not None else (None if out is not None else database_url()),
                replace=replace,
                progress=report,
                unmapped_share=unmapped_share,
            )
    except DemoError as exc:
        fail(exc.zh, exc.en)
    _print_summary(summary)


def _print_summary(s: DemoSummary) -> None:
    table = Table(title=f"演示数据 / demo data — {s.program}, N={s.n:,}, seed={s.seed}")
    table.add_column("生态圈 ecosystem")
    table.add_column("企业 enterprises", justify="right")
    table.add_column(f"{s.base_year} 营收 revenue (亿元)", justify="right")
    table.add_column("校准目标 target (亿元)", justify="right")
    for e in s.ecosystems:
        mark = " 估算" if e.is_estimate else ""
        table.add_row(e.name, f"{e.enterprises:,}", f"{e.base_scale_yi:,.1f}", f"{e.baseline_yi:,.0f}{mark}")
    table.caption = (
        "基年规模为演示校准用估算值，非公布数据 / base-year scales are calibration estimates, not published figures"
    )
    console.print(table)
    tiers = Table(title="梯度培育称号 / tier titles (valid)")
    tiers.add_column("称号 tier")
    tiers.add_column(s.baseline_date.isoformat(), justify="right")
    tiers.add_column("2024-12-31", justify="right")
    for key, label in TIER_LABELS.items():
        tiers.add_row(label, str(s.tiers_on_baseline[key]), str(s.tiers_end_2024[key]))
    console.print(tiers)
    console.print(f"同属两条产业链的企业 / enterprises in two chains: {s.two_chains:,}")
    if s.unmapped:
        console.print(f"未挂链企业（待 chainlead map）/ enterprises left unmapped (for chainlead map): {s.unmapped:,}")
    if s.rows:
        console.print("写入数据库 / rows written: " + ", ".join(f"{k} {v:,}" for k, v in s.rows.items()))
    for kind, path in s.files.items():
        console.print(f"{kind}: {path}")
