"""Derived metrics (派生指标) as intervals [lo, hi] over the input columns.

Inputs are float arrays (NaN = unknown): yearly figures as `<field>_<k>` for FY y-k (k = 1, 2, 3),
facts by their own names (enums as ordinal codes), and a few derived inputs (see inputs.py).
A known value gives lo == hi; an unknown one gives [-inf, +inf] or a narrower range when part
of it is known (sums, minima, IP ladder). Ratios and growth rates are always computed here from
the figures, never read as inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from chainlead.cultivation.labels import ENUM_CODES, FACT_ZH, FIN_FIELDS, input_label
from chainlead.cultivation.rules import Settings

Arr = np.ndarray
IV = tuple[Arr, Arr]
INF = np.inf
__all__ = ["ENUM_CODES", "FACT_ZH", "FIN_FIELDS", "IV", "METRICS", "Arr", "Metric", "input_label", "known"]


def known(a: Arr) -> IV:
    nan = np.isnan(a)
    return np.where(nan, -INF, a), np.where(nan, INF, a)


def _ratio(num: Arr, den: Arr) -> Arr:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = num / den * 100.0
    return np.where(np.isnan(num) | np.isnan(den), np.nan, np.where(den > 0, out, 0.0))


def _growth(cur: Arr, prev: Arr) -> Arr:
    """Growth in % ; a base <= 0 makes the rate undefined and it counts as not met (-inf)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = (cur / prev - 1.0) * 100.0
    return np.where(np.isnan(cur) | np.isnan(prev), np.nan, np.where(prev > 0, out, -INF))


def _min_iv(*ivs: IV) -> IV:
    return np.minimum.reduce([i[0] for i in ivs]), np.minimum.reduce([i[1] for i in ivs])


def _mean_iv(*ivs: IV) -> IV:
    with np.errstate(invalid="ignore"):
        lo = sum(i[0] for i in ivs) / len(ivs)
        hi = sum(i[1] for i in ivs) / len(ivs)
    # -inf (an undefined growth, i.e. not met) dominates an unknown +inf
    return np.where(np.isnan(lo), -INF, lo), np.where(np.isnan(hi), -INF, hi)


def _sum_iv(cols: list[Arr]) -> IV:
    stack = np.vstack(cols)
    lo = np.nansum(np.clip(stack, 0, None), axis=0)
    hi = np.where(np.isnan(stack).any(axis=0), INF, lo)
    return lo, hi


@dataclass(frozen=True)
class Metric:
    """A derived metric with its Chinese label, unit and the inputs it needs."""

    name: str
    label: str
    unit: str
    inputs: tuple[str, ...]
    fn: Callable[[Mapping[str, Arr], int, Settings], IV]
    kind: str = "num"  # num | bool | ordinal
    levels: tuple[str, ...] = ()


def _col(name: str) -> Callable[[Mapping[str, Arr], int, Settings], IV]:
    return lambda x, y, s: known(x[name])


def _ratio_m(num: str, den: str) -> Callable[[Mapping[str, Arr], int, Settings], IV]:
    return lambda x, y, s: known(_ratio(x[num], x[den]))


def _mbr_growth_avg2(x: Mapping[str, Arr], y: int, s: Settings) -> IV:
    m1, m2, m3 = x["main_business_revenue_wan_1"], x["main_business_revenue_wan_2"], x["main_business_revenue_wan_3"]
    if s.growth == "cagr":
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            cagr = (np.sqrt(np.clip(m1 / m3, 0, None)) - 1.0) * 100.0
        v = np.where(np.isnan(m1) | np.isnan(m3), np.nan, np.where(m3 > 0, cagr, -INF))
        return known(v)
    return _mean_iv(known(_growth(m1, m2)), known(_growth(m2, m3)))


def _ip_level(x: Mapping[str, Arr], y: int, s: Settings) -> IV:
    hv, sd, c1, c2 = x["ip_class1_high_value"], x["ip_class1_self_developed"], x["ip_class1"], x["ip_class2"]
    c1_zero = c1 == 0
    lo = np.select([hv >= 1, sd >= 1, c1 >= 1, c2 >= 1], [4.0, 3.0, 2.0, 1.0], 0.0)

    def may(a: Arr) -> Arr:
        return np.isnan(a) | (a >= 1)

    hi = np.select(
        [may(hv) & ~c1_zero, may(sd) & ~c1_zero, may(c1), may(c2)],
        [4.0, 3.0, 2.0, 1.0],
        0.0,
    )
    return lo, np.maximum(lo, hi)


QUALITY_ITEMS = ("quality_award_provincial", "qms_certified", "own_brand", "standards_count")


def _quality_items(x: Mapping[str, Arr], y: int, s: Settings) -> IV:
    vals = [x[c] >= 1 for c in QUALITY_ITEMS]
    unk = [np.isnan(x[c]) for c in QUALITY_ITEMS]
    lo = np.sum(vals, axis=0).astype(float)
    return lo, lo + np.sum(unk, axis=0)


