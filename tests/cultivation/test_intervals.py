"""Derived metrics from the figures, score intervals with missing facts, words, advice and the
hypothesis properties (more R&D never lowers a score; a new title never makes a tier ineligible)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainlead.cultivation.engine import ELIGIBLE, NOT_ELIGIBLE, evaluate_all
from chainlead.cultivation.inputs import build_inputs
from chainlead.cultivation.metrics import METRICS
from chainlead.cultivation.rules import Settings
from tests.cultivation.helpers import PENDING_LOCAL, YEAR, evaluate_star, frames, line
from tests.cultivation.test_tiers import SIXTY_FIVE


def _metric(name: str, s: Settings | None = None, **overrides: object) -> tuple[float, float]:
    ent, fin, facts, quals = frames(**overrides)  # type: ignore[arg-type]
    x = build_inputs(ent, fin, facts, quals, YEAR).columns
    lo, hi = METRICS[name].fn(x, YEAR, s or Settings())
    return float(lo[0]), float(hi[0])


def test_derived_metrics_come_from_the_figures() -> None:
    assert _metric("rd_ratio_y1") == (6.0, 6.0)  # 1200 / 20000
    assert _metric("debt_ratio_y1") == (40.0, 40.0)  # 8000 / 20000
    assert _metric("mbr_share_y1") == (90.0, 90.0)  # 18000 / 20000
    assert _metric("mbr_growth_y1") == pytest.approx((20.0, 20.0))  # 18000 / 15000 - 1
    g = ((18000 / 15000 - 1) + (15000 / 13000 - 1)) / 2 * 100
    assert _metric("mbr_growth_avg2") == pytest.approx((g, g))
    cagr = ((18000 / 13000) ** 0.5 - 1) * 100
    assert _metric("mbr_growth_avg2", Settings(growth="cagr")) == pytest.approx((cagr, cagr))
    assert _metric("rd_ratio_min2") == pytest.approx((1000 / 17000 * 100,) * 2)
    assert _metric("rd_staff_ratio_y1") == pytest.approx((70 / 300 * 100,) * 2)
    assert _metric("niche_years") == (15.0, 15.0)  # end of FY2022 - 2007
    assert _metric("operating_years") == (17.0, 17.0)  # founded 2005-03-01
    assert _metric("ip_level") == (4.0, 4.0)
    assert _metric("quality_items") == (4.0, 4.0)
    assert _metric("is_sme") == (1.0, 1.0)


def test_partial_knowledge_narrows_the_interval() -> None:
    # FY2021 R&D unknown: the lower of two years is at most FY2022's 6%
    lo, hi = _metric("rd_ratio_min2", fin={2021: {"rd_expense_wan": None}})
    assert lo == -np.inf and hi == pytest.approx(6.0)
    # an unknown year of equity: at least the known sum
    lo, hi = _metric("equity_sum3", fin={2022: {"equity_financing_wan": 300}, 2021: {"equity_financing_wan": None}})
    assert (lo, hi) == (300.0, np.inf)
    # IP: Ⅰ类 known, high-value and self-developed unknown → between Ⅰ类 and high value
    assert _metric("ip_level", facts={"ip_class1_high_value": None, "ip_class1_self_developed": None}) == (2.0, 4.0)
    # no Ⅰ类 at all rules out the higher levels even when they are blank
    assert _metric(
        "ip_level",
        facts={"ip_class1": 0, "ip_class1_high_value": None, "ip_class1_self_developed": None, "ip_class2": None},
    ) == (0.0, 1.0)
    assert _metric("quality_items", facts={"own_brand": None, "qms_certified": False}) == (2.0, 3.0)


def test_undefined_growth_on_a_nonpositive_base_is_not_met() -> None:
    lo, hi = _metric("profit_growth_avg2", fin={2020: {"profit_wan": -100}})
    assert lo == hi == -np.inf


def test_eligible_when_even_the_minimum_passes() -> None:
    # IP unknown costs at most 20 points; the rest already gives 80 with innovation 20 ≥ 20
    facts = {"ip_class1_high_value": None, "ip_class1_self_developed": None, "ip_class1": None, "ip_class2": None}
    ex = evaluate_star(facts=facts)["innovative_sme"]
    assert (ex.score_min, ex.score_max, ex.result) == (80, 100, "eligible")
    assert ex.missing == []


def test_undetermined_lists_the_deciding_facts() -> None:
    facts = {
        **SIXTY_FIVE["facts"],
        "ip_class1_high_value": None,
        "ip_class1_self_developed": None,
        "ip_class1": None,
        "ip_class2": None,
    }
    ex = evaluate_star(facts=facts, fin=SIXTY_FIVE["fin"])["innovative_sme"]
    assert (ex.score_min, ex.score_max, ex.result) == (60, 80, "undetermined")
    assert ex.missing == ["Ⅰ类高价值知识产权数", "自主研发Ⅰ类知识产权数", "Ⅰ类知识产权数", "Ⅱ类知识产权数"]
    assert line(ex, "innovation").status == "unknown"


def test_not_eligible_when_even_the_maximum_fails() -> None:
    from tests.cultivation.test_tiers import LOW_ZJTX

    facts = {**LOW_ZJTX["facts"], "digital_level": None, "own_brand": None}
    ex = evaluate_star(facts=facts, fin=LOW_ZJTX["fin"])["zjtx_provincial"]
    assert ex.result == "not_eligible" and ex.score_max is not None and ex.score_max < 60
    assert ex.missing == []


def test_unknown_precondition_makes_the_tier_undetermined() -> None:
    ex = evaluate_star(facts={"on_abnormal_list": None})["innovative_sme"]
    assert ex.result == "undetermined" and ex.missing == ["列入经营异常名录"]
    ex = evaluate_star(titles=None, facts={})["little_giant_national"]
    assert ex.result == "eligible"


def test_zjtx_reports_the_pending_local_group() -> None:
    ex = evaluate_star(
        fin={2022: {"rd_expense_wan": 600, "profit_wan": 600, "rd_employees": 20}},
        facts=PENDING_LOCAL,
    )["zjtx_provincial"]
    # 专业化 5+10+3+3 | 精细化 3+5+2+5 | 创新 6+10+1+4 = 57 fixed, + 0–15 特色化 → the pending group decides
    assert (ex.score_min, ex.score_max, ex.result) == (57, 72, "undetermined")
    assert ex.score_text.startswith("总分 57 / 85 + 特色化待核实") and "达不到 60 分" in ex.score_text
    assert ex.missing == ["特色化指标（待核实）"]
    # what would make it eligible whatever the local items turn out to be: 3 more points
    assert len(ex.advice) == 1 and ex.advice[0].startswith("不计特色化（待核实）总分差 3 分"), ex.advice
    assert "研发人员再增加" in ex.advice[0] or "利润再增加" in ex.advice[0] or "建立省级研发机构" in ex.advice[0]


def test_words_state_value_and_threshold() -> None:
    ex = evaluate_star(fin={2022: {"rd_expense_wan": 580}})["zjtx_provincial"]
    assert "研发费用占营业收入比重 2.9% < 3%" in line(ex, "rd").text
    assert ex.result == "not_eligible"
    assert ex.advice == ["研发费用再增加 20 万元（占营业收入达到 3%）"]
    assert ex.near_miss


def test_score_advice_finds_the_smallest_single_change() -> None:
    from tests.cultivation.test_tiers import SIXTY_FIVE as S

    ex = evaluate_star(**S)["innovative_sme"]  # innovation 15 < 20: +5 from R&D 2% → 3%
    assert ex.near_miss
    assert any("研发费用再增加 200 万元" in a for a in ex.advice), ex.advice


def test_unconfirmed_rules_are_marked() -> None:
    ex = evaluate_star()["little_giant_national"]
    assert "待核实" in line(ex, "holds_zjtx").text
    ex = evaluate_star()["hidden_champion_provincial"]
    assert "待核实" in line(ex, "sector").text


# ---------------------------------------------------------------- properties

_money = st.one_of(st.none(), st.floats(0, 60000, allow_nan=False))
_count = st.one_of(st.none(), st.integers(0, 12))
_bool = st.one_of(st.none(), st.booleans())


@st.composite
def enterprises(draw: st.DrawFn, n: int = 12) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    ents, fins, facts = [], [], []
    for k in range(n):
        uscc = f"U{k:017d}"
        ents.append(
            {
                "uscc": uscc,
                "industry_code": draw(st.sampled_from(["3981", "6511", "5211", None])),
                "district_code": "330108",
                "founded_on": draw(st.sampled_from(["2005-01-01", "2015-06-01", None])),
                "is_high_tech": draw(_bool),
            }
        )
        for y in (YEAR - 1, YEAR - 2, YEAR - 3):
            fins.append(
                {
                    "uscc": uscc,
                    "year": y,
                    "revenue_wan": draw(_money),
                    "main_business_revenue_wan": draw(_money),
                    "rd_expense_wan": draw(_money),
                    "employees": draw(_count),
                    "rd_employees": draw(_count),
                    "total_assets_wan": draw(_money),
                    "total_liabilities_wan": draw(_money),
                    "profit_wan": draw(_money),
                    "equity_financing_wan": draw(_money),
                }
            )
        facts.append(
            {
                "uscc": uscc,
                "year": YEAR - 1,
                "niche_since_year": draw(st.one_of(st.none(), st.integers(2000, 2022))),
                "ip_class1_high_value": draw(_count),
                "ip_class1_self_developed": draw(_count),
                "ip_class1": draw(_count),
                "ip_class2": draw(_count),
                "ip_class1_applied": draw(_count),
                "invention_patents_related": draw(_count),
                "digital_level": draw(st.one_of(st.none(), st.integers(1, 4))),
                "rd_institution_level": draw(st.sampled_from([None, "none", "municipal", "provincial", "national"])),
                "sci_tech_award": draw(st.sampled_from([None, "none", "provincial", "national_top3"])),
                "maker_china": draw(st.sampled_from([None, "none", "top500", "top50"])),
                **{
                    c: draw(_bool)
                    for c in (
                        "leading_product_in_sei",
                        "quality_award_provincial",
                        "qms_certified",
                        "own_brand",
                        "core_business_on_info_system",
                        "bank_credit_ok",
                        "on_abnormal_list",
                        "on_dishonesty_list",
                        "major_incident_3y",
                    )
                },
                "national_market_share_pct": draw(st.one_of(st.none(), st.floats(0, 40))),
                "national_niche_rank": draw(st.one_of(st.none(), st.integers(1, 20))),
                "global_niche_rank": draw(st.one_of(st.none(), st.integers(1, 50))),
                "leading_product_field_level": draw(
                    st.sampled_from([None, "none", "six_basics", "chain_breakthrough"])
                ),
                "leading_product_priority_field": draw(st.sampled_from([None, "none", "six_basics"])),
                "leading_product_count": draw(_count),
                "standards_count": draw(_count),
                "intl_certifications": draw(_count),
            }
        )
    return pd.DataFrame(ents), pd.DataFrame(fins), pd.DataFrame(facts).astype(object)


def _rank(result: np.ndarray) -> np.ndarray:
    return np.select([result == NOT_ELIGIBLE, result == ELIGIBLE], [0, 2], 1)


@settings(max_examples=25, deadline=None)
@given(data=enterprises(), extra=st.floats(0.5, 5000), extra2=st.floats(0, 5000))
def test_more_rd_never_lowers_a_score_or_a_result(data: tuple, extra: float, extra2: float) -> None:
    ent, fin, facts = data
    x = build_inputs(ent, fin, facts, None, YEAR).columns
    more = dict(x)
    more["rd_expense_wan_1"] = x["rd_expense_wan_1"] + extra
    more["rd_expense_wan_2"] = x["rd_expense_wan_2"] + extra2
    before, after = evaluate_all(x, YEAR), evaluate_all(more, YEAR)
    for tier, te in before.items():
        te2 = after[tier]
        if te.score_min is not None:
            assert (te2.score_min >= te.score_min).all() and (te2.score_max >= te.score_max).all()
        assert (_rank(te2.result) >= _rank(te.result)).all(), tier


@settings(max_examples=25, deadline=None)
@given(
    data=enterprises(),
    tiers=st.sets(
        st.sampled_from(
            ["innovative_sme", "zjtx_provincial", "little_giant_national", "hidden_champion_provincial", "high_tech"]
        ),
        min_size=1,
    ),
)
def test_a_new_title_never_turns_eligible_into_not_eligible(data: tuple, tiers: set[str]) -> None:
    ent, fin, facts = data
    none = pd.DataFrame(columns=["uscc", "tier", "granted_on", "expires_on"])
    added = pd.DataFrame(
        [{"uscc": u, "tier": t, "granted_on": "2022-03-01", "expires_on": None} for u in ent["uscc"] for t in tiers]
    )
    before = evaluate_all(build_inputs(ent, fin, facts, none, YEAR).columns, YEAR)
    after = evaluate_all(build_inputs(ent, fin, facts, added, YEAR).columns, YEAR)
    for tier, te in before.items():
        was = te.result == ELIGIBLE
        assert (after[tier].result[was] == ELIGIBLE).all(), tier
        assert (_rank(after[tier].result) >= _rank(te.result)).all(), tier


def test_a_year_without_figures_is_named_once() -> None:
    from tests.cultivation.helpers import STAR_FINANCIALS

    blank = {f: None for f in STAR_FINANCIALS[2022]}
    ex = evaluate_star(fin={2022: blank})["innovative_sme"]
    assert ex.result == "undetermined"
    assert "年度经营数据（2022年，整年缺失）" in ex.missing
    assert not any(m.startswith("营业收入（2022年）") for m in ex.missing)


def test_growth_floor_near_miss_gets_revenue_advice() -> None:
    # growth group: main-business growth 18000/18500 < 0 → 0 and debt 60% → 5: 5 < 15
    fin = {2022: {"total_liabilities_wan": 12000}, 2021: {"main_business_revenue_wan": 18500}}
    ex = evaluate_star(fin=fin, facts={"rd_institution_level": "municipal"})["innovative_sme"]
    assert ex.result == "not_eligible" and ex.near_miss
    assert any("上年度主营业务收入再增加" in a or "负债再减少" in a for a in ex.advice), ex.advice
