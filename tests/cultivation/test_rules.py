"""Rule files: versions chosen by application year, checks on load, and adding a later version."""

from __future__ import annotations

import copy
import tomllib
from importlib import resources
from typing import Any

import pytest

from chainlead.cultivation.engine import evaluate_all
from chainlead.cultivation.inputs import build_inputs
from chainlead.cultivation.rules import EVAL_TIERS, RuleError, builtin_rules, parse_rule, rule_for
from tests.cultivation.helpers import YEAR, frames


def _raw(name: str) -> dict[str, Any]:
    text = resources.files("chainlead.cultivation").joinpath("rules", name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def test_builtin_versions_and_years() -> None:
    got = {(r.tier, r.version, r.valid_from, r.valid_to) for r in builtin_rules()}
    assert got == {
        ("innovative_sme", "miit-2022", 2022, 2025),
        ("zjtx_provincial", "miit-2022", 2022, 2025),
        ("little_giant_national", "miit-2022", 2022, 2025),
        ("hidden_champion_provincial", "zhejiang-2021", 2021, 2025),
    }
    for tier in EVAL_TIERS:
        assert rule_for(tier, 2025).tier == tier
    with pytest.raises(RuleError, match="2026"):
        rule_for("zjtx_provincial", 2026)
    with pytest.raises(RuleError):
        rule_for("innovative_sme", 2021)
    assert rule_for("hidden_champion_provincial", 2021).version == "zhejiang-2021"


def test_published_constants() -> None:
    inn = rule_for("innovative_sme", 2023)
    assert inn.pass_score == 60 and [(g.name, g.max, g.floor) for g in inn.groups] == [
        ("创新能力", 40, 20),
        ("成长性", 30, 15),
        ("专业化", 30, 15),
    ]
    assert len(inn.indicators) == 6 and len(inn.routes) == 4
    zj = rule_for("zjtx_provincial", 2023)
    assert zj.pass_score == 60 and len(zj.indicators) == 13 and len(zj.routes) == 4 and zj.max_score == 100
    assert {c.id for c in zj.preconditions} >= {"niche_years", "rd", "revenue"}
    lg = rule_for("little_giant_national", 2023)
    assert {c.dimension for c in lg.conditions} == {"专", "精", "特", "新", "链", "品"}


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["indicators"][0].update(metric="no_such_metric"), "未知指标"),
        (lambda d: d["indicators"][0].update(group="nowhere"), "未定义"),
        (lambda d: d["indicators"][1].update(bands=[[5, 10], [3, 15]]), "单调"),
        (lambda d: d["indicators"][0].update(max=25), "100"),
        (lambda d: d["rule"].pop("tier"), "tier"),
        (lambda d: d["preconditions"][0].update(op="≈"), "运算符"),
    ],
)
def test_bad_rule_files_are_refused(mutate: Any, message: str) -> None:
    data = copy.deepcopy(_raw("innovative_sme-miit-2022.toml"))
    mutate(data)
    with pytest.raises(RuleError, match=message):
        parse_rule(data, "test.toml")


def test_a_later_version_is_chosen_by_year() -> None:
    # a hypothetical 2026 专精特新 version: same table, pass mark 50 (as the 2026 发展质量评价), 3 niche years
    data = copy.deepcopy(_raw("zjtx_provincial-miit-2022.toml"))
    data["rule"].update(version="miit-2026", valid_from=2026, valid_to=None, pass_score=50)
    next(c for c in data["preconditions"] if c["id"] == "niche_years")["value"] = 3
    later = parse_rule(data, "zjtx_provincial-miit-2026.toml")
    rules = (*builtin_rules(), later)
    assert rule_for("zjtx_provincial", 2025, rules).version == "miit-2022"
    assert rule_for("zjtx_provincial", 2027, rules).version == "miit-2026"
    ent, fin, facts, quals = frames(facts={"niche_since_year": 2020})  # 2 years in the niche
    x = build_inputs(ent, fin, facts, quals, YEAR).columns
    assert evaluate_all(x, YEAR, rules=rules, tiers=("zjtx_provincial",))["zjtx_provincial"].rule.version == "miit-2022"
    ent, fin, facts, quals = frames(facts={"niche_since_year": 2024})
    fin["year"] += 4  # the same figures four years later, application 2027: 2 years in the niche < 3
    facts["year"] += 4
    x = build_inputs(ent, fin, facts, quals, 2027).columns
    te = evaluate_all(x, 2027, rules=rules, tiers=("zjtx_provincial",))["zjtx_provincial"]
    assert te.rule.version == "miit-2026" and int(te.result[0]) == 0
