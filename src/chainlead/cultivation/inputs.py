"""Input columns for the evaluator, built from enterprise, financial, fact and title tables.

Works on plain DataFrames (from files or from the database) with canonical column names:
- enterprises: uscc, industry_code, district_code, founded_on, is_high_tech
- financials: uscc, year, revenue_wan, main_business_revenue_wan, ... (FY y-1, y-2, y-3 used)
- facts: uscc, year, <fact columns>; the latest fiscal year <= y-1 is used
- qualifications: uscc, tier, granted_on, expires_on (None → titles unknown, not absent)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from chainlead.cultivation.metrics import ENUM_CODES, FACT_ZH, FIN_FIELDS
from chainlead.reference.industry import industry
from chainlead.registry.formats import FACTS

FACT_COLUMNS = tuple(FACT_ZH)
TITLE_TIERS = ("innovative_sme", "zjtx_provincial", "hidden_champion_provincial", "little_giant_national", "high_tech")

# 《中小企业划型标准规定》(工信部联企业〔2011〕300号): large = employees >= E AND revenue >= R.
# (employee limit, revenue limit in 万元) by GB/T 4754 division; the rest falls back to section.
_SME_BY_DIVISION = {
    "51": (200, 40000),  # 批发业
    "52": (300, 20000),  # 零售业
    "59": (200, 30000),  # 仓储业
    "61": (300, 10000),  # 住宿业
    "62": (300, 10000),  # 餐饮业
    "63": (2000, 100000),  # 电信、广播电视和卫星传输服务
    "64": (2000, 100000),  # 互联网和相关服务
    "65": (300, 10000),  # 软件和信息技术服务业
    "70": (np.inf, 200000),  # 房地产开发经营（按营业收入）
}
_SME_BY_SECTION = {
    "A": (np.inf, 20000),
    "B": (1000, 40000),
    "C": (1000, 40000),
    "D": (1000, 40000),
    "E": (np.inf, 80000),
    "G": (1000, 30000),
}
_SME_OTHER = (300, np.inf)  # 其他未列明行业: 从业人员 300 人以下
_SME_UNKNOWN = (1000, 40000)  # no industry code: the industrial limits (documented)


def _industry_facts(code: object) -> tuple[float, float, float, float]:
    """(employee limit, revenue limit, is_manufacturing, encouraged_sector) for an industry code."""
    text = str(code).strip() if isinstance(code, str) else ""
    row = industry(text) if text else None
    if row is None:
        return (*_SME_UNKNOWN, np.nan, np.nan)
    division = text[:2]
    emp, rev = _SME_BY_DIVISION.get(division) or _SME_BY_SECTION.get(row.section) or _SME_OTHER
    manufacturing = 1.0 if row.section == "C" else 0.0
    encouraged = 1.0 if row.section == "C" or division in ("63", "64", "65") else 0.0
    return float(emp), float(rev), manufacturing, encouraged


_BOOL_MAP = {True: 1.0, False: 0.0}


def to_bool_float(series: pd.Series) -> np.ndarray:
    """True/False/None (or 1/0/NaN) → 1.0/0.0/NaN, vectorised."""
    if series.dtype == bool:
        return series.to_numpy(float)
    if pd.api.types.is_numeric_dtype(series.dtype):
        return np.where(series.isna(), np.nan, (series.fillna(0) != 0).astype(float))
    return pd.to_numeric(series.astype(object).map(_BOOL_MAP), errors="coerce").to_numpy(float)


@dataclass
class Inputs:
    """Evaluator input columns aligned with `uscc` (one row per enterprise)."""

    uscc: np.ndarray
    columns: dict[str, np.ndarray]
    holds: pd.DataFrame  # uscc-indexed, one bool column per tier (valid at application), NaN if unknown


def _year_slice(df: pd.DataFrame, year: int, index: pd.Index, cols: tuple[str, ...]) -> pd.DataFrame:
    part = df[df["year"] == year].drop_duplicates("uscc", keep="last").set_index("uscc")
    return part.reindex(index)[[c for c in cols if c in part.columns]]


def title_validity(quals: pd.DataFrame, year: int, validity_years: int = 3) -> pd.DataFrame:
    """Titles valid on 1 January of the application year; expiry = expires_on or granted + 3 years."""
    if quals.empty:
        return pd.DataFrame(columns=["uscc", "tier", "granted_on", "expires"])
    q = quals.copy()
    granted = pd.to_datetime(q["granted_on"])
    default_exp = granted + pd.DateOffset(years=validity_years) - pd.Timedelta(days=1)
    exp = pd.to_datetime(q["expires_on"]) if "expires_on" in q else pd.Series(pd.NaT, index=q.index)
    q["expires"] = exp.fillna(default_exp)
    ref = pd.Timestamp(dt.date(year, 1, 1))
    q["valid"] = (granted <= ref) & (q["expires"] >= ref)
    return q


def build_inputs(
    enterprises: pd.DataFrame,
    financials: pd.DataFrame,
    facts: pd.DataFrame | None,
    qualifications: pd.DataFrame | None,
    year: int,
) -> Inputs:
    """Align everything on the enterprises' USCCs for an application in `year`."""
    ent = enterprises.drop_duplicates("uscc", keep="last").reset_index(drop=True)
    index = pd.Index(ent["uscc"].astype(str))
    n = len(index)
    cols: dict[str, np.ndarray] = {}
    fin = financials if financials is not None else pd.DataFrame(columns=["uscc", "year"])
    fin = fin.assign(uscc=fin["uscc"].astype(str))
    for k in (1, 2, 3):
        part = _year_slice(fin, year - k, index, FIN_FIELDS)
        for f in FIN_FIELDS:
            vals = part[f] if f in part else pd.Series(np.nan, index=index)
            cols[f"{f}_{k}"] = pd.to_numeric(vals, errors="coerce").to_numpy(float)
    cols.update(_fact_columns(facts, index, year))
    codes = ent["industry_code"] if "industry_code" in ent else pd.Series([None] * n)
    codes = codes.astype(object).where(codes.notna(), "")
    table = {c: _industry_facts(c) for c in pd.unique(codes)}
    for k, name in enumerate(("sme_emp_limit", "sme_rev_limit", "is_manufacturing", "encouraged_sector")):
        cols[name] = codes.map({c: v[k] for c, v in table.items()}).to_numpy(float)
    district = ent["district_code"].astype(object) if "district_code" in ent else pd.Series([None] * n)
    region = np.where(district.notna(), district.astype(str).str[:2], index.str[2:4])
    cols["in_zhejiang"] = (region == "33").astype(float)
    founded = (
        pd.to_datetime(ent["founded_on"], errors="coerce") if "founded_on" in ent else pd.Series(pd.NaT, index=range(n))
    )
    cols["founded_frac"] = (founded.dt.year + (founded.dt.day_of_year - 1) / 366).to_numpy(float)
    high_tech = to_bool_float(ent["is_high_tech"]) if "is_high_tech" in ent else np.full(n, np.nan)
    holds = _holds(qualifications, index, year)
    for tier in TITLE_TIERS:
        cols[f"holds_{tier}"] = holds[tier].to_numpy(float)
    # 高新技术企业 from the title table or the enterprise list; other honours are not recorded.
    cols["holds_honour"] = np.where(high_tech == 1, 1.0, cols["holds_high_tech"])
    return Inputs(index.to_numpy(), cols, holds)


