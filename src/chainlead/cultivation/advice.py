"""The smallest changes that would make a near miss eligible (差距与建议).

A lever turns "metric op threshold" into an action on the enterprise's own figures, e.g.
rd_ratio_y1 >= 3 with revenue 5000 and R&D 145 → "研发费用再增加 5 万元". Actions on the same figure
merge (the larger amount wins). Score tiers search single upgrades first, then pairs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

from chainlead.cultivation.rules import Cond

_RD_INST_ZH = {1: "市级以下", 2: "市级", 3: "省级", 4: "国家级"}
_IP_ZH = {
    1: "取得 1 项与主导产品相关的Ⅱ类知识产权（如软件著作权、实用新型专利）",
    2: "取得 1 项与主导产品相关的Ⅰ类知识产权（如发明专利）",
    3: "取得 1 项自主研发的Ⅰ类知识产权",
    4: "取得 1 项Ⅰ类高价值知识产权",
}
_BOOL_ACTION = {
    "own_brand": "建立直接面向市场的自主品牌",
    "qms_certified": "取得质量管理体系认证（如 ISO 9001）",
    "core_business_on_info_system": "至少 1 项核心业务（研发、生产、供应链）采用信息系统支撑",
}


@dataclass(frozen=True)
class Action:
    key: str
    amount: float
    text: str
    wait: bool = False  # only time helps (years in the niche)


def _wan(v: float) -> str:
    v = math.ceil(v * 10 - 1e-9) / 10
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _up(v: float) -> int:
    return max(1, math.ceil(v - 1e-9))


def lever(metric: str, op: str, t: float, r: dict[str, float], year: int, strict: bool = False) -> Action | None:
    """An action that brings `metric` to `op t`, or None when no action can (or data are missing)."""
    bump = 0.1 if strict else 0.0
    g = r.get
    if op in ("<", "<=") and metric != "debt_ratio_y1":
        return None
    if metric == "rd_expense_y1":
        d = t - g("rd_expense_wan_1", math.nan) + bump
        return Action("rd_1", d, f"上年度研发费用再增加 {_wan(d)} 万元（达到 {_wan(t)} 万元）")
    if metric == "rd_ratio_y1":
        d = t / 100 * g("revenue_wan_1", math.nan) - g("rd_expense_wan_1", math.nan) + bump
        return Action("rd_1", d, f"研发费用再增加 {_wan(d)} 万元（占营业收入达到 {_wan(t)}%）")
    if metric == "rd_ratio_min2":
        d1 = t / 100 * g("revenue_wan_1", math.nan) - g("rd_expense_wan_1", math.nan) + bump
        d2 = t / 100 * g("revenue_wan_2", math.nan) - g("rd_expense_wan_2", math.nan) + bump
        parts = [f"{year - k}年研发费用再增加 {_wan(d)} 万元" for k, d in ((1, d1), (2, d2)) if d > 0]
        return Action("rd_1", max(d1, d2), "、".join(parts) + f"（两年均达到营业收入的 {_wan(t)}%）")
    if metric in ("rd_expense_avg2", "rd_expense_sum2"):
        total = t * (2 if metric == "rd_expense_avg2" else 1)
        d = total - g("rd_expense_wan_1", math.nan) - g("rd_expense_wan_2", math.nan) + bump
        return Action("rd_sum", d, f"近2年研发费用合计再增加 {_wan(d)} 万元")
    if metric == "revenue_y1":
        d = t - g("revenue_wan_1", math.nan) + bump
        return Action("rev_1", d, f"营业收入再增加 {_wan(d)} 万元（达到 {_wan(t)} 万元）")
    if metric in ("equity_sum2", "equity_sum3"):
        k = 2 if metric == "equity_sum2" else 3
        vals = [g(f"equity_financing_wan_{j}", math.nan) for j in range(1, k + 1)]
        have = sum(v for v in vals if not math.isnan(v))
        d = t - have + bump
        return Action(f"equity_{k}", d, f"新增合格机构投资者股权融资（实缴）{_wan(d)} 万元")
    if metric == "debt_ratio_y1":
        d = g("total_liabilities_wan_1", math.nan) - t / 100 * g("total_assets_wan_1", math.nan) + bump
        return Action("liab_1", d, f"负债再减少 {_wan(d)} 万元（资产负债率降到 {_wan(t)}%）")
    if metric == "mbr_share_y1":
        rev, mbr = g("revenue_wan_1", math.nan), g("main_business_revenue_wan_1", math.nan)
        d = (t * rev - 100 * mbr) / (100 - t) + bump if t < 100 else math.nan
        return Action("mbr_1", d, f"主营业务收入再增加 {_wan(d)} 万元（占营业收入达到 {_wan(t)}%）")
    if metric == "mbr_growth_y1":
        d = (
            (1 + t / 100) * g("main_business_revenue_wan_2", math.nan)
            - g("main_business_revenue_wan_1", math.nan)
            + bump
        )
        return Action("mbr_1", d, f"上年度主营业务收入再增加 {_wan(d)} 万元（增长率达到 {_wan(t)}%）")
    if metric == "net_margin_y1":
        d = t / 100 * g("revenue_wan_1", math.nan) - g("profit_wan_1", math.nan) + bump
        return Action("profit_1", d, f"利润再增加 {_wan(d)} 万元（净利率达到 {_wan(t)}%）")
    if metric == "rd_staff_ratio_y1":
        e, rs = g("employees_1", math.nan), g("rd_employees_1", math.nan)
        need = (t * e - 100 * rs) / (100 - t) if t < 100 else math.nan
        if math.isnan(need):
            return Action("rd_staff", math.nan, "")
        n = _up(need + (1e-6 if strict else 0))
        return Action("rd_staff", n, f"研发人员再增加 {n} 人（占比达到 {_wan(t)}%）")
    if metric == "ip_level":
        lvl = int(t + (1 if strict else 0))
        return Action("ip", lvl, _IP_ZH[min(lvl, 4)]) if lvl >= 1 else None
    if metric in (
        "ip_class1_applied",
        "invention_patents_related",
        "ip_class2",
        "standards_count",
        "intl_certifications",
    ):
        have = g(metric, math.nan)
        n = _up(t - have + (1 if strict else 0))
        what = {
            "ip_class1_applied": "项与主导产品相关的Ⅰ类知识产权实际应用并产生经济效益",
            "invention_patents_related": "项与主导产品相关的发明专利",
            "ip_class2": "项实用新型、外观设计或软件著作权",
            "standards_count": "项国际、国家或行业标准（主导或参与制定）",
            "intl_certifications": "项国际管理体系、生产或产品认证",
        }[metric]
        return Action(metric, n, f"再取得 {n} {what}")
    if metric == "digital_level":
        lvl = int(t + (1 if strict else 0))
        return Action("digital", lvl, f"数字化水平评测达到 {lvl} 级")
    if metric == "quality_items":
        flags = sum(1 for c in ("quality_award_provincial", "qms_certified", "own_brand") if g(c) == 1)
        have = flags + (1 if g("standards_count", 0.0) >= 1 else 0)
        n = _up(t - have + (1 if strict else 0))
        return Action(
            "quality", n, f"质量管理再满足 {n} 项（省级以上质量奖、质量管理体系认证、自主品牌、参与制修订标准）"
        )
    if metric == "rd_institution":
        lvl = int(min(4, t + (1 if strict else 0)))
        if lvl == 1:
            return Action("rd_inst", lvl, "建立研发机构（自建或与高校、科研院所共建）")
        return Action("rd_inst", lvl, f"建立{_RD_INST_ZH[lvl]}研发机构")
    if metric in _BOOL_ACTION:
        return Action(metric, 1, _BOOL_ACTION[metric])
    if metric == "niche_years":
        n = _up(t - (year - 1 - g("niche_since_year", math.nan)))
        return Action("wait", n, f"再从事细分市场 {n} 年（{year + n} 年起满足）", wait=True)
    return None


def _valid(a: Action | None) -> bool:
    return a is not None and not math.isnan(a.amount) and a.amount > 0


def _raw(te, i: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return {k: float(v[i]) for k, v in te.inputs.items()}


def fix(cond: Cond, te, i: int, r: dict[str, float]) -> list[Action] | None:  # type: ignore[no-untyped-def]
    """Actions that make `cond` hold for row i; None when no action can."""
    from chainlead.cultivation.engine import possible_at

    if possible_at(te, cond, i):
        return []
    if cond.metric is not None:
        a = lever(cond.metric, cond.op, cond.value, r, te.year, strict=cond.op in (">", "<"))
        return [a] if _valid(a) else None  # type: ignore[list-item]
    if cond.all:
        out: list[Action] = []
        for c in cond.all:
            f = fix(c, te, i, r)
            if f is None:
                return None
            out += f
        return out
    options = [f for c in cond.any if (f := fix(c, te, i, r)) is not None]
    if not options:
        return None
    return min(options, key=lambda f: (sum(a.wait for a in f), len(f)))


def merge(actions: list[Action]) -> list[Action]:
    best: dict[str, Action] = {}
    for a in actions:
        if a.key not in best or a.amount > best[a.key].amount:
            best[a.key] = a
    return list(best.values())


def cond_advice(te, i: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Changes that would meet every failed precondition / condition."""
    r = _raw(te, i)
    acts: list[Action] = []
    blocked: list[str] = []
    for c in (*te.rule.preconditions, *te.rule.conditions):
        f = fix(c, te, i, r)
        if f is None:
            blocked.append(c.name or c.id)
        else:
            acts += f
    out = [a.text for a in merge(acts)]
    out += [f"不满足且无法通过短期措施改变：{b}" for b in blocked]
    return out