def _is_sme(x: Mapping[str, Arr], y: int, s: Settings) -> IV:
    """SME (中小企业) under 工信部联企业〔2011〕300号: below the employee OR the revenue limit."""
    emp, rev = x["employees_1"], x["revenue_wan_1"]
    below = (emp < x["sme_emp_limit"]) | (rev < x["sme_rev_limit"])
    above = (emp >= x["sme_emp_limit"]) & (rev >= x["sme_rev_limit"])
    v = np.where(below, 1.0, np.where(above, 0.0, np.nan))
    return known(v)


def _niche_years(x: Mapping[str, Arr], y: int, s: Settings) -> IV:
    return known((y - 1) - x["niche_since_year"])


def _operating_years(x: Mapping[str, Arr], y: int, s: Settings) -> IV:
    return known(np.floor(y - x["founded_frac"]))


def _profit_growth_avg2(x: Mapping[str, Arr], y: int, s: Settings) -> IV:
    p1, p2, p3 = x["profit_wan_1"], x["profit_wan_2"], x["profit_wan_3"]
    return _mean_iv(known(_growth(p1, p2)), known(_growth(p2, p3)))


def _revenue_growth_min2(x: Mapping[str, Arr], y: int, s: Settings) -> IV:
    r1, r2, r3 = x["revenue_wan_1"], x["revenue_wan_2"], x["revenue_wan_3"]
    return _min_iv(known(_growth(r1, r2)), known(_growth(r2, r3)))


def _rd_ratio_min2(x: Mapping[str, Arr], y: int, s: Settings) -> IV:
    a = known(_ratio(x["rd_expense_wan_1"], x["revenue_wan_1"]))
    b = known(_ratio(x["rd_expense_wan_2"], x["revenue_wan_2"]))
    return _min_iv(a, b)


def _sum(*cols: str, scale: float = 1.0) -> Callable[[Mapping[str, Arr], int, Settings], IV]:
    def fn(x: Mapping[str, Arr], y: int, s: Settings) -> IV:
        lo, hi = _sum_iv([x[c] for c in cols])
        return lo * scale, hi * scale

    return fn


_RD_INST = ("无", "市级以下", "市级", "省级", "国家级")
_BOOL = ("否", "是")
_LEVELS_AWARD = ("无", "省级", "省级前三", "国家级前五", "国家级前三")

METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("revenue_y1", "上年度营业收入", "万元", ("revenue_wan_1",), _col("revenue_wan_1")),
        Metric("rd_expense_y1", "上年度研发费用", "万元", ("rd_expense_wan_1",), _col("rd_expense_wan_1")),
        Metric(
            "rd_ratio_y1",
            "研发费用占营业收入比重",
            "%",
            ("rd_expense_wan_1", "revenue_wan_1"),
            _ratio_m("rd_expense_wan_1", "revenue_wan_1"),
        ),
        Metric(
            "rd_ratio_min2",
            "近2年研发费用占营业收入比重（较低一年）",
            "%",
            ("rd_expense_wan_1", "revenue_wan_1", "rd_expense_wan_2", "revenue_wan_2"),
            _rd_ratio_min2,
        ),
        Metric(
            "rd_expense_avg2",
            "近2年研发费用均值",
            "万元",
            ("rd_expense_wan_1", "rd_expense_wan_2"),
            _sum("rd_expense_wan_1", "rd_expense_wan_2", scale=0.5),
        ),
        Metric(
            "rd_expense_sum2",
            "近2年研发费用合计",
            "万元",
            ("rd_expense_wan_1", "rd_expense_wan_2"),
            _sum("rd_expense_wan_1", "rd_expense_wan_2"),
        ),
        Metric(
            "mbr_share_y1",
            "主营业务收入占营业收入比重",
            "%",
            ("main_business_revenue_wan_1", "revenue_wan_1"),
            _ratio_m("main_business_revenue_wan_1", "revenue_wan_1"),
        ),
        Metric(
            "mbr_growth_y1",
            "上年度主营业务收入增长率",
            "%",
            ("main_business_revenue_wan_1", "main_business_revenue_wan_2"),
            lambda x, y, s: known(_growth(x["main_business_revenue_wan_1"], x["main_business_revenue_wan_2"])),
        ),
        Metric(
            "mbr_growth_avg2",
            "近2年主营业务收入平均增长率",
            "%",
            ("main_business_revenue_wan_1", "main_business_revenue_wan_2", "main_business_revenue_wan_3"),
            _mbr_growth_avg2,
        ),
        Metric(
            "debt_ratio_y1",
            "资产负债率",
            "%",
            ("total_liabilities_wan_1", "total_assets_wan_1"),
            lambda x, y, s: known(
                np.where(
                    x["total_assets_wan_1"] <= 0, INF, _ratio(x["total_liabilities_wan_1"], x["total_assets_wan_1"])
                )
            ),
        ),
        Metric(
            "net_margin_y1",
            "净利率（利润总额/营业收入）",
            "%",
            ("profit_wan_1", "revenue_wan_1"),
            _ratio_m("profit_wan_1", "revenue_wan_1"),
        ),
        Metric(
            "rd_staff_ratio_y1",
            "研发人员占比",
            "%",
            ("rd_employees_1", "employees_1"),
            _ratio_m("rd_employees_1", "employees_1"),
        ),
        Metric(
            "equity_sum2",
            "近2年新增股权融资",
            "万元",
            ("equity_financing_wan_1", "equity_financing_wan_2"),
            _sum("equity_financing_wan_1", "equity_financing_wan_2"),
        ),
        Metric(
            "equity_sum3",
            "近三年新增股权融资",
            "万元",
            ("equity_financing_wan_1", "equity_financing_wan_2", "equity_financing_wan_3"),
            _sum("equity_financing_wan_1", "equity_financing_wan_2", "equity_financing_wan_3"),
        ),
        Metric(
            "revenue_growth_min2",
            "近2年营业收入增长率（较低一年）",
            "%",
            ("revenue_wan_1", "revenue_wan_2", "revenue_wan_3"),
            _revenue_growth_min2,
        ),
        Metric(
            "profit_growth_avg2",
            "近2年净利润平均增长率（利润总额）",
            "%",
            ("profit_wan_1", "profit_wan_2", "profit_wan_3"),
            _profit_growth_avg2,
        ),
        Metric("niche_years", "从事细分市场年限", "年", ("niche_since_year",), _niche_years),
        Metric("operating_years", "连续经营年限", "年", ("founded_frac",), _operating_years),
        Metric(
            "ip_level",
            "与主导产品相关的知识产权",
            "",
            ("ip_class1_high_value", "ip_class1_self_developed", "ip_class1", "ip_class2"),
            _ip_level,
            "ordinal",
            ("无", "Ⅱ类", "Ⅰ类", "自主研发Ⅰ类", "Ⅰ类高价值"),
        ),
        Metric("quality_items", "质量管理水平满足项数", "项", QUALITY_ITEMS, _quality_items),
        Metric("is_sme", "属于中小企业", "", ("employees_1", "revenue_wan_1"), _is_sme, "bool", _BOOL),
        Metric("in_zhejiang", "在浙江省注册", "", ("in_zhejiang",), _col("in_zhejiang"), "bool", _BOOL),
        Metric("is_manufacturing", "属于制造业", "", ("is_manufacturing",), _col("is_manufacturing"), "bool", _BOOL),
        Metric(
            "encouraged_sector",
            "属于鼓励发展的产业领域",
            "",
            ("encouraged_sector",),
            _col("encouraged_sector"),
            "bool",
            _BOOL,
        ),
        Metric(
            "holds_zjtx_provincial",
            "有效期内省级专精特新",
            "",
            ("holds_zjtx_provincial",),
            _col("holds_zjtx_provincial"),
            "bool",
            _BOOL,
        ),
        Metric("holds_honour", "高新技术企业等荣誉", "", ("holds_honour",), _col("holds_honour"), "bool", _BOOL),
        Metric(
            "rd_institution",
            "研发机构级别",
            "",
            ("rd_institution_level",),
            _col("rd_institution_level"),
            "ordinal",
            _RD_INST,
        ),
        Metric(
            "field_level",
            "主导产品所属领域",
            "",
            ("leading_product_field_level",),
            _col("leading_product_field_level"),
            "ordinal",
            ("其他", "“六基”/老字号/龙头配套", "补短板/锻长板/填空白"),
        ),
        Metric(
            "priority_field",
            "主导产品属于“六基”/制造强国/网络强国重点领域",
            "",
            ("leading_product_priority_field",),
            _col("leading_product_priority_field"),
            "bool",
            _BOOL,
        ),
        Metric(
            "sci_tech_award",
            "近三年科技奖励",
            "",
            ("sci_tech_award",),
            _col("sci_tech_award"),
            "ordinal",
            _LEVELS_AWARD,
        ),
        Metric(
            "maker_china",
            "“创客中国”名次",
            "",
            ("maker_china",),
            _col("maker_china"),
            "ordinal",
            ("无", "500强", "50强"),
        ),
    )
}

for _fact, _unit, _kind in (
    ("leading_product_in_sei", "", "bool"),
    ("leading_product_count", "个", "num"),
    ("ip_class1_applied", "项", "num"),
    ("invention_patents_related", "项", "num"),
    ("ip_class2", "项", "num"),
    ("digital_level", "级", "num"),
    ("qms_certified", "", "bool"),
    ("own_brand", "", "bool"),
    ("standards_count", "项", "num"),
    ("intl_certifications", "项", "num"),
    ("core_business_on_info_system", "", "bool"),
    ("national_market_share_pct", "%", "num"),
    ("national_niche_rank", "位", "num"),
    ("global_niche_rank", "位", "num"),
    ("bank_credit_ok", "", "bool"),
    ("on_abnormal_list", "", "bool"),
    ("on_dishonesty_list", "", "bool"),
    ("major_incident_3y", "", "bool"),
):
    METRICS[_fact] = Metric(
        _fact, FACT_ZH[_fact], _unit, (_fact,), _col(_fact), _kind, _BOOL if _kind == "bool" else ()
    )
