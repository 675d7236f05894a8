"""Product-level chain scores (产品级打分): every main product votes for a chain on its own.

The company-level model sees all of an enterprise's products in one document, so a long list of
side businesses can drown the one product that decides the chain. This block is trained on
*products*: each main product of a labelled enterprise (its first `MAX_PRODUCTS`) is one example with
the enterprise's label, weighted by its revenue share (at least `MIN_SHARE`). A linear SVM over
character 1–3-grams of the product name (balanced classes) gives every product a margin per class;
an enterprise's score is the share-weighted mean over its products, centred per row, and is added
to the chain classifier's margins with weight `WEIGHT`. An enterprise without products is scored by
its name (without legal-form words) read as its one product — trained on products only, the block
still knows `汽车零部件` or `生物医药` when a name says it. Measured in docs/mapping.md (5-fold CV,
fresh fold seeds: chain and ecosystem macro-F1 each +0.012 from the products, +0.005 more from the
name stand-in; a logistic regression scored the same but took 5–10× longer to train).
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from chainlead.mapping.ngrams import FastCharTfidf
from chainlead.mapping.text import EnterpriseText, core_name

WEIGHT = 1.0
MAX_PRODUCTS = 20
MIN_SHARE = 0.05
C = 0.5


def svm_margins(clf: LinearSVC, x: sparse.csr_matrix) -> np.ndarray:
    """One margin per class, also for two classes (scikit-learn gives one column then)."""
    m = clf.decision_function(x)
    if m.ndim == 1:
        m = np.column_stack([-m / 2, m / 2])
    return np.asarray(m)


class ProductScorer:
    """Per-product linear SVM, pooled per enterprise by revenue share."""

    def __init__(self, weight: float = WEIGHT) -> None:
        self.weight = weight
        self.vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        self.clf: LinearSVC | None = None
        self.classes: list[str] = []
        self.fast: FastCharTfidf | None = None

    @staticmethod
    def _flat(ents: list[EnterpriseText], name_if_none: bool = False) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Product names, their owner row and their pooling weight (`name_if_none`: the name stands in)."""
        names: list[str] = []
        owner: list[int] = []
        share: list[float] = []
        for i, ent in enumerate(ents):
            for product in ent.products[:MAX_PRODUCTS]:
                names.append(product.name)
                owner.append(i)
                share.append(max(product.weight, MIN_SHARE))
            if name_if_none and not ent.products and (name := core_name(ent.name)):
                names.append(name)
                owner.append(i)
                share.append(1.0)
        return names, np.array(owner, dtype=np.int64), np.array(share)

    def fit(self, ents: list[EnterpriseText], labels: np.ndarray, classes: list[str]) -> ProductScorer:
        """Train on the products of labelled enterprises; `classes` fixes the column order."""
        names, owner, share = self._flat(ents)
        self.classes = list(classes)
        self.clf = None
        # One example per distinct (product, label) with the summed weight: the same loss as one
        # per occurrence, and far fewer rows when many enterprises list the same products.
        pooled: dict[tuple[str, str], float] = defaultdict(float)
        for name, row, weight in zip(names, owner.tolist(), share.tolist(), strict=True):
            pooled[(name, str(labels[row]))] += weight
        if len({label for _, label in pooled}) >= 2:
            self.vec.fit(names)  # document frequencies over every occurrence
            x = self.vec.transform([name for name, _ in pooled])
            # "balanced" as over every occurrence (scikit-learn would count the distinct rows).
            counts = Counter(str(labels[row]) for row in owner.tolist())
            balanced = {label: len(owner) / (len(counts) * n) for label, n in counts.items()}
            self.clf = LinearSVC(C=C, class_weight=balanced)
            self.clf.fit(x, [label for _, label in pooled], sample_weight=np.fromiter(pooled.values(), float))
            self.fast = FastCharTfidf(self.vec)
        return self

    def scores(self, ents: list[EnterpriseText]) -> np.ndarray:
        """Weighted, centred product margins (rows × `classes`); without products the name is read as one."""
        out = np.zeros((len(ents), len(self.classes)))
        names, owner, share = self._flat(ents, name_if_none=True)
        if self.clf is None or not names:
            return out
        x = (self.fast or self.vec).transform(names)
        margin = svm_margins(self.clf, x)
        # Pool per enterprise: a sparse (enterprise × product) matrix of normalised shares.
        totals = np.bincount(owner, weights=share, minlength=len(ents))
        pool = sparse.csr_matrix((share / totals[owner], (owner, np.arange(len(names)))), shape=(len(ents), len(names)))
        pooled = np.asarray(pool @ margin)
        has = totals > 0
        cols = [self.classes.index(str(c)) for c in self.clf.classes_]
        out[:, cols] = pooled
        missing = np.array([k for k in range(len(self.classes)) if k not in cols], dtype=np.int64)
        if len(missing):  # a class none of whose enterprises had products: as unlikely as the least likely
            out[np.ix_(has, missing)] = pooled[has].min(axis=1, keepdims=True)
        out[has] -= out[has].mean(axis=1, keepdims=True)
        return out * self.weight

    def __getstate__(self) -> dict:  # type: ignore[type-arg]
        return {k: v for k, v in self.__dict__.items() if k != "fast"}  # rebuilt on load

    def __setstate__(self, state: dict) -> None:  # type: ignore[type-arg]
        self.__dict__.update(state)
        self.fast = FastCharTfidf(self.vec) if self.clf is not None else None
