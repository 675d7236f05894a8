"""The vectorised char n-gram TF-IDF equals scikit-learn's own transform."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from chainlead.mapping.ngrams import FastCharTfidf, _HashTable

DOCS = [
    "杭州新光科技 | 太阳能电池片 | 光伏组件",
    "锂离子电池:0.6;储能系统:0.4",
    "",
    "A  b\u3000\u3000C\tD  e",  # runs of white space collapse to one space, single ones stay
    "注射液 | 注射液 | 原料药 🧪 药",  # a code point outside the BMP
    "x",
    "化学药品制剂制造",
]


@pytest.mark.parametrize(("ngram", "sublinear"), [((1, 3), True), ((2, 3), True), ((1, 1), False), ((1, 2), True)])
def test_equals_sklearn(ngram: tuple[int, int], sublinear: bool) -> None:
    vec = TfidfVectorizer(analyzer="char", ngram_range=ngram, sublinear_tf=sublinear).fit(DOCS[:5])
    fast = FastCharTfidf(vec)
    unseen = ["光伏组件和储能电池", "完全不同的文本", "", "电池电池电池"]
    assert fast.transform([]).shape == (0, len(vec.vocabulary_))
    for docs in (DOCS, unseen, DOCS + unseen):
        want = vec.transform(docs)
        got = fast.transform(docs)
        assert got.shape == want.shape
        assert np.allclose(got.toarray(), want.toarray())
        assert (got != 0).nnz == (want != 0).nnz


def test_unsupported_vectorizers_are_refused() -> None:
    words = TfidfVectorizer(analyzer="word").fit(["alpha beta"])
    four = TfidfVectorizer(analyzer="char", ngram_range=(1, 4)).fit(["abcd"])
    assert not FastCharTfidf.supports(words) and not FastCharTfidf.supports(four)
    with pytest.raises(ValueError):
        FastCharTfidf(four)


def test_hash_table_finds_every_key_and_nothing_else() -> None:
    rng = np.random.default_rng(0)
    keys = np.unique(rng.integers(0, 2**62, 5000))
    table = _HashTable(keys, np.arange(len(keys)))
    assert (table.get(keys) == np.arange(len(keys))).all()
    others = rng.integers(0, 2**62, 5000)
    others = others[~np.isin(others, keys)]
    assert (table.get(others) == -1).all()


def test_feature_builder_uses_it_and_rebuilds_it_after_unpickling() -> None:
    import pickle

    from chainlead.mapping.features import FeatureBuilder
    from chainlead.mapping.rules import RuleIndex
    from chainlead.mapping.text import EnterpriseText

    from .helpers import ENTERPRISES, small_program

    ents = [EnterpriseText.of(*r[:4]) for r in ENTERPRISES]
    fb = FeatureBuilder(RuleIndex(small_program().program))
    fb.fit_transform(ents)
    assert sum(f is not None for f in fb.fast) == 3  # products, name, scope (the code block is not char)
    fast = fb.transform(ents).toarray()
    again = pickle.loads(pickle.dumps(fb))
    assert "fast" not in again.__getstate__() and all(
        type(a) is type(b) for a, b in zip(again.fast, fb.fast, strict=True)
    )
    fb.fast = [None] * len(fb.fast)  # scikit-learn's own transform
    assert np.allclose(fast, fb.transform(ents).toarray())
    assert np.allclose(fast, again.transform(ents).toarray())
