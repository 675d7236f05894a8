"""Cultivation on the database (梯度培育服务): what the web app and the CLI call.

- evaluate_enterprise(session, uscc, year): every tier explained in words.
- candidates(session, tier, chain, year, district): holders, eligible candidates, near misses.
- funnel(session, year): per tier holders vs the program's target, per-year need, candidates.
- expiring(session, year): titles whose 3-year validity ends (review due, 复核).
Chains count memberships with status confirmed or applied, under the active program.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chainlead.cultivation.engine import TierEval, evaluate_all
from chainlead.cultivation.explain import explain
from chainlead.cultivation.inputs import Inputs, build_inputs, title_validity
from chainlead.cultivation.rules import EVAL_TIERS, RuleError, Settings, builtin_rules, rule_for
from chainlead.cultivation.screen import base_table, categories, fill_words, text_column
from chainlead.cultivation.tables import fetch_rows, read_tables
from chainlead.db.models import (
    COUNTED_MEMBERSHIP_STATUSES,
    ChainMembership,
    ChainRow,
    Enterprise,
    EnterpriseFinancial,
    Qualification,
    TierGoalRow,
)
from chainlead.errors import BilingualError
from chainlead.program.store import active_program_row
from chainlead.progress.cache import cached
from chainlead.reference.districts import district_name

MEMBER_STATUSES = COUNTED_MEMBERSHIP_STATUSES


class CultivationError(BilingualError, ValueError):
    """A request the service cannot answer (unknown enterprise, tier or chain); zh and en."""


def default_year(session: Session) -> int:
    """The application year after the latest fiscal year on file (or this year)."""
    latest = session.scalar(select(func.max(EnterpriseFinancial.year)))
    return int(latest) + 1 if latest else dt.date.today().year


def _inputs(session: Session, year: int, ids: list[int] | None = None) -> tuple[pd.DataFrame, Inputs]:
    ent, fin, facts, quals = read_tables(session, year, ids)
    return ent, build_inputs(ent, fin, facts, quals, year, key="enterprise_id")


def evaluate_enterprise(
    session: Session, uscc: str, year: int | None = None, settings: Settings | None = None
) -> dict[str, Any]:
    """Every tier for one enterprise, with each criterion in words (JSON-ready)."""
    ent_id = session.scalar(select(Enterprise.id).where(Enterprise.uscc == uscc))
    if ent_id is None:
        raise CultivationError(f"企业库中没有统一社会信用代码 {uscc}", f"no enterprise with USCC {uscc}")
    year = year or default_year(session)
    ent, inp = _inputs(session, year, [ent_id])
    evals = evaluate_all(inp.columns, year, settings)
    tiers = []
    for tier, te in evals.items():
        ex = explain(te, 0)
        d = asdict(ex)
        d["holds_title"] = _opt_bool(inp.holds[tier].iloc[0])
        tiers.append(d)
    return {"uscc": uscc, "name": ent["name"].iloc[0], "year": year, "tiers": tiers}


def _opt_bool(v: float) -> bool | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else bool(v)


def _chains_by_enterprise(session: Session) -> dict[int, list[str]]:
    prog = active_program_row(session)
    q = (
        select(ChainMembership.enterprise_id, ChainRow.name)
        .join(ChainRow, ChainRow.id == ChainMembership.chain_id)
        .where(ChainMembership.status.in_(MEMBER_STATUSES))
    )
    if prog is not None:
        q = q.where(ChainRow.program_id == prog.id)
    out: dict[int, list[str]] = {}
    for eid, chain in fetch_rows(session, q):
        if chain not in out.setdefault(eid, []):
            out[eid].append(chain)
    return out


def _chain_ids(session: Session, chain: str) -> list[int]:
    chains = _chains_by_enterprise(session)
    known = {c for names in chains.values() for c in names}
    prog = active_program_row(session)
    q = select(ChainRow.name, ChainRow.aliases)
    if prog is not None:
        q = q.where(ChainRow.program_id == prog.id)
    names = {n: n for n, _ in session.execute(q).all()}
    for n, aliases in session.execute(q).all():
        for a in aliases or []:
            names.setdefault(a, n)
    if chain not in names and chain not in known:
        raise CultivationError(f"没有名为“{chain}”的产业链", f"no chain named {chain!r}")
    target = names.get(chain, chain)
    return [eid for eid, cs in chains.items() if target in cs]


def status_table(
    session: Session,
    year: int | None = None,
    chain: str | None = None,
    district: str | None = None,
    settings: Settings | None = None,
    detail: bool = True,
    tiers: tuple[str, ...] = EVAL_TIERS,
    failed_near_only: bool = False,
) -> pd.DataFrame:
    """Every enterprise (of the chain / district) × tier, with its category and result.

    category: holder (valid title) | eligible | near_miss | undetermined | not_eligible | excluded
    (meets it but holds a title that keeps it out, e.g. 专精特新 for 创新型). `detail=False` leaves
    out the words (failed / missing / advice) for counting.
    """
    table, inp, evals = _status(session, year, chain, district, settings, tiers)
    if detail and evals:
        fill_words(table, inp, evals, None, failed_near_only=failed_near_only)
    return table.drop(columns="_i", errors="ignore")


def _evaluated(
    session: Session,
    year: int,
    chain: str | None,
    district: str | None,
    settings: Settings | None,
    tiers: tuple[str, ...],
) -> tuple[pd.DataFrame, Inputs, dict[str, TierEval]]:
    """Enterprises (of the chain / district), their inputs and every tier evaluated ({} if none)."""
    ids = _chain_ids(session, chain) if chain else None
    ent, inp = _inputs(session, year, ids)
    if district:
        keep = ent["district_code"].astype(str).eq(district).to_numpy()
        ent = ent[keep].reset_index(drop=True)
        inp = Inputs(inp.uscc[keep], {k: v[keep] for k, v in inp.columns.items()}, inp.holds[keep])
    if len(ent) == 0:
        return ent, inp, {}
    return ent, inp, evaluate_all(inp.columns, year, settings, tiers)


def _status(
    session: Session,
    year: int | None,
    chain: str | None,
    district: str | None,
    settings: Settings | None,
    tiers: tuple[str, ...],
    include: tuple[str, ...] | None = None,
) -> tuple[pd.DataFrame, Inputs, dict[str, TierEval]]:
    """The status table without words (column-wise), its inputs and evaluations; `_i` = input row.

    `include` keeps only the rows of those categories (the others are never built)."""
    year = year or default_year(session)
    ent, inp, evals = _evaluated(session, year, chain, district, settings, tiers)
    if not evals:
        empty = pd.DataFrame(columns=["uscc", "name", "district", "chains", "tier", "category", "result"])
        return empty, inp, {}
    category = categories(inp, evals)
    keep = None if include is None else np.isin(category, include)
    table = base_table(inp, evals, keep)
    rows, at = np.unique(table["_i"].to_numpy(), return_inverse=True)  # the enterprises shown, once each
    meta = ent.set_index("uscc")
    uscc = pd.Series(inp.uscc[rows])
    chains = _chains_by_enterprise(session)
    districts = uscc.map(meta["district_code"]).map(lambda c: district_name(c) if isinstance(c, str) else "")
    joined = uscc.map(meta["enterprise_id"]).map(lambda e: "、".join(chains.get(e, [])))
    table.insert(1, "name", text_column(uscc.map(meta["name"]).to_numpy(object), at))
    table.insert(2, "district", text_column(districts.to_numpy(object), at))
    table.insert(3, "chains", text_column(joined.to_numpy(object), at))
    table["category"] = text_column(category, np.arange(len(category)) if keep is None else np.flatnonzero(keep))
    table["year"] = year
    return table, inp, evals


CATEGORY_ORDER = ("holder", "eligible", "near_miss", "undetermined", "excluded", "not_eligible")
CATEGORY_ZH = {
    "holder": "已持有",
    "eligible": "符合条件",
    "near_miss": "临门一脚",
    "undetermined": "待定（缺事实）",
    "not_eligible": "不符合",
    "excluded": "已持有更高称号",
}


def candidates(
    session: Session,
    tier: str | None = None,
    chain: str | None = None,
    year: int | None = None,
    district: str | None = None,
    include: tuple[str, ...] = ("holder", "eligible", "near_miss"),
    limit: int | None = None,
) -> pd.DataFrame:
    """Holders, eligible candidates and near misses (by default) per tier, chain and district.

    Ordered by tier, category and best score; `limit` keeps the first rows of each tier. The words
    (failed, missing, advice) are worked out only for the rows returned.
    """
    if tier is not None and tier not in EVAL_TIERS:
        raise CultivationError(f"未知称号 {tier}（可选：{'、'.join(EVAL_TIERS)}）", f"unknown tier {tier}")
    year = year or default_year(session)
    tiers = (tier,) if tier else EVAL_TIERS
    table, inp, evals = _status(session, year, chain, district, None, tiers, include)
    if not evals:
        return table.assign(category_zh=[])
    table["category_zh"] = table["category"].map(CATEGORY_ZH)
    order = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    table = table.sort_values(
        ["tier", "category", "score_max"],
        key=lambda s: s.map(order) if s.name == "category" else s,
        ascending=[True, True, False],
    )
    if limit is not None:
        table = table.groupby("tier", sort=False).head(limit)
    table = table.reset_index(drop=True)
    fill_words(table, inp, evals, None, failed_near_only="not_eligible" not in include)
    return table.drop(columns="_i")


def expiring(session: Session, year: int | None = None) -> pd.DataFrame:
    """Titles whose validity ends in `year` (review due, 复核): expires_on, or granted + 3 years."""
    year = year or default_year(session)
    rows = session.execute(
        select(Enterprise.uscc, Enterprise.name, Qualification.tier, Qualification.granted_on, Qualification.expires_on)
        .join(Enterprise, Enterprise.id == Qualification.enterprise_id)
        .where(Qualification.tier.in_(EVAL_TIERS))
    ).all()
    q = pd.DataFrame(rows, columns=["uscc", "name", "tier", "granted_on", "expires_on"])
    if q.empty:
        return q.assign(expires=[])
    q = title_validity(q, year)
    q = q[q["expires"].dt.year == year].copy()
    q["expires"] = q["expires"].dt.date
    return q.drop(columns=["valid"]).sort_values(["tier", "expires"]).reset_index(drop=True)


CACHE_AREAS = ("program", "enterprises", "financials", "memberships", "qualifications", "facts")


def _rules_fingerprint() -> str:
    text = ";".join(f"{r.tier}:{r.version}:{r.valid_from}:{r.valid_to}" for r in builtin_rules())
    return hashlib.sha1(text.encode()).hexdigest()[:10]


def funnel(
    session: Session,
    year: int | None = None,
    use_cache: bool = True,
    chain: str | None = None,
    district: str | None = None,
) -> list[dict[str, Any]]:
    """Per tier: holders, target, gap and per-year need to the target year, and the candidate pool.

    With `chain` or `district` the counts are for that part of the city and the (city-wide)
    targets are left out. Cached in `result_cache` under the data versions of every input area
    (db/versions.py), so an import, a membership decision or a program change recomputes it.
    """
    year = year or default_year(session)
    if not use_cache:
        return _funnel(session, year, chain, district)
    key = f"cultivation.funnel.{year}.{chain or ''}.{district or ''}.{_rules_fingerprint()}"
    payload, _ = cached(session, key, lambda: {"rows": _funnel(session, year, chain, district)}, CACHE_AREAS)
    return list(payload["rows"])


def _funnel(session: Session, year: int, chain: str | None, district: str | None) -> list[dict[str, Any]]:
    prog = active_program_row(session)
    goals: dict[tuple[str, str], TierGoalRow] = {}
    if prog is not None and chain is None and district is None:
        for g in session.scalars(select(TierGoalRow).where(TierGoalRow.program_id == prog.id)):
            goals[(g.kind, g.tier)] = g
    _, inp, evals = _evaluated(session, year, chain, district, None, EVAL_TIERS)
    counted: dict[str, dict[str, int]] = {}
    if evals:  # counts straight from the category arrays (no table)
        cats = categories(inp, evals).reshape(len(inp.uscc), len(evals))
        for k, tier in enumerate(evals):
            values, sizes = np.unique(cats[:, k].astype(str), return_counts=True)
            counted[tier] = dict(zip(values.tolist(), sizes.tolist(), strict=True))
    due = expiring(session, year)
    if (chain or district) and not due.empty:
        members = set(inp.uscc) if evals else set()
        due = due[due["uscc"].isin(members)]
    out = []
    for tier in EVAL_TIERS:
        try:
            rule = rule_for(tier, year)
        except RuleError:
            continue
        counts = counted.get(tier, {})
        target = goals.get(("target", tier))
        base = goals.get(("baseline", tier))
        holders = int(counts.get("holder", 0))
        row: dict[str, Any] = {
            "tier": tier,
            "tier_zh": rule.tier_zh,
            "rule_version": rule.version,
            "year": year,
            "holders": holders,
            "baseline": base.count if base else None,
            "target": target.count if target else None,
            "target_year": target.year if target else None,
            "eligible": int(counts.get("eligible", 0)),
            "near_miss": int(counts.get("near_miss", 0)),
            "undetermined": int(counts.get("undetermined", 0)),
            "review_due": int((due["tier"] == tier).sum()) if not due.empty else 0,
        }
        if target and target.year:
            gap = max(0, target.count - holders)
            years_left = max(1, target.year - year + 1)
            row["gap"] = gap
            row["per_year_needed"] = math.ceil(gap / years_left)
            row["pool_covers_need"] = row["eligible"] >= row["per_year_needed"]
        else:
            row["gap"] = row["per_year_needed"] = row["pool_covers_need"] = None
        out.append(row)
    return out
