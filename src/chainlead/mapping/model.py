"""The learned mapping model (挂链模型): features → calibrated chain and node probabilities.

A linear support-vector classifier over chains plus `none` (outside every chain) with balanced
class weights; the product-level scores of `mapping/products.py` are added to its margins. These
scores become probabilities by a softmax with one temperature, fitted on
out-of-fold scores (3-fold cross-validation inside the training set) to minimise log-loss —
so a confidence of 0.8 means right about 8 times in 10 on unseen enterprises. When node labels exist, the
node inside a chain without rule evidence is the one whose centroid (mean feature vector of its
confirmed enterprises) is most similar. The stored blob starts with a fixed header and
`FORMAT_VERSION`, checked *before* anything is unpickled, so a blob of another format (or not a
model at all) is refused without running its pickle.
"""

from __future__ import annotations

import io
import pickle
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

from chainlead.mapping.features import FeatureBuilder
from chainlead.mapping.products import ProductScorer, svm_margins
from chainlead.mapping.relations import ProductRelations
from chainlead.mapping.rules import ChainScore, RuleIndex
from chainlead.mapping.text import EnterpriseText

FORMAT_VERSION = 5  # 5: header before the pickle; 4: product-level block
BLOB_MAGIC = b"chainlead-mapping-model\n"
NONE = "none"
MAX_TRAIN = 20_000  # larger label sets are subsampled per class (documented in docs/mapping.md)


class ModelFormatError(ValueError):
    """A stored model from another format version."""


@dataclass
class TrainReport:
    examples: int
    classes: dict[str, int]
    node_examples: int
    calibrated: bool
    tokenizer: str
    temperature: float = 1.0
    notes: list[str] = field(default_factory=list)


