"""Product relations as model features (产品关系特征).

An optional reference file of product relations (CSV in UTF-8 or GBK, or Excel, read by the
registry's reader; columns `product, relation, other_product`; `relation` is `subcategory`,
`upstream_material` or `downstream_product`) gives rare product names words they share with
common ones. For each of an enterprise's first 10 main products the block holds, as whole-word
tokens:

- every related product name found inside the product name (`单晶硅光伏组件` → `光伏组件`, `组件`),
- the first 5 (in sort order) broader products (`subcategory` parents) of the product name and of
  each term found in it (`大肠杆菌检测试剂` → `检测试剂`).

The tokens become a TF-IDF block (sublinear) with weight 0.8 next to the character n-grams. The
file is read by path when a model is trained (`--relations FILE` or `CHAINLEAD_PRODUCT_RELATIONS`);
a fitted model keeps only the terms its vocabulary uses, so it is small and needs no file to
predict. Upstream materials and downstream products were measured and left out (docs/mapping.md).
"""

from __future__ import annotations

import os
from collections import defaultdict
from functools import cache
from pathlib import Path

from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from chainlead.mapping.errors import MappingError
from chainlead.mapping.terms import TermMatcher
from chainlead.mapping.text import EnterpriseText, normalize
from chainlead.registry.formats import Column, FileFormat
from chainlead.registry.readers import FileProblem, open_source

RELATIONS_ENV = "CHAINLEAD_PRODUCT_RELATIONS"
WEIGHT = 0.8
MAX_PRODUCTS = 10
MAX_PARENTS = 5
COLUMNS = ("product", "relation", "other_product")
RELATIONS_FORMAT = FileFormat(
    "product_relations",
    "产品关系",
    (
        Column("product", "产品", required=True),
        Column("relation", "关系", required=True),
        Column("other_product", "关联产品", required=True),
    ),
    key=("product", "other_product"),
)


class RelationsError(MappingError):
    """An unreadable relations file; `zh` / `en` say why."""


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
    """Read a relations file (CSV in UTF-8 or GBK, or Excel, by the registry's reader); a missing
    file, an unreadable one or a missing column raises `RelationsError`."""
    path = Path(path)
    try:
        return _load(str(path.resolve()), path.stat().st_mtime_ns)
    except FileNotFoundError:
        raise RelationsError(f"产品关系文件不存在：{path}", f"no such product relations file: {path}") from None


@cache
def _load(path: str, _mtime: int) -> ProductRelations:
    name = Path(path).name
    try:
        src = open_source(Path(path), RELATIONS_FORMAT)
    except FileProblem as exc:
        raise RelationsError(f"产品关系文件 {name}：{exc.zh}", f"the relations file {name}: {exc.en}") from None
    missing = [c for c in COLUMNS if c not in src.header.columns]
    if missing:
        raise RelationsError(
            f"产品关系文件 {name} 缺少列：{'、'.join(missing)}",
            f"the relations file {name} lacks {', '.join(missing)}",
        )
    at = [src.header.columns[c] for c in COLUMNS]
    parents: dict[str, set[str]] = defaultdict(set)
    terms: set[str] = set()
    for _, cells in src.rows:
        product, relation, other = (str(cells[k] or "") if k < len(cells) else "" for k in at)
        product, other = normalize(product), normalize(other)
        if not product or not other or product == other:
            continue
        if relation == "subcategory":
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
        # The full relations until fitted, then only what the vocabulary uses (pickled with the model).
        self.parents: dict[str, tuple[str, ...]] = relations.parents
        self.matcher: TermMatcher = relations.matcher
        self.vec = TfidfVectorizer(analyzer=_tokens, sublinear_tf=True)

    def doc(self, ent: EnterpriseText) -> list[str]:
        out: list[str] = []
        for product in ent.products[:MAX_PRODUCTS]:
            name = product.name
            found = sorted(self.matcher.found(name) - {name}, key=lambda t: (-len(t), t))
            out.extend(found)
            for term in (name, *found):
                out.extend(self.parents.get(term, ()))
        return out

    def fit_transform(self, ents: list[EnterpriseText]) -> sparse.csr_matrix:
        """Fit on the full relations, keep only the terms the vocabulary uses, refit with those."""
        self.vec.fit([*(self.doc(e) for e in ents), ["@@"]])
        vocab = self.vec.vocabulary_
        self.parents = {t: kept for t, ps in self.parents.items() if (kept := tuple(p for p in ps if p in vocab))}
        self.matcher = TermMatcher({t for t in self.matcher.terms if t in vocab} | set(self.parents))
        docs = [self.doc(e) for e in ents]
        return self.vec.fit_transform([*docs, ["@@"]])[:-1] * self.weight

    def transform(self, ents: list[EnterpriseText]) -> sparse.csr_matrix:
        return self.vec.transform([self.doc(e) for e in ents]) * self.weight
