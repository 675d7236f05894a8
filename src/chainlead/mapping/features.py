"""Features for the learned mapping model (挂链模型特征).

Four texts per enterprise, each vectorised on its own (TF-IDF, sublinear term frequency):
main products (a product with a revenue share of 30% or more counted twice, so the main
business dominates), the name without legal-form words, the first part of the business scope, and the
industry code at 2, 3 and 4 digits. Chinese text is cut into character 1–3-grams (`char`) or into
jieba words with a domain dictionary from the program's terms (`jieba`); docs/mapping.md has the
comparison. The rule score of every chain is appended as dense features, and, when a product
relations file is given, the related-product tokens of `mapping/relations.py`.
"""

from __future__ import annotations

import itertools
from functools import cache

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from chainlead.mapping.ngrams import FastCharTfidf
from chainlead.mapping.relations import ProductRelations, RelationBlock
from chainlead.mapping.rules import ChainScore, RuleIndex
from chainlead.mapping.text import EnterpriseText, core_name

SCOPE_CHARS = 120
TOKENIZERS = ("char", "jieba")


def product_doc(ent: EnterpriseText) -> str:
    parts: list[str] = []
    for product in ent.products[:30]:
        parts.extend([product.name] * (2 if product.weight >= 0.3 else 1))
    return " | ".join(parts)


def code_doc(ent: EnterpriseText) -> str:
    code = ent.industry_code
    if not code:
        return ""
    return " ".join(f"c{code[:n]}" for n in (2, 3, 4) if len(code) >= n)


@cache
def _jieba(words: tuple[str, ...]):  # type: ignore[no-untyped-def]
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    for word in words:
        tok.add_word(word, freq=2000)
    return tok


class JiebaAnalyzer:
    """jieba words plus the words' bigrams; picklable (the dictionary is rebuilt on load)."""

    def __init__(self, words: list[str]) -> None:
        self.words = tuple(sorted(set(words)))

    def __call__(self, text: str) -> list[str]:
        tok = _jieba(self.words)
        out = [w for w in tok.lcut(text) if w.strip() and w not in "|,，;；:：()（）"]
        return out + [a + "_" + b for a, b in itertools.pairwise(out)]


def _vectorizer(tokenizer: str, words: list[str], ngram: tuple[int, int], max_features: int):  # type: ignore[no-untyped-def]
    if tokenizer == "jieba":
        return TfidfVectorizer(analyzer=JiebaAnalyzer(words), sublinear_tf=True, min_df=1, max_features=max_features)
    return TfidfVectorizer(analyzer="char", ngram_range=ngram, sublinear_tf=True, min_df=1, max_features=max_features)


class FeatureBuilder:
    """Turns enterprises into a sparse feature matrix; fitted once, then reused."""

    def __init__(
        self,
        index: RuleIndex,
        tokenizer: str = "char",
        relations: ProductRelations | None = None,
    ) -> None:
        if tokenizer not in TOKENIZERS:
            raise ValueError(f"tokenizer must be one of {TOKENIZERS}")
        self.tokenizer = tokenizer
        self.index = index
        words = sorted(index.term_nodes)
        self.products = _vectorizer(tokenizer, words, (1, 3), 200_000)
        self.name = _vectorizer(tokenizer, words, (1, 3), 100_000)
        self.scope = _vectorizer(tokenizer, words, (2, 3), 100_000)
        self.code = TfidfVectorizer(analyzer=str.split, min_df=1)
        self.weights = (1.0, 0.7, 0.6, 0.8)
        self.relations = RelationBlock(relations) if relations is not None else None
        self.fast: list[FastCharTfidf | None] = []  # vectorised transforms of the fitted char vectorisers

    def _docs(self, ents: list[EnterpriseText]) -> tuple[list[str], ...]:
        return (
            [product_doc(e) for e in ents],
            [core_name(e.name) for e in ents],
            [e.business_scope[:SCOPE_CHARS] for e in ents],
            [code_doc(e) for e in ents],
        )

    def _rules(self, ents: list[EnterpriseText], scores: list[list[ChainScore]] | None) -> sparse.csr_matrix:
        if scores is None:
            scores = [self.index.score(e, with_reasons=False) for e in ents]
        col = {chain: k for k, chain in enumerate(self.index.chain_names)}
        rows = np.zeros((len(ents), len(col)))
        for i, chain_scores in enumerate(scores):
            for cs in chain_scores:
                rows[i, col[cs.chain]] = cs.score
        dense = np.hstack([np.log1p(rows), 1.0 - np.exp(-rows / 2.5)])
        return sparse.csr_matrix(dense)

    def _blocks(self):  # type: ignore[no-untyped-def]
        return zip((self.products, self.name, self.scope, self.code), self.weights, strict=True)

    def fit_transform(
        self, ents: list[EnterpriseText], scores: list[list[ChainScore]] | None = None
    ) -> sparse.csr_matrix:
        parts = []
        for (vec, weight), doc in zip(self._blocks(), self._docs(ents), strict=True):
            if any(doc):
                parts.append(vec.fit_transform(doc) * weight)
            else:
                vec.fit(["@@@@"])
                parts.append(vec.transform(doc) * weight)
        parts.append(self._rules(ents, scores))
        if self.relations is not None:
            parts.append(self.relations.fit_transform(ents))
        self._build_fast()
        return sparse.hstack(parts, format="csr")

    def _build_fast(self) -> None:
        self.fast = [FastCharTfidf(vec) if FastCharTfidf.supports(vec) else None for vec, _ in self._blocks()]

    def __getstate__(self) -> dict:  # type: ignore[type-arg]
        return {k: v for k, v in self.__dict__.items() if k != "fast"}  # rebuilt on load (tables are large)

    def __setstate__(self, state: dict) -> None:  # type: ignore[type-arg]
        self.__dict__.update(state)
        self._build_fast()

    def transform(self, ents: list[EnterpriseText], scores: list[list[ChainScore]] | None = None) -> sparse.csr_matrix:
        parts = [
            (fast or vec).transform(doc) * weight
            for (vec, weight), fast, doc in zip(self._blocks(), self.fast, self._docs(ents), strict=True)
        ]
        parts.append(self._rules(ents, scores))
        if self.relations is not None:
            parts.append(self.relations.transform(ents))
        return sparse.hstack(parts, format="csr")
