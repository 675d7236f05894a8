"""Tier criteria as versioned rule data (梯度培育认定标准).

Each TOML file in `rules/` is one tier under one version (e.g. `zjtx_provincial-miit-2022.toml`)
with the years of application it covers (`valid_from`–`valid_to`). `rule_for(tier, year)` picks
the version in force; a 2026 version is added as another file. Every rule item carries its
source and whether it is confirmed; unconfirmed items are shown as 待核实.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

EVAL_TIERS = (
    "innovative_sme",
    "zjtx_provincial",
    "little_giant_national",
    "hidden_champion_provincial",
)
UNCONFIRMED = "待核实"
OPS = (">=", ">", "<=", "<", "==")


class RuleError(ValueError):
    """A rule file that cannot be used (规则文件错误)."""


@dataclass(frozen=True)
class Settings:
    """Evaluation conventions (评价口径), documented in docs/cultivation.md.

    edge: a value exactly on a band boundary gets the `higher`-scoring band (default) or the `lower`.
    growth: "近2年平均增长率" as the arithmetic `mean` of two yearly rates (default) or the `cagr`.
    near_points: a score tier's shortfall (points) still counted as a near miss.
    near_rel: a condition's relative shortfall still counted as a near miss (0.2 = within 20%).
    near_max_failed: at most this many failed criteria for a near miss.
    """

    edge: Literal["higher", "lower"] = "higher"
    growth: Literal["mean", "cagr"] = "mean"
    near_points: float = 10.0
    near_rel: float = 0.2
    near_max_failed: int = 2


@dataclass(frozen=True)
class Cond:
    """A pass/fail test: a leaf (metric op value) or all/any of children."""

    id: str
    name: str
    metric: str | None = None
    op: str = ">="
    value: float = 0.0
    all: tuple[Cond, ...] = ()
    any: tuple[Cond, ...] = ()
    confirmed: bool = True
    note: str = ""
    source: str = ""
    dimension: str = ""

    def leaves(self) -> list[Cond]:
        if self.metric is not None:
            return [self]
        return [leaf for c in (*self.all, *self.any) for leaf in c.leaves()]


@dataclass(frozen=True)
class Alternative:
    metric: str
    bands: tuple[tuple[float, float], ...]
    direction: Literal["higher", "lower"] = "higher"
    else_points: float = 0.0


@dataclass(frozen=True)
class Indicator:
    """A scored indicator: bands of one metric, or the best of several (取高者)."""

    id: str
    group: str
    name: str
    max: float
    alternatives: tuple[Alternative, ...]
    local_items: tuple[tuple[Cond, float], ...] = ()
    is_local: bool = False
    confirmed: bool = True
    note: str = ""
    source: str = ""


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    max: float
    floor: float = 0.0


@dataclass(frozen=True)
class Rule:
    """One tier's criteria under one version."""

    tier: str
    tier_zh: str
    version: str
    valid_from: int
    valid_to: int | None
    kind: Literal["score", "conditions"]
    document: str
    source: str
    confirmed: bool
    validity_years: int
    validity_confirmed: bool
    pass_score: float = 0.0
    preconditions: tuple[Cond, ...] = ()
    conditions: tuple[Cond, ...] = ()
    routes: tuple[Cond, ...] = ()
    groups: tuple[Group, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    excluded_if_holding: tuple[str, ...] = ()
    attestations: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def max_score(self) -> float:
        return sum(i.max for i in self.indicators)

    @property
    def local_max(self) -> float:
        """Points of the province-defined group that are not configured (待核实)."""
        return sum(i.max for i in self.indicators if i.is_local and not i.local_items)

    def covers(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)

    def all_conds(self) -> list[Cond]:
        return [*self.preconditions, *self.conditions, *self.routes]

    def metrics(self) -> set[str]:
        out = {leaf.metric for c in self.all_conds() for leaf in c.leaves() if leaf.metric}
        for ind in self.indicators:
            out |= {a.metric for a in ind.alternatives}
            out |= {leaf.metric for c, _ in ind.local_items for leaf in c.leaves() if leaf.metric}
        return out  # type: ignore[return-value]


def _cond(raw: dict[str, Any], where: str, idx: int = 0) -> Cond:
    cid = str(raw.get("id", f"{where}.{idx}"))
    name = str(raw.get("name", ""))
    kids_all = tuple(_cond(c, f"{cid}", i) for i, c in enumerate(raw.get("all", [])))
    kids_any = tuple(_cond(c, f"{cid}", i) for i, c in enumerate(raw.get("any", [])))
    metric = raw.get("metric")
    if metric is None and not kids_all and not kids_any:
        raise RuleError(f"{where}: 条件 {cid} 既无 metric 也无 all/any / condition has no metric nor all/any")
    op = str(raw.get("op", ">="))
    if op not in OPS:
        raise RuleError(f"{where}: 条件 {cid} 的运算符 {op} 无效 / invalid op")
    value = raw.get("value", 0)
    return Cond(
        id=cid,
        name=name,
        metric=metric,
        op=op,
        value=float(value),
        all=kids_all,
        any=kids_any,
        confirmed=bool(raw.get("confirmed", True)),
        note=str(raw.get("note", "")),
        source=str(raw.get("source", "")),
        dimension=str(raw.get("dimension", "")),
    )


def _alt(raw: dict[str, Any], default_dir: str) -> Alternative:
    bands = tuple((float(t), float(p)) for t, p in raw["bands"])
    direction = raw.get("direction", default_dir)
    ordered = sorted(bands, key=lambda b: b[0], reverse=direction == "higher")
    if [b[1] for b in ordered] != sorted((b[1] for b in bands), reverse=True):
        raise RuleError(f"分档须单调 / bands must be monotone: {raw['metric']}")
    return Alternative(raw["metric"], tuple(ordered), direction, float(raw.get("else_points", 0)))


def _indicator(raw: dict[str, Any], where: str) -> Indicator:
    direction = raw.get("direction", "higher")
    if "alternatives" in raw:
        alts = tuple(_alt(a, direction) for a in raw["alternatives"])
    elif "metric" in raw:
        alts = (_alt(raw, direction),)
    else:
        alts = ()
    is_local = "local_items" in raw
    items = tuple((_cond(it, where), float(it.get("points", 0))) for it in raw.get("local_items", []))
    if not alts and not is_local:
        raise RuleError(f"{where}: 指标 {raw.get('id')} 无分档 / indicator has no bands")
    return Indicator(
        id=raw["id"],
        group=raw["group"],
        name=raw["name"],
        max=float(raw["max"]),
        alternatives=alts,
        local_items=items,
        is_local=is_local,
        confirmed=bool(raw.get("confirmed", True)),
        note=str(raw.get("note", "")),
        source=str(raw.get("source", "")),
    )


def parse_rule(data: dict[str, Any], where: str = "rule") -> Rule:
    """Build a Rule from parsed TOML; raises RuleError naming the problem."""
    try:
        head = data["rule"]
        rule = Rule(
            tier=head["tier"],
            tier_zh=head["tier_zh"],
            version=head["version"],
            valid_from=int(head["valid_from"]),
            valid_to=int(head["valid_to"]) if head.get("valid_to") is not None else None,
            kind=head["kind"],
            document=head.get("document", ""),
            source=head.get("source", ""),
            confirmed=bool(head.get("confirmed", True)),
            validity_years=int(head.get("validity_years", 3)),
            validity_confirmed=bool(head.get("validity_confirmed", False)),
            pass_score=float(head.get("pass_score", 0)),
            preconditions=tuple(_cond(c, where, i) for i, c in enumerate(data.get("preconditions", []))),
            conditions=tuple(_cond(c, where, i) for i, c in enumerate(data.get("conditions", []))),
            routes=tuple(_cond(c, where, i) for i, c in enumerate(data.get("routes", []))),
            groups=tuple(
                Group(g["id"], g["name"], float(g["max"]), float(g.get("floor", 0))) for g in data.get("groups", [])
            ),
            indicators=tuple(_indicator(i, where) for i in data.get("indicators", [])),
            excluded_if_holding=tuple(head.get("excluded_if_holding", [])),
            attestations=tuple(head.get("attestations", [])),
            notes=tuple(x for x in (head.get("require_holding_note", ""),) if x),
        )
    except KeyError as exc:
        raise RuleError(f"{where}: 缺少字段 {exc} / missing key {exc}") from exc
    if rule.tier not in EVAL_TIERS:
        raise RuleError(f"{where}: 未知称号 {rule.tier} / unknown tier")
    groups = {g.id for g in rule.groups}
    for ind in rule.indicators:
        if ind.group not in groups:
            raise RuleError(f"{where}: 指标 {ind.id} 的分组 {ind.group} 未定义 / undefined group")
    if rule.kind == "score" and abs(rule.max_score - 100) > 1e-9:
        raise RuleError(f"{where}: 满分应为 100，实为 {rule.max_score} / total must be 100")
    from chainlead.cultivation.metrics import METRICS

    unknown = rule.metrics() - set(METRICS)
    if unknown:
        raise RuleError(f"{where}: 未知指标 {sorted(unknown)} / unknown metrics")
    return rule


def load_rule_file(path: Path) -> Rule:
    with open(path, "rb") as f:
        return parse_rule(tomllib.load(f), path.name)


@cache
def builtin_rules() -> tuple[Rule, ...]:
    """Every rule version shipped in `cultivation/rules/` (package data)."""
    folder = resources.files("chainlead.cultivation").joinpath("rules")
    out = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            out.append(parse_rule(tomllib.loads(entry.read_text(encoding="utf-8")), entry.name))
    return tuple(out)


def rule_versions(tier: str | None = None) -> list[Rule]:
    return [r for r in builtin_rules() if tier is None or r.tier == tier]


def rule_for(tier: str, year: int, rules: tuple[Rule, ...] | None = None) -> Rule:
    """The rule version in force for applications in `year` (from `rules`, default the built-in set)."""
    pool = builtin_rules() if rules is None else rules
    found = [r for r in pool if r.tier == tier and r.covers(year)]
    if not found:
        spans = ", ".join(f"{r.version} {r.valid_from}–{r.valid_to or ''}" for r in pool if r.tier == tier)
        raise RuleError(
            f"{tier} 没有适用于 {year} 年申报的规则版本（已有：{spans}）/ "
            f"no rule version of {tier} covers applications in {year} (have: {spans})"
        )
    return max(found, key=lambda r: r.valid_from)
