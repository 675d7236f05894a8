"""Preconditions failing alone, conditions at their thresholds, direct routes passing alone and the
创新型 group floors — each worked from the star enterprise (helpers.py) by changing one fact."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cultivation.helpers import evaluate_star, line

FAILS = ("precondition", "condition", "group", "score")


def failed_ids(ex: Any) -> set[str]:
    return {ln.id for ln in ex.lines if ln.status == "failed" and ln.kind in FAILS}


def test_star_meets_every_tier() -> None:
    for tier, ex in evaluate_star().items():
        assert ex.result == "eligible", (tier, [ln.text for ln in ex.lines if ln.status != "met"])


# (tier, criterion that fails alone, overrides); every other precondition/condition stays met
FAIL_ALONE = [
    # common preconditions
    (
        "innovative_sme",
        "sme",
        {
            "fin": {
                2022: {
                    "employees": 1000,
                    "rd_employees": 230,
                    "revenue_wan": 40000,
                    "main_business_revenue_wan": 36000,
                    "rd_expense_wan": 2400,
                }
            }
        },
    ),
    ("innovative_sme", "abnormal", {"facts": {"on_abnormal_list": True}}),
    ("innovative_sme", "dishonesty", {"facts": {"on_dishonesty_list": True}}),
    ("innovative_sme", "incident", {"facts": {"major_incident_3y": True}}),
    ("zjtx_provincial", "abnormal", {"facts": {"on_abnormal_list": True}}),
    ("little_giant_national", "incident", {"facts": {"major_incident_3y": True}}),
    # 专精特新 preconditions
    ("zjtx_provincial", "niche_years", {"facts": {"niche_since_year": 2021}}),
    ("zjtx_provincial", "rd", {"fin": {2022: {"rd_expense_wan": 599}}}),  # 2.995% < 3%, amount ok
    (
        "zjtx_provincial",
        "rd",
        {"fin": {2022: {"revenue_wan": 3000, "main_business_revenue_wan": 2700, "rd_expense_wan": 99.9}}},
    ),  # 3.33% ok, 99.9 < 100
    (
        "zjtx_provincial",
        "revenue",
        {"fin": {2022: {"revenue_wan": 999, "main_business_revenue_wan": 900, "rd_expense_wan": 150}}},
    ),
    # 小巨人
    ("little_giant_national", "holds_zjtx", {"titles": []}),
    ("little_giant_national", "niche_years", {"facts": {"niche_since_year": 2020}}),
    ("little_giant_national", "mbr_share", {"fin": {2022: {"revenue_wan": 25718}}}),  # 69.99%
    (
        "little_giant_national",
        "mbr_growth",
        {"fin": {2021: {"main_business_revenue_wan": 17500}, 2020: {"main_business_revenue_wan": 17000}}},
    ),
    ("little_giant_national", "info_system", {"facts": {"core_business_on_info_system": False}}),
    ("little_giant_national", "certification", {"facts": {"qms_certified": False, "intl_certifications": 0}}),
    ("little_giant_national", "debt", {"fin": {2022: {"total_liabilities_wan": 14002}}}),  # 70.01%
    ("little_giant_national", "market_share", {"facts": {"national_market_share_pct": 9.99}}),
    ("little_giant_national", "brand", {"facts": {"own_brand": False}}),
    ("little_giant_national", "innovation", {"facts": {"ip_class1_applied": 1}}),
    ("little_giant_national", "innovation", {"facts": {"rd_institution_level": "none"}}),
    ("little_giant_national", "innovation", {"fin": {2021: {"rd_expense_wan": 509}}}),  # 2.99% in FY2021
    ("little_giant_national", "chain", {"facts": {"leading_product_field_level": "six_basics"}}),
    ("little_giant_national", "product_field", {"facts": {"leading_product_priority_field": "none"}}),
    # 隐形冠军 preconditions
    ("hidden_champion_provincial", "zhejiang", {"ent": {"district_code": "320102"}}),
    ("hidden_champion_provincial", "operating_years", {"ent": {"founded_on": "2013-06-01"}}),
    (
        "hidden_champion_provincial",
        "revenue",
        {
            "fin": {
                2022: {
                    "revenue_wan": 200001,
                    "main_business_revenue_wan": 180000,
                    "rd_expense_wan": 12000,
                    "profit_wan": 24000,
                }
            }
        },
    ),
    (
        "hidden_champion_provincial",
        "revenue_growth",
        {"fin": {2022: {"revenue_wan": 17000, "main_business_revenue_wan": 15000}}},
    ),
    ("hidden_champion_provincial", "profit_growth", {"fin": {2022: {"profit_wan": 2040}}}),  # 2% / 17.6%
    ("hidden_champion_provincial", "debt", {"fin": {2022: {"total_liabilities_wan": 14002}}}),
    ("hidden_champion_provincial", "credit", {"facts": {"bank_credit_ok": False}}),
    ("hidden_champion_provincial", "sector", {"ent": {"industry_code": "5211"}}),
    ("hidden_champion_provincial", "dishonesty", {"facts": {"on_dishonesty_list": True}}),
    ("hidden_champion_provincial", "incident", {"facts": {"major_incident_3y": True}}),
    # 隐形冠军 conditions
    ("hidden_champion_provincial", "niche_years", {"facts": {"niche_since_year": 2013}}),  # 9 < 10
    ("hidden_champion_provincial", "product_count", {"facts": {"leading_product_count": 4}}),
    ("hidden_champion_provincial", "mbr_share", {"fin": {2022: {"main_business_revenue_wan": 13998}}}),
    ("hidden_champion_provincial", "market_rank", {"facts": {"global_niche_rank": 11, "national_niche_rank": 4}}),
    ("hidden_champion_provincial", "rd_ratio", {"fin": {2021: {"rd_expense_wan": 679}}}),  # 3.99%
    ("hidden_champion_provincial", "ip", {"facts": {"invention_patents_related": 2, "ip_class2": 4}}),
    ("hidden_champion_provincial", "ip", {"facts": {"invention_patents_related": 0, "ip_class2": 6}}),  # 制造业
    ("hidden_champion_provincial", "rd_institution", {"facts": {"rd_institution_level": "none"}}),
    ("hidden_champion_provincial", "info_system", {"facts": {"core_business_on_info_system": False}}),
    ("hidden_champion_provincial", "standards", {"facts": {"standards_count": 0}}),
    ("hidden_champion_provincial", "brand", {"facts": {"own_brand": False}}),
    ("hidden_champion_provincial", "intl_cert", {"facts": {"intl_certifications": 0}}),
]


@pytest.mark.parametrize(
    ("tier", "crit", "overrides"), FAIL_ALONE, ids=[f"{t}-{c}-{i}" for i, (t, c, _) in enumerate(FAIL_ALONE)]
)
def test_criterion_failing_alone(tier: str, crit: str, overrides: dict[str, Any]) -> None:
    ex = evaluate_star(**overrides)[tier]
    assert ex.result == "not_eligible"
    assert failed_ids(ex) == {crit}, [ln.text for ln in ex.lines if ln.status == "failed"]


# (tier, overrides) exactly on a threshold: still met ("不低于" is >=)
AT_THRESHOLD = [
    ("zjtx_provincial", {"facts": {"niche_since_year": 2020}}),  # 2 years
    ("zjtx_provincial", {"fin": {2022: {"rd_expense_wan": 600}}}),  # exactly 3%
    (
        "zjtx_provincial",
        {"fin": {2022: {"revenue_wan": 3333.33, "main_business_revenue_wan": 3000, "rd_expense_wan": 100}}},
    ),  # exactly 100万元
    (
        "zjtx_provincial",
        {"fin": {2022: {"revenue_wan": 1000, "main_business_revenue_wan": 900, "rd_expense_wan": 150}}},
    ),  # exactly 1000万元
    (
        "zjtx_provincial",
        {
            "fin": {
                2022: {
                    "revenue_wan": 999,
                    "main_business_revenue_wan": 900,
                    "rd_expense_wan": 150,
                    "equity_financing_wan": 1000,
                },
                2021: {"equity_financing_wan": 1000},
            }
        },
    ),
    ("little_giant_national", {"facts": {"niche_since_year": 2019}}),  # 3 years
    ("little_giant_national", {"fin": {2022: {"revenue_wan": 25714.28}}}),  # 70.0%
    ("little_giant_national", {"fin": {2022: {"total_liabilities_wan": 14000}}}),  # 70%
    ("little_giant_national", {"facts": {"national_market_share_pct": 10}}),
    ("little_giant_national", {"fin": {2021: {"rd_expense_wan": 510}}}),  # 3.0% in FY2021
    ("little_giant_national", {"facts": {"ip_class1_applied": 2}}),
    ("hidden_champion_provincial", {"facts": {"niche_since_year": 2012}}),  # 10 years
    ("hidden_champion_provincial", {"facts": {"leading_product_count": 3}}),
    ("hidden_champion_provincial", {"facts": {"global_niche_rank": 10, "national_niche_rank": None}}),
    ("hidden_champion_provincial", {"facts": {"global_niche_rank": None, "national_niche_rank": 3}}),
    ("hidden_champion_provincial", {"fin": {2021: {"rd_expense_wan": 680}}}),  # 4.0%
    ("hidden_champion_provincial", {"facts": {"invention_patents_related": 3, "ip_class2": 0}}),
    ("hidden_champion_provincial", {"facts": {"invention_patents_related": 1, "ip_class2": 5}}),
    (
        "hidden_champion_provincial",
        {"ent": {"industry_code": "6511"}, "facts": {"invention_patents_related": 0, "ip_class2": 5}},
    ),
    ("hidden_champion_provincial", {"ent": {"founded_on": "2012-12-31"}}),  # 10 full years at end of 2022
    (
        "hidden_champion_provincial",
        {
            "fin": {
                2022: {
                    "revenue_wan": 200000,
                    "main_business_revenue_wan": 180000,
                    "rd_expense_wan": 12000,
                    "profit_wan": 24000,
                }
            }
        },
    ),
]


@pytest.mark.parametrize(("tier", "overrides"), AT_THRESHOLD, ids=[f"{t}-{i}" for i, (t, _) in enumerate(AT_THRESHOLD)])
def test_threshold_value_is_met(tier: str, overrides: dict[str, Any]) -> None:
    ex = evaluate_star(**overrides)[tier]
    assert ex.result == "eligible", [ln.text for ln in ex.lines if ln.status != "met"]


def test_little_giant_rd_band_follows_revenue() -> None:
    mid = {
        2022: {"revenue_wan": 8000, "main_business_revenue_wan": 7200, "rd_expense_wan": 480},
        2021: {"revenue_wan": 7000, "main_business_revenue_wan": 6300, "rd_expense_wan": 420},
        2020: {"revenue_wan": 6000, "main_business_revenue_wan": 5600},
    }
    assert evaluate_star(fin=mid)["little_giant_national"].result == "eligible"  # 6% each year
    mid[2022]["rd_expense_wan"] = 479  # 5.99%
    ex = evaluate_star(fin=mid)["little_giant_national"]
    assert ex.result == "not_eligible" and failed_ids(ex) == {"innovation"}
    small = {
        2022: {
            "revenue_wan": 4000,
            "main_business_revenue_wan": 3600,
            "rd_expense_wan": 1500,
            "employees": 100,
            "rd_employees": 50,
            "equity_financing_wan": 5000,
        },
        2021: {
            "revenue_wan": 3500,
            "main_business_revenue_wan": 3200,
            "rd_expense_wan": 1500,
            "equity_financing_wan": 3000,
        },
        2020: {"revenue_wan": 3000, "main_business_revenue_wan": 2900},
    }
    assert evaluate_star(fin=small)["little_giant_national"].result == "eligible"
    small[2022]["rd_employees"] = 49
    assert evaluate_star(fin=small)["little_giant_national"].result == "not_eligible"


@pytest.mark.parametrize(
    ("facts", "ok"),
    [
        ({"sci_tech_award": "national_top3"}, True),
        ({"maker_china": "top50"}, True),
        ({"sci_tech_award": "national_top5"}, False),
        ({"maker_china": "top500"}, False),
    ],
)
def test_little_giant_innovation_direct_routes_alone(facts: dict[str, Any], ok: bool) -> None:
    base = {"ip_class1_applied": 0, "rd_institution_level": "none"}
    ex = evaluate_star(facts={**base, **facts})["little_giant_national"]
    assert ex.result == ("eligible" if ok else "not_eligible")


# ---------------------------------------------------------------- 创新型: floors and direct routes

# 65 points: innovation 5 (Ⅱ类) + 10 (R&D 2%) = 15; growth 20 + 10 = 30; specialisation 5 + 15 = 20
SIXTY_FIVE = {
    "facts": {
        "ip_class1_high_value": 0,
        "ip_class1_self_developed": 0,
        "ip_class1": 0,
        "ip_class2": 1,
        "leading_product_in_sei": False,
        "rd_institution_level": "municipal",
    },
    "fin": {
        2022: {"rd_expense_wan": 400, "main_business_revenue_wan": 13000},
        2021: {"main_business_revenue_wan": 11000},
    },
}


def test_innovative_65_points_but_innovation_below_floor_fails() -> None:
    ex = evaluate_star(**SIXTY_FIVE)["innovative_sme"]
    assert (ex.score_min, ex.score_max) == (65, 65)
    assert ex.result == "not_eligible"
    assert line(ex, "innovation").status == "failed" and "15 < 20" in line(ex, "innovation").text
    assert failed_ids(ex) == {"innovation"}


def test_innovative_floor_met_passes() -> None:
    fin = {
        2022: {"rd_expense_wan": 600, "main_business_revenue_wan": 13000},
        2021: {"main_business_revenue_wan": 11000},
    }
    ex = evaluate_star(facts=SIXTY_FIVE["facts"], fin=fin)["innovative_sme"]
    assert (ex.score_min, ex.result) == (70, "eligible")


def test_innovative_growth_floor() -> None:
    # growth group: mbr growth < 0 (0) + debt 60% (5) = 5 < 15 although the total is 70
    fin = {2022: {"main_business_revenue_wan": 14000, "total_liabilities_wan": 12000}}
    ex = evaluate_star(fin=fin, facts={"rd_institution_level": "municipal"})["innovative_sme"]
    assert ex.result == "not_eligible" and line(ex, "growth").status == "failed"


@pytest.mark.parametrize(
    ("overrides", "ok"),
    [
        ({"facts": {"sci_tech_award": "provincial"}}, True),
        ({"ent": {"is_high_tech": True}}, True),
        (
            {
                "titles": [
                    {"uscc": "91330100MA2C00000P", "tier": "high_tech", "granted_on": "2021-01-01", "expires_on": None}
                ]
            },
            True,
        ),
        ({"facts": {"rd_institution_level": "provincial"}}, True),
        ({"fin": {2022: {"equity_financing_wan": 300}, 2020: {"equity_financing_wan": 200}}}, True),  # 500
        ({"fin": {2022: {"equity_financing_wan": 300}, 2020: {"equity_financing_wan": 199.9}}}, False),
        ({}, False),
    ],
)
def test_innovative_direct_routes_alone(overrides: dict[str, Any], ok: bool) -> None:
    facts = {**SIXTY_FIVE["facts"], **overrides.get("facts", {})}
    fin = {y: {**SIXTY_FIVE["fin"].get(y, {}), **overrides.get("fin", {}).get(y, {})} for y in (2022, 2021, 2020)}
    ex = evaluate_star(facts=facts, fin=fin, ent=overrides.get("ent"), titles=overrides.get("titles"))["innovative_sme"]
    assert ex.result == ("eligible" if ok else "not_eligible"), [ln.text for ln in ex.lines if ln.kind == "route"]


# ---------------------------------------------------------------- 专精特新: routes replace the score

LOW_ZJTX = {
    "facts": {
        "leading_product_field_level": "none",
        "digital_level": 1,
        "quality_award_provincial": False,
        "qms_certified": False,
        "own_brand": False,
        "standards_count": 0,
        "ip_class1_high_value": 0,
        "ip_class1_self_developed": 0,
        "ip_class1": 0,
        "ip_class2": 0,
        "rd_institution_level": "none",
        "niche_since_year": 2020,
    },
    "fin": {
        2022: {
            "revenue_wan": 4000,
            "main_business_revenue_wan": 1800,
            "rd_expense_wan": 120,
            "rd_employees": 10,
            "total_liabilities_wan": 16000,
            "profit_wan": 0,
        }
    },
}


def _low(**extra: Any) -> Any:
    facts = {**LOW_ZJTX["facts"], **extra.get("facts", {})}
    fin = {y: {**LOW_ZJTX["fin"].get(y, {}), **extra.get("fin", {}).get(y, {})} for y in (2022, 2021, 2020)}
    return evaluate_star(facts=facts, fin=fin)["zjtx_provincial"]


def test_zjtx_low_score_fails_even_with_full_local_points() -> None:
    ex = _low()
    assert ex.result == "not_eligible"
    assert ex.score_max is not None and ex.score_max < 60 and "特色化待核实" in ex.score_text
    assert "达不到 60 分" in ex.score_text


@pytest.mark.parametrize(
    ("extra", "ok"),
    [
        ({"facts": {"sci_tech_award": "provincial_top3"}}, True),
        ({"facts": {"sci_tech_award": "national_top5"}}, True),
        ({"facts": {"sci_tech_award": "provincial"}}, False),
        ({"fin": {2022: {"rd_expense_wan": 1000, "revenue_wan": 20000}, 2021: {"rd_expense_wan": 1000}}}, True),
        ({"fin": {2022: {"rd_expense_wan": 1000, "revenue_wan": 20000}, 2021: {"rd_expense_wan": 999}}}, False),
        ({"fin": {2022: {"equity_financing_wan": 3000}, 2021: {"equity_financing_wan": 3000}}}, True),
        ({"fin": {2022: {"equity_financing_wan": 3000}, 2021: {"equity_financing_wan": 2999}}}, False),
        ({"facts": {"maker_china": "top500"}}, True),
    ],
)
def test_zjtx_direct_routes_alone(extra: dict[str, Any], ok: bool) -> None:
    ex = _low(**extra)
    assert ex.result == ("eligible" if ok else "not_eligible"), ex.score_text


def test_zjtx_route_does_not_replace_preconditions() -> None:
    ex = _low(facts={"maker_china": "top500", "niche_since_year": 2021})
    assert ex.result == "not_eligible" and "niche_years" in failed_ids(ex)
