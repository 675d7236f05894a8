"""The parts of a program the generator draws from (演示数据抽样框架), read at run time.

Industry codes, product terms and keywords come from each node of the loaded program, so
the demo follows whatever node trees the program file holds. A node with few terms falls back
to its partial codes, its chain's codes, and its own name; nothing is invented.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from chainlead.demo import profile
from chainlead.errors import BilingualError
from chainlead.program.model import Program
from chainlead.reference.industry import industry, is_industry_class


class DemoError(BilingualError, ValueError):
    """A problem that stops demo generation; carries a Chinese and an English message."""


@dataclass(frozen=True)
class NodeSpec:
    """One chain node with the words and codes enterprises under it get."""

    index: int
    chain_index: int
    name: str
    position: str
    codes: tuple[str, ...]
    products: tuple[str, ...]
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class ChainSpec:
    """One chain with its ecosystem, weights and nodes."""

    index: int
    eco_index: int
    name: str
    nodes: tuple[int, ...]  # global node indices
    node_weights: tuple[float, ...]
    count_weight: float
    district_weights: tuple[float, ...]
    is_service: bool


@dataclass(frozen=True)
class EcoSpec:
    """One ecosystem: its calibration target and growth profile."""

    index: int
    name: str
    baseline_wan: float  # base-year scale in 万元
    baseline_is_estimate: bool
    growth: tuple[float, ...]  # 2020..2024


@dataclass(frozen=True)
class Plan:
    """Everything the generator needs from a program."""

    program_name: str
    ecos: tuple[EcoSpec, ...]
    chains: tuple[ChainSpec, ...]
    nodes: tuple[NodeSpec, ...]
    tier_baselines: dict[str, int]
    tier_baseline_date: dt.date | None
    district_codes: tuple[str, ...]
    city: str  # name prefix, e.g. 杭州

    def chain_by_name(self, name: str) -> ChainSpec | None:
        return next((c for c in self.chains if c.name == name), None)

    def node_chain(self) -> np.ndarray:
        return np.array([n.chain_index for n in self.nodes], dtype=np.int32)

    def chain_eco(self) -> np.ndarray:
        return np.array([c.eco_index for c in self.chains], dtype=np.int32)


_POSITION_WEIGHT = {"上游": 0.8, "中游": 1.2, "下游": 1.0}


def _codes(values: list[str]) -> list[str]:
    return [c for c in dict.fromkeys(v.strip() for v in values) if is_industry_class(c)]


def build_plan(program: Program) -> Plan:
    """Turn a program into sampling frames; raise DemoError when it cannot carry demo data."""
    # Hangzhou's districts carry the weights of profile.py; another region gets its own code.
    hangzhou = program.program.region_code == profile.HANGZHOU
    ecos: list[EcoSpec] = []
    chains: list[ChainSpec] = []
    nodes: list[NodeSpec] = []
    problems: list[str] = []
    for eco in program.ecosystems:
        if eco.baseline is None:
            raise DemoError(
                f"生态圈「{eco.name}」没有基年规模（baseline.scale_yi），无法校准演示数据",
                f"ecosystem {eco.name!r} has no base-year scale (baseline.scale_yi) to calibrate to",
            )
        eco_spec = EcoSpec(
            len(ecos),
            eco.name,
            float(eco.baseline.scale_yi) * 10_000.0,
            eco.baseline.estimate,
            profile.GROWTH.get(eco.name)
            or next((profile.GROWTH[a] for a in eco.aliases if a in profile.GROWTH), profile.DEFAULT_GROWTH),
        )
        ecos.append(eco_spec)
        for chain in eco.chains:
            if not chain.nodes:
                problems.append(chain.name)
                continue
            chain_codes = _codes([c for n in chain.nodes for c in n.industry_codes])
            chain_partial = _codes([c for n in chain.nodes for c in n.partial_codes])
            first = len(nodes)
            for node in chain.nodes:
                codes = _codes(node.industry_codes) or _codes(node.partial_codes) or chain_codes or chain_partial
                if not codes:
                    problems.append(f"{chain.name}/{node.name}")
                    continue
                products = tuple(dict.fromkeys(p for p in node.products if p.strip())) or tuple(
                    dict.fromkeys(k for k in node.keywords if k.strip())
                )
                keywords = tuple(dict.fromkeys(k for k in node.keywords if k.strip())) or products
                nodes.append(
                    NodeSpec(
                        len(nodes),
                        len(chains),
                        node.name,
                        node.position.value,
                        tuple(codes),
                        products or (node.name,),
                        keywords or (node.name,),
                    )
                )
            if len(nodes) == first:
                continue
            node_ids = tuple(range(first, len(nodes)))
            chains.append(
                ChainSpec(
                    len(chains),
                    eco_spec.index,
                    chain.name,
                    node_ids,
                    tuple(_POSITION_WEIGHT.get(nodes[i].position, 1.0) for i in node_ids),
                    profile.CHAIN_COUNT_WEIGHTS.get(chain.name, profile.DEFAULT_CHAIN_COUNT_WEIGHT),
                    (
                        profile.DISTRICT_WEIGHTS.get(chain.name, profile.DEFAULT_DISTRICT_WEIGHTS)
                        if hangzhou
                        else (1.0,)
                    ),
                    chain.name in profile.SERVICE_CHAINS or _mostly_services(nodes, node_ids),
                )
            )
    if problems:
        shown = "、".join(problems[:8]) + (" …" if len(problems) > 8 else "")
        raise DemoError(
            f"方案中以下产业链/节点没有节点或行业代码，无法生成演示数据：{shown}",
            f"these chains/nodes have no nodes or industry codes, so no demo data can be drawn: {shown}",
        )
    if not chains:
        raise DemoError("方案中没有任何产业链", "the program has no chains")
    return Plan(
        program.name,
        tuple(ecos),
        tuple(chains),
        tuple(nodes),
        program.tier_baselines.counts(),
        program.tier_baselines.as_of,
        profile.DISTRICT_CODES if hangzhou else (program.program.region_code,),
        program.program.region_name.removesuffix("市") or ("杭州" if hangzhou else ""),
    )


def _mostly_services(nodes: list[NodeSpec], node_ids: tuple[int, ...]) -> bool:
    codes = [c for i in node_ids for c in nodes[i].codes]
    manufacturing = sum(1 for c in codes if (row := industry(c)) is not None and row.is_manufacturing)
    return manufacturing * 2 < len(codes)
