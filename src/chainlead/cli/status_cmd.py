"""`chainlead status`: where each ecosystem, chain and tier stands against its target (目标进度)."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.table import Table

from chainlead.cli.common import DbOption, console, echo_plain, fail
from chainlead.db import session_scope
from chainlead.db.migrate import ensure_schema
from chainlead.progress.reading import ReadError, ReadSettingError
from chainlead.progress.service import ProgressError, status_report

CAPTION = (
    "scale · enterprises reporting · target · progress · CAGR required/actual · YoY nominal/like-for-like · "
    "projection [80% interval] (model) · P(reach target) · status · notes. "
    "≈ 分解目标 implied chain target: base-year scale × the growth factor its ecosystem needs"
)
STYLE = {"on_track": "green", "at_risk": "yellow", "off_track": "red"}
# The database could not be read (the SQLite reader child timed out or died): exit 1, like the
# database errors of cli/main.py; bad input, including a bad CHAINLEAD_PROGRESS_READ_TIMEOUT, exits 2.
EXIT_READ_FAILED = 1


def _yi(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _status(item: dict[str, Any]) -> str:
    s = item.get("status")
    return "—" if not s else f"[{STYLE[s]}]{item['status_zh']}[/]"


def _row(item: dict[str, Any], name: str, flags_zh: dict[str, str]) -> list[str]:
    interval = (
        f"{_yi(item['projection_yi'])} [{_yi(item['projection_low_yi'])}–{_yi(item['projection_high_yi'])}]"
        + (f" {item['model']}" if item.get("model") else "")
        if item.get("projection_yi") is not None
        else "—"
    )
    notes = [flags_zh.get(f, f) for f in item.get("flags", [])]
    if item.get("as_of_year") and item["as_of_year"] != item["year"]:
        notes.insert(0, f"截至{item['as_of_year']}")
    return [
        name,
        _yi(item.get("scale_yi")),
        f"{item.get('enterprises_reporting', 0):,}",
        ("≈" if item.get("target_basis") == "implied" else "") + _yi(item.get("target_yi")),
        _pct(item.get("progress")),
        f"{_pct(item.get('cagr_required'))}/{_pct(item.get('cagr_actual'))}",
        f"{_pct(item.get('yoy_nominal'))}/{_pct(item.get('yoy_like_for_like'))}",
        interval,
        _pct(item.get("probability")),
        _status(item),
        "、".join(notes),
    ]


def _print(report: dict[str, Any]) -> None:
    flags_zh = {k: v["zh"] for k, v in report["flag_text"].items()}
    console.print(
        f"[bold]目标进度 / progress[/] {report['program']} — {report['year']} 年，口径 {report['metric_label']}"
        f"（{report['metric']}），单位 亿元；目标年 {report['target_year']}，基准年 {report['base_year']}"
    )
    table = Table(
        "生态圈/链",
        "规模",
        "报送n",
        "目标",
        "进度",
        "CAGR需/实",
        "同比/同口径",
        f"{report['target_year']}预测[80%]",
        "概率",
        "状态",
        "说明",
        title="规模与目标（亿元）/ scale against targets (100M yuan)",
        caption=CAPTION,
        pad_edge=False,
    )
    for eco in report["ecosystems"]:
        table.add_row(*_row(eco, f"[bold]{eco['name']}[/]", flags_zh))
        for chain in eco["chains"]:
            table.add_row(*_row(chain, f"  {chain['name']}", flags_zh))
        ov = eco.get("overlap") or {}
        if ov.get("overlap_yi"):
            table.add_row(
                "  [dim]跨链重复 overlap[/]",
                f"[dim]{_yi(ov['overlap_yi'])}[/]",
                f"[dim]{ov['chain_credits'] - ov['enterprises']:,}[/]",
                *[""] * 8,
            )
    total = report.get("total")
    if total and total.get("flags") != ["no_data"] and len(report["ecosystems"]) > 1:
        table.add_row(*_row(total, "[bold]合计 Total[/]", flags_zh))
    console.print(table)
    console.print(
        "[dim]链规模之和可大于生态圈规模：同一企业在多条链各计一次，在生态圈只计一次（见“跨链重复”）。"
        " Chain totals can exceed the ecosystem: a firm counts in each chain, once in the ecosystem.[/]"
    )
    tiers = Table(
        "梯度 tier",
        "年末数 count",
        "基数 baseline",
        "目标 target",
        "需新增/年 needed",
        "近年增量/年 pace",
        "状态 status",
        title="梯度培育 / enterprise tiers",
        pad_edge=False,
    )
    for t in report["tiers"]:
        tiers.add_row(
            t["label"],
            f"{t['count']:,}",
            _yi(t["baseline"]),
            f"{_yi(t['target'])}（{t['target_year']}）" if t["target"] is not None else "—",
            _yi(t["needed_per_year"]),
            _yi(t["recent_pace"], 1),
            _status(t),
        )
    console.print(tiers)


def status(
    year: int | None = typer.Option(None, "--year", help="统计年度，默认最新 / year (default: latest with data)"),
    ecosystem: str | None = typer.Option(None, "--ecosystem", help="只看一个生态圈 / one ecosystem only"),
    metric: str | None = typer.Option(
        None, "--metric", help="规模口径 revenue_wan | output_value_wan（默认取方案设置）/ scale metric"
    ),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON（与 GET /api/v1/status 相同）/ print JSON"),
    db: DbOption = None,
) -> None:
    """目标进度：规模、目标、预测、达标概率、梯度培育 / where we stand against the targets."""
    if year is not None and not 1990 <= year <= 2100:
        fail(f"--year {year} 不是合理的年份（1990–2100）", f"--year {year} is not a plausible year (1990–2100)")
    ensure_schema(db)
    try:
        with session_scope(db) as session:
            report = status_report(session, year=year, ecosystem=ecosystem, metric=metric)
    except (ProgressError, ReadSettingError) as exc:
        fail(exc.zh, exc.en)
    except ReadError as exc:
        fail(exc.zh, exc.en, code=EXIT_READ_FAILED)
    if as_json:
        echo_plain(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print(report)
