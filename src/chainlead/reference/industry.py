"""GB/T 4754-2017 国民经济行业分类 (with the 2019 amendment), code and name only."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class IndustryCode:
    """One row of the national industry classification (行业代码)."""

    code: str
    level: int  # 1 门类, 2 大类, 3 中类, 4 小类
    section: str
    name: str

    @property
    def is_manufacturing(self) -> bool:
        return self.section == "C"


@cache
def _table() -> dict[str, IndustryCode]:
    text = resources.files("chainlead.reference").joinpath("data/gbt4754_2017.csv")
    with text.open(encoding="utf-8") as f:
        return {r["code"]: IndustryCode(r["code"], int(r["level"]), r["section"], r["name"]) for r in csv.DictReader(f)}


def industry(code: str) -> IndustryCode | None:
    """Look up a code at any level (门类 letter, 2-, 3- or 4-digit)."""
    return _table().get(code.strip())


def industry_name(code: str) -> str | None:
    row = industry(code)
    return row.name if row else None


def is_industry_class(code: str) -> bool:
    """True for an existing 4-digit class (小类), the level enterprises are coded at."""
    row = industry(code)
    return row is not None and row.level == 4


def industry_classes() -> list[IndustryCode]:
    return [r for r in _table().values() if r.level == 4]
