"""`chainlead cultivation ...`: tier criteria screening (梯度培育), on files or on the database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from chainlead.cli.common import DbOption, console, echo_plain, fail
from chainlead.cultivation.files import FileProblem, read_file
from chainlead.cultivation.inputs import build_inputs
from chainlead.cultivation.rules import EVAL_TIERS, UNCONFIRMED, RuleError, Settings, rule_for, rule_versions
from chainlead.cultivation.screen import HEADERS_ZH, screen
from chainlead.registry.formats import ENTERPRISES, FACTS, FINANCIALS, QUALIFICATIONS

app = typer.Typer(help="梯度培育 / SME tier cultivation: 创新型、专精特新、小巨人、隐形冠军", no_args_is_help=True)

EdgeOption = Annotated[str, typer.Option("--edge", help="分档边界值归属 higher|lower / who owns a band boundary")]
GrowthOption = Annotated[
    str, typer.Option("--growth", help="近2年平均增长率 mean|cagr / 2-year average growth formula")
]


def _settings(edge: str, growth: str) -> Settings:
    if edge not in ("higher", "lower"):
        fail(f"--edge 应为 higher 或 lower，实为 {edge}", f"--edge must be higher or lower, got {edge}")
    if growth not in ("mean", "cagr"):
        fail(f"--growth 应为 mean 或 cagr，实为 {growth}", f"--growth must be mean or cagr, got {growth}")
    return Settings(edge=edge, growth=growth)  # type: ignore[arg-type]


def _tiers(tier: str | None) -> tuple[str, ...]:
    if tier is None:
        return EVAL_TIERS
    if tier not in EVAL_TIERS:
        fail(
            f"未知称号 {tier}（可选：{'、'.join(EVAL_TIERS)}）", f"unknown tier {tier} (one of {', '.join(EVAL_TIERS)})"
        )
    return (tier,)


def write_table(df: pd.DataFrame, out: Path, notes: list[str] | None = None) -> None:
    """CSV (UTF-8 with BOM, opens in Excel) or XLSX with a 说明 sheet of headers and notes."""
    suffix = out.suffix.lower()
    try:
        if suffix == ".csv":
            df.to_csv(out, index=False, encoding="utf-8-sig")
        elif suffix == ".xlsx":
            with pd.ExcelWriter(out, engine="xlsxwriter") as xw:
                df.to_excel(xw, sheet_name="结果", index=False)
                info = (
                    [(c, HEADERS_ZH.get(c, "")) for c in df.columns] + [("", "")] + [("说明", n) for n in notes or []]
                )
                pd.DataFrame(info, columns=["列 / column", "中文 / meaning"]).to_excel(
                    xw, sheet_name="说明", index=False
                )
        else:
            fail(f"输出文件应为 .csv 或 .xlsx：{out.name}", f"output must be .csv or .xlsx: {out.name}")
    except OSError as exc:
        fail(f"无法写入 {out}：{exc}", f"cannot write {out}: {exc}")


def _rule_notes(year: int, tiers: tuple[str, ...]) -> list[str]:
    notes = []
    for t in tiers:
        r = rule_for(t, year)
        notes.append(f"{r.tier_zh}：{r.version}（{r.document}）")
        for ind in r.indicators:
            if not ind.confirmed:
                notes.append(f"  {ind.name}：{UNCONFIRMED} — {ind.note}")
        for c in r.all_conds():
            if not c.confirmed:
                notes.append(f"  {c.name}：{UNCONFIRMED} — {c.note}")
    return notes


def _summary(df: pd.DataFrame) -> None:
    table = Table(title="评价结果 / results")
    for col in ("称号 tier", "符合 eligible", "待定 undetermined", "不符合 not eligible", "临门一脚 near miss"):
        table.add_column(col)
    for tier, part in df.groupby("tier", sort=False):
        vc = part["result"].value_counts()
        table.add_row(
            f"{part['tier_zh'].iloc[0]} {tier}",
            str(vc.get("eligible", 0)),
            str(vc.get("undetermined", 0)),
            str(vc.get("not_eligible", 0)),
            str(int(part["near_miss"].sum())),
        )
    console.print(table)


@app.command("evaluate")
def evaluate(
    enterprises: Annotated[Path, typer.Option("--enterprises", help="企业名录 CSV/XLSX")],
    financials: Annotated[Path, typer.Option("--financials", help="年度经营数据 CSV/XLSX（万元）")],
    facts: Annotated[Path, typer.Option("--facts", help="培育评价事实 CSV/XLSX")],
    year: Annotated[int, typer.Option("--year", help="申报年度 / application year")],
    out: Annotated[Path, typer.Option("-o", "--out", help="结果文件 .csv/.xlsx")],
    qualifications: Annotated[Path | None, typer.Option("--qualifications", help="资质称号 CSV/XLSX")] = None,
    tier: Annotated[str | None, typer.Option("--tier", help="只评价一个称号 / one tier only")] = None,
    edge: EdgeOption = "higher",
    growth: GrowthOption = "mean",
) -> None:
    """对文件中的企业逐一评价各称号（无需数据库）/ screen enterprises in files, no database needed."""
    settings = _settings(edge, growth)
    tiers = _tiers(tier)
    try:
        for t in tiers:
            rule_for(t, year)
        notices: list[tuple[str, str]] = []
        ent = read_file(enterprises, ENTERPRISES, notices)
        fin = read_file(financials, FINANCIALS, notices)
        fac = read_file(facts, FACTS, notices)
        quals = read_file(qualifications, QUALIFICATIONS, notices) if qualifications else None
    except FileProblem as exc:
        fail(exc.zh, exc.en)
    except RuleError as exc:
        zh, _, en = str(exc).partition(" / ")
        fail(zh, en)
    for zh, en in notices:
        console.print(f"[cyan]提示 notice:[/] {escape(zh)} / {escape(en)}", highlight=False, soft_wrap=True)
    if ent.empty:
        fail(f"{enterprises.name} 没有企业行", f"{enterprises.name} has no enterprise rows")
    inputs = build_inputs(ent, fin, fac, quals, year)
    df = screen(inputs, year, settings, tiers)
    write_table(df, out, _rule_notes(year, tiers))
    _summary(df)
    console.print(f"已写入 / written: {out} （{len(df)} 行 rows）")


@app.command("candidates")
def candidates_cmd(
    tier: Annotated[str | None, typer.Option("--tier", help="称号 / tier")] = None,
    chain: Annotated[str | None, typer.Option("--chain", help="产业链 / chain")] = None,
    year: Annotated[int | None, typer.Option("--year", help="申报年度 / application year")] = None,
    district: Annotated[str | None, typer.Option("--district", help="区县代码 / district code")] = None,
    out: Annotated[Path | None, typer.Option("-o", "--out", help="导出 .xlsx/.csv")] = None,
    all_rows: Annotated[
        bool, typer.Option("--all", help="含待定与不符合 / include undetermined and not eligible")
    ] = False,
    db: DbOption = None,
) -> None:
    """已持有、符合条件与临门一脚的企业 / holders, eligible candidates and near misses."""
    from chainlead.cultivation.service import CultivationError, candidates, default_year
    from chainlead.db import session_scope

    _tiers(tier)
    include = (
        ("holder", "eligible", "near_miss", "undetermined", "excluded", "not_eligible")
        if all_rows
        else ("holder", "eligible", "near_miss")
    )
    try:
        with session_scope(db) as session:
            y = year or default_year(session)
            df = candidates(session, tier, chain, y, district, include)
    except CultivationError as exc:
        fail(exc.zh, exc.en)
    if out:
        write_table(df, out, _rule_notes(y, _tiers(tier)))
        console.print(f"已写入 / written: {out} （{len(df)} 行 rows）")
        return
    table = Table(title=f"{y} 年培育候选 / candidates")
    for col in ("称号", "类别", "企业", "区县", "产业链", "得分", "未满足 / 建议"):
        table.add_column(col)
    for r in df.head(200).itertuples(index=False):
        score = "" if pd.isna(r.score_min) else f"{r.score_min:g}–{r.score_max:g}"
        table.add_row(
            r.tier_zh, r.category_zh, r.name or r.uscc, r.district, r.chains, score, r.advice or r.failed or r.missing
        )
    console.print(table)
    if len(df) > 200:
        console.print(f"… 共 {len(df)} 行，完整列表请用 -o 导出 / {len(df)} rows, use -o for all")


@app.command("funnel")
def funnel_cmd(
    year: Annotated[int | None, typer.Option("--year", help="申报年度 / application year")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")] = False,
    db: DbOption = None,
) -> None:
    """对照 2025 目标的培育漏斗 / the funnel against the program's tier targets."""
    from chainlead.cultivation.service import funnel
    from chainlead.db import session_scope

    with session_scope(db) as session:
        rows = funnel(session, year)
    if as_json:
        echo_plain(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title="梯度培育漏斗 / cultivation funnel")
    for col in ("称号", "已持有", "目标", "缺口", "每年需新增", "符合条件", "临门一脚", "待定", "今年复核"):
        table.add_column(col)
    for r in rows:
        target = "" if r["target"] is None else f"{r['target']}（{r['target_year']}）"
        table.add_row(
            r["tier_zh"],
            str(r["holders"]),
            target,
            str(r["gap"] if r["gap"] is not None else ""),
            str(r["per_year_needed"] if r["per_year_needed"] is not None else ""),
            str(r["eligible"]),
            str(r["near_miss"]),
            str(r["undetermined"]),
            str(r["review_due"]),
        )
    console.print(table)


