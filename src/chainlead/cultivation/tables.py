"""Reading the cultivation inputs from the database (培育评价输入): four plain queries, one
DataFrame each, in the shapes `build_inputs` takes (keyed by enterprise id)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chainlead.cultivation.inputs import FACT_COLUMNS
from chainlead.cultivation.metrics import FIN_FIELDS
from chainlead.db.models import Enterprise, EnterpriseFact, EnterpriseFinancial, Qualification


def fetch_rows(session: Session, query: Any) -> list[tuple[Any, ...]]:
    """All rows of a select as the driver gives them, through the DBAPI cursor.

    No SQLAlchemy row objects and no per-value conversion: booleans come as stored (0/1 on SQLite,
    bool on PostgreSQL), dates as stored (ISO text on SQLite, date on PostgreSQL); build_inputs reads
    either the same way. Only integer parameters are bound here (years, enterprise ids).
    """
    session.flush()  # what session.execute would autoflush
    conn = session.connection()
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    args = tuple(params[k] for k in compiled.positiontup) if compiled.positional else params
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), args)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _frame(session: Session, query: Any, columns: list[str], numeric: bool = False) -> pd.DataFrame:
    """A query's rows as a DataFrame; `numeric`: every column a number (NULL → NaN), built at once."""
    rows = fetch_rows(session, query)
    if not numeric:
        return pd.DataFrame(rows, columns=columns)
    table = np.array(rows, dtype=float).reshape(len(rows), len(columns))
    return pd.DataFrame({c: table[:, k] for k, c in enumerate(columns)})


# Enterprise ids bound per query: PostgreSQL takes at most 65,535 parameters (a chain of a large
# city has more firms than that), SQLite builds may allow fewer.
IDS_PER_QUERY = 20_000


def read_tables(
    session: Session, year: int, ids: list[int] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Enterprises, figures (FY y-3..y-1), the latest facts (<= y-1) and titles, keyed by enterprise id.

    `ids`: only these enterprises (read `IDS_PER_QUERY` at a time).
    """
    if ids is not None and len(ids) > IDS_PER_QUERY:
        parts = [read_tables(session, year, ids[k : k + IDS_PER_QUERY]) for k in range(0, len(ids), IDS_PER_QUERY)]
        return tuple(pd.concat([p[n] for p in parts], ignore_index=True) for n in range(4))  # type: ignore[return-value]
    ent_q = select(
        Enterprise.id,
        Enterprise.uscc,
        Enterprise.name,
        Enterprise.industry_code,
        Enterprise.district_code,
        Enterprise.founded_on,
        Enterprise.is_high_tech,
    )
    if ids is not None:
        ent_q = ent_q.where(Enterprise.id.in_(ids))
    ent = _frame(
        session,
        ent_q,
        ["enterprise_id", "uscc", "name", "industry_code", "district_code", "founded_on", "is_high_tech"],
    )
    fin_cols = [getattr(EnterpriseFinancial, f) for f in FIN_FIELDS]
    fq = select(EnterpriseFinancial.enterprise_id, EnterpriseFinancial.year, *fin_cols).where(
        EnterpriseFinancial.year.between(year - 3, year - 1)
    )
    # only the latest facts year <= y-1 of each enterprise is used (build_inputs); (enterprise, year) is unique
    latest_q = (
        select(EnterpriseFact.enterprise_id.label("eid"), func.max(EnterpriseFact.year).label("fy"))
        .where(EnterpriseFact.year <= year - 1)
        .group_by(EnterpriseFact.enterprise_id)
    )
    qual_q = select(Qualification.enterprise_id, Qualification.tier, Qualification.granted_on, Qualification.expires_on)
    if ids is not None:
        fq = fq.where(EnterpriseFinancial.enterprise_id.in_(ids))
        latest_q = latest_q.where(EnterpriseFact.enterprise_id.in_(ids))
        qual_q = qual_q.where(Qualification.enterprise_id.in_(ids))
    fin = _frame(session, fq, ["enterprise_id", "year", *FIN_FIELDS], numeric=True)
    fin["enterprise_id"] = fin["enterprise_id"].astype(np.int64)
    latest = latest_q.subquery()
    fact_q = select(
        EnterpriseFact.enterprise_id, EnterpriseFact.year, *[getattr(EnterpriseFact, c) for c in FACT_COLUMNS]
    ).join(latest, (EnterpriseFact.enterprise_id == latest.c.eid) & (EnterpriseFact.year == latest.c.fy))
    facts = _frame(session, fact_q, ["enterprise_id", "year", *FACT_COLUMNS])
    quals = _frame(session, qual_q, ["enterprise_id", "tier", "granted_on", "expires_on"])
    return ent, fin, facts, quals
