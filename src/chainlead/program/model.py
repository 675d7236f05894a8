"""The plan as data: program (方案) → ecosystems (生态圈) → chains (产业链) → nodes (链节点).

These pydantic models describe a program TOML file (see docs/program-format.md). They check
structure and types; the cross-field rules (duplicates, cycles, codes, years) live in
`validate.py` so that every problem is reported with its key path at once.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

TIER_KEYS = ("zjtx_provincial", "hidden_champion_provincial", "little_giant_national")
SCALE_METRICS = ("revenue_wan", "output_value_wan")


class Position(StrEnum):
    """Position of a node along the chain (上游/中游/下游)."""

    UPSTREAM = "上游"
    MIDSTREAM = "中游"
    DOWNSTREAM = "下游"

    @property
    def english(self) -> str:
        return {"上游": "upstream", "中游": "midstream", "下游": "downstream"}[self.value]


POSITION_ALIASES = {
    "上游": Position.UPSTREAM,
    "upstream": Position.UPSTREAM,
    "中游": Position.MIDSTREAM,
    "midstream": Position.MIDSTREAM,
    "下游": Position.DOWNSTREAM,
    "downstream": Position.DOWNSTREAM,
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class Node(_Strict):
    """Chain node (链节点): one link of a chain map, e.g. 芯片 or 整车."""

    name: str = Field(min_length=1)
    position: Position
    parent: str = ""
    industry_codes: list[str] = Field(default_factory=list)
    partial_codes: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    products: list[str] = Field(default_factory=list)
    note: str = ""


class Chain(_Strict):
    """Industrial chain (产业链) with its chain leader (链长) and chain masters (链主)."""

    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    leader: str = ""
    lead_department: str = ""
    chain_masters: list[str] = Field(default_factory=list)
    leading_firms: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    note: str = ""
    nodes: list[Node] = Field(default_factory=list)


class Baseline(_Strict):
    """A base-year scale figure for an ecosystem, in 亿元 (may be an estimate)."""

    year: int
    scale_yi: NonNegative
    estimate: bool = False
    note: str = ""


class Ecosystem(_Strict):
    """Industry ecosystem (产业生态圈): a group of chains with a scale target."""

    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    targets: dict[str, NonNegative] = Field(default_factory=dict)
    target_is_floor: bool = True
    baseline: Baseline | None = None
    note: str = ""
    chains: list[Chain] = Field(default_factory=list)


class TierCounts(_Strict):
    """Counts of enterprises by tier (梯度培育目标/基数) at a year or a date."""

    year: int | None = None
    as_of: dt.date | None = None
    zjtx_provincial: Annotated[int, Field(ge=0)] | None = None
    hidden_champion_provincial: Annotated[int, Field(ge=0)] | None = None
    little_giant_national: Annotated[int, Field(ge=0)] | None = None

    def counts(self) -> dict[str, int]:
        return {k: v for k in TIER_KEYS if (v := getattr(self, k)) is not None}


class StatusRules(_Strict):
    """Thresholds that turn a probability of reaching a target into a status (目标进度状态)."""

    on_track_min_probability: Annotated[float, Field(ge=0, le=1)] = 0.6
    at_risk_min_probability: Annotated[float, Field(ge=0, le=1)] = 0.3
    # tiers (梯度培育): recent yearly additions ÷ additions needed per remaining year
    tier_on_track_min_pace_ratio: Annotated[float, Field(ge=0)] = 1.0
    tier_at_risk_min_pace_ratio: Annotated[float, Field(ge=0)] = 0.7


class ProgramHeader(_Strict):
    """The program's own facts (方案)."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    title: str = ""
    region_code: str = Field(pattern=r"^\d{6}$")
    region_name: str = ""
    base_year: int
    target_year: int
    effective_on: dt.date | None = None
    revision: str = ""
    scale_metric: str = "revenue_wan"
    scale_unit: str = "亿元"
    source: str = ""
    note: str = ""


class Program(_Strict):
    """A whole program file."""

    program: ProgramHeader
    status_rules: StatusRules = Field(default_factory=StatusRules)
    tier_targets: TierCounts = Field(default_factory=TierCounts)
    tier_baselines: TierCounts = Field(default_factory=TierCounts)
    ecosystems: list[Ecosystem] = Field(default_factory=list)

    @property
    def name(self) -> str:
        return self.program.name

    def chains(self) -> list[tuple[Ecosystem, Chain]]:
        return [(eco, chain) for eco in self.ecosystems for chain in eco.chains]

    def find_chain(self, name: str) -> tuple[Ecosystem, Chain] | None:
        """Find a chain by name or alias."""
        for eco, chain in self.chains():
            if name == chain.name or name in chain.aliases:
                return eco, chain
        return None

    def find_ecosystem(self, name: str) -> Ecosystem | None:
        """Find an ecosystem by name or alias."""
        for eco in self.ecosystems:
            if name == eco.name or name in eco.aliases:
                return eco
        return None
