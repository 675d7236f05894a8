"""An ecosystem or chain on one page (生态圈/产业链): scale over the years, the chain map with each
node's local strength, top enterprises, chain masters and leading firms, tier holders.

Local strength (本地强度) of a node, until the diagnostics package provides one: the mean of its
percentile rank among the chain's nodes by member count and by scale in the year shown; nodes with
no member enterprise are 缺失 (missing). 强 ≥ 0.67 > 中 ≥ 0.34 > 弱.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from chainlead.db.models import ChainMembership, Enterprise, EnterpriseFinancial, Qualification
from chainlead.web.data.program import COUNTED, ChainInfo, ProgramInfo, chain_nodes
from chainlead.web.data.status import scale_series


def _ranks(values: dict[int, float]) -> dict[int, float]:
    ordered = sorted(values, key=lambda k: values[k])
    n = len(ordered)
    return {k: (i + 1) / n for i, k in enumerate(ordered)} if n else {}


def strength_label(score: float | None) -> str:
    if score is None:
        return "missing"
    return "strong" if score >= 0.67 else "medium" if score >= 0.34 else "weak"


def node_map(session: Session, chain: ChainInfo, year: int, metric: str) -> list[dict[str, Any]]:
    """The chain's nodes (upstream → downstream) with members, scale and local strength."""
    nodes = chain_nodes(session, chain.id)
    column = getattr(EnterpriseFinancial, metric)
    counts = dict(
        session.execute(
            select(ChainMembership.node_id, func.count(distinct(ChainMembership.enterprise_id)))
            .where(ChainMembership.chain_id == chain.id, ChainMembership.status.in_(COUNTED))
            .group_by(ChainMembership.node_id)
        ).all()
    )
    scales = dict(
        session.execute(
            select(ChainMembership.node_id, func.sum(column))
            .join(EnterpriseFinancial, EnterpriseFinancial.enterprise_id == ChainMembership.enterprise_id)
            .where(
                ChainMembership.chain_id == chain.id,
                ChainMembership.status.in_(COUNTED),
                EnterpriseFinancial.year == year,
            )
            .group_by(ChainMembership.node_id)
        ).all()
    )
    present = [n.id for n in nodes if counts.get(n.id)]
    rc = _ranks({i: float(counts.get(i, 0)) for i in present})
    rs = _ranks({i: float(scales.get(i) or 0.0) for i in present})
    order = {"上游": 0, "中游": 1, "下游": 2}
    out = []
    for n in sorted(nodes, key=lambda n: (order.get(n.position, 3), n.sort)):
        score = (rc[n.id] + rs[n.id]) / 2 if n.id in rc else None
        out.append(
            {
                "id": n.id,
                "name": n.name,
                "parent_id": n.parent_id,
                "position": n.position,
                "enterprises": int(counts.get(n.id, 0)),
                "scale_wan": float(scales.get(n.id) or 0.0),
                "strength": score,
                "strength_label": strength_label(score),
            }
        )
    return out


def chain_tree(nodes: list[dict[str, Any]], chain_name: str) -> dict[str, Any]:
    """ECharts tree data: chain → 上游/中游/下游 → nodes (children under their parents)."""
    children: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for n in nodes:
        children[n["parent_id"]].append(n)

    def build(n: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": n["name"],
            "value": n["enterprises"],
            "id": n["id"],
            "strength": n["strength_label"],
            "children": [build(c) for c in children.get(n["id"], [])],
        }

    stages = []
    for pos in ("上游", "中游", "下游"):
        roots = [build(n) for n in nodes if n["position"] == pos and n["parent_id"] is None]
        if roots:
            stages.append({"name": pos, "stage": True, "children": roots})
    return {"name": chain_name, "stage": True, "children": stages}


def top_enterprises(
    session: Session, chain_ids: list[int], year: int, metric: str, limit: int = 10
) -> list[dict[str, Any]]:
    column = getattr(EnterpriseFinancial, metric)
    members = (
        select(ChainMembership.enterprise_id.label("eid"))
        .where(ChainMembership.chain_id.in_(chain_ids), ChainMembership.status.in_(COUNTED))
        .distinct()
        .subquery()
    )
    rows = session.execute(
        select(Enterprise.uscc, Enterprise.name, Enterprise.district_code, column, EnterpriseFinancial.employees)
        .join(members, members.c.eid == Enterprise.id)
        .join(
            EnterpriseFinancial,
            (EnterpriseFinancial.enterprise_id == Enterprise.id) & (EnterpriseFinancial.year == year),
        )
        .where(column.is_not(None))
        .order_by(column.desc())
        .limit(limit)
    ).all()
    return [{"uscc": r[0], "name": r[1], "district_code": r[2], "scale_wan": r[3], "employees": r[4]} for r in rows]


