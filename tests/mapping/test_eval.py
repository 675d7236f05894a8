"""Evaluation on a slice of the real listed companies (../shared/data/listed)."""

from __future__ import annotations

from dataclasses import replace

from typer.testing import CliRunner

from chainlead.cli.main import app
from chainlead.mapping.evaluate import Labelled, evaluate, load_listed, score
from chainlead.program import load_builtin
from tests.conftest import shared_path

PROGRAM = load_builtin("hangzhou-2022").program


def _slice(n: int) -> Labelled:
    data = load_listed(shared_path("data", "listed", "companies.csv"), shared_path("data", "listed", "dev_labels.csv"))
    keep = [i for i in range(len(data.texts)) if i % 2 == 0][:n]
    return replace(
        data,
        codes=[data.codes[i] for i in keep],
        texts=[data.texts[i] for i in keep],
        chains=[data.chains[i] for i in keep],
    )


def test_score_by_hand() -> None:
    got = score(["a", "a", "b", "none", "none"], ["a", "b", "b", "a", "none"])
    assert got.per_label["a"][:3] == (0.5, 0.5, 0.5)
    assert got.per_label["b"][:3] == (0.5, 1.0, 2 / 3)
    assert abs(got.macro_f1 - (0.5 + 2 / 3) / 2) < 1e-12
    assert got.accuracy == 0.6


def test_rules_and_model_on_listed_slice() -> None:
    data = _slice(700)
    rules = evaluate(PROGRAM, data, train=False)
    # A broken rule index (no terms, no codes) scores near 0; the working one far above.
    assert rules.chain.macro_f1 > 0.35 and rules.ecosystem.macro_f1 > 0.45
    trained = evaluate(PROGRAM, data, train=True, folds=3)
    assert trained.chain.macro_f1 > 0.45 and trained.ecosystem.macro_f1 > 0.6
    assert trained.chain.accuracy > 0.65


def test_eval_cli_rules_only() -> None:
    res = CliRunner().invoke(
        app,
        [
            "map",
            "eval",
            "--companies",
            str(shared_path("data", "listed", "companies.csv")),
            "--labels",
            str(shared_path("data", "listed", "dev_labels.csv")),
            "--rules-only",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "macro-F1" in res.output and "药品" in res.output and "生态圈" in res.output
