"""Vectorised evaluation of the tier criteria (梯度培育评价) over many enterprises at once.

Three-valued logic over intervals: every condition is `definite` (met whatever the unknown facts
are) or `possible` (met for some values of them). A tier is eligible when its preconditions and its
score (or conditions, or a direct route) are definitely met, not eligible when they cannot be met,
and undetermined otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from chainlead.cultivation.metrics import IV, METRICS, Arr
from chainlead.cultivation.rules import EVAL_TIERS, Alternative, Cond, Indicator, Rule, Settings, rule_for

ELIGIBLE, NOT_ELIGIBLE, UNDETERMINED = 1, 0, -1
RESULT_NAMES = {ELIGIBLE: "eligible", NOT_ELIGIBLE: "not_eligible", UNDETERMINED: "undetermined"}
RESULT_ZH = {"eligible": "符合", "not_eligible": "不符合", "undetermined": "待定"}

# Metrics an enterprise can move by acting (used for the near-miss screen).
ACTIONABLE = {
    "rd_expense_y1",
    "rd_ratio_y1",
    "rd_ratio_min2",
    "rd_expense_avg2",
    "rd_expense_sum2",
    "revenue_y1",
    "equity_sum2",
    "equity_sum3",
    "debt_ratio_y1",
    "mbr_share_y1",
    "mbr_growth_y1",
    "net_margin_y1",
    "rd_staff_ratio_y1",
    "ip_level",
    "ip_class1_applied",
    "invention_patents_related",
    "ip_class2",
    "digital_level",
    "quality_items",
    "rd_institution",
    "qms_certified",
    "own_brand",
    "standards_count",
    "intl_certifications",
    "core_business_on_info_system",
}


@dataclass
class CondEval:
    definite: Arr
    possible: Arr
    near: Arr  # met, or failed by an actionable small margin


@dataclass
class TierEval:
    """One tier evaluated for n enterprises (arrays of length n)."""

    rule: Rule
    year: int
    settings: Settings
    metrics: dict[str, IV]
    pre: dict[str, CondEval]
    conds: dict[str, CondEval]
    routes: dict[str, CondEval]
    points: dict[str, IV] = field(default_factory=dict)
    groups: dict[str, IV] = field(default_factory=dict)
    score_min: Arr | None = None
    score_max: Arr | None = None
    score_def: Arr | None = None
    score_poss: Arr | None = None
    result: Arr = field(default_factory=lambda: np.zeros(0, np.int8))
    near_miss: Arr = field(default_factory=lambda: np.zeros(0, bool))
    local_pending: float = 0.0
    inputs: Mapping[str, Arr] = field(default_factory=dict)


def band_points(x: Arr, alt: Alternative, edge: str) -> Arr:
    """Points of value(s) x in the bands of `alt`; `edge` decides who owns a boundary."""
    out = np.full(x.shape, alt.else_points, dtype=float)
    for threshold, pts in reversed(alt.bands):  # lowest-scoring band first
        if alt.direction == "higher":
            hit = x >= threshold if edge == "higher" else x > threshold
        else:
            hit = x <= threshold if edge == "higher" else x < threshold
        out = np.where(hit, pts, out)
    return out


def alt_interval(iv: IV, alt: Alternative, edge: str) -> IV:
    lo, hi = iv
    a, b = band_points(lo, alt, edge), band_points(hi, alt, edge)
    return (a, b) if alt.direction == "higher" else (b, a)


def _leaf(iv: IV, op: str, v: float) -> tuple[Arr, Arr]:
    lo, hi = iv
    if op == ">=":
        return lo >= v, hi >= v
    if op == ">":
        return lo > v, hi > v
    if op == "<=":
        return hi <= v, lo <= v
    if op == "<":
        return hi < v, lo < v
    # "==" on booleans / codes
    return (lo == v) & (hi == v), (lo <= v) & (hi >= v)


def possible_at(te: TierEval, cond: Cond, i: int) -> bool:
    """`eval_cond(cond, …).possible` for the single row i, on scalars (no arrays sliced)."""
    if cond.metric is not None:
        lo, hi, v = float(te.metrics[cond.metric][0][i]), float(te.metrics[cond.metric][1][i]), cond.value
        op = cond.op
        if op == ">=":
            return hi >= v
        if op == ">":
            return hi > v
        if op == "<=":
            return lo <= v
        if op == "<":
            return lo < v
        return lo <= v and hi >= v
    if cond.all:
        return all([possible_at(te, c, i) for c in (*cond.all, *cond.any)])
    return any([possible_at(te, c, i) for c in cond.any])


def _near_leaf(iv: IV, cond: Cond, rel: float) -> Arr:
    lo, hi = iv
    if cond.metric not in ACTIONABLE:
        return np.zeros(lo.shape, bool)
    meta = METRICS[cond.metric]
    if meta.kind != "num" or cond.metric in ("ip_level", "quality_items", "rd_institution"):
        return np.ones(lo.shape, bool)  # one step (a certificate, an institution)
    v = cond.value
    if cond.op in (">=", ">"):
        return hi >= v * (1 - rel) if v > 0 else hi >= v - 1
    if cond.op in ("<=", "<"):
        return lo <= v * (1 + rel)
    return np.ones(lo.shape, bool)


def eval_cond(cond: Cond, mets: Mapping[str, IV], settings: Settings) -> CondEval:
    if cond.metric is not None:
        iv = mets[cond.metric]
        d, p = _leaf(iv, cond.op, cond.value)
        return CondEval(d, p, p | _near_leaf(iv, cond, settings.near_rel))
    kids = [eval_cond(c, mets, settings) for c in (*cond.all, *cond.any)]
    if cond.all:
        return CondEval(
            np.logical_and.reduce([k.definite for k in kids]),
            np.logical_and.reduce([k.possible for k in kids]),
            np.logical_and.reduce([k.near for k in kids]),
        )
    return CondEval(
        np.logical_or.reduce([k.definite for k in kids]),
        np.logical_or.reduce([k.possible for k in kids]),
        np.logical_or.reduce([k.near for k in kids]),
    )


def indicator_interval(ind: Indicator, mets: Mapping[str, IV], settings: Settings, n: int) -> IV:
    if ind.is_local:
        if not ind.local_items:  # province items not configured: 0–max (待核实)
            return np.zeros(n), np.full(n, ind.max)
        lo, hi = np.zeros(n), np.zeros(n)
        for cond, pts in ind.local_items:
            ce = eval_cond(cond, mets, settings)
            lo, hi = lo + pts * ce.definite, hi + pts * ce.possible
        return np.minimum(lo, ind.max), np.minimum(hi, ind.max)
    ivs = [alt_interval(mets[a.metric], a, settings.edge) for a in ind.alternatives]
    return np.maximum.reduce([i[0] for i in ivs]), np.maximum.reduce([i[1] for i in ivs])


def _all(items: list[CondEval], n: int) -> CondEval:
    if not items:
        one = np.ones(n, bool)
        return CondEval(one, one, one)
    return CondEval(
        np.logical_and.reduce([c.definite for c in items]),
        np.logical_and.reduce([c.possible for c in items]),
        np.logical_and.reduce([c.near for c in items]),
    )


def evaluate_tier(
    rule: Rule,
    x: Mapping[str, Arr],
    year: int,
    settings: Settings | None = None,
    cache: dict[str, IV] | None = None,
) -> TierEval:
    """Evaluate one tier's rule for every row of the input columns `x` (metrics shared via `cache`)."""
    s = settings or Settings()
    n = len(next(iter(x.values())))
    cache = {} if cache is None else cache
    for m in sorted(rule.metrics()):
        if m not in cache:
            cache[m] = METRICS[m].fn(x, year, s)
    mets = {m: cache[m] for m in rule.metrics()}
    te = TierEval(rule, year, s, mets, {}, {}, {}, inputs=x)
    te.pre = {c.id: eval_cond(c, mets, s) for c in rule.preconditions}
    te.conds = {c.id: eval_cond(c, mets, s) for c in rule.conditions}
    te.routes = {c.id: eval_cond(c, mets, s) for c in rule.routes}
    pre = _all(list(te.pre.values()), n)
    fails: Arr = np.zeros(n, np.int16)
    for c in te.pre.values():
        fails = fails + (~c.possible).astype(np.int16)
    near_ok = pre.near.copy()
    if rule.kind == "score":
        te.points = {i.id: indicator_interval(i, mets, s, n) for i in rule.indicators}
        te.local_pending = rule.local_max
        for g in rule.groups:
            members = [te.points[i.id] for i in rule.indicators if i.group == g.id]
            te.groups[g.id] = (np.sum([m[0] for m in members], axis=0), np.sum([m[1] for m in members], axis=0))
        te.score_min = np.sum([p[0] for p in te.points.values()], axis=0)
        te.score_max = np.sum([p[1] for p in te.points.values()], axis=0)
        sdef = te.score_min >= rule.pass_score
        sposs = te.score_max >= rule.pass_score
        # headroom: points still reachable through actionable indicators (not history such as niche years)
        head = {g.id: np.zeros(n) for g in rule.groups}
        for ind in rule.indicators:
            if any(a.metric in ACTIONABLE for a in ind.alternatives):
                head[ind.group] = head[ind.group] + (ind.max - te.points[ind.id][1])
        gap = rule.pass_score - te.score_max
        snear = (gap <= s.near_points) & (gap <= sum(head.values()))
        for g in rule.groups:
            if g.floor:
                sdef &= te.groups[g.id][0] >= g.floor
                sposs &= te.groups[g.id][1] >= g.floor
                short = g.floor - te.groups[g.id][1]
                snear &= (short <= s.near_points) & (short <= head[g.id])
        te.score_def, te.score_poss = sdef, sposs
        routes = list(te.routes.values())
        rdef = np.logical_or.reduce([r.definite for r in routes]) if routes else np.zeros(n, bool)
        rposs = np.logical_or.reduce([r.possible for r in routes]) if routes else np.zeros(n, bool)
        main_def, main_poss = sdef | rdef, sposs | rposs
        fails = fails + (~main_poss).astype(np.int16)
        near_ok &= snear | rposs
    else:
        main = _all(list(te.conds.values()), n)
        main_def, main_poss = main.definite, main.possible
        fails = fails + sum((~c.possible).astype(np.int16) for c in te.conds.values())
        near_ok &= main.near
    eligible = pre.definite & main_def
    impossible = ~(pre.possible & main_poss)
    te.result = np.where(eligible, ELIGIBLE, np.where(impossible, NOT_ELIGIBLE, UNDETERMINED)).astype(np.int8)
    te.near_miss = impossible & near_ok & (fails <= s.near_max_failed)
    return te


def evaluate_all(
    x: Mapping[str, Arr],
    year: int,
    settings: Settings | None = None,
    tiers: tuple[str, ...] = EVAL_TIERS,
    rules: tuple[Rule, ...] | None = None,
) -> dict[str, TierEval]:
    """Every tier, each under the rule version in force for `year` (built-in rules unless given)."""
    cache: dict[str, IV] = {}
    return {t: evaluate_tier(rule_for(t, year, rules), x, year, settings, cache) for t in tiers}
