"""Evaluation of chain mapping on real listed companies and on the demo data.

1. Listed companies (../shared/data/listed: companies.csv + dev_labels.csv, scored rows only):
   rules only, and rules + model with k-fold cross-validation (character n-grams, and jieba
   with the program's terms as a dictionary for comparison), and character n-grams plus the
   product relations file (../shared/data/listed/product_relations.csv, read by path; `--relations ''`
   skips it). Per-chain precision/recall/F1 and macro-F1 at chain and at ecosystem level.
2. Demo data (`chainlead demo-data`): how well mapping recovers the generated memberships —
   rules only over all enterprises, and a model trained on one half, scored on the other.

    .venv/bin/python bench/mapping_eval.py            # 5 folds, both tokenizers, 20,000 demo firms
    .venv/bin/python bench/mapping_eval.py --quick    # 3 folds, char only, 5,000 demo firms
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

from chainlead.mapping.evaluate import evaluate, load_listed, score, to_ecosystems
from chainlead.mapping.model import MappingModel
from chainlead.mapping.predict import Mapper
from chainlead.mapping.relations import load_relations
from chainlead.mapping.rules import RuleIndex
from chainlead.program import load_builtin

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
LISTED = SHARED / "data" / "listed"


def listed(folds: int, tokenizers: list[str], tables: bool, relations: str = "") -> None:
    program = load_builtin("hangzhou-2022").program
    data = load_listed(LISTED / "companies.csv", LISTED / "dev_labels.csv")
    print(f"## listed companies: {len(data.texts)} scored (chain label or none)\n")
    runs = [("rules only", dict(train=False))]
    runs += [(f"rules + model, {folds}-fold CV, {t}", dict(train=True, folds=folds, tokenizer=t)) for t in tokenizers]
    if relations:
        rel = load_relations(relations)
        runs.append((f"rules + model, {folds}-fold CV, char+relations", dict(train=True, folds=folds, relations=rel)))
    summary = []
    for title, kwargs in runs:
        start = time.perf_counter()
        result = evaluate(program, data, **kwargs)  # type: ignore[arg-type]
        took = time.perf_counter() - start
        summary.append((title, result.chain.macro_f1, result.ecosystem.macro_f1, result.chain.accuracy, took))
        if tables:
            print(
                f"### {title}\n\nchain level:\n{result.chain.table()}\n\necosystem level:\n{result.ecosystem.table()}\n"
            )
    print(f"{'run':<48}{'chain macro-F1':>16}{'eco macro-F1':>14}{'accuracy':>10}{'seconds':>9}")
    for title, chain_f1, eco_f1, acc, took in summary:
        print(f"{title:<48}{chain_f1:>16.3f}{eco_f1:>14.3f}{acc:>10.3f}{took:>9.0f}")
    print()


def demo(n: int) -> None:
    from chainlead.db import session_scope
    from chainlead.demo.service import generate_demo
    from chainlead.mapping.store import training_set
    from chainlead.program.store import active_program

    db = str(Path(tempfile.mkdtemp(prefix="chainlead-mapeval-")) / "demo.db")
    generate_demo(n, 1, db_url=db, replace=True, with_facts=False)
    with session_scope(db) as s:
        found = active_program(s)
        assert found is not None
        prow, program = found
        data = training_set(s, prow.id)
    index = RuleIndex(program)
    print(f"## demo data: {len(data.texts)} enterprises with imported memberships (primary chain, node)\n")
    print(f"{'run':<44}{'chain acc':>10}{'node acc':>10}{'chain macro-F1':>16}{'eco macro-F1':>14}")

    def report(title: str, mapper: Mapper, rows: list[int]) -> None:
        got = mapper.map([data.texts[i] for i in rows])
        gold = [data.chains[i] for i in rows]
        pred = [s[0].chain if s and s[0].is_primary else "none" for s in got]
        nodes = [s[0].node if s and s[0].is_primary else "" for s in got]
        chain_acc = sum(p == g for p, g in zip(pred, gold, strict=True)) / len(rows)
        node_acc = sum(
            p == g and nd == data.nodes[i] for p, g, nd, i in zip(pred, gold, nodes, rows, strict=True)
        ) / len(rows)
        f1 = score(gold, pred).macro_f1
        eco = score(to_ecosystems(index, gold), to_ecosystems(index, pred)).macro_f1
        print(f"{title:<44}{chain_acc:>10.3f}{node_acc:>10.3f}{f1:>16.3f}{eco:>14.3f}")

    everyone = list(range(len(data.texts)))
    report("rules only, all enterprises", Mapper(index), everyone)
    half = everyone[::2]
    other = everyone[1::2]
    model = MappingModel(index)
    model.fit([data.texts[i] for i in half], [data.chains[i] for i in half], [data.nodes[i] for i in half])
    report("rules + model (trained on even rows), odd rows", Mapper(index, model), other)
    print()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-tables", action="store_true", help="summary lines only")
    ap.add_argument("--demo", type=int, default=None, help="demo enterprises (0 = skip)")
    default_rel = LISTED / "product_relations.csv"
    ap.add_argument("--relations", default=str(default_rel) if default_rel.exists() else "", help="'' = skip")
    args = ap.parse_args()
    warnings.filterwarnings("ignore", category=UserWarning)
    warnings.filterwarnings("ignore", message=".*converge.*")
    folds = 3 if args.quick else 5
    listed(folds, ["char"] if args.quick else ["char", "jieba"], not args.no_tables, args.relations)
    n = args.demo if args.demo is not None else (5_000 if args.quick else 20_000)
    if n:
        demo(n)


if __name__ == "__main__":
    main()
