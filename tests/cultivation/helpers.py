"""A hand-made "star" enterprise that meets every tier, and ways to change it one fact at a time."""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd

from chainlead.cultivation.engine import evaluate_all
from chainlead.cultivation.explain import explain
from chainlead.cultivation.inputs import build_inputs
from chainlead.cultivation.rules import Settings

YEAR = 2023
USCC = "91330100MA2C00000P"

STAR_ENTERPRISE: dict[str, Any] = {
    "uscc": USCC,
    "industry_code": "3981",
    "district_code": "330108",
    "founded_on": "2005-03-01",
    "is_high_tech": False,
}
# Facts that leave the 专精特新 local-characteristics group pending (no 6-point item met).
PENDING_LOCAL = {
    "rd_institution_level": "municipal",
    "digital_level": 2,
    "ip_class1_high_value": 0,
    "ip_class1_self_developed": 0,
    "leading_product_field_level": "six_basics",
    "niche_since_year": 2016,
}

# FY 2022 (y-1), 2021 (y-2), 2020 (y-3); amounts in 万元
STAR_FINANCIALS: dict[int, dict[str, float]] = {
    2022: {
        "revenue_wan": 20000,
        "main_business_revenue_wan": 18000,
        "rd_expense_wan": 1200,
        "employees": 300,
        "rd_employees": 70,
        "total_assets_wan": 20000,
        "total_liabilities_wan": 8000,
        "profit_wan": 2400,
        "equity_financing_wan": 0,
    },
    2021: {
        "revenue_wan": 17000,
        "main_business_revenue_wan": 15000,
        "rd_expense_wan": 1000,
        "employees": 280,
        "rd_employees": 60,
        "total_assets_wan": 18000,
        "total_liabilities_wan": 7500,
        "profit_wan": 2000,
        "equity_financing_wan": 0,
    },
    2020: {
        "revenue_wan": 15000,
        "main_business_revenue_wan": 13000,
        "rd_expense_wan": 800,
        "employees": 260,
        "rd_employees": 50,
        "total_assets_wan": 16000,
        "total_liabilities_wan": 7000,
        "profit_wan": 1700,
        "equity_financing_wan": 0,
    },
}
STAR_FACTS: dict[str, Any] = {
    "niche_since_year": 2007,
    "leading_product_count": 2,
    "leading_product_in_sei": True,
    "leading_product_field_level": "chain_breakthrough",
    "leading_product_priority_field": "six_basics",
    "ip_class1_high_value": 1,
    "ip_class1_self_developed": 3,
    "ip_class1": 5,
    "ip_class2": 6,
    "ip_class1_applied": 3,
    "invention_patents_related": 5,
    "rd_institution_level": "provincial",
    "digital_level": 3,
    "quality_award_provincial": True,
    "qms_certified": True,
    "own_brand": True,
    "standards_count": 2,
    "intl_certifications": 1,
    "core_business_on_info_system": True,
    "national_market_share_pct": 15.0,
    "national_niche_rank": 2,
    "global_niche_rank": 8,
    "sci_tech_award": "none",
    "maker_china": "none",
    "bank_credit_ok": True,
    "on_abnormal_list": False,
    "on_dishonesty_list": False,
    "major_incident_3y": False,
}
STAR_TITLES = [{"uscc": USCC, "tier": "zjtx_provincial", "granted_on": "2021-06-01", "expires_on": None}]


def frames(
    fin: dict[int, dict[str, float]] | None = None,
    facts: dict[str, Any] | None = None,
    ent: dict[str, Any] | None = None,
    titles: list[dict[str, Any]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """The star's tables with overrides: fin {year: {field: value}}, facts {field: value}."""
    f = copy.deepcopy(STAR_FINANCIALS)
    for y, vals in (fin or {}).items():
        f[y].update(vals)
    e = {**STAR_ENTERPRISE, **(ent or {})}
    fa = {**STAR_FACTS, **(facts or {})}
    fin_df = pd.DataFrame([{"uscc": USCC, "year": y, **v} for y, v in f.items()])
    fact_df = pd.DataFrame([{"uscc": USCC, "year": YEAR - 1, **fa}]).astype(object)
    quals = pd.DataFrame(
        STAR_TITLES if titles is None else titles, columns=["uscc", "tier", "granted_on", "expires_on"]
    )
    return pd.DataFrame([e]), fin_df, fact_df, quals


def evaluate_star(settings: Settings | None = None, **overrides: Any) -> dict[str, Any]:
    """{tier: Explanation} for the star with overrides (see `frames`)."""
    ent, fin, facts, quals = frames(**overrides)
    inputs = build_inputs(ent, fin, facts, quals, YEAR)
    evals = evaluate_all(inputs.columns, YEAR, settings)
    return {t: explain(te, 0) for t, te in evals.items()}


def line(ex: Any, crit_id: str) -> Any:
    return next(ln for ln in ex.lines if ln.id == crit_id)


def seed_two_chains(session: Any, ic_aliases: list[str] | None = None) -> tuple[int, dict[str, tuple[int, int]]]:
    """An active program with one ecosystem (智能物联) and two chains of one node each.

    Returns the program id and {chain name: (chain id, node id)} for 集成电路 and 视觉智能.
    """
    from chainlead.db.models import ChainNodeRow, ChainRow, EcosystemRow, ProgramRow

    prog = ProgramRow(
        name="t",
        title="t",
        region_code="330100",
        base_year=2021,
        target_year=2025,
        file_hash="x",
        source_toml="",
        is_active=True,
    )
    session.add(prog)
    session.flush()
    eco = EcosystemRow(program_id=prog.id, name="智能物联")
    session.add(eco)
    session.flush()
    chains: dict[str, tuple[int, int]] = {}
    for name in ("集成电路", "视觉智能"):
        aliases = list(ic_aliases or []) if name == "集成电路" else []
        chain = ChainRow(program_id=prog.id, ecosystem_id=eco.id, name=name, aliases=aliases)
        session.add(chain)
        session.flush()
        node = ChainNodeRow(chain_id=chain.id, name=f"{name}-节点", position="中游")
        session.add(node)
        session.flush()
        chains[name] = (chain.id, node.id)
    return prog.id, chains
