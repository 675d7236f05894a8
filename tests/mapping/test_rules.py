"""Rule scoring on hand-made examples: weights, reasons, none, several chains, parsing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chainlead.mapping.predict import Mapper, Thresholds
from chainlead.mapping.rules import RuleIndex, confidence_of
from chainlead.mapping.terms import TermMatcher
from chainlead.mapping.text import EnterpriseText, parse_products
from chainlead.program import load_builtin

from .helpers import small_program

INDEX = RuleIndex(small_program().program)


def top(ent: EnterpriseText):  # type: ignore[no-untyped-def]
    scores = INDEX.score(ent)
    return scores[0] if scores else None


def test_main_product_is_strong_scope_word_is_weak() -> None:
    by_product = top(EnterpriseText.of("某公司", "光伏组件:1.0"))
    early = top(EnterpriseText.of("某公司", None, "光伏组件销售；房屋租赁"))
    late = top(EnterpriseText.of("某公司", None, "房屋租赁、物业管理、咨询服务、会务服务" * 4 + "、光伏组件销售"))
    assert by_product.chain == early.chain == late.chain == "光伏"
    # 3.0 × share 1.0 × exact-name bonus 1.3 for the product; 0.6 / 0.3 for a scope word.
    assert abs(by_product.score - 3.9) < 1e-9
    assert abs(early.score - 0.6) < 1e-9
    assert abs(late.score - 0.3) < 1e-9
    assert by_product.confidence > 0.75 > 0.35 > early.confidence > late.confidence


def test_revenue_share_weights_products() -> None:
    big = top(EnterpriseText.of("甲", "储能电池:0.9;餐饮:0.1"))
    small = top(EnterpriseText.of("乙", "餐饮:0.9;储能电池:0.1"))
    assert big.chain == small.chain == "储能"
    assert big.score > 5 * small.score


def test_industry_codes_strong_and_partial() -> None:
    strong = top(EnterpriseText.of("甲", industry_code="3841"))
    partial = top(EnterpriseText.of("乙", industry_code="3849"))
    assert strong.chain == partial.chain == "储能"
    assert strong.score == 3.0 and partial.score == 1.0
    assert "行业代码 3841" in strong.reasons[0] and "强" in strong.reasons[0]
    assert "弱" in partial.reasons[0]


def test_reasons_name_the_matched_product_and_share() -> None:
    got = top(EnterpriseText.of("杭州康华药业有限公司", "注射液:0.6;片剂:0.4", "", "2720"))
    assert got.chain == "药品" and got.node == "化学药"
    text = "；".join(got.reasons)
    assert "行业代码 2720" in text
    assert "主营产品为「注射液」，占比 60%" in text  # the product name is the term itself


def test_node_inside_chain() -> None:
    assert top(EnterpriseText.of("甲", "中药饮片")).node == "中药"
    assert top(EnterpriseText.of("乙", "光伏电站运维服务")).node == "光伏电站运维"


def test_none_when_nothing_fits() -> None:
    mapper = Mapper(INDEX)
    assert mapper.map_one(EnterpriseText.of("杭州好味餐饮管理有限公司", "餐饮服务:1.0", "餐饮服务", "6210")) == []
    assert mapper.map_one(EnterpriseText.of("", "", "", "")) == []


def test_several_chains() -> None:
    ent = EnterpriseText.of("杭州光储科技有限公司", "光伏组件:0.5;储能系统:0.5")
    got = Mapper(INDEX, thresholds=Thresholds(suggest=0.3, secondary=0.3)).map_one(ent)
    assert {s.chain for s in got} == {"光伏", "储能"}
    assert sum(s.is_primary for s in got) == 1 and got[0].is_primary
    assert all(0 <= s.confidence <= 1 and s.source == "rule" and s.reason for s in got)


def test_term_shared_by_chains_counts_less() -> None:
    index = RuleIndex(small_program().program)
    assert index.specificity["光伏"] == 1.0
    # 太阳能 is only in 光伏; a term in two chains would get 1/sqrt(2).
    assert all(0 < v <= 1 for v in index.specificity.values())


def test_matcher_finds_nested_terms() -> None:
    m = TermMatcher(["芯片", "功率芯片", "电源"])
    assert m.found("车规级功率芯片与电源模块") == {"芯片", "功率芯片", "电源"}
    assert list(m.find("电源、芯片")) == [(0, "电源"), (3, "芯片")]
    assert TermMatcher([]).found("任何文本") == set()


def test_parse_products_forms() -> None:
    with_shares = parse_products("光伏组件:0.85；太阳能电池片：15%;平衡项目:0.01")
    assert [(p.name, p.share) for p in with_shares] == [("光伏组件", 0.85), ("太阳能电池片", 0.15)]
    plain = parse_products("锂离子电池;电池管理系统;其他")
    assert [p.name for p in plain] == ["锂离子电池", "电池管理系统"]
    assert plain[0].weight == 1.0 and plain[1].weight < 1.0


@given(st.lists(st.tuples(st.text(min_size=1, max_size=8), st.floats(0, 100, allow_nan=False)), max_size=6))
def test_parse_products_never_fails_and_weights_in_range(items: list[tuple[str, float]]) -> None:
    text = ";".join(f"{n}:{v}" for n, v in items)
    for p in parse_products(text):
        assert 0 < p.weight <= 1
        assert p.name.strip()


@given(st.floats(0, 1000, allow_nan=False))
def test_confidence_in_unit_interval(score: float) -> None:
    assert 0 <= confidence_of(score) < 1 or score > 50


def test_chain_lexicon_reads_generic_trade_words() -> None:
    got = top(EnterpriseText.of("浙江华康药业股份有限公司"))
    assert got.chain == "药品" and got.reasons == ["企业名称含「药业」"]
    assert RuleIndex(small_program().program, lexicon=False).score(EnterpriseText.of("浙江华康药业股份有限公司")) == []


def test_chain_level_words_never_pick_the_node() -> None:
    # 电池 is a lexicon word of 储能 (it counts on the chain's first node, 电池材料); 锂离子电池 is a
    # keyword of the node 电芯 — the node must be 电芯, and each product is named once in the reasons.
    index = RuleIndex(load_builtin("hangzhou-2022").program)
    got = index.score(EnterpriseText.of("杭州某某电池有限公司", "锂离子电池:0.8;储能系统:0.2"))[0]
    assert got.chain == "储能" and got.node == "电芯"
    assert got.reasons[0] == "主营产品为「锂离子电池」，占比 80%"
    assert sum("「锂离子电池」" in r for r in got.reasons) == 1
    without_lexicon = RuleIndex(load_builtin("hangzhou-2022").program, lexicon=False)
    plain = without_lexicon.score(EnterpriseText.of("杭州某某", "锂离子电池:0.8;储能系统:0.2"))[0]
    assert got.score > plain.score  # the chain-level words still count for the chain


def test_only_chain_level_words_leave_the_node_open() -> None:
    got = top(EnterpriseText.of("浙江华康药业股份有限公司"))
    assert got.chain == "药品" and got.node == "" and got.node_scores == {}
    # Rules alone still place it (on the chain's first node) and say that the node is a placeholder.
    mapper = Mapper(small_program().program, thresholds=Thresholds(apply=0.9, suggest=0.3))
    [suggestion] = mapper.map_one(EnterpriseText.of("浙江华康药业股份有限公司"))
    assert suggestion.chain == "药品" and suggestion.node == "化学药"  # the chain's first node
    assert suggestion.reason == "企业名称含「药业」（节点未定，暂挂首个节点）"
