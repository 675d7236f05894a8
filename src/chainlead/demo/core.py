"""The population in one vectorised pass (演示企业总体): who exists, where, how big, when.

Pass 1 of the generator: every per-enterprise attribute that calibration or tier selection
depends on is drawn here for all N enterprises at once (a few dozen bytes each), so the
base-year totals and the tier counts can be made exact before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainlead.demo import profile
from chainlead.demo.plan import Plan
from chainlead.reference.industry import industry

YEARS = np.array(profile.YEARS, dtype=np.int16)
BASE_COL = profile.YEARS.index(profile.BASE_YEAR)
NO_EXIT = 9999


@dataclass
class Population:
    """Per-enterprise arrays of length N (index = enterprise number, 0-based)."""

    n: int
    chain: np.ndarray  # int16
    node: np.ndarray  # int32
    eco: np.ndarray  # int8
    chain2: np.ndarray  # int16, -1 = none
    node2: np.ndarray  # int32, -1 = none
    eco2: np.ndarray  # int8, -1 = none
    district: np.ndarray  # int8 index into plan.district_codes
    code: np.ndarray  # int16 index into `codes`
    codes: list[str]
    manufacturing: np.ndarray  # bool, by the industry code's section
    founded: np.ndarray  # datetime64[D]
    exit_year: np.ndarray  # int16, NO_EXIT when still active
    revenue: np.ndarray  # (n, len(YEARS)) float64 万元, NaN when not active
    master: np.ndarray  # bool, chain master (链主)
    listed: np.ndarray  # bool
    above_scale: np.ndarray  # bool (规上)
    scale_factors: np.ndarray  # per ecosystem, from calibration

    def alive(self, col: int) -> np.ndarray:
        return ~np.isnan(self.revenue[:, col])


def _grouped_choice(rng: np.random.Generator, groups: np.ndarray, n_groups: int, options, weights) -> np.ndarray:
    """For each element, draw one of options[g] with weights[g] where g is its group."""
    out = np.zeros(groups.shape[0], dtype=np.int32)
    for g in range(n_groups):
        idx = np.flatnonzero(groups == g)
        if idx.size == 0:
            continue
        w = np.asarray(weights[g], dtype=float)
        picks = rng.choice(len(w), size=idx.size, p=w / w.sum())
        out[idx] = np.asarray(options[g], dtype=np.int32)[picks]
    return out


def build_population(plan: Plan, n: int, rng: np.random.Generator) -> Population:
    n_chains = len(plan.chains)
    chain_eco = plan.chain_eco()
    plan.node_chain()

    # -- chain, node, second chain
    cw = np.array([c.count_weight for c in plan.chains], dtype=float)
    chain = rng.choice(n_chains, size=n, p=cw / cw.sum()).astype(np.int16)
    node = _grouped_choice(rng, chain, n_chains, [c.nodes for c in plan.chains], [c.node_weights for c in plan.chains])
    two = rng.random(n) < profile.SECOND_CHAIN_SHARE
    partner_lists = []
    for c in plan.chains:
        named = [p.index for name in profile.CHAIN_AFFINITY.get(c.name, ()) if (p := plan.chain_by_name(name))]
        same_eco = [o.index for o in plan.chains if o.eco_index == c.eco_index and o.index != c.index]
        others = named or same_eco or [o.index for o in plan.chains if o.index != c.index]
        partner_lists.append(others)
    chain2 = np.full(n, -1, dtype=np.int16)
    has_partner = np.array([bool(p) for p in partner_lists])
    two &= has_partner[chain]
    idx2 = np.flatnonzero(two)
    chain2[idx2] = _grouped_choice(
        rng, chain[idx2], n_chains, [p or [0] for p in partner_lists], [[1.0] * max(1, len(p)) for p in partner_lists]
    )
    node2 = np.full(n, -1, dtype=np.int32)
    node2[idx2] = _grouped_choice(
        rng, chain2[idx2], n_chains, [c.nodes for c in plan.chains], [c.node_weights for c in plan.chains]
    )
    eco = chain_eco[chain].astype(np.int8)
    eco2 = np.where(chain2 >= 0, chain_eco[np.maximum(chain2, 0)], -1).astype(np.int8)

    # -- district and industry code
    district = _grouped_choice(
        rng,
        chain,
        n_chains,
        [list(range(len(plan.district_codes)))] * n_chains,
        [c.district_weights for c in plan.chains],
    ).astype(np.int8)
    codes = sorted({c for nd in plan.nodes for c in nd.codes})
    code_pos = {c: i for i, c in enumerate(codes)}
    code = _grouped_choice(
        rng,
        node,
        len(plan.nodes),
        [[code_pos[c] for c in nd.codes] for nd in plan.nodes],
        [[1.0 / (1.0 + 0.35 * k) for k in range(len(nd.codes))] for nd in plan.nodes],
    ).astype(np.int16)
    is_mfg_code = np.array([(row := industry(c)) is not None and row.is_manufacturing for c in codes])
    manufacturing = is_mfg_code[code]

    # -- founding and exit
    age = np.floor(rng.gamma(2.2, 5.5, size=n)).astype(np.int16)
    founded_year = np.clip(2024 - age, 1980, 2024).astype(np.int16)
    day = rng.integers(0, 365, size=n)

    # -- size: lognormal body with a Pareto tail
    level = np.exp(rng.normal(0.0, 1.45, size=n))
    tail = rng.random(n) < 0.02
    level[tail] *= (1.0 - rng.random(int(tail.sum()))) ** (-1.0 / 1.3)
    if manufacturing.any():
        level[manufacturing] *= 1.6  # factories are larger than service firms on average

    master = np.zeros(n, dtype=bool)
    for chain_index in range(n_chains):
        members = np.flatnonzero(chain == chain_index)
        if members.size < 20:
            continue
        old = members[founded_year[members] <= 2010]
        pool = old if old.size >= profile.MASTERS_PER_CHAIN else members
        top = pool[np.argsort(-level[pool], kind="stable")[: profile.MASTERS_PER_CHAIN]]
        rest = level[members].sum() - level[top].sum()
        level[top] = rest * rng.uniform(*profile.MASTER_SHARE, size=top.size)
        master[top] = True
        founded_year[top] = np.minimum(founded_year[top], 2008)
    founded = ((founded_year - 1970).astype("datetime64[Y]").astype("datetime64[D]") + day).astype("datetime64[D]")

    hazard = np.where(level < np.median(level), 0.03, 0.01)
    hazard[master] = 0.0
    exit_year = np.full(n, NO_EXIT, dtype=np.int16)
    for y in profile.YEARS[1:]:
        leaving = (exit_year == NO_EXIT) & (founded_year < y) & (rng.random(n) < hazard)
        exit_year[leaving] = y

    # -- listed firms: the masters and the largest established firms
    n_listed = int(min(profile.LISTED_MAX, round(profile.LISTED_SHARE * n)))
    listed = np.zeros(n, dtype=bool)
    eligible = (founded_year <= 2018) & (exit_year == NO_EXIT)
    score = np.where(eligible, np.log(level) + rng.normal(0, 0.6, size=n) + 3.0 * master, -np.inf)
    if n_listed:
        listed[np.argsort(-score, kind="stable")[:n_listed]] = True
        listed &= eligible
        exit_year[listed] = NO_EXIT

    revenue = _revenue_paths(plan, rng, level, founded_year, day, exit_year, eco)
    factors = _calibrate(plan, revenue, eco, eco2)
    revenue *= factors[eco][:, None]
    revenue = np.round(revenue, 2)

    last = np.where(np.isnan(revenue), -np.inf, revenue).max(axis=1)
    division = np.array([int(c[:2]) for c in codes], dtype=np.int16)[code]
    threshold = np.where(manufacturing | (division == 51), 2000.0, np.where(division == 52, 500.0, 1000.0))
    above = last >= threshold

    return Population(
        n=n,
        chain=chain,
        node=node,
        eco=eco,
        chain2=chain2,
        node2=node2,
        eco2=eco2,
        district=district,
        code=code,
        codes=codes,
        manufacturing=manufacturing,
        founded=founded,
        exit_year=exit_year,
        revenue=revenue,
        master=master,
        listed=listed,
        above_scale=above,
        scale_factors=factors,
    )


def _revenue_paths(plan, rng, level, founded_year, day, exit_year, eco) -> np.ndarray:
    """Revenue by year before calibration: level × ramp-up × firm trend × noise, NaN when inactive."""
    n = level.size
    trend = rng.normal(0.0, 0.07, size=n)
    noise = rng.normal(0.0, 0.07, size=(n, YEARS.size))
    rev = np.full((n, YEARS.size), np.nan)
    for j, y in enumerate(profile.YEARS):
        alive = (founded_year <= y) & (exit_year > y)
        age = (y - founded_year).astype(float)
        ramp = 1.0 - np.exp(-(age + 0.6) / 1.8)
        first_year = np.where(founded_year == y, (365 - day) / 365.0, 1.0)
        value = level * ramp * first_year * np.exp(trend * (y - profile.BASE_YEAR) + noise[:, j] - 0.00245)
        rev[alive, j] = value[alive]
    # Bend each ecosystem's total onto its growth profile (with a little year noise).
    for e in plan.ecos:
        members = eco == e.index
        if not members.any():
            continue
        index = np.cumprod((1.0, *(1.0 + np.array(e.growth))))
        totals = np.nansum(rev[members], axis=0)
        if totals[BASE_COL] <= 0:
            continue
        for j in range(YEARS.size):
            if j == BASE_COL or totals[j] <= 0:
                continue
            want = totals[BASE_COL] * index[j] / index[BASE_COL] * (1.0 + rng.normal(0.0, 0.004))
            rev[members, j] *= want / totals[j]
    return rev


def _calibrate(plan: Plan, revenue: np.ndarray, eco: np.ndarray, eco2: np.ndarray) -> np.ndarray:
    """Per-ecosystem factors so base-year totals equal the baselines exactly.

    An enterprise counts once for each ecosystem it belongs to (its primary chain's, and its
    second chain's if that lies in another ecosystem), so the factors solve a small linear
    system A·s = b, A[e, f] = base-year revenue of firms whose primary ecosystem is f and that
    count for e.
    """
    k = len(plan.ecos)
    base = np.nan_to_num(revenue[:, BASE_COL])
    a = np.zeros((k, k))
    for f in range(k):
        prim = eco == f
        a[f, f] = base[prim].sum()
        for e in range(k):
            if e != f:
                a[e, f] = base[prim & (eco2 == e)].sum()
    b = np.array([e.baseline_wan for e in plan.ecos])
    present = np.diag(a) > 0
    factors = np.ones(k)
    if present.any():
        sub = a[np.ix_(present, present)]
        factors[present] = np.linalg.solve(sub, b[present])
    return np.maximum(factors, 1e-12)
