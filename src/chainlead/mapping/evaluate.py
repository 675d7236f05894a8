"""Evaluation of chain mapping (挂链评估) on labelled companies.

Scores only rows with a label (a chain name or `none`); an empty label is ambiguous and skipped.
Per chain: precision, recall, F1 of the *primary* suggestion; macro-F1 averages the chains that
occur in the labels (`none` is not a class of its own: predicting a chain for a `none` company is
a false positive of that chain, predicting none for a chain company a false negative). The same
at ecosystem level, where a chain counts for its ecosystem.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

from chainlead.mapping.model import NONE, MappingModel
from chainlead.mapping.predict import Mapper, Thresholds
from chainlead.mapping.relations import ProductRelations
from chainlead.mapping.rules import RuleIndex
from chainlead.mapping.text import EnterpriseText
from chainlead.program.model import Program


@dataclass
class Labelled:
    """Enterprises with a chain label (`none` = outside every chain)."""

    codes: list[str]
    texts: list[EnterpriseText]
    chains: list[str]


def load_listed(companies: Path, labels: Path) -> Labelled:
    """The listed-company files: companies.csv + dev_labels.csv (rows with empty chain skipped)."""
    with companies.open(encoding="utf-8") as f:
        info = {r["code"]: r for r in csv.DictReader(f)}
    codes, texts, chains = [], [], []
    with labels.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            chain = (row.get("chain") or "").strip()
            if not chain or row["code"] not in info:
                continue
            comp = info[row["code"]]
            codes.append(row["code"])
            texts.append(
                EnterpriseText.of(
                    name=comp.get("full_name") or comp.get("short_name"), main_products=comp.get("main_products")
                )
            )
            chains.append(chain)
    return Labelled(codes, texts, chains)


@dataclass
class Scores:
    """Per-label precision/recall/F1/support and the macro average."""

    per_label: dict[str, tuple[float, float, float, int]]
    macro_f1: float
    accuracy: float

    def table(self) -> str:
        lines = [f"{'label':<14}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}"]
        for label, (p, r, f1, n) in sorted(self.per_label.items(), key=lambda x: -x[1][3]):
            lines.append(f"{label:<14}{p:7.3f}{r:7.3f}{f1:7.3f}{n:6d}")
        lines.append(f"{'macro-F1':<14}{'':>14}{self.macro_f1:7.3f}")
        lines.append(f"{'accuracy':<14}{'':>14}{self.accuracy:7.3f}")
        return "\n".join(lines)


def score(gold: list[str], pred: list[str]) -> Scores:
    labels = sorted({g for g in gold if g != NONE})
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g, p in zip(gold, pred, strict=True):
        if g == p:
            if g != NONE:
                tp[g] += 1
            continue
        if p != NONE:
            fp[p] += 1
        if g != NONE:
            fn[g] += 1
    per: dict[str, tuple[float, float, float, int]] = {}
    for lab in labels:
        prec = tp[lab] / (tp[lab] + fp[lab]) if tp[lab] + fp[lab] else 0.0
        rec = tp[lab] / (tp[lab] + fn[lab]) if tp[lab] + fn[lab] else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[lab] = (prec, rec, f1, tp[lab] + fn[lab])
    macro = float(np.mean([v[2] for v in per.values()])) if per else 0.0
    acc = sum(g == p for g, p in zip(gold, pred, strict=True)) / max(len(gold), 1)
    return Scores(per, macro, acc)


def to_ecosystems(index: RuleIndex, chains: list[str]) -> list[str]:
    eco = {c: e for e, c in index.chains}
    return [eco.get(c, NONE) for c in chains]


def primary_chains(mapper: Mapper, texts: list[EnterpriseText]) -> list[str]:
    return [s[0].chain if s and s[0].is_primary else NONE for s in mapper.map(texts)]


@dataclass
class EvalResult:
    chain: Scores
    ecosystem: Scores
    mode: str
    folds: int
    n: int


def evaluate(
    program: Program,
    data: Labelled,
    train: bool = True,
    folds: int = 5,
    tokenizer: str = "char",
    thresholds: Thresholds | None = None,
    seed: int = 0,
    c: float = 0.5,
    relations: ProductRelations | None = None,
) -> EvalResult:
    """Rules only (`train=False`) or k-fold cross-validation of rules + model (+ product relations)."""
    index = RuleIndex(program)
    pred = [NONE] * len(data.texts)
    if not train:
        pred = primary_chains(Mapper(index, thresholds=thresholds), data.texts)
        folds = 0
    else:
        y = np.array(data.chains)
        skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        for tr, te in skf.split(np.zeros(len(y)), y):
            model = MappingModel(index, tokenizer=tokenizer, c=c, relations=relations)
            model.fit([data.texts[i] for i in tr], [data.chains[i] for i in tr], seed=seed)
            got = primary_chains(Mapper(index, model, thresholds), [data.texts[i] for i in te])
            for i, p in zip(te, got, strict=True):
                pred[i] = p
    return EvalResult(
        chain=score(data.chains, pred),
        ecosystem=score(to_ecosystems(index, data.chains), to_ecosystems(index, pred)),
        mode=("rules+model" if train else "rules only")
        + ("" if not train else f", {tokenizer}")
        + (", relations" if train and relations is not None else ""),
        folds=folds,
        n=len(data.texts),
    )
