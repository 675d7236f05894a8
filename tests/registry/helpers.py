"""Helpers for registry tests: valid USCCs, real CSV/XLSX files, database snapshots."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select
from stdnum.cn import uscc as _uscc

from chainlead.db.engine import get_engine
from chainlead.db.models import AuditLog, ChainMembership, Enterprise, EnterpriseFinancial, ImportBatch, Qualification

ENT_HEADER = ["统一社会信用代码", "企业名称", "区县代码", "行业代码", "成立日期", "是否规上"]
FIN_HEADER = ["uscc", "year", "revenue_wan", "employees", "rd_employees", "total_assets_wan", "total_liabilities_wan"]


def make_uscc(i: int, district: str = "330108") -> str:
    base = f"91{district}MA2H{i:05d}"[:17]
    return base + _uscc.calc_check_digit(base)


def write_csv(path: Path, header: list[str], rows: list[list[object]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def enterprise_rows(n: int, start: int = 0) -> list[list[object]]:
    return [
        [make_uscc(i), f"杭州测试{i}科技有限公司", "330108", "3921", "2018-03-05", "是"]
        for i in range(start, start + n)
    ]


def financial_rows(n: int, year: int = 2023) -> list[list[object]]:
    return [[make_uscc(i), year, 1000 + i, 50 + i, 5, 2000 + i, 800] for i in range(n)]


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every domain row (without timestamps), sorted, to compare database states."""
    tables = {
        "enterprise": Enterprise.__table__,
        "enterprise_financial": EnterpriseFinancial.__table__,
        "qualification": Qualification.__table__,
        "chain_membership": ChainMembership.__table__,
    }
    skip = {"updated_at", "decided_at", "id", "created_batch_id", "batch_id"}
    out: dict[str, list[tuple]] = {}
    with get_engine(url).connect() as conn:
        for name, table in tables.items():
            cols = [c for c in table.c if c.name not in skip]
            out[name] = sorted((tuple(r) for r in conn.execute(select(*cols))), key=repr)
    return out


def count(url: str, model: type) -> int:
    with get_engine(url).connect() as conn:
        return len(conn.execute(select(model.__table__.c.id)).all())


def batches(url: str) -> list[dict]:
    with get_engine(url).connect() as conn:
        return [dict(r) for r in conn.execute(select(ImportBatch.__table__).order_by(ImportBatch.id)).mappings()]


def audit(url: str, action: str | None = None) -> list[dict]:
    table = AuditLog.__table__
    query = select(table).order_by(table.c.id)
    if action:
        query = query.where(table.c.action == action)
    with get_engine(url).connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]