def named_firms(session: Session, names: list[str]) -> list[dict[str, Any]]:
    """Chain masters (链主) / leading firms named in the program, linked when found in the register."""
    found = {}
    if names:
        for uscc, name in session.execute(select(Enterprise.uscc, Enterprise.name).where(Enterprise.name.in_(names))):
            found[name] = uscc
    return [{"name": n, "uscc": found.get(n)} for n in names]


def tier_holders(session: Session, chain_ids: list[int], limit: int = 8) -> dict[str, list[dict[str, Any]]]:
    members = (
        select(ChainMembership.enterprise_id.label("eid"))
        .where(ChainMembership.chain_id.in_(chain_ids), ChainMembership.status.in_(COUNTED))
        .distinct()
        .subquery()
    )
    rows = session.execute(
        select(Qualification.tier, Enterprise.uscc, Enterprise.name)
        .join(members, members.c.eid == Qualification.enterprise_id)
        .join(Enterprise, Enterprise.id == Qualification.enterprise_id)
        .order_by(Qualification.tier, Qualification.granted_on.desc())
    ).all()
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for tier, uscc, name in rows:
        if len(out[tier]) < limit and all(x["uscc"] != uscc for x in out[tier]):
            out[tier].append({"uscc": uscc, "name": name})
    return dict(out)


def series_rows(series: dict[int, tuple[float, int]]) -> list[dict[str, Any]]:
    """Per year: scale in 亿元, 同比, enterprises reporting."""
    out = []
    prev = None
    for year in sorted(series):
        wan, n = series[year]
        yoy = (wan / prev - 1) if prev else None
        out.append({"year": year, "scale_yi": wan / 10000.0, "yoy": yoy, "reporting": n})
        prev = wan
    return out


def history_rows(entry: dict[str, Any] | None) -> list[dict[str, Any]] | None:
    """Per year from the progress report's `history` (scale 亿元, reporting firms), with 同比."""
    if not entry or not entry.get("history"):
        return None
    out = []
    prev = None
    for h in entry["history"]:
        scale = h.get("scale_yi")
        yoy = (scale / prev - 1) if prev and scale is not None else None
        out.append(
            {"year": h["year"], "scale_yi": scale or 0.0, "yoy": yoy, "reporting": h.get("enterprises_reporting", 0)}
        )
        prev = scale
    return out


def report_entry(report: dict[str, Any], name: str, level: str = "chain") -> dict[str, Any] | None:
    """An ecosystem's or a chain's entry in the progress report."""
    for eco in report.get("ecosystems", []):
        if level == "ecosystem" and eco.get("name") == name:
            return eco
        for chain in eco.get("chains", []):
            if level == "chain" and chain.get("name") == name:
                return chain
    return None


def chain_page(
    session: Session, prog: ProgramInfo, chain: ChainInfo, year: int, metric: str, report: dict[str, Any]
) -> dict[str, Any]:
    outlook = report_entry(report, chain.name)
    series = history_rows(outlook) or series_rows(scale_series(session, prog, "chain", metric).get(chain.id, {}))
    nodes = node_map(session, chain, year, metric)
    return {
        "chain": chain,
        "year": year,
        "outlook": outlook,
        "series": series,
        "nodes": nodes,
        "tree": chain_tree(nodes, chain.name),
        "top": top_enterprises(session, [chain.id], year, metric),
        "masters": named_firms(session, chain.chain_masters),
        "leading": named_firms(session, chain.leading_firms),
        "tiers": tier_holders(session, [chain.id]),
    }


def ecosystem_page(
    session: Session, prog: ProgramInfo, eco_id: int, year: int, metric: str, report: dict[str, Any]
) -> dict[str, Any] | None:
    eco = prog.ecosystem(eco_id)
    if eco is None:
        return None
    series = history_rows(report_entry(report, eco.name, "ecosystem"))
    if series is None:
        series = series_rows(scale_series(session, prog, "ecosystem", metric).get(eco.id, {}))
    chains = []
    for c in eco.chains:
        rows = history_rows(report_entry(report, c.name)) or []
        current = next((r for r in rows if r["year"] == year), None)
        chains.append({"chain": c, "series": rows, "current": current})
    return {
        "ecosystem": eco,
        "year": year,
        "series": series,
        "chains": chains,
        "top": top_enterprises(session, [c.id for c in eco.chains], year, metric),
    }
