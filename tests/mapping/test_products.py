"""Product-level scores: each product votes, pooled by revenue share; the name stands in without products."""

from __future__ import annotations

import pickle

import numpy as np

from chainlead.mapping.products import ProductScorer
from chainlead.mapping.text import EnterpriseText

CLASSES = ["none", "光伏", "药品"]


def _ent(products: str) -> EnterpriseText:
    return EnterpriseText.of(name="某某股份有限公司", main_products=products)


def _scorer() -> ProductScorer:
    train = [
        ("单晶硅光伏组件:0.8;光伏逆变器:0.2", "光伏"),
        ("多晶硅电池片:0.9;光伏支架:0.1", "光伏"),
        ("光伏玻璃:0.7;光伏背板:0.3", "光伏"),
        ("盐酸二甲双胍片:0.6;阿莫西林胶囊:0.4", "药品"),
        ("头孢克肟片:0.9;布洛芬缓释胶囊:0.1", "药品"),
        ("注射用头孢曲松钠:1.0", "药品"),
        ("商品房销售:0.9;物业管理:0.1", "none"),
        ("白酒:0.95;酒店住宿:0.05", "none"),
        ("餐饮服务:0.6;物业出租:0.4", "none"),
    ]
    ents = [_ent(p) for p, _ in train]
    labels = np.array([c for _, c in train])
    return ProductScorer().fit(ents, labels, CLASSES)


def test_main_product_outweighs_side_lines() -> None:
    scorer = _scorer()
    # The same two products, once with the solar module as the main business, once as a side line.
    solar_main = _ent("光伏组件:0.9;头孢胶囊:0.1")
    drug_main = _ent("光伏组件:0.1;头孢胶囊:0.9")
    got = scorer.scores([solar_main, drug_main])
    assert got.shape == (2, len(CLASSES))
    assert CLASSES[int(got[0].argmax())] == "光伏"
    assert CLASSES[int(got[1].argmax())] == "药品"
    # Rows are centred: the block shifts classes against each other, not the whole row.
    assert np.allclose(got.sum(axis=1), 0.0)


def test_without_products_the_name_stands_in_and_model_survives_pickling() -> None:
    scorer = _scorer()
    solar_name = EnterpriseText.of(name="杭州光伏组件科技股份有限公司", main_products="")
    legal_form_only = EnterpriseText.of(name="股份有限公司", main_products="")
    ents = [solar_name, legal_form_only, _ent("光伏背板:0.5;注射用阿莫西林:0.5"), _ent("物业管理")]
    before = scorer.scores(ents)
    assert CLASSES[int(before[0].argmax())] == "光伏"  # the name read as a product
    assert np.all(before[1] == 0.0)  # nothing left of the name: the block abstains
    assert np.any(before[2] != 0.0)
    after = pickle.loads(pickle.dumps(scorer)).scores(ents)  # the vectorised transform is rebuilt on load
    assert np.allclose(before, after)


def test_class_without_products_is_least_likely() -> None:
    # `药品` has labelled enterprises but none of them lists products: the block cannot speak for it.
    ents = [_ent("光伏组件:1.0"), _ent("光伏玻璃:1.0"), _ent("商品房:1.0"), _ent("白酒:1.0"), _ent(""), _ent("")]
    labels = np.array(["光伏", "光伏", "none", "none", "药品", "药品"])
    scorer = ProductScorer().fit(ents, labels, CLASSES)
    got = scorer.scores([_ent("光伏组件:1.0")])[0]
    assert got[CLASSES.index("药品")] <= got.min() + 1e-12
    assert CLASSES[int(got.argmax())] == "光伏"


def test_untrainable_without_two_product_classes() -> None:
    ents = [_ent("光伏组件:1.0"), _ent("")]
    scorer = ProductScorer().fit(ents, np.array(["光伏", "none"]), CLASSES)
    assert np.all(scorer.scores([_ent("光伏组件:1.0")]) == 0.0)
