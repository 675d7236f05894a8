"""Result tables (筛查结果): one row per enterprise and tier, with failed criteria, missing facts
and advice in words. Numbers come from the vectorised evaluation; advice (the slower search) is
worked out only for near misses."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from chainlead.cultivation.engine import RESULT_NAMES, TierEval, evaluate_all
from chainlead.cultivation.explain import (
    _NEG,
    _score_text,
    explain,
    fmt_num,
    fmt_value,
    local_decides,
    missing_facts,
)
from chainlead.cultivation.inputs import Inputs
from chainlead.cultivation.metrics import METRICS
from chainlead.cultivation.rules import EVAL_TIERS, UNCONFIRMED, Cond, Settings

COLUMNS = (
    "uscc",
    "tier",
    "result",
    "score_min",
    "score_max",
    "failed",
    "missing",
    "advice",
    "tier_zh",
    "result_zh",
    "near_miss",
    "holds_title",
    "score_text",
    "rule_version",
)
HEADERS_ZH = {
    "uscc": "统一社会信用代码",
    "tier": "称号",
    "result": "评价结果",
    "score_min": "得分下限",
    "score_max": "得分上限",
    "failed": "未满足条件",
    "missing": "缺少的事实",
    "advice": "建议",
    "tier_zh": "称号名称",
    "result_zh": "结果",
    "near_miss": "临门一脚",
    "holds_title": "已持有该称号",
    "score_text": "得分说明",
    "rule_version": "规则版本",
}


def _leaf_text(te: TierEval, c: Cond, i: int) -> str:
    assert c.metric is not None
    lo, hi = te.metrics[c.metric][0][i], te.metrics[c.metric][1][i]
    m = METRICS[c.metric]
    tag = "" if c.confirmed else f"（{UNCONFIRMED}）"
    if m.kind == "bool":
        return f"{m.label}：{fmt_value(c.metric, lo)}（要求：{fmt_value(c.metric, c.value)}）{tag}"
    val = fmt_value(c.metric, lo) if lo == hi else "未知"
    return f"{m.label} {val} {_NEG[c.op]} {fmt_value(c.metric, c.value)}{tag}"


def failed_texts(te: TierEval, i: int) -> list[str]:
    """Criteria that certainly fail for row i, with value and threshold where it is one figure."""
    out: list[str] = []
    rule = te.rule
    pairs = [(c, te.pre[c.id]) for c in rule.preconditions] + [(c, te.conds[c.id]) for c in rule.conditions]
    for c, ce in pairs:
        if ce.possible[i]:
            continue
        if c.metric is not None:
            out.append(_leaf_text(te, c, i))
        elif c.all:
            kids = [k for k in c.all if k.metric is not None]
            texts = [_leaf_text(te, k, i) for k in kids if not _possible(te, k, i)]
            out.append("；".join(texts) if texts and len(kids) == len(c.all) else f"不满足：{c.name}")
        else:
            out.append(f"不满足：{c.name}")
    if rule.kind == "score" and not te.score_poss[i]:  # type: ignore[index]
        smax = float(te.score_max[i])  # type: ignore[index]
        if smax < rule.pass_score:
            out.append(f"总分最高 {fmt_num(smax)} < {fmt_num(rule.pass_score)}")
        for g in rule.groups:
            if g.floor and te.groups[g.id][1][i] < g.floor:
                out.append(f"{g.name}得分 {fmt_num(float(te.groups[g.id][1][i]))} < {fmt_num(g.floor)}")
    return out


def _possible(te: TierEval, c: Cond, i: int) -> bool:
    from chainlead.cultivation.engine import _leaf

    assert c.metric is not None
    lo, hi = te.metrics[c.metric]
    return bool(_leaf((lo[i : i + 1], hi[i : i + 1]), c.op, c.value)[1][0])


def result_table(
    inputs: Inputs,
    evals: dict[str, TierEval],
    with_advice: bool = True,
    detail: bool = True,
    failed_near_only: bool = False,
) -> pd.DataFrame:
    """One row per enterprise and tier (enterprise-major order).

    `detail=False` skips the words; `failed_near_only` writes `failed` only for near misses.
    """
    unknown = {k: np.isnan(v) for k, v in inputs.columns.items()}
    rows: list[dict[str, object]] = []
    n = len(inputs.uscc)
    held_by_tier = {t: inputs.holds[t].to_numpy(float) if t in inputs.holds else np.full(n, np.nan) for t in evals}
    for i in range(n):
        for tier, te in evals.items():
            res = RESULT_NAMES[int(te.result[i])]
            smin = float(te.score_min[i]) if te.score_min is not None else math.nan
            smax = float(te.score_max[i]) if te.score_max is not None else math.nan
            want_failed = res == "not_eligible" and (te.near_miss[i] or not failed_near_only)
            failed = failed_texts(te, i) if detail and want_failed else []
            missing = missing_facts(te, i, unknown) if detail and res == "undetermined" else []
            advice: list[str] = []
            if (
                detail
                and with_advice
                and (te.near_miss[i] or (res == "undetermined" and te.local_pending and local_decides(te, i)))
            ):
                advice = explain(te, i).advice
            held = held_by_tier[tier][i]
            rows.append(
                {
                    "uscc": inputs.uscc[i],
                    "tier": tier,
                    "result": res,
                    "score_min": smin,
                    "score_max": smax,
                    "failed": "；".join(failed),
                    "missing": "、".join(missing),
                    "advice": "；".join(advice),
                    "tier_zh": te.rule.tier_zh,
                    "result_zh": {"eligible": "符合", "not_eligible": "不符合", "undetermined": "待定"}[res],
                    "near_miss": bool(te.near_miss[i]),
                    "holds_title": None if math.isnan(held) else bool(held),
                    "score_text": _score_text(te, i, smin, smax) if detail and te.score_min is not None else "",
                    "rule_version": te.rule.version,
                }
            )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def screen(
    inputs: Inputs, year: int, settings: Settings | None = None, tiers: tuple[str, ...] = EVAL_TIERS
) -> pd.DataFrame:
    return result_table(inputs, evaluate_all(inputs.columns, year, settings, tiers))
