"""Per-enterprise explanation in words (评价说明): every criterion met or failed with its value and
threshold, the missing facts that decide an undetermined result, and advice for a near miss."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from chainlead.cultivation.advice import cond_advice, score_advice
from chainlead.cultivation.engine import RESULT_NAMES, TierEval
from chainlead.cultivation.metrics import FIN_FIELDS, METRICS, input_label
from chainlead.cultivation.rules import UNCONFIRMED, Cond, Indicator

_SYM = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}
_NEG = {">=": "<", ">": "≤", "<=": ">", "<": "≥", "==": "≠"}


def fmt_num(v: float) -> str:
    if math.isinf(v):
        return "无法计算" if v < 0 else "∞"
    if abs(v - round(v)) < 1e-9:
        return f"{round(v):,}".replace(",", "")
    return f"{v:.1f}" if abs(v) >= 1 else f"{v:.2f}".rstrip("0")


def fmt_value(metric: str, v: float) -> str:
    m = METRICS[metric]
    if m.kind in ("bool", "ordinal") and m.levels and not math.isinf(v):
        i = int(v)
        return m.levels[i] if 0 <= i < len(m.levels) else fmt_num(v)
    return f"{fmt_num(v)}{m.unit}"


@dataclass
class Line:
    """One criterion of one tier for one enterprise."""

    kind: str  # precondition | condition | indicator | group | score | route
    id: str
    name: str
    status: str  # met | failed | unknown
    text: str
    points_min: float | None = None
    points_max: float | None = None
    confirmed: bool = True
    children: list[Line] = field(default_factory=list)


@dataclass
class Explanation:
    tier: str
    tier_zh: str
    version: str
    result: str
    score_min: float | None
    score_max: float | None
    score_text: str
    lines: list[Line]
    missing: list[str]
    advice: list[str]
    near_miss: bool
    notes: list[str]

    @property
    def failed(self) -> list[Line]:
        return [ln for ln in self.lines if ln.status == "failed" and ln.kind != "route"]


def _status(d: bool, p: bool) -> str:
    return "met" if d else ("failed" if not p else "unknown")


def _tag(confirmed: bool) -> str:
    return "" if confirmed else f"（{UNCONFIRMED}）"


def cond_line(te: TierEval, cond: Cond, i: int, kind: str) -> Line:
    from chainlead.cultivation.engine import eval_cond

    ce = eval_cond(cond, {k: (v[0][i : i + 1], v[1][i : i + 1]) for k, v in te.metrics.items()}, te.settings)
    status = _status(bool(ce.definite[0]), bool(ce.possible[0]))
    if cond.metric is not None:
        lo, hi = te.metrics[cond.metric][0][i], te.metrics[cond.metric][1][i]
        m = METRICS[cond.metric]
        thr = fmt_value(cond.metric, cond.value)
        if lo != hi:
            text = f"{m.label} 未知（要求 {_SYM[cond.op]} {thr}）"
        else:
            sym = _SYM[cond.op] if status == "met" else _NEG[cond.op]
            text = f"{m.label} {fmt_value(cond.metric, lo)} {sym} {thr}"
            if m.kind == "bool":
                text = f"{m.label}：{fmt_value(cond.metric, lo)}（要求：{thr}）"
        if cond.name and kind != "leaf":
            text = f"{cond.name}：{text}"
        return Line(kind, cond.id, cond.name or m.label, status, text + _tag(cond.confirmed), confirmed=cond.confirmed)
    kids = [cond_line(te, c, i, "leaf") for c in (*cond.all, *cond.any)]
    joiner = "且" if cond.all else "或"
    head = cond.name or joiner.join(k.name for k in kids)
    mark = {"met": "满足", "failed": "不满足", "unknown": "待定"}[status]
    shown = kids
    if cond.any and status != "failed":  # an alternative that holds (or may hold) is enough to show
        best = "met" if status == "met" else "unknown"
        shown = [k for k in kids if k.status == best] or kids
    text = f"{head}：{mark}（" + f"；{joiner}".join(k.text for k in shown) + "）"
    return Line(kind, cond.id, head, status, text + _tag(cond.confirmed), confirmed=cond.confirmed, children=kids)


def indicator_line(te: TierEval, ind: Indicator, i: int) -> Line:
    pmin, pmax = float(te.points[ind.id][0][i]), float(te.points[ind.id][1][i])
    if ind.is_local and not ind.local_items:
        text = f"{ind.name}：地方特色指标未配置，按 0–{fmt_num(ind.max)} 分计（{UNCONFIRMED}）"
        return Line("indicator", ind.id, ind.name, "unknown", text, pmin, pmax, ind.confirmed)
    parts = []
    for alt in ind.alternatives:
        lo, hi = te.metrics[alt.metric][0][i], te.metrics[alt.metric][1][i]
        label = METRICS[alt.metric].label
        parts.append(f"{label} {fmt_value(alt.metric, lo)}" if lo == hi else f"{label} 未知")
    pts = fmt_num(pmin) if pmin == pmax else f"{fmt_num(pmin)}–{fmt_num(pmax)}"
    text = f"{ind.name}：{'，'.join(parts)} → {pts} 分 / {fmt_num(ind.max)}"
    status = "met" if pmin == pmax else "unknown"
    return Line("indicator", ind.id, ind.name, status, text + _tag(ind.confirmed), pmin, pmax, ind.confirmed)


def local_decides(te: TierEval, i: int, any_gap: bool = False) -> bool:
    """Only the unconfigured 特色化 points (待核实) stand between the score and the pass mark.

    For an undetermined row the shortfall must also be within the near-miss margin.
    """
    if not te.local_pending or te.score_min is None or te.score_max is None:
        return False
    smin, smax = float(te.score_min[i]), float(te.score_max[i])
    if smax - te.local_pending != smin or smin >= te.rule.pass_score or smax < te.rule.pass_score:
        return False
    if any(bool(r.definite[i]) for r in te.routes.values()):
        return False
    return any_gap or te.rule.pass_score - smin <= te.settings.near_points


def explain(te: TierEval, i: int, with_advice: bool = True) -> Explanation:
    """Words for row `i` of an evaluated tier."""
    rule = te.rule
    lines = [cond_line(te, c, i, "precondition") for c in rule.preconditions]
    lines += [cond_line(te, c, i, "condition") for c in rule.conditions]
    score_text = ""
    smin = smax = None
    if rule.kind == "score":
        lines += [indicator_line(te, ind, i) for ind in rule.indicators]
        assert te.score_min is not None and te.score_max is not None
        smin, smax = float(te.score_min[i]), float(te.score_max[i])
        for g in rule.groups:
            if g.floor:
                gmin, gmax = float(te.groups[g.id][0][i]), float(te.groups[g.id][1][i])
                st = "met" if gmin >= g.floor else ("failed" if gmax < g.floor else "unknown")
                got = fmt_num(gmin) if gmin == gmax else f"{fmt_num(gmin)}–{fmt_num(gmax)}"
                sym = "≥" if st == "met" else ("<" if st == "failed" else "?")
                lines.append(
                    Line(
                        "group",
                        g.id,
                        g.name,
                        st,
                        f"{g.name}得分 {got} {sym} {fmt_num(g.floor)}（分组最低分）",
                        gmin,
                        gmax,
                    )
                )
        score_text = _score_text(te, i, smin, smax)
        st = "met" if smin >= rule.pass_score else ("failed" if smax < rule.pass_score else "unknown")
        lines.append(Line("score", "score", "总分", st, score_text, smin, smax))
        for c in rule.routes:
            route = cond_line(te, c, i, "route")
            route.text = f"［直通］{route.text}"
            lines.append(route)
    result = RESULT_NAMES[int(te.result[i])]
    missing: list[str] = []
    if result == "undetermined":
        missing = missing_facts(te, i)
    advice = advice_for(te, i) if with_advice else []
    notes = [*rule.attestations, *rule.notes]
    return Explanation(
        rule.tier,
        rule.tier_zh,
        rule.version,
        result,
        smin,
        smax,
        score_text,
        lines,
        missing,
        advice,
        bool(te.near_miss[i]),
        notes,
    )


def advice_for(te: TierEval, i: int) -> list[str]:
    """The advice of `explain(te, i)` without the criterion lines (建议): for a near miss, a
    not-eligible row in general, or an undetermined row that only the 特色化 points decide."""
    rule = te.rule
    result = RESULT_NAMES[int(te.result[i])]
    advice: list[str] = []
    if result == "undetermined" and local_decides(te, i):
        advice = score_advice(te, i, without_local=True)
    if result == "not_eligible":
        advice = cond_advice(te, i)
        if (
            rule.kind == "score"
            and te.score_poss is not None
            and not te.score_poss[i]
            and not any(te.routes[r.id].possible[i] for r in rule.routes)
        ):
            advice += score_advice(te, i)
        elif rule.kind == "score" and local_decides(te, i, any_gap=True):
            advice += score_advice(te, i, without_local=True)
        advice = _dedupe(advice)
    return advice


def _score_text(te: TierEval, i: int, smin: float, smax: float) -> str:
    rule = te.rule
    if te.local_pending:
        base_max = smax - te.local_pending
        fixed = fmt_num(smin) if smin == base_max else f"{fmt_num(smin)}–{fmt_num(base_max)}"
        reach = f"不计特色化{'可达' if base_max >= rule.pass_score else '达不到'} {fmt_num(rule.pass_score)} 分"
        base = fmt_num(rule.max_score - te.local_pending)
        return f"总分 {fixed} / {base} + 特色化{UNCONFIRMED}（{reach}；及格 {fmt_num(rule.pass_score)}）"
    got = fmt_num(smin) if smin == smax else f"{fmt_num(smin)}–{fmt_num(smax)}"
    return f"总分 {got} / {fmt_num(rule.max_score)}（及格 {fmt_num(rule.pass_score)}）"


def missing_facts(te: TierEval, i: int, unknown: dict[str, np.ndarray] | None = None) -> list[str]:
    """Unknown inputs behind the criteria that are still open for row i (所缺事实)."""
    out: list[str] = []
    if te.local_pending:
        out.append(f"特色化指标（{UNCONFIRMED}）")

    def unknown_at(col: str) -> bool:
        if unknown is not None and col in unknown:
            return bool(unknown[col][i])
        arr = te.inputs.get(col)
        return arr is None or bool(np.isnan(arr[i]))

    # a fiscal year with no figures at all is named once, not field by field
    empty_years = {k for k in (1, 2, 3) if all(unknown_at(f"{f}_{k}") for f in FIN_FIELDS)}
    for name in sorted(te.rule.metrics()):
        lo, hi = te.metrics[name]
        if lo[i] == hi[i]:
            continue
        for col in METRICS[name].inputs:
            if not unknown_at(col):
                continue
            k = int(col[-1]) if col[-2:] in ("_1", "_2", "_3") and col[:-2] in FIN_FIELDS else 0
            label = f"年度经营数据（{te.year - k}年，整年缺失）" if k in empty_years else input_label(col, te.year)
            if label not in out:
                out.append(label)
    return out


def _dedupe(items: list[str]) -> list[str]:
    seen: list[str] = []
    for a in items:
        if a not in seen:
            seen.append(a)
    return seen
