"""Product relations as model features (产品关系特征).

An optional reference file of product relations (CSV with columns `product, relation,
other_product`; `relation` is `subcategory`, `upstream_material` or `downstream_product`) gives
rare product names words they share with common ones. For each of an enterprise's first 10 main
products the block holds, as whole-word tokens:

- every related product name found inside the product name (`单晶硅光伏组件` → `光伏组件`, `组件`),
- the first 5 (in sort order) broader products (`subcategory` parents) of the product name and of
  each term found in it (`大肠杆菌检测试剂` → `检测试剂`).

The tokens become a TF-IDF block (sublinear) with weight 0.8 next to the character n-grams. The
file is read by path when a model is trained (`--relations FILE` or `CHAINLEAD_PRODUCT_RELATIONS`);
a fitted model keeps only the terms its vocabulary uses, so it is small and needs no file to
predict. Upstream materials and downstream products were measured and left out (docs/mapping.md).
"""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from functools import cache
from pathlib import Path

from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from chainlead.mapping.terms import TermMatcher
from chainlead.mapping.text import EnterpriseText, normalize

RELATIONS_ENV = "CHAINLEAD_PRODUCT_RELATIONS"
WEIGHT = 0.8
MAX_PRODUCTS = 10
MAX_PARENTS = 5
COLUMNS = ("product", "relation", "other_product")


class RelationsError(ValueError):
    """An unreadable relations file; `zh` / `en` say why."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


class ProductRelations:
    """Related-product terms and each term's broader products (first `MAX_PARENTS`)."""

    def __init__(self, terms: frozenset[str], parents: dict[str, tuple[str, ...]]) -> None:
        self.terms = terms
        self.parents = parents
        self._matcher: TermMatcher | None = None

    @property
    def matcher(self) -> TermMatcher:
        """One matcher over every term, built on first use (about a second for 50,000 terms)."""
        if self._matcher is None:
            self._matcher = TermMatcher(self.terms)
        return self._matcher


def load_relations(path: str | Path) -> ProductRelations:
    """Read a relations CSV (UTF-8); a missing file or column raises `RelationsError`."""
    path = Path(path)
    try:
        return _load(str(path.resolve()), path.stat().st_mtime_ns)
    except FileNotFoundError:
        raise RelationsError(f"产品关系文件不存在：{path}", f"no such product relations file: {path}") from None


@cache
def _load(path: str, _mtime: int) -> ProductRelations:
    parents: dict[str, set[str]] = defaultdict(set)
    terms: set[str] = set()
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            name = Path(path).name
            raise RelationsError(
                f"产品关系文件 {name} 缺少列：{'、'.join(missing)}",
                f"the relations file {name} lacks {', '.join(missing)}",
            )
        for row in reader:
            product, other = normalize(row["product"]), normalize(row["other_product"])
            if not product or not other or product == other:
                continue
            if row["relation"] == "subcategory":
                parents[other].add(product)
                terms.add(other)
            terms.add(product)
    return ProductRelations(
        frozenset(t for t in terms if len(t) >= 2),
        {k: tuple(sorted(v))[:MAX_PARENTS] for k, v in parents.items()},
    )


def relations_from_env() -> ProductRelations | None:
    """The relations file named by `CHAINLEAD_PRODUCT_RELATIONS`, if set."""
    path = os.environ.get(RELATIONS_ENV, "").strip()
    return load_relations(path) if path else None


def _tokens(doc: list[str]) -> list[str]:
    return doc


class RelationBlock:
    """The relation-token TF-IDF block of the feature matrix; fitted with the model."""

    def __init__(self, relations: ProductRelations, weight: float = WEIGHT) -> None:
        self.weight = weight
        self._relations: ProductRelations | None = relations
        self.parents: dict[str, tuple[str, ...]] = {}
        self.matcher: TermMatcher | None = None
        self.vec = TfidfVectorizer(analyzer=_tokens, sublinear_tf=True)

    def doc(self, ent: EnterpriseText) -> list[str]:
        matcher = self.matcher if self.matcher is not None else self._full().matcher
        parents = self.parents if self.matcher is not None else self._full().parents
        out: list[str] = []
        for product in ent.products[:MAX_PRODUCTS]:
            name = product.name
            found = sorted(matcher.found(name) - {name}, key=lambda t: (-len(t), t))
            out.extend(found)
            for term in (name, *found):
                out.extend(parents.get(term, ()))
        return out

    def _full(self) -> ProductRelations:
        if self._relations is None:
            raise ValueError("relation block is fitted; the full relations are gone")
        return self._relations

    def fit_transform(self, ents: list[EnterpriseText]) -> sparse.csr_matrix:
        """Fit on the full relations, keep only the terms the vocabulary uses, refit with those."""
        self.vec.fit([*(self.doc(e) for e in ents), ["@@"]])
        vocab = self.vec.vocabulary_
        full = self._full()
        self.parents = {t: kept for t, ps in full.parents.items() if (kept := tuple(p for p in ps if p in vocab))}
        self.matcher = TermMatcher({t for t in full.terms if t in vocab} | set(self.parents))
        self._relations = None  # not pickled with the model
        docs = [self.doc(e) for e in ents]
        return self.vec.fit_transform([*docs, ["@@"]])[:-1] * self.weight

    def transform(self, ents: list[EnterpriseText]) -> sparse.csr_matrix:
        return self.vec.transform([self.doc(e) for e in ents]) * self.weight
