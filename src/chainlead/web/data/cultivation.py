"""Tier cultivation (梯度培育) for the pages and the API, through `chainlead.cultivation.service`:
the funnel (holders vs targets, eligible, near misses), candidates per tier and chain, one
enterprise's eligibility with every criterion met, failed or unknown; Excel export.

The service evaluates for an application year (申报年度, the year after the latest figures).
"""

from __future__ import annotations

import io
import math
from typing import Any

import xlsxwriter
from sqlalchemy.orm import Session

from chainlead.cultivation import service

CATEGORIES = ("holder", "eligible", "near_miss")
CultivationError = service.CultivationError


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def funnel(session: Session, chain: str | None = None) -> list[dict[str, Any]]:
    """Per tier: holders, eligible, near misses; city-wide also the target and yearly need.

    `cultivation.service.funnel` counts a chain too (targets left out) and caches by data version.
    """
    return [{k: _clean(v) for k, v in row.items()} for row in service.funnel(session, chain=chain)]


def candidates(
    session: Session,
    tier: str,
    chain: str | None = None,
    limit: int = 50,
    include: tuple[str, ...] = ("eligible", "near_miss"),
) -> list[dict[str, Any]]:
    """Eligible candidates first, then near misses (临门一脚), best score first."""
    table = service.candidates(session, tier=tier, chain=chain, include=include, limit=limit)
    if table.empty:
        return []
    keep = [
        "uscc",
        "name",
        "district",
        "chains",
        "tier",
        "category",
        "category_zh",
        "result",
        "score_text",
        "failed",
        "missing",
        "advice",
        "year",
    ]
    rows = table[[c for c in keep if c in table.columns]].head(limit).to_dict("records")
    return [{k: _clean(v) for k, v in r.items()} for r in rows]


def candidates_by_tier(
    session: Session, tiers: tuple[str, ...], chain: str | None = None, limit: int = 30
) -> dict[str, list[dict[str, Any]]]:
    """Candidates for several tiers from one evaluation (the service evaluates all tiers at once)."""
    table = service.candidates(session, tier=None, chain=chain, include=("eligible", "near_miss"), limit=limit)
    out: dict[str, list[dict[str, Any]]] = {t: [] for t in tiers}
    if table.empty:
        return out
    keep = [
        c
        for c in (
            "uscc",
            "name",
            "district",
            "chains",
            "tier",
            "category",
            "category_zh",
            "result",
            "score_text",
            "failed",
            "missing",
            "advice",
        )
        if c in table.columns
    ]
    for tier in tiers:
        rows = table[table["tier"] == tier][keep].head(limit).to_dict("records")
        out[tier] = [{k: _clean(v) for k, v in r.items()} for r in rows]
    return out


def application_year(session: Session) -> int:
    return service.default_year(session)


def eligibility(session: Session, uscc: str) -> dict[str, Any] | None:
    """Every tier for one enterprise with each criterion in words (None when it cannot be judged)."""
    try:
        return service.evaluate_enterprise(session, uscc)
    except CultivationError:
        return None


def export_candidates(rows_by_tier: dict[str, list[dict[str, Any]]]) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    head = wb.add_format({"bold": True, "bg_color": "#E8EEF5", "border": 1})
    cols = [
        ("uscc", "统一社会信用代码", 22),
        ("name", "企业名称", 34),
        ("district", "区县", 10),
        ("chains", "所属产业链", 24),
        ("category_zh", "类别", 12),
        ("score_text", "得分", 14),
        ("failed", "未满足", 40),
        ("missing", "缺少的事实", 30),
        ("advice", "培育建议", 40),
    ]
    for tier, rows in rows_by_tier.items():
        ws = wb.add_worksheet(tier[:31])
        for i, (_, label, width) in enumerate(cols):
            ws.write(0, i, label, head)
            ws.set_column(i, i, width)
        for r, row in enumerate(rows, start=1):
            for i, (key, _, _) in enumerate(cols):
                value = row.get(key)
                ws.write_string(r, i, "" if value is None else str(value))
        ws.freeze_panes(1, 2)
    if not rows_by_tier:
        wb.add_worksheet("候选")
    wb.close()
    return buf.getvalue()
