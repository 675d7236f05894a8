"""Program validation: a good file passes; each kind of broken file gets its own message."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from chainlead.cli.main import app
from chainlead.program import ProgramError, parse_program

GOOD = """
[program]
name = "test-city"
title = "测试市产业链方案"
region_code = "330300"
base_year = 2021
target_year = 2025

[tier_targets]
year = 2025
zjtx_provincial = 100

[[ecosystems]]
name = "智能制造"
aliases = ["先进制造"]
targets = { 2025 = 1200 }

[[ecosystems.chains]]
name = "智能装备"

[[ecosystems.chains.nodes]]
name = "核心零部件"
position = "上游"
industry_codes = ["3425"]
keywords = ["减速器"]

[[ecosystems.chains.nodes]]
name = "工业机器人"
position = "midstream"
parent = "核心零部件"
industry_codes = ["3491"]
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ProgramError) as info:
        parse_program(text, "bad.toml")
    return [p.render("bad.toml") for p in info.value.problems]


def test_good_file_loads_and_normalises_positions() -> None:
    loaded = parse_program(GOOD, "good.toml")
    prog = loaded.program
    assert prog.name == "test-city"
    nodes = prog.ecosystems[0].chains[0].nodes
    assert [n.position.value for n in nodes] == ["上游", "中游"]
    assert prog.find_ecosystem("先进制造") is prog.ecosystems[0]
    assert len(loaded.file_hash) == 64


@pytest.mark.parametrize(
    ("mutate", "path", "zh", "en"),
    [
        (lambda t: t.replace('title = "测试市产业链方案"', 'titel = "x"'), "program.titel", "未知的键", "unknown key"),
        (lambda t: t.replace('name = "test-city"\n', ""), "program.name", "缺少必填键", "missing"),
        (
            lambda t: t.replace("{ 2025 = 1200 }", "{ 2025 = -5 }"),
            "ecosystems[0].targets.2025",
            "不能为负数",
            "negative",
        ),
        (
            lambda t: t.replace("{ 2025 = 1200 }", '{ 2025 = "很多" }'),
            "ecosystems[0].targets.2025",
            "应为数字",
            "number",
        ),
        (
            lambda t: t.replace("target_year = 2025", "target_year = 2019"),
            "program.target_year",
            "早于基准年",
            "before base year",
        ),
        (
            lambda t: t.replace('["3491"]', '["9999"]'),
            "nodes[1].industry_codes[0]",
            "不是 GB/T 4754-2017",
            "not a 4-digit",
        ),
        (lambda t: t.replace('["3425"]', '["34"]'), "nodes[0].industry_codes[0]", "四位行业小类", "4-digit"),
        (
            lambda t: t.replace('name = "工业机器人"', 'name = "核心零部件"').replace('parent = "核心零部件"', ""),
            "nodes[1].name",
            "重复",
            "used twice",
        ),
        (
            lambda t: t.replace('industry_codes = ["3425"]', 'industry_codes = ["3425"]\nparent = "工业机器人"'),
            "nodes",
            "成环",
            "cycle",
        ),
        (
            lambda t: t.replace('parent = "核心零部件"', 'parent = "不存在"'),
            "nodes[1].parent",
            "不存在",
            "does not exist",
        ),
        (
            lambda t: t.replace('position = "上游"', 'position = "旁路"'),
            "nodes[0].position",
            "取值不在允许范围内",
            "allowed",
        ),
        (
            lambda t: t + '\n[[ecosystems]]\nname = "绿色能源"\n[[ecosystems.chains]]\nname = "智能装备"\n',
            "ecosystems[1].chains[0].name",
            "两个生态圈",
            "two ecosystems",
        ),
        (lambda t: t + '\n[[ecosystems]]\nname = "先进制造"\n', "ecosystems[1].name", "重复", "used twice"),
        (
            lambda t: t.replace('region_code = "330300"', 'region_code = "33"'),
            "program.region_code",
            "格式不对",
            "format",
        ),
        (
            lambda t: t.replace("[tier_targets]", "[tier_targets]\nzjtx_provincal = 5"),
            "tier_targets.zjtx_provincal",
            "未知的键",
            "unknown",
        ),
        (
            lambda t: t.replace("year = 2025\nzjtx", "year = 2025\nzjtx_provincial = -1\nzjtx").replace(
                "zjtx_provincial = 100", ""
            ),
            "tier_targets.zjtx_provincial",
            "不能为负数",
            "negative",
        ),
        (
            lambda t: t.replace("{ 2025 = 1200 }", "{ 2019 = 1200 }"),
            "ecosystems[0].targets.2019",
            "目标年份",
            "target year",
        ),
        (lambda t: t.replace("[program]", "[program\n"), "(syntax)", "TOML 语法错误", "syntax"),
    ],
    ids=[
        "unknown-key",
        "missing-key",
        "negative-target",
        "non-numeric-target",
        "target-before-base",
        "unknown-code",
        "short-code",
        "duplicate-node",
        "node-cycle",
        "unknown-parent",
        "bad-position",
        "chain-in-two-ecosystems",
        "duplicate-ecosystem-alias",
        "bad-region-code",
        "unknown-tier",
        "negative-tier",
        "target-year-before-base",
        "syntax",
    ],
)
def test_each_broken_file_names_path_and_reason(mutate, path: str, zh: str, en: str) -> None:
    rendered = problems(mutate(GOOD))
    match = [r for r in rendered if path in r and zh in r and en in r]
    assert match, rendered
    assert all(r.startswith("bad.toml: ") for r in rendered)


def test_every_problem_is_reported_at_once() -> None:
    text = GOOD.replace('["3491"]', '["9999"]').replace("target_year = 2025", "target_year = 2019")
    rendered = problems(text)
    assert len(rendered) == 2


def test_problem_carries_a_fix() -> None:
    rendered = problems(GOOD.replace('["3491"]', '["9999"]'))
    assert "修改建议" in rendered[0] and "Fix:" in rendered[0]


def test_cli_validate_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    good = tmp_path / "good.toml"
    good.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(app, ["program", "validate", str(good)])
    assert result.exit_code == 0, result.output
    assert "方案有效" in result.output

    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace('["3491"]', '["9999"]'), encoding="utf-8")
    result = runner.invoke(app, ["program", "validate", str(bad)])
    assert result.exit_code == 2
    assert "9999" in result.output and "bad.toml" in result.output

    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes(GOOD.encode("gbk"))
    result = runner.invoke(app, ["program", "validate", str(gbk)])
    assert result.exit_code == 2
    assert "UTF-8" in result.output

    result = runner.invoke(app, ["program", "validate", str(tmp_path / "missing.toml")])
    assert result.exit_code == 2
    assert "无法读取" in result.output
