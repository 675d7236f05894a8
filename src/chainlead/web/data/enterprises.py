"""The enterprise register (企业库): search with filters, sort and paging, Excel export, profile.

Size (规模) follows the revenue bands of the industrial size rule (统计上大中小微型企业划分办法
(2017), 工业): 大型 ≥ 40,000 万元, 中型 ≥ 2,000, 小型 ≥ 300, 微型 < 300 — by revenue only.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from chainlead.db.models import (
    ChainMembership,
    ChainNodeRow,
    ChainRow,
    Enterprise,
    EnterpriseFact,
    EnterpriseFinancial,
    Qualification,
)
from chainlead.reference.districts import district_name
from chainlead.reference.industry import industry_name
from chainlead.web.data.program import COUNTED

SIZES = {
    "large": ("大型", "large", 40000.0, None),
    "medium": ("中型", "medium", 2000.0, 40000.0),
    "small": ("小型", "small", 300.0, 2000.0),
    "micro": ("微型", "micro", None, 300.0),
}
SORTS = {
    "revenue": ("营业收入", "revenue"),
    "name": ("名称", "name"),
    "employees": ("从业人员", "employees"),
    "rd": ("研发费用", "R&D expense"),
}
EXPORT_LIMIT = 100_000
IDS_PER_QUERY = 20_000


@dataclass
class Filters:
    """What the 企业库 list is filtered by (all optional)."""

    q: str = ""
    chain_id: int | None = None
    node_id: int | None = None
    district: str = ""
    tier: str = ""
    size: str = ""
    sort: str = "revenue"
    desc: bool = True


def _query(f: Filters, year: int):  # type: ignore[no-untyped-def]
    fin = EnterpriseFinancial
    stmt = select(
        Enterprise.id,
        Enterprise.uscc,
        Enterprise.name,
        Enterprise.district_code,
        Enterprise.industry_code,
        fin.revenue_wan,
        fin.employees,
        fin.rd_expense_wan,
    ).outerjoin(fin, and_(fin.enterprise_id == Enterprise.id, fin.year == year))
    conds = []
    if f.q:
        like = f"%{f.q.strip()}%"
        conds.append(or_(Enterprise.name.like(like), Enterprise.uscc == f.q.strip().upper()))
    if f.chain_id or f.node_id:
        m = select(ChainMembership.id).where(
            ChainMembership.enterprise_id == Enterprise.id, ChainMembership.status.in_(COUNTED)
        )
        if f.chain_id:
            m = m.where(ChainMembership.chain_id == f.chain_id)
        if f.node_id:
            m = m.where(ChainMembership.node_id == f.node_id)
        conds.append(exists(m))
    if f.district:
        conds.append(Enterprise.district_code == f.district)
    if f.tier:
        conds.append(
            exists(
                select(Qualification.id).where(
                    Qualification.enterprise_id == Enterprise.id, Qualification.tier == f.tier
                )
            )
        )
    if f.size in SIZES:
        _, _, low, high = SIZES[f.size]
        if low is not None:
            conds.append(fin.revenue_wan >= low)
        if high is not None:
            conds.append(fin.revenue_wan < high)
    if conds:
        stmt = stmt.where(*conds)
    return stmt


def _order(stmt, f: Filters):  # type: ignore[no-untyped-def]
    col = {
        "name": Enterprise.name,
        "employees": EnterpriseFinancial.employees,
        "rd": EnterpriseFinancial.rd_expense_wan,
    }.get(f.sort, EnterpriseFinancial.revenue_wan)
    primary = col.desc() if f.desc else col.asc()
    if f.sort != "name":
        primary = primary.nulls_last()
    return stmt.order_by(primary, Enterprise.id)


def _decorate(session: Session, rows: list[Any]) -> list[dict[str, Any]]:
    all_ids = [r[0] for r in rows]
    chains: dict[int, list[str]] = defaultdict(list)
    tiers: dict[int, list[str]] = defaultdict(list)
    # An export holds up to EXPORT_LIMIT rows; PostgreSQL binds at most 65,535 parameters per query.
    for start in range(0, len(all_ids), IDS_PER_QUERY):
        ids = all_ids[start : start + IDS_PER_QUERY]
        for eid, name in session.execute(
            select(ChainMembership.enterprise_id, ChainRow.name)
            .join(ChainRow, ChainRow.id == ChainMembership.chain_id)
            .where(ChainMembership.enterprise_id.in_(ids), ChainMembership.status.in_(COUNTED))
            .distinct()
        ):
            chains[eid].append(name)
        for eid, tier in session.execute(
            select(Qualification.enterprise_id, Qualification.tier)
            .where(Qualification.enterprise_id.in_(ids))
            .distinct()
        ):
            tiers[eid].append(tier)
    return [
        {
            "uscc": r[1],
            "name": r[2],
            "district_code": r[3],
            "district": district_name(r[3]) if r[3] else None,
            "industry_code": r[4],
            "industry": industry_name(r[4]) if r[4] else None,
            "revenue_wan": r[5],
            "employees": r[6],
            "rd_expense_wan": r[7],
            "chains": sorted(chains.get(r[0], [])),
            "tiers": sorted(tiers.get(r[0], [])),
        }
        for r in rows
    ]


def search(
    session: Session, f: Filters, year: int, page: int = 1, per_page: int = 50
) -> tuple[list[dict[str, Any]], int]:
    """One page of the filtered, sorted list and the total count."""
    base = _query(f, year)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.execute(_order(base, f).limit(per_page).offset((page - 1) * per_page)).all()
    return _decorate(session, list(rows)), int(total)


def export_xlsx(session: Session, f: Filters, year: int) -> bytes:
    """The filtered list as an Excel workbook (amounts in 万元)."""
    rows = _decorate(session, list(session.execute(_order(_query(f, year), f).limit(EXPORT_LIMIT)).all()))
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("企业库")
    head = wb.add_format({"bold": True, "bg_color": "#E8EEF5", "border": 1})
    money = wb.add_format({"num_format": "#,##0.0"})
    cols = [
        "统一社会信用代码",
        "企业名称",
        "区县",
        "行业代码",
        "行业",
        f"{year}年营业收入（万元）",
        "从业人员",
        "研发费用（万元）",
        "所属产业链",
        "资质",
    ]
    widths = [22, 36, 10, 9, 24, 18, 10, 16, 30, 30]
    for i, (c, w) in enumerate(zip(cols, widths, strict=True)):
        ws.write(0, i, c, head)
        ws.set_column(i, i, w)
    for r, row in enumerate(rows, start=1):
        ws.write_string(r, 0, row["uscc"])
        ws.write_string(r, 1, row["name"])
        ws.write_string(r, 2, row["district"] or "")
        ws.write_string(r, 3, row["industry_code"] or "")
        ws.write_string(r, 4, row["industry"] or "")
        if row["revenue_wan"] is not None:
            ws.write_number(r, 5, row["revenue_wan"], money)
        if row["employees"] is not None:
            ws.write_number(r, 6, row["employees"])
        if row["rd_expense_wan"] is not None:
            ws.write_number(r, 7, row["rd_expense_wan"], money)
        ws.write_string(r, 8, "、".join(row["chains"]))
        ws.write_string(r, 9, "、".join(row["tiers"]))
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, max(len(rows), 1), len(cols) - 1)
    wb.close()
    return buf.getvalue()


def profile(session: Session, uscc: str) -> dict[str, Any] | None:
    """One enterprise: figures over the years, memberships with reasons, titles, facts."""
    ent = session.scalars(select(Enterprise).where(Enterprise.uscc == uscc.strip().upper())).first()
    if ent is None:
        return None
    fins = list(
        session.scalars(
            select(EnterpriseFinancial)
            .where(EnterpriseFinancial.enterprise_id == ent.id)
            .order_by(EnterpriseFinancial.year)
        )
    )
    members = session.execute(
        select(ChainMembership, ChainRow.name, ChainNodeRow.name, ChainNodeRow.position)
        .join(ChainRow, ChainRow.id == ChainMembership.chain_id)
        .join(ChainNodeRow, ChainNodeRow.id == ChainMembership.node_id)
        .where(ChainMembership.enterprise_id == ent.id)
        .order_by(ChainMembership.status, ChainMembership.confidence.desc())
    ).all()
    quals = list(
        session.scalars(
            select(Qualification).where(Qualification.enterprise_id == ent.id).order_by(Qualification.granted_on)
        )
    )
    fact = session.scalars(
        select(EnterpriseFact).where(EnterpriseFact.enterprise_id == ent.id).order_by(EnterpriseFact.year.desc())
    ).first()
    return {
        "enterprise": ent,
        "district": district_name(ent.district_code) if ent.district_code else None,
        "industry": industry_name(ent.industry_code) if ent.industry_code else None,
        "financials": fins,
        "memberships": [{"m": m, "chain": c, "node": n, "position": p} for m, c, n, p in members],
        "qualifications": quals,
        "fact": fact,
    }