def _holds(quals: pd.DataFrame | None, index: pd.Index, year: int) -> pd.DataFrame:
    if quals is None:
        return pd.DataFrame({t: np.nan for t in TITLE_TIERS}, index=index)
    q = title_validity(quals.assign(uscc=quals["uscc"].astype(str)), year)
    out = pd.DataFrame(index=index)
    for tier in TITLE_TIERS:
        valid = set(q.loc[(q["tier"] == tier) & q["valid"], "uscc"]) if len(q) else set()
        out[tier] = index.isin(list(valid)).astype(float)
    return out


def _fact_columns(facts: pd.DataFrame | None, index: pd.Index, year: int) -> dict[str, np.ndarray]:
    n = len(index)
    if facts is None or facts.empty:
        return {c: np.full(n, np.nan) for c in FACT_COLUMNS}
    f = facts.assign(uscc=facts["uscc"].astype(str))
    f = f[pd.to_numeric(f["year"], errors="coerce") <= year - 1]
    f = f.sort_values("year").drop_duplicates("uscc", keep="last").set_index("uscc").reindex(index)
    out: dict[str, np.ndarray] = {}
    for c in FACT_COLUMNS:
        if c not in f:
            out[c] = np.full(n, np.nan)
        elif c in ENUM_CODES:
            out[c] = f[c].map(ENUM_CODES[c]).to_numpy(float)
        elif FACTS.column(c).type == "bool":
            out[c] = to_bool_float(f[c])
        else:
            out[c] = pd.to_numeric(f[c], errors="coerce").to_numpy(float)
    return out