def score_advice(te, i: int, without_local: bool = False) -> list[str]:  # type: ignore[no-untyped-def]
    """The fewest indicator upgrades that lift the score (and group floors) to the pass mark.

    `without_local`: reach the pass mark without the unconfigured 特色化 points (待核实).
    """
    rule = te.rule
    r = _raw(te, i)
    strict = te.settings.edge == "lower"
    top = float(te.score_max[i]) - (te.local_pending if without_local else 0.0)
    gap = rule.pass_score - top
    floors = {g.id: g.floor - float(te.groups[g.id][1][i]) for g in rule.groups if g.floor}
    options: list[tuple[str, str, float, Action]] = []  # (indicator, group, gain, action)
    for ind in rule.indicators:
        current = float(te.points[ind.id][1][i])
        best: dict[float, Action] = {}
        for alt in ind.alternatives:
            for threshold, pts in alt.bands:
                if pts <= current:
                    continue
                a = lever(alt.metric, ">=" if alt.direction == "higher" else "<=", threshold, r, te.year, strict)
                if _valid(a) and (pts not in best):
                    best[pts] = a  # type: ignore[assignment]
        options += [(ind.id, ind.group, pts - current, a) for pts, a in best.items()]

    def ok(chosen: tuple[tuple[str, str, float, Action], ...]) -> bool:
        if len({c[0] for c in chosen}) < len(chosen):
            return False
        if sum(c[2] for c in chosen) < gap:
            return False
        return all(sum(c[2] for c in chosen if c[1] == g) >= need for g, need in floors.items())

    head = f"总分差 {max(gap, 0):g} 分" if gap > 0 else "分组最低分不足"
    if without_local:
        head = f"不计特色化（待核实）{head}"
    for size in (1, 2):
        sols = [c for c in combinations(options, size) if ok(c)]
        if sols:
            sols.sort(key=lambda c: (sum(x[3].wait for x in c), sum(x[2] for x in c)))
            texts = ["＋".join(f"{x[3].text}（+{x[2]:g} 分）" for x in c) for c in sols[:3]]
            return [f"{head}，任选其一：" + "；或 ".join(texts)] if len(texts) > 1 else [f"{head}：{texts[0]}"]
    return [f"{head}，需 3 项以上指标同时提升，暂不属于临门一脚"]
