"""Pass 2: one chunk of enterprises with all their rows (企业、年度数据、称号、挂链、事实).

A chunk covers a fixed range of enterprise numbers and draws from its own random stream
(seeded by the run's seed and the chunk number), so the output does not depend on how it is
consumed: CSV files, SQLite and PostgreSQL all receive the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainlead.demo import profile
from chainlead.demo.core import Population
from chainlead.demo.facts import chunk_facts
from chainlead.demo.figures import ChunkFigures, chunk_figures
from chainlead.demo.identity import company_names, make_uscc, org_bodies, trade_names
from chainlead.demo.plan import Plan
from chainlead.demo.text import GENERIC_DESCRIPTIONS, describe, licence_prefix, text_frames
from chainlead.demo.tiers import Titles

CHUNK_SIZE = 50_000
FIN_FIELDS = (
    ("revenue_wan", "revenue", "money"),
    ("output_value_wan", "output_value", "money"),
    ("main_business_revenue_wan", "main_business", "money"),
    ("rd_expense_wan", "rd_expense", "money"),
    ("employees", "employees", "int"),
    ("rd_employees", "rd_employees", "int"),
    ("invention_patents", "invention_patents", "int"),
    ("ip_total", "ip_total", "int"),
    ("total_assets_wan", "total_assets", "money"),
    ("total_liabilities_wan", "total_liabilities", "money"),
    ("profit_wan", "profit", "money"),
    ("tax_wan", "tax", "money"),
    ("export_wan", "export", "money"),
    ("equity_financing_wan", "equity_financing", "money"),
)


@dataclass
class Context:
    """Run-wide arrays every chunk reads."""

    plan: Plan
    pop: Population
    titles: Titles
    sector: np.ndarray
    org_rank: np.ndarray
    new_style: np.ndarray
    seed: int
    frames: dict[str, np.ndarray]
    division: np.ndarray  # per code index: GB/T 4754 division (大类) number
    licences: np.ndarray  # per code index: 许可项目 prefix of the business scope, or ""
    # Enterprises written without a membership (not yet mapped, for `chainlead map`); None = all mapped.
    unmapped: np.ndarray | None = None
    vague: np.ndarray | None = None  # of those, the ones with a generic scope and products


@dataclass
class Chunk:
    """All rows for enterprises start..stop-1 (global numbers; database id = number + 1)."""

    start: int
    stop: int
    uscc: np.ndarray  # U18
    name: list[str]
    district_code: np.ndarray  # U6
    industry_code: list[str]
    founded_on: np.ndarray  # datetime64[D]
    business_scope: list[str]
    main_products: list[str]
    is_above_scale: np.ndarray
    is_listed: np.ndarray
    is_high_tech: np.ndarray
    fin_ent: np.ndarray  # local index per financial row
    fin_year: np.ndarray
    fin: dict[str, np.ndarray]  # canonical column → float values (NaN = empty)
    qual_ent: np.ndarray  # local index
    qual_tier: list[str]
    qual_granted: np.ndarray
    qual_expires: np.ndarray
    mem_ent: np.ndarray  # local index
    mem_chain: np.ndarray
    mem_node: np.ndarray
    mem_primary: np.ndarray
    fact_ent: np.ndarray  # local index
    fact_year: np.ndarray
    facts: dict[str, np.ndarray]

    @property
    def size(self) -> int:
        return self.stop - self.start


def make_context(plan: Plan, pop: Population, titles: Titles, sector: np.ndarray, seed: int) -> Context:
    founded_year = pop.founded.astype("datetime64[Y]").astype(int) + 1970
    new_style = founded_year >= 2016
    org_rank = np.empty(pop.n, dtype=np.int64)
    org_rank[~new_style] = np.arange(int((~new_style).sum()))
    org_rank[new_style] = np.arange(int(new_style.sum()))
    division = np.array([int(c[:2]) for c in pop.codes], dtype=np.int16)
    licences = np.array([licence_prefix(c) for c in pop.codes], dtype=object)
    return Context(plan, pop, titles, sector, org_rank, new_style, seed, text_frames(plan), division, licences)


def chunk_count(n: int) -> int:
    return (n + CHUNK_SIZE - 1) // CHUNK_SIZE


def build_chunk(ctx: Context, number: int) -> Chunk:
    from chainlead.demo.tiers import TIERS

    pop, plan = ctx.pop, ctx.plan
    start = number * CHUNK_SIZE
    stop = min(pop.n, start + CHUNK_SIZE)
    sl = slice(start, stop)
    m = stop - start
    rng = np.random.default_rng(np.random.SeedSequence([ctx.seed, 2, number]))

    district = np.asarray(plan.district_codes)[pop.district[sl]]
    bodies = org_bodies(ctx.org_rank[sl], ctx.new_style[sl], salt=ctx.seed % 1_000_003)
    uscc = make_uscc(district, bodies)
    codes = [pop.codes[c] for c in pop.code[sl].tolist()]
    trade = trade_names(np.arange(start, stop), salt=ctx.seed % 999_983 + 7, n_total=pop.n)
    big = pop.listed[sl] | pop.master[sl]
    joint = big | (rng.random(m) < 0.06)
    names = company_names(trade, [c[:2] for c in codes], rng.integers(0, 1 << 20, size=m), joint, plan.city)
    scope, products = describe(
        ctx.frames,
        plan,
        pop.node[sl],
        pop.node2[sl],
        ctx.division[pop.code[sl]],
        pop.manufacturing[sl],
        rng,
        ctx.licences[pop.code[sl]],
    )
    if ctx.vague is not None:
        for k in np.flatnonzero(ctx.vague[sl]).tolist():
            scope[k], products[k] = GENERIC_DESCRIPTIONS[(start + k) % len(GENERIC_DESCRIPTIONS)]

    fig = chunk_figures(pop, ctx.titles, sl, ctx.sector, rng)
    alive = ~np.isnan(fig.revenue)
    fin_ent, fin_col = np.nonzero(alive)
    fin = {name: getattr(fig, attr)[fin_ent, fin_col] for name, attr, _kind in FIN_FIELDS}
    fin_year = np.asarray(profile.YEARS, dtype=np.int16)[fin_col]

    t = ctx.titles
    lo, hi = np.searchsorted(t.ent, [start, stop])
    mem_local = np.arange(m)
    two = np.flatnonzero(pop.chain2[sl] >= 0)
    mem_ent = np.concatenate([mem_local, two])
    mem_chain = np.concatenate([pop.chain[sl], pop.chain2[sl][two]]).astype(np.int32)
    mem_node = np.concatenate([pop.node[sl], pop.node2[sl][two]]).astype(np.int32)
    mem_primary = np.concatenate([np.ones(m, bool), np.zeros(two.size, bool)])
    if ctx.unmapped is not None:
        kept = ~ctx.unmapped[sl][mem_ent]
        mem_ent, mem_chain, mem_node, mem_primary = mem_ent[kept], mem_chain[kept], mem_node[kept], mem_primary[kept]
    order = np.argsort(mem_ent, kind="stable")

    fact_ent, fact_year, facts = chunk_facts(pop, t, sl, ctx.sector, fig, rng)
    by_firm = np.lexsort((fact_year, fact_ent))
    fact_ent, fact_year = fact_ent[by_firm], fact_year[by_firm]
    facts = {k: v[by_firm] for k, v in facts.items()}

    return Chunk(
        start=start,
        stop=stop,
        uscc=uscc,
        name=names,
        district_code=district,
        industry_code=codes,
        founded_on=pop.founded[sl],
        business_scope=scope,
        main_products=products,
        is_above_scale=pop.above_scale[sl],
        is_listed=pop.listed[sl],
        is_high_tech=t.high_tech_now[sl],
        fin_ent=fin_ent,
        fin_year=fin_year,
        fin=fin,
        qual_ent=t.ent[lo:hi] - start,
        qual_tier=[TIERS[i] for i in t.tier[lo:hi].tolist()],
        qual_granted=t.granted[lo:hi],
        qual_expires=t.expires[lo:hi],
        mem_ent=mem_ent[order],
        mem_chain=mem_chain[order],
        mem_node=mem_node[order],
        mem_primary=mem_primary[order],
        fact_ent=fact_ent,
        fact_year=fact_year,
        facts=facts,
    )


__all__ = ["CHUNK_SIZE", "FIN_FIELDS", "Chunk", "ChunkFigures", "Context", "build_chunk", "chunk_count", "make_context"]
