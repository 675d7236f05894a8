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


def to_bool_float(series: pd.Series) -> np.ndarray:
    """True/False/None (or 1/0/NaN) → 1.0/0.0/NaN, vectorised."""
    if series.dtype == bool:
        return series.to_numpy(float)
    if pd.api.types.is_numeric_dtype(series.dtype):
        return np.where(series.isna(), np.nan, (series.fillna(0) != 0).astype(float))
    arr = series.to_numpy(dtype=object)
    return np.where(arr == True, 1.0, np.where(arr == False, 0.0, np.nan))  # noqa: E712 (elementwise)


@dataclass
class Inputs:
    """Evaluator input columns aligned with `uscc` (one row per enterprise)."""

    uscc: np.ndarray
    columns: dict[str, np.ndarray]
    holds: pd.DataFrame  # uscc-indexed, one bool column per tier (valid at application), NaN if unknown


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


def _coded(series: pd.Series, mapping: dict[object, float]) -> np.ndarray:
    """Values through `mapping` via one factorisation (fast on object and string columns)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    lut = np.array([mapping.get(u, np.nan) for u in uniques] + [np.nan], dtype=float)
    return lut[codes]  # code -1 (missing) picks the trailing NaN


def as_float(series: pd.Series) -> np.ndarray:
    """Numbers (None/NaN → NaN); text that is not a number → NaN."""
    try:
        return np.asarray(series.to_numpy(), dtype=float)
    except (TypeError, ValueError):
        return pd.to_numeric(series, errors="coerce").to_numpy(float)


def _scatter(n: int, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
    out = np.full(n, np.nan)
    out[rows] = values  # later rows win
    return out


def build_inputs(
    enterprises: pd.DataFrame,
    financials: pd.DataFrame | None,
    facts: pd.DataFrame | None,
    qualifications: pd.DataFrame | None,
    year: int,
    key: str = "uscc",
) -> Inputs:
    """Align everything on the enterprises' USCCs for an application in `year`.

    All keys are factorised once; figures and facts are then scattered by integer position.
    `key` names the join column of all four tables: `uscc`, or an integer id such as
    `enterprise_id` (much faster to factorise; the enterprises table then needs both).
    """
    ent = enterprises.drop_duplicates(key, keep="last").reset_index(drop=True)
    n = len(ent)
    tables = [t if t is not None else pd.DataFrame(columns=[key, "year"]) for t in (financials, facts)]
    quals = qualifications if qualifications is not None else pd.DataFrame(columns=[key, "tier", "granted_on"])
    keys = pd.concat([ent[key], tables[0][key], tables[1][key], quals[key]], ignore_index=True)
    codes, uniques = pd.factorize(keys)
    row_of = np.full(len(uniques) + 1, -1)
    row_of[codes[:n]] = np.arange(n)
    bounds = np.cumsum([n, len(tables[0]), len(tables[1]), len(quals)])
    fin_rows = row_of[codes[bounds[0] : bounds[1]]]
    fact_rows = row_of[codes[bounds[1] : bounds[2]]]
    qual_rows = row_of[codes[bounds[2] : bounds[3]]]
    cols: dict[str, np.ndarray] = {}
    fin = tables[0]
    fin_year = pd.to_numeric(fin["year"], errors="coerce").to_numpy(float)
    picks = {k: np.flatnonzero((fin_rows >= 0) & (fin_year == year - k)) for k in (1, 2, 3)}
    for f in FIN_FIELDS:
        vals = as_float(fin[f]) if f in fin else np.full(len(fin), np.nan)
        for k, idx in picks.items():
            cols[f"{f}_{k}"] = _scatter(n, fin_rows[idx], vals[idx])
    cols.update(_fact_columns(tables[1], fact_rows, n, year))
    icodes = ent["industry_code"] if "industry_code" in ent else pd.Series([None] * n)
    ind_uniques = pd.unique(icodes.astype(object))
    table = {c: _industry_facts(c) for c in ind_uniques}
    for k, name in enumerate(("sme_emp_limit", "sme_rev_limit", "is_manufacturing", "encouraged_sector")):
        cols[name] = _coded(icodes, {c: v[k] for c, v in table.items()})
        if k < 2:  # no industry code: the industrial limits
            cols[name] = np.where(np.isnan(cols[name]), _SME_UNKNOWN[k], cols[name])
    uscc = ent["uscc"].astype(object)
    district = ent["district_code"] if "district_code" in ent else pd.Series([None] * n)
    region = _coded(
        district, {d: float(str(d)[:2] == "33") for d in pd.unique(district.astype(object)) if isinstance(d, str)}
    )
    blank = np.isnan(region)  # no district code: the registration authority code inside the USCC
    region[blank] = [float(str(u)[2:4] == "33") for u in uscc.to_numpy()[blank]]
    cols["in_zhejiang"] = region
    founded = (
        pd.to_datetime(ent["founded_on"], errors="coerce") if "founded_on" in ent else pd.Series(pd.NaT, index=range(n))
    )
    cols["founded_frac"] = (founded.dt.year + (founded.dt.day_of_year - 1) / 366).to_numpy(float)
    high_tech = to_bool_float(ent["is_high_tech"]) if "is_high_tech" in ent else np.full(n, np.nan)
    holds = _holds(qualifications, qual_rows, n, year)
    for tier in TITLE_TIERS:
        cols[f"holds_{tier}"] = holds[tier]
    # 高新技术企业 from the title table or the enterprise list; other honours are not recorded.
    cols["holds_honour"] = np.where(high_tech == 1, 1.0, cols["holds_high_tech"])
    index = uscc.to_numpy()
    return Inputs(index, cols, pd.DataFrame(holds, index=pd.Index(index, name="uscc")))


def _holds(quals: pd.DataFrame | None, rows: np.ndarray, n: int, year: int) -> dict[str, np.ndarray]:
    if quals is None:
        return {t: np.full(n, np.nan) for t in TITLE_TIERS}
    out = {t: np.zeros(n) for t in TITLE_TIERS}
    if len(quals) == 0:
        return out
    q = title_validity(quals.reset_index(drop=True), year)
    ok = q["valid"].to_numpy(bool) & (rows >= 0)
    tiers = q["tier"].astype(object).to_numpy()
    for t in TITLE_TIERS:
        out[t][rows[ok & (tiers == t)]] = 1.0
    return out


def _fact_columns(facts: pd.DataFrame, rows: np.ndarray, n: int, year: int) -> dict[str, np.ndarray]:
    if facts.empty:
        return {c: np.full(n, np.nan) for c in FACT_COLUMNS}
    fy = pd.to_numeric(facts["year"], errors="coerce").to_numpy(float)
    keep = np.flatnonzero((rows >= 0) & (fy <= year - 1))
    keep = keep[np.argsort(fy[keep], kind="stable")]  # the latest fiscal year is scattered last
    target = rows[keep]
    out: dict[str, np.ndarray] = {}
    for c in FACT_COLUMNS:
        if c not in facts:
            out[c] = np.full(n, np.nan)
            continue
        col = facts[c]
        if c in ENUM_CODES:
            vals = _coded(col, {k: float(v) for k, v in ENUM_CODES[c].items()})
        elif FACTS.column(c).type == "bool":
            vals = to_bool_float(col)
        else:
            vals = as_float(col)
        out[c] = _scatter(n, target, vals[keep])
    return out
