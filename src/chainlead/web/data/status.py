"""Progress against targets (目标进度): the `chainlead status --json` dict and scale series.

Uses `chainlead.progress.service.status_report` when the progress package provides it; until then
(and for the per-year series behind the charts) it sums the scale metric over counted memberships
(confirmed or applied) straight from the tables: an enterprise counts once per ecosystem.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from chainlead.db.models import ChainMembership, ChainRow, EnterpriseFinancial, Qualification, TierGoalRow
from chainlead.web.data.program import COUNTED, ProgramInfo, latest_year, program_info

SCALE_METRICS = ("revenue_wan", "output_value_wan")


class StatusError(ValueError):
    """The progress service cannot answer (unknown ecosystem, no program); zh and en."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


class StatusUnavailable(RuntimeError):
    """The progress figures cannot be read right now (暂时无法读取): the SQLite reader child timed
    out or died, or its timeout setting is bad — a server-side failure (503), not bad input; zh and en."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


def progress_service() -> Any | None:
    """The progress package's service module, when it has landed."""
    try:
        module = importlib.import_module("chainlead.progress.service")
    except ImportError:
        return None
    return module if hasattr(module, "status_report") else None


def scale_series(
    session: Session, prog: ProgramInfo, by: str = "ecosystem", metric: str | None = None
) -> dict[int, dict[int, tuple[float, int]]]:
    """{ecosystem or chain id: {year: (scale in 万元, enterprises reporting)}}; each firm once per group."""
    metric = metric if metric in SCALE_METRICS else prog.scale_metric
    column = getattr(EnterpriseFinancial, metric)
    group_col = ChainRow.ecosystem_id if by == "ecosystem" else ChainRow.id
    members = (
        select(ChainMembership.enterprise_id.label("eid"), group_col.label("gid"))
        .join(ChainRow, ChainRow.id == ChainMembership.chain_id)
        .where(ChainRow.program_id == prog.id, ChainMembership.status.in_(COUNTED))
        .distinct()
        .subquery()
    )
    rows = session.execute(
        select(members.c.gid, EnterpriseFinancial.year, func.sum(column), func.count(column))
        .join(EnterpriseFinancial, EnterpriseFinancial.enterprise_id == members.c.eid)
        .group_by(members.c.gid, EnterpriseFinancial.year)
    ).all()
    out: dict[int, dict[int, tuple[float, int]]] = defaultdict(dict)
    for gid, year, total, n in rows:
        out[gid][year] = (float(total or 0.0), int(n or 0))
    return out


def _figures(
    series: dict[int, tuple[float, int]], year: int, target_yi: float | None, target_year: int, base_year: int
) -> dict[str, Any]:
    scale_wan, reporting = series.get(year, (0.0, 0))
    scale = scale_wan / 10000.0
    first_year = min((y for y in series if y >= base_year), default=None) or min(series, default=None)
    cagr = None
    if first_year is not None and first_year < year and series[first_year][0] > 0 and scale > 0:
        cagr = (scale_wan / series[first_year][0]) ** (1 / (year - first_year)) - 1
    left = target_year - year
    required = None
    if target_yi and scale > 0 and left > 0:
        required = (target_yi / scale) ** (1 / left) - 1
    projection = scale * (1 + cagr) ** max(left, 0) if cagr is not None else None
    status = "no_data"
    probability = None
    if target_yi and projection is not None:
        ratio = projection / target_yi
        status = "on_track" if ratio >= 1 else "at_risk" if ratio >= 0.9 else "off_track"
    return {
        "year": year,
        "scale_yi": round(scale, 4),
        "enterprises_reporting": reporting,
        "target_yi": target_yi,
        "target_year": target_year,
        "progress": (scale / target_yi) if target_yi else None,
        "cagr_actual": cagr,
        "cagr_required": required,
        "projection_yi": projection,
        "projection_low_yi": None,
        "projection_high_yi": None,
        "probability": probability,
        "status": status,
    }


def _tiers(session: Session, prog: ProgramInfo, year: int) -> list[dict[str, Any]]:
    goals = session.execute(select(TierGoalRow).where(TierGoalRow.program_id == prog.id)).scalars().all()
    targets = {g.tier: g.count for g in goals if g.kind == "target"}
    baselines = {g.tier: g.count for g in goals if g.kind == "baseline"}
    import datetime as dt

    end = dt.date(year, 12, 31)
    counts = dict(
        session.execute(
            select(Qualification.tier, func.count(distinct(Qualification.enterprise_id)))
            .where(
                Qualification.granted_on <= end,
                (Qualification.expires_on.is_(None)) | (Qualification.expires_on >= end),
            )
            .group_by(Qualification.tier)
        ).all()
    )
    out = []
    for tier in sorted(set(targets) | set(baselines), key=lambda t: list(targets).index(t) if t in targets else 99):
        count = int(counts.get(tier, 0))
        target = targets.get(tier)
        left = prog.target_year - year
        needed = ((target - count) / left) if target is not None and left > 0 else None
        status = (
            "no_data"
            if target is None
            else (
                "on_track"
                if count >= target
                else "at_risk"
                if needed is not None and needed <= max(count, 1) * 0.25
                else "off_track"
            )
        )
        out.append(
            {
                "tier": tier,
                "count": count,
                "baseline": baselines.get(tier),
                "target": target,
                "needed_per_year": needed,
                "status": status,
            }
        )
    return out


def fallback_status(
    session: Session, year: int | None = None, ecosystem: str | None = None, metric: str | None = None
) -> dict[str, Any]:
    prog = program_info(session)
    if prog is None:
        return {"program": None, "year": year, "ecosystems": [], "tiers": []}
    year = year or latest_year(session) or prog.base_year
    eco_series = scale_series(session, prog, "ecosystem", metric)
    chain_series = scale_series(session, prog, "chain", metric)
    ecos = []
    for eco in prog.ecosystems:
        if ecosystem and eco.name != ecosystem:
            continue
        target = eco.targets.get(str(prog.target_year))
        item = {
            "name": eco.name,
            **_figures(eco_series.get(eco.id, {}), year, target, prog.target_year, prog.base_year),
        }
        item["chains"] = [
            {"name": c.name, **_figures(chain_series.get(c.id, {}), year, None, prog.target_year, prog.base_year)}
            for c in eco.chains
        ]
        ecos.append(item)
    return {
        "program": prog.name,
        "year": year,
        "metric": metric or prog.scale_metric,
        "unit": "亿元",
        "ecosystems": ecos,
        "tiers": _tiers(session, prog, year),
    }


def status_report(
    session: Session, year: int | None = None, ecosystem: str | None = None, metric: str | None = None
) -> dict[str, Any]:
    """Exactly what `chainlead status --json` prints (the progress service when available).

    Raises StatusError for a request it cannot answer, StatusUnavailable when the figures cannot be read.
    """
    service = progress_service()
    if service is not None:
        from chainlead.progress.reading import ReadError, ReadSettingError  # loaded with the service

        try:
            return service.status_report(session, year=year, ecosystem=ecosystem, metric=metric)  # type: ignore[no-any-return]
        except getattr(service, "ProgressError", ValueError) as exc:
            raise StatusError(getattr(exc, "zh", str(exc)), getattr(exc, "en", str(exc))) from exc
        except (ReadError, ReadSettingError) as exc:
            raise StatusUnavailable(exc.zh, exc.en) from exc
    return fallback_status(session, year, ecosystem, metric)
