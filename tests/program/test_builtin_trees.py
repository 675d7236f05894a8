"""The built-in hangzhou-2022 program: every chain has a real node tree (docs/chain-trees.md)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from chainlead.program import Position, load_builtin, load_program_file
from chainlead.reference.industry import is_industry_class

ROOT = Path(__file__).resolve().parents[2]
WENZHOU = ROOT / "examples" / "programs" / "wenzhou-example.toml"

EXPECTED = {
    "智能物联": ["视觉智能", "云计算大数据", "集成电路", "高端软件和人工智能", "智能仪表", "网络通信"],
    "生物医药": ["药品", "医药流通", "医疗及康养服务", "医疗器械"],
    "高端装备": ["智能装备", "汽车及零部件"],
    "新材料": ["膜材料", "金属材料", "微纳材料", "生物材料", "半导体材料"],
    "绿色低碳": ["储能", "风电", "光伏", "节能环保"],
}

# Keywords that may legitimately sit in two ecosystems. Keep this list short: every entry makes
# the text classifier less able to tell the ecosystems apart.
CROSS_ECOSYSTEM_KEYWORDS: frozenset[str] = frozenset()


@pytest.fixture(scope="module")
def program():
    return load_builtin("hangzhou-2022").program


def _nodes(program):
    for eco in program.ecosystems:
        for chain in eco.chains:
            for node in chain.nodes:
                yield eco, chain, node


def test_ecosystems_and_chains_are_named_as_in_the_plan(program):
    assert len(program.ecosystems) == 5
    assert {eco.name: [c.name for c in eco.chains] for eco in program.ecosystems} == EXPECTED
    assert len(program.chains()) == 21


def test_every_chain_has_a_tree_spanning_up_mid_and_downstream(program):
    for _, chain in program.chains():
        assert len(chain.nodes) >= 5, chain.name
        assert {n.position for n in chain.nodes} == set(Position), chain.name
        names = [n.name for n in chain.nodes]
        assert len(names) == len(set(names)), chain.name
        for node in chain.nodes:
            assert node.parent == "" or node.parent in names, (chain.name, node.name)


def test_every_node_has_codes_keywords_and_products(program):
    for _, chain, node in _nodes(program):
        where = f"{chain.name}/{node.name}"
        assert node.industry_codes, where
        assert node.keywords, where
        assert node.products, where
        assert 4 <= len(node.keywords) <= 15, where
        assert 4 <= len(node.products) <= 15, where
        assert len(set(node.keywords)) == len(node.keywords), where


def test_all_industry_codes_are_gbt4754_classes(program):
    bad = [
        (chain.name, node.name, code)
        for _, chain, node in _nodes(program)
        for code in [*node.industry_codes, *node.partial_codes]
        if not is_industry_class(code)
    ]
    assert bad == []


def test_no_keyword_is_shared_between_ecosystems(program):
    seen: dict[str, set[str]] = defaultdict(set)
    for eco, _, node in _nodes(program):
        for word in node.keywords:
            seen[word].add(eco.name)
    shared = {w: sorted(e) for w, e in seen.items() if len(e) > 1 and w not in CROSS_ECOSYSTEM_KEYWORDS}
    assert shared == {}


def test_people_are_never_invented(program):
    for _, chain in program.chains():
        assert chain.leader == "" and chain.lead_department == "", chain.name
        assert chain.sources, chain.name
    masters = {chain.name: chain.chain_masters for _, chain in program.chains() if chain.chain_masters}
    assert masters == {"膜材料": ["科百特"]}


def test_wenzhou_example_loads():
    loaded = load_program_file(WENZHOU)
    prog = loaded.program
    assert prog.program.region_code == "330300"
    assert 2 <= len(prog.ecosystems) <= 3
    assert 4 <= len(prog.chains()) <= 5
    for _, chain in prog.chains():
        assert len(chain.nodes) >= 5
        assert {n.position for n in chain.nodes} == set(Position)
