"""Result tables (筛查结果): one row per enterprise and tier, with failed criteria, missing facts
and advice in words. Numbers and categories come from the vectorised evaluation and the table is
built column by column (`base_table`); the words are the only per-row work (`fill_words`) and are
written only for the rows asked for; advice (the slower search) only for near misses."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from chainlead.cultivation.engine import RESULT_NAMES, RESULT_ZH, TierEval, evaluate_all
from chainlead.cultivation.explain import (
    _NEG,
    _score_text,
    advice_for,
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
    from chainlead.cultivation.engine import possible_at

    return possible_at(te, c, i)


def _per_tier(evals: dict[str, TierEval], get, n: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    """One array per tier, interleaved enterprise-major: row i*k + t is enterprise i, tier t."""
    cols = [get(te) for te in evals.values()]
    return np.stack(cols, axis=1).ravel() if cols else np.zeros(0)


def _held(inputs: Inputs, evals: dict[str, TierEval]) -> np.ndarray:
    n = len(inputs.uscc)
    nan = np.full(n, math.nan)
    return _per_tier(
        evals, lambda te: inputs.holds[te.rule.tier].to_numpy(float) if te.rule.tier in inputs.holds else nan, n
    )


def categories(inputs: Inputs, evals: dict[str, TierEval]) -> np.ndarray:
    """Category of every enterprise × tier (enterprise-major), vectorised:
    holder (valid title) | eligible | near_miss | undetermined | not_eligible | excluded (meets or
    nearly meets it but holds a title that keeps it out, e.g. 专精特新 for 创新型)."""
    n = len(inputs.uscc)
    names = np.array([RESULT_NAMES[r] for r in sorted(RESULT_NAMES)], dtype=object)
    cat = names[_per_tier(evals, lambda te: te.result.astype(np.int64) + 1, n)]
    cat[_per_tier(evals, lambda te: te.near_miss, n).astype(bool)] = "near_miss"
    held = _held(inputs, evals)
    blocked = _per_tier(
        evals,
        lambda te: (
            (inputs.holds[[t for t in te.rule.excluded_if_holding if t in inputs.holds]] == 1)
            .any(axis=1)
            .to_numpy(bool)
        ),
        n,
    ).astype(bool)
    cat[blocked] = "excluded"
    cat[(held != 0) & ~np.isnan(held)] = "holder"
    return cat


def text_column(values: list[str] | np.ndarray, idx: np.ndarray) -> Any:
    """values[idx] as a pandas text column, taken from the few distinct values (fast)."""
    return pd.array(np.asarray(values, dtype=object), dtype="str").take(idx)


def base_table(inputs: Inputs, evals: dict[str, TierEval], keep: np.ndarray | None = None) -> pd.DataFrame:
    """One row per enterprise and tier (enterprise-major), numbers only, built column-wise.

    `keep` (a mask over all enterprise × tier rows) leaves rows out before anything is built.
    The words (failed, missing, advice, score_text) are empty; `fill_words` writes them for the
    rows that need them. `_i` is the enterprise's row in `inputs` (dropped by the callers).
    """
    n, tiers = len(inputs.uscc), list(evals)
    k = len(tiers)
    if n * k == 0:
        return pd.DataFrame(columns=[*COLUMNS, "_i"])
    pos = np.arange(n * k) if keep is None else np.flatnonzero(keep)
    idx, tix = pos // k, pos % k
    res = _per_tier(evals, lambda te: te.result.astype(np.int64) + 1, n)[pos]
    order = sorted(RESULT_NAMES)
    held = _held(inputs, evals)
    holds_title: np.ndarray = held[pos] != 0
    if np.isnan(held).any():  # titles unknown (no title table): None, as in a table built row by row
        holds_title = np.array([None, False, True], dtype=object)[np.where(np.isnan(held[pos]), 0, holds_title + 1)]
    nan = np.full(n, math.nan)
    empty = text_column([""], np.zeros(len(pos), dtype=np.intp))
    table = pd.DataFrame(
        {
            "uscc": text_column(inputs.uscc, idx),
            "tier": text_column(tiers, tix),
            "result": text_column([RESULT_NAMES[r] for r in order], res),
            "score_min": _per_tier(evals, lambda te: nan if te.score_min is None else te.score_min, n)[pos],
            "score_max": _per_tier(evals, lambda te: nan if te.score_max is None else te.score_max, n)[pos],
            "failed": empty,
            "missing": empty.copy(),
            "advice": empty.copy(),
            "tier_zh": text_column([evals[t].rule.tier_zh for t in tiers], tix),
            "result_zh": text_column([RESULT_ZH[RESULT_NAMES[r]] for r in order], res),
            "near_miss": _per_tier(evals, lambda te: te.near_miss, n)[pos].astype(bool),
            "holds_title": holds_title,
            "score_text": empty.copy(),
            "rule_version": text_column([evals[t].rule.version for t in tiers], tix),
        },
        columns=list(COLUMNS),
    )
    table["_i"] = idx
    return table


def fill_words(
    table: pd.DataFrame,
    inputs: Inputs,
    evals: dict[str, TierEval],
    rows: np.ndarray | None = None,
    with_advice: bool = True,
    failed_near_only: bool = False,
) -> None:
    """Write failed / missing / advice / score_text for the table positions `rows` (all if None).

    The same words, row for row, as `explain`; only the rows asked for are worked out.
    """
    pos = np.arange(len(table)) if rows is None else np.asarray(rows)
    if len(pos) == 0:
        return
    unknown = {k: np.isnan(v) for k, v in inputs.columns.items()}
    cols = {c: table[c].to_numpy(object).copy() for c in ("failed", "missing", "advice", "score_text")}
    ii, tt = table["_i"].to_numpy()[pos], table["tier"].to_numpy(object)[pos]
    res_col = table["result"].to_numpy(object)[pos]
    score_texts: dict[tuple[str, float, float], str] = {}
    for p, i, tier, res in zip(pos.tolist(), ii.tolist(), tt.tolist(), res_col.tolist(), strict=True):
        te = evals[tier]
        near = bool(te.near_miss[i])
        if res == "not_eligible" and (near or not failed_near_only):
            cols["failed"][p] = "；".join(failed_texts(te, i))
        if res == "undetermined":
            cols["missing"][p] = "、".join(missing_facts(te, i, unknown))
        if with_advice and (near or (res == "undetermined" and te.local_pending and local_decides(te, i))):
            cols["advice"][p] = "；".join(advice_for(te, i))
        if te.score_min is not None and te.score_max is not None:
            smin, smax = float(te.score_min[i]), float(te.score_max[i])
            key = (tier, smin, smax)
            if key not in score_texts:
                score_texts[key] = _score_text(te, i, smin, smax)
            cols["score_text"][p] = score_texts[key]
    for c, v in cols.items():
        table[c] = v


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
    table = base_table(inputs, evals)
    if detail:
        fill_words(table, inputs, evals, None, with_advice, failed_near_only)
    return table.drop(columns="_i")


def screen(
    inputs: Inputs, year: int, settings: Settings | None = None, tiers: tuple[str, ...] = EVAL_TIERS
) -> pd.DataFrame:
    return result_table(inputs, evaluate_all(inputs.columns, year, settings, tiers))
