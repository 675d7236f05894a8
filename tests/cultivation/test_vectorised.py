"""The column-wise tables (screen.base_table / fill_words, service.status_table / candidates / funnel)
against a straightforward per-row reference: one dict per enterprise × tier, the words from
`failed_texts` / `explain`, the category by if/else — on a varied random population around the star."""

from __future__ import annotations

import copy
import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from chainlead.cultivation import service
from chainlead.cultivation.engine import RESULT_NAMES, RESULT_ZH, TierEval, evaluate_all
from chainlead.cultivation.explain import explain
from chainlead.cultivation.inputs import Inputs, build_inputs
from chainlead.cultivation.metrics import ENUM_CODES
from chainlead.cultivation.screen import COLUMNS, failed_texts, result_table
from chainlead.db import session_scope
from chainlead.db.models import (
    ChainMembership,
    Enterprise,
    EnterpriseFact,
    EnterpriseFinancial,
    Qualification,
)
from chainlead.reference.districts import district_name
from tests.cultivation.helpers import PENDING_LOCAL, STAR_FACTS, STAR_FINANCIALS, YEAR, seed_two_chains

N = 160
TIERS = ("innovative_sme", "zjtx_provincial", "little_giant_national", "high_tech")


def population(seed: int = 3) -> list[dict[str, Any]]:
    """N enterprises around the star: scaled figures, missing cells, changed facts, some titles."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(N):
        fin = copy.deepcopy(STAR_FINANCIALS)
        scale = float(rng.choice([0.03, 1.0])) * float(rng.uniform(0.5, 1.5))
        for vals in fin.values():
            for f in vals:
                v = vals[f] * scale * float(rng.uniform(0.85, 1.15))
                vals[f] = None if rng.random() < 0.04 else int(v) if f.endswith("employees") else round(v, 1)
        last = fin[YEAR - 1]
        if rng.random() < 0.5 and last["revenue_wan"] and last["rd_expense_wan"]:  # R&D near 3% of revenue
            last["rd_expense_wan"] = round(last["revenue_wan"] * float(rng.uniform(0.022, 0.032)), 1)
        facts: dict[str, Any] = dict(STAR_FACTS)
        for f, v in STAR_FACTS.items():
            r = rng.random()
            if r < 0.05:
                facts[f] = None
            elif r < 0.15 and f in ENUM_CODES:
                facts[f] = str(rng.choice(list(ENUM_CODES[f])))
            elif r < 0.15 and isinstance(v, bool):
                facts[f] = not v
            elif r < 0.15 and isinstance(v, int | float):
                facts[f] = type(v)(rng.integers(0, 2 * max(1, int(v)) + 1))
        facts["niche_since_year"] = int(rng.integers(2005, 2022))
        if k % 25 == 0:  # 57 points fixed + 0–15 特色化 pending: advice for an undetermined 专精特新
            fin = copy.deepcopy(STAR_FINANCIALS)
            fin[YEAR - 1].update(rd_expense_wan=600, profit_wan=600, rd_employees=20)
            facts = {**STAR_FACTS, **PENDING_LOCAL}
        titles = []
        for tier in TIERS:
            if rng.random() < 0.12:
                titles.append((tier, dt.date(int(rng.integers(2018, 2023)), 6, 1)))
        out.append(
            {
                "uscc": f"91330100MA2C{k:05d}X",
                "name": f"企业{k}",
                "district_code": str(rng.choice(["330106", "330108", "330110"])),
                "industry_code": str(rng.choice(["3981", "3562", "6511", "5211"])),
                "founded_on": dt.date(int(rng.integers(1995, 2021)), 3, 1),
                "fin": fin,
                "facts": facts,
                "titles": titles,
            }
        )
    return out


def reference_rows(inputs: Inputs, evals: dict[str, TierEval], failed_near_only: bool = False) -> pd.DataFrame:
    """The per-row result table: one dict per enterprise and tier (what screen.result_table did)."""
    rows = []
    for i in range(len(inputs.uscc)):
        for tier, te in evals.items():
            ex = explain(te, i)
            res, near = ex.result, bool(te.near_miss[i])
            held = float(inputs.holds[tier].iloc[i]) if tier in inputs.holds else math.nan
            advise = near or (res == "undetermined" and te.local_pending and ex.advice)
            rows.append(
                {
                    "uscc": inputs.uscc[i],
                    "tier": tier,
                    "result": res,
                    "score_min": math.nan if ex.score_min is None else ex.score_min,
                    "score_max": math.nan if ex.score_max is None else ex.score_max,
                    "failed": "；".join(failed_texts(te, i))
                    if res == "not_eligible" and (near or not failed_near_only)
                    else "",
                    "missing": "、".join(ex.missing),
                    "advice": "；".join(ex.advice) if advise else "",
                    "tier_zh": te.rule.tier_zh,
                    "result_zh": RESULT_ZH[res],
                    "near_miss": near,
                    "holds_title": None if math.isnan(held) else bool(held),
                    "score_text": ex.score_text,
                    "rule_version": te.rule.version,
                }
            )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def reference_category(row: Any, blocked: bool) -> str:
    if row.holds_title is True:
        return "holder"
    if blocked:
        return "excluded"
    return "eligible" if row.result == "eligible" else "near_miss" if row.near_miss else row.result


def _tables(pop: list[dict[str, Any]], titles: bool = True) -> tuple[pd.DataFrame, ...]:
    ent = pd.DataFrame([{k: e[k] for k in ("uscc", "industry_code", "district_code", "founded_on")} for e in pop])
    fin = pd.DataFrame([{"uscc": e["uscc"], "year": y, **v} for e in pop for y, v in e["fin"].items()])
    facts = pd.DataFrame([{"uscc": e["uscc"], "year": YEAR - 1, **e["facts"]} for e in pop]).astype(object)
    quals = pd.DataFrame(
        [{"uscc": e["uscc"], "tier": t, "granted_on": g, "expires_on": None} for e in pop for t, g in e["titles"]],
        columns=["uscc", "tier", "granted_on", "expires_on"],
    )
    return ent, fin, facts, quals if titles else None


@pytest.mark.parametrize("titles", [True, False], ids=["titles", "titles-unknown"])
def test_result_table_matches_per_row_reference(titles: bool) -> None:
    inputs = build_inputs(*_tables(population(), titles), YEAR)
    evals = evaluate_all(inputs.columns, YEAR)
    got = result_table(inputs, evals)
    want = reference_rows(inputs, evals)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    for col in ("failed", "missing", "advice"):  # the comparison covers words of every kind
        assert (want[col] != "").sum() >= 5, col
    assert set(want["result"]) == set(RESULT_NAMES.values())
    assert want["near_miss"].sum() >= 5
    assert ((want["result"] == "undetermined") & (want["advice"] != "")).sum() >= 1
    short = result_table(inputs, evals, failed_near_only=True)
    pd.testing.assert_frame_equal(short, reference_rows(inputs, evals, failed_near_only=True), check_exact=True)


def _seed_db(url: str, pop: list[dict[str, Any]]) -> None:
    with session_scope(url) as s:
        _, chains = seed_two_chains(s)
        nodes = list(chains.values())
        for k, e in enumerate(pop):
            ent = Enterprise(
                uscc=e["uscc"],
                name=e["name"],
                district_code=e["district_code"],
                industry_code=e["industry_code"],
                founded_on=e["founded_on"],
            )
            s.add(ent)
            s.flush()
            for y, v in e["fin"].items():
                s.add(EnterpriseFinancial(enterprise_id=ent.id, year=y, **v))
            s.add(EnterpriseFact(enterprise_id=ent.id, year=YEAR - 2, niche_since_year=1990))  # older: unused
            s.add(EnterpriseFact(enterprise_id=ent.id, year=YEAR - 1, **e["facts"]))
            for tier, granted in e["titles"]:
                s.add(Qualification(enterprise_id=ent.id, tier=tier, granted_on=granted))
            for cid, nid in nodes[: k % 3]:
                s.add(
                    ChainMembership(
                        enterprise_id=ent.id, chain_id=cid, node_id=nid, source="manual", status="confirmed"
                    )
                )


def test_service_tables_match_per_row_reference(db_url: str) -> None:
    pop = population(seed=5)
    _seed_db(db_url, pop)
    with session_scope(db_url) as s:
        ent, inputs, evals = service._evaluated(s, YEAR, None, None, None, service.EVAL_TIERS)
        niche = {e["uscc"]: e["facts"]["niche_since_year"] for e in pop}  # the latest facts year, not 1990
        assert inputs.columns["niche_since_year"].tolist() == [niche[u] for u in inputs.uscc]
        chains = service._chains_by_enterprise(s)
        table = reference_rows(inputs, evals)
        meta = ent.set_index("uscc")
        table.insert(1, "name", table["uscc"].map(meta["name"]))
        districts = table["uscc"].map(meta["district_code"])
        table.insert(2, "district", districts.map(lambda c: district_name(c) if isinstance(c, str) else ""))
        ids = table["uscc"].map(meta["enterprise_id"])
        table.insert(3, "chains", ids.map(lambda i: "、".join(chains.get(i, []))))
        cats = []
        for r in table.itertuples(index=False):
            blockers = [t for t in evals[r.tier].rule.excluded_if_holding if t in inputs.holds]
            cats.append(reference_category(r, bool((inputs.holds.loc[r.uscc, blockers] == 1).any())))
        table["category"] = cats
        table["year"] = YEAR
        assert {"holder", "eligible", "near_miss", "undetermined", "not_eligible", "excluded"} <= set(cats)
        pd.testing.assert_frame_equal(service.status_table(s, YEAR), table, check_exact=True)

        got = service.candidates(s, year=YEAR)
        want = table[table["category"].isin(("holder", "eligible", "near_miss"))].copy()
        want["failed"] = np.where(want["near_miss"], want["failed"], "")  # failed words only for near misses
        want["category_zh"] = want["category"].map(service.CATEGORY_ZH)
        rank = {c: i for i, c in enumerate(service.CATEGORY_ORDER)}
        want["rank"] = want["category"].map(rank)
        want = want.sort_values(["tier", "rank", "score_max"], ascending=[True, True, False], kind="stable")
        want = want.drop(columns="rank").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
        top = service.candidates(s, year=YEAR, limit=3)
        pd.testing.assert_frame_equal(top, want.groupby("tier", sort=False).head(3).reset_index(drop=True))

        funnel = {r["tier"]: r for r in service.funnel(s, YEAR, use_cache=False)}
        for tier, part in table.groupby("tier"):
            counts = part["category"].value_counts()
            assert funnel[tier]["holders"] == counts.get("holder", 0)
            assert funnel[tier]["eligible"] == counts.get("eligible", 0)
            assert funnel[tier]["near_miss"] == counts.get("near_miss", 0)
            assert funnel[tier]["undetermined"] == counts.get("undetermined", 0)