class MappingModel:
    """Chain classifier (+ optional node classifier) over enterprise texts."""

    def __init__(
        self, index: RuleIndex, tokenizer: str = "char", c: float = 0.5, relations: ProductRelations | None = None
    ) -> None:
        self.format_version = FORMAT_VERSION
        self.features = FeatureBuilder(index, tokenizer, relations=relations)
        self.c = c
        self.chain_clf: LinearSVC | None = None
        self.products = ProductScorer()
        self.node_centroids: sparse.csr_matrix | None = None
        self.temperature = 1.0
        self.classes: list[str] = []
        self.node_classes: list[str] = []
        self.report: TrainReport | None = None

    @property
    def index(self) -> RuleIndex:
        return self.features.index

    def _svc(self) -> LinearSVC:
        return LinearSVC(C=self.c, class_weight="balanced")

    def fit(
        self,
        ents: list[EnterpriseText],
        chains: list[str],
        nodes: list[str | None] | None = None,
        seed: int = 0,
        calibrate: bool = True,
    ) -> TrainReport:
        """Train on labelled enterprises: chain name or `none`, optionally node names."""
        known = set(self.index.chain_names) | {NONE}
        keep = [i for i, c in enumerate(chains) if c in known]
        keep = subsample(keep, [chains[i] for i in keep], MAX_TRAIN, seed)
        ents = [ents[i] for i in keep]
        labels = np.array([chains[i] for i in keep])
        node_labels = [nodes[i] if nodes else None for i in keep]
        counts = Counter(labels.tolist())
        if len(counts) < 2:
            raise ValueError("need at least two classes (two chains, or a chain and none)")
        scores = [self.index.score(e, with_reasons=False) for e in ents]
        x = self.features.fit_transform(ents, scores)
        clf = self._svc().fit(x, labels)
        self.chain_clf = clf
        self.classes = [str(c) for c in clf.classes_]
        self.products = ProductScorer().fit(ents, labels, self.classes)
        calibrated = calibrate and min(counts.values()) >= 2 and len(labels) >= 30
        self.temperature = 1.0
        if calibrated:
            self.temperature = self._fit_temperature(x, ents, labels, seed)
        node_rows = [i for i, n in enumerate(node_labels) if n and labels[i] != NONE]
        node_keys = [f"{labels[i]}/{node_labels[i]}" for i in node_rows]
        self.node_centroids, self.node_classes = None, []
        if len(set(node_keys)) >= 2:
            self.node_classes = sorted(set(node_keys))
            self.node_centroids = _centroids(x[node_rows], node_keys, self.node_classes)
        self.report = TrainReport(
            examples=len(labels),
            classes=dict(counts),
            node_examples=len(node_rows),
            calibrated=calibrated,
            tokenizer=self.features.tokenizer,
            temperature=self.temperature,
        )
        return self.report

    def _fit_temperature(self, x, ents: list[EnterpriseText], labels: np.ndarray, seed: int) -> float:  # type: ignore[no-untyped-def]
        """The softmax temperature minimising log-loss on out-of-fold scores (3 folds)."""
        folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed)
        margins = np.zeros((len(labels), len(self.classes)))
        for tr, te in folds.split(np.zeros(len(labels)), labels):
            clf = self._svc().fit(x[tr], labels[tr])
            cols = [self.classes.index(str(c)) for c in clf.classes_]
            part = np.full((len(te), len(self.classes)), -5.0)
            part[:, cols] = svm_margins(clf, x[te])
            inner = ProductScorer().fit([ents[i] for i in tr], labels[tr], self.classes)
            margins[te] = part + inner.scores([ents[i] for i in te])
        truth = np.array([self.classes.index(str(y)) for y in labels])
        rows = np.arange(len(truth))
        temps = np.exp(np.linspace(np.log(0.02), np.log(5.0), 40))
        losses = [-np.mean(np.log(softmax(margins / t)[rows, truth] + 1e-12)) for t in temps]
        return float(temps[int(np.argmin(losses))])

    def predict(
        self, ents: list[EnterpriseText], scores: list[list[ChainScore]] | None = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Chain probabilities (rows × `classes`) and node similarities (× `node_classes`).

        `scores`: the rule scores of `ents` when the caller has them already.
        """
        x = self.features.transform(ents, scores)
        return self.chain_proba(x, ents), self.node_similarity(x)

    def chain_proba(self, x: sparse.csr_matrix, ents: list[EnterpriseText]) -> np.ndarray:
        """Calibrated chain probabilities: classifier margins plus the product-level scores."""
        if self.chain_clf is None:
            raise ValueError("model is not trained")
        return softmax((svm_margins(self.chain_clf, x) + self.products.scores(ents)) / self.temperature)

    def node_similarity(self, x: sparse.csr_matrix, rows: np.ndarray | None = None) -> np.ndarray | None:
        """Cosine similarity to every node centroid; only for `rows` (a mask) when given, else 0."""
        if self.node_centroids is None:
            return None
        out = np.zeros((x.shape[0], len(self.node_classes)))
        pick = np.arange(x.shape[0]) if rows is None else np.flatnonzero(rows)
        if len(pick):
            out[pick] = (normalize(x[pick]) @ self.node_centroids.T).toarray()
        return out

    def to_bytes(self) -> bytes:
        """`BLOB_MAGIC`, the format version (4 bytes, big-endian), then the pickled model."""
        buf = io.BytesIO()
        buf.write(BLOB_MAGIC + FORMAT_VERSION.to_bytes(4, "big"))
        pickle.dump(self, buf, protocol=5)
        return buf.getvalue()

    @staticmethod
    def from_bytes(blob: bytes) -> MappingModel:
        """The model in `blob`; `ModelFormatError` before unpickling when the header does not match."""
        head = len(BLOB_MAGIC)
        if not blob.startswith(BLOB_MAGIC) or len(blob) < head + 4:
            raise ModelFormatError("not a stored mapping model (header missing)")
        found = int.from_bytes(blob[head : head + 4], "big")
        if found != FORMAT_VERSION:
            raise ModelFormatError(f"stored model format {found}, expected {FORMAT_VERSION}")
        model = pickle.loads(blob[head + 4 :])
        if not isinstance(model, MappingModel):
            raise ModelFormatError(f"stored blob holds {type(model).__name__}, not a mapping model")
        return model


def _centroids(x: sparse.csr_matrix, keys: list[str], classes: list[str]) -> sparse.csr_matrix:
    """The normalised mean feature vector of each node (for picking a node inside a chain)."""
    pos = {k: i for i, k in enumerate(classes)}
    member = sparse.csr_matrix(
        (np.ones(len(keys)), ([pos[k] for k in keys], np.arange(len(keys)))), shape=(len(classes), len(keys))
    )
    return normalize(member @ normalize(x)).tocsr()


def softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def subsample(rows: list[int], labels: list[str], limit: int, seed: int) -> list[int]:
    if len(rows) <= limit:
        return rows
    rng = np.random.default_rng(seed)
    by: dict[str, list[int]] = {}
    for r, lab in zip(rows, labels, strict=True):
        by.setdefault(lab, []).append(r)
    per_class = max(limit // len(by), 1)
    out: list[int] = []
    for lab in sorted(by):
        items = by[lab]
        if len(items) > per_class:
            items = list(rng.choice(items, per_class, replace=False))
        out.extend(int(i) for i in items)
    return sorted(out)