@app.command("expiring")
def expiring_cmd(
    year: Annotated[int | None, typer.Option("--year", help="年度 / year")] = None,
    out: Annotated[Path | None, typer.Option("-o", "--out", help="导出 .xlsx/.csv")] = None,
    db: DbOption = None,
) -> None:
    """本年度到期需复核的称号 / titles whose validity ends this year (review due)."""
    from chainlead.cultivation.service import default_year, expiring
    from chainlead.db import session_scope
    from chainlead.registry.formats import TIER_LABELS_ZH

    with session_scope(db) as session:
        y = year or default_year(session)
        df = expiring(session, y)
    if out:
        write_table(df, out)
        console.print(f"已写入 / written: {out} （{len(df)} 行 rows）")
        return
    table = Table(title=f"{y} 年到期需复核 / review due in {y}")
    for col in ("称号", "企业", "统一社会信用代码", "认定日期", "到期日期"):
        table.add_column(col)
    for r in df.itertuples(index=False):
        table.add_row(TIER_LABELS_ZH.get(r.tier, r.tier), r.name, r.uscc, str(r.granted_on), str(r.expires))
    console.print(table)


@app.command("explain")
def explain_cmd(
    uscc: Annotated[str, typer.Argument(help="统一社会信用代码 / USCC")],
    year: Annotated[int | None, typer.Option("--year", help="申报年度 / application year")] = None,
    db: DbOption = None,
) -> None:
    """逐条说明一家企业的各称号评价 / explain every tier for one enterprise."""
    from chainlead.cultivation.service import CultivationError, evaluate_enterprise
    from chainlead.db import session_scope

    try:
        with session_scope(db) as session:
            data = evaluate_enterprise(session, uscc, year)
    except CultivationError as exc:
        fail(exc.zh, exc.en)
    console.print(f"[bold]{data['name']}[/] {uscc} — {data['year']} 年申报", highlight=False)
    mark = {"met": "[green]✓[/]", "failed": "[red]✗[/]", "unknown": "[yellow]?[/]"}
    for t in data["tiers"]:
        console.print(f"\n[bold]{t['tier_zh']}[/]（{t['version']}）：{t['result']} {t['score_text']}", highlight=False)
        for ln in t["lines"]:
            console.print(f"  {mark[ln['status']]} {escape(ln['text'])}", highlight=False)
        if t["missing"]:
            console.print("  缺少：" + "、".join(t["missing"]), highlight=False)
        for a in t["advice"]:
            console.print(f"  建议：{a}", highlight=False)


@app.command("rules")
def rules_cmd() -> None:
    """列出规则版本及待核实项 / list rule versions and unconfirmed items."""
    table = Table(title="规则版本 / rule versions")
    for col in ("称号 tier", "版本 version", "适用申报年度", "文件 document", "待核实项"):
        table.add_column(col)
    for r in rule_versions():
        pending = [i.name for i in r.indicators if not i.confirmed] + [c.name for c in r.all_conds() if not c.confirmed]
        table.add_row(r.tier_zh, r.version, f"{r.valid_from}–{r.valid_to or ''}", r.document, "；".join(pending))
    console.print(table)
