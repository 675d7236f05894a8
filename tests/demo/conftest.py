"""Demo data is generated once per test module (module-scoped fixtures keep the suite fast)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from chainlead.demo.service import DemoSummary, generate_demo

CALIBRATION_N = 5000


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def demo5000(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoSummary, Path]:
    out = tmp_path_factory.mktemp("demo5000")
    summary = generate_demo(CALIBRATION_N, 7, out_dir=out)
    return summary, out
