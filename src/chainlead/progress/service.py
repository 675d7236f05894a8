"""Progress against the targets (目标进度): the one service behind `chainlead status` and
`GET /api/v1/status`.

``status_report(session, year=None, ecosystem=None, metric=None) -> dict`` answers "where do we
stand and will we make it" for every ecosystem, chain and tier. Results are cached in
`result_cache` and served only while the data versions they came from are current.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from chainlead.db.models import ProgramRow, utcnow
from chainlead.db.versions import versions
from chainlead.errors import BilingualError
from chainlead.program.model import SCALE_METRICS, TIER_KEYS, Program
from chainlead.program.store import active_program_row
from chainlead.program.validate import parse_program
from chainlead.progress import accounting, tiers
from chainlead.progress.cache import PROGRESS_AREAS, cached
from chainlead.progress.figures import FLAG_TEXT, index_table, unit_figures
from chainlead.progress.growth import progress_ratio, required_cagr

Table = dict[tuple[str, int], dict[int, Any]]  # (kind, id) → year → unit-year row
STATUS_ZH = {"on_track": "达标", "at_risk": "关注", "off_track": "落后"}
METRIC_LABELS = {"revenue_wan": "营业收入", "output_value_wan": "工业总产值"}
YEAR_WINDOW = 12  # years of history read at most (target year − 12 … latest)


class ProgressError(BilingualError, Exception):
    """A request the progress service cannot answer (bilingual)."""


def _program(session: Session) -> tuple[ProgramRow, Program]:
    row = active_program_row(session)
    if row is None:
        raise ProgressError(
            "数据库中没有当前方案，请先运行 chainlead program load",
            "no active program in the database; run `chainlead program load` first",
        )
    return row, _parsed(row.source_toml, f"db:{row.name}")


@lru_cache(maxsize=8)
def _parsed(source_toml: str, name: str) -> Program:
    """The program of a stored revision, parsed once per process (read-only here)."""
    return parse_program(source_toml, name).program


def _metric(row: ProgramRow, metric: str | None) -> str:
    chosen = metric or row.scale_metric or "revenue_wan"
    if chosen not in SCALE_METRICS:
        raise ProgressError(
            f"未知的规模口径 {chosen!r}（可用：{'、'.join(SCALE_METRICS)}）",
            f"unknown scale metric {chosen!r} (use one of: {', '.join(SCALE_METRICS)})",
        )
    return chosen


def unit_table(session: Session, row: ProgramRow, metric: str) -> tuple[accounting.Structure, Table]:
    """The unit-year table (cached per program revision and metric)."""
    structure = accounting.load_structure(session, row.id)

    def compute() -> dict[str, Any]:
        span = accounting.year_range(session, metric)
        if span is None:
            return {"years": [], "rows": []}
        years = list(range(max(span[0], row.target_year - YEAR_WINDOW), span[1] + 1))
        table = accounting.unit_table(session, structure, metric, years)
        return {"years": years, "rows": table.to_dict(orient="records")}

    payload, _ = cached(session, f"progress.table:{row.id}:{metric}", compute)
    return structure, index_table(payload["rows"])


def _target(eco_targets: dict[str, float], program_target_year: int, year: int) -> tuple[float | None, int | None]:
    if not eco_targets:
        return None, None
    by_year = {int(k): float(v) for k, v in eco_targets.items()}
    if program_target_year in by_year:
        return by_year[program_target_year], program_target_year
    later = [y for y in by_year if y >= year]
    chosen = min(later) if later else max(by_year)
    return by_year[chosen], chosen


def _outlook(
    fig: dict[str, Any], target_yi: float | None, target_year: int, rules: Any, basis: str = "plan"
) -> dict[str, Any]:
    """Progress, required CAGR, projection with 80% interval, probability and status."""
    out: dict[str, Any] = {
        "target_yi": target_yi,
        "target_year": target_year,
        "target_basis": basis if target_yi is not None else None,
        "progress": None,
        "cagr_required": None,
        "projection_yi": None,
        "projection_low_yi": None,
        "projection_high_yi": None,
        "probability": None,
        "status": None,
        "status_zh": None,
        "model": None,
        "backtest_error": None,
    }
    scale, as_of = fig.get("scale_yi"), fig.get("as_of_year")
    if scale is None or as_of is None:
        return out
    out["progress"] = progress_ratio(scale, target_yi)
    out["cagr_required"] = required_cagr(scale, target_yi, target_year - as_of)
    hist = fig["history"]
    if as_of >= target_year:
        final = next((h["scale_yi"] for h in hist if h["year"] == target_year), scale)
        out.update(projection_yi=final, projection_low_yi=final, projection_high_yi=final, model="actual")
        if target_yi is not None:
            out["probability"] = 1.0 if final >= target_yi else 0.0
    elif len(hist) >= 2:
        from chainlead.progress.forecast import pick_model  # scipy/statsmodels: only when recomputing

        engine = "statsmodels" if target_yi is not None and basis == "plan" else "recursion"
        p = pick_model([h["year"] for h in hist], [h["scale_yi"] for h in hist], target_year, engine)
        out.update(
            projection_yi=p.mean,
            projection_low_yi=p.low,
            projection_high_yi=p.high,
            model=p.model,
            backtest_error=p.backtest_error,
        )
        if target_yi is not None:
            out["probability"] = p.probability_at_least(target_yi)
    if out["probability"] is not None:
        prob = out["probability"]
        status = (
            "on_track"
            if prob >= rules.on_track_min_probability
            else "at_risk"
            if prob >= rules.at_risk_min_probability
            else "off_track"
        )
        out["status"], out["status_zh"] = status, STATUS_ZH[status]
    return out


def _implied_target(chain: dict[str, Any], eco: dict[str, Any], eco_target: float | None) -> float | None:
    """A chain's implied target (分解目标): its base-year scale grown by the factor its ecosystem needs.

    The plan sets targets per ecosystem only; a chain "on track" is one on a path to grow as much as
    its ecosystem must (target ÷ ecosystem base-year scale). None without a target or base-year data.
    """
    if eco_target is None or not chain.get("base_scale_yi") or not eco.get("base_scale_yi"):
        return None
    return float(chain["base_scale_yi"]) * eco_target / float(eco["base_scale_yi"])


def _rows_of(table: Table, kind: str, uid: int) -> dict[int, Any]:
    return table.get((kind, uid), {})


def _latest_year(table: Table) -> int | None:
    years = [y for by_year in table.values() for y, r in by_year.items() if r.reporting > 0]
    return max(years) if years else None


def build_report(session: Session, year: int | None, ecosystem: str | None, metric: str | None) -> dict[str, Any]:
    """Compute the status report without the outer cache (see `status_report`)."""
    row, prog = _program(session)
    metric = _metric(row, metric)
    if ecosystem and prog.find_ecosystem(ecosystem) is None:
        names = "、".join(e.name for e in prog.ecosystems)
        raise ProgressError(
            f"方案中没有生态圈 {ecosystem!r}（可用：{names}）",
            f"no ecosystem {ecosystem!r} in the program (available: {names})",
        )
    structure, table = unit_table(session, row, metric)
    year = year or _latest_year(table) or prog.program.base_year
    base_year, target_year = prog.program.base_year, prog.program.target_year
    rules = prog.status_rules
    ids = {name: uid for (kind, uid), name in structure.names.items() if kind in ("ecosystem", "chain")}
    ecos_out: list[dict[str, Any]] = []
    totals_target: list[float | None] = []
    for eco in prog.ecosystems:
        eco_id = next(uid for (kind, uid), n in structure.names.items() if kind == "ecosystem" and n == eco.name)
        target_yi, t_year = _target(eco.targets, target_year, year)
        totals_target.append(target_yi if t_year == target_year else None)
        if ecosystem and prog.find_ecosystem(ecosystem) is not eco:
            continue
        fig = unit_figures(_rows_of(table, "ecosystem", eco_id), year, base_year)
        item = {"name": eco.name, "year": year, **fig, **_outlook(fig, target_yi, t_year or target_year, rules)}
        item["baseline"] = eco.baseline.model_dump() if eco.baseline else None
        chains = []
        for chain in eco.chains:
            cid = next(uid for (kind, uid), n in structure.names.items() if kind == "chain" and n == chain.name)
            cfig = unit_figures(_rows_of(table, "chain", cid), year, base_year)
            chains.append(
                {
                    "name": chain.name,
                    "ecosystem": eco.name,
                    "year": year,
                    **cfig,
                    **_outlook(cfig, _implied_target(cfig, fig, target_yi), t_year or target_year, rules, "implied"),
                    "nodes": _nodes(structure, table, cid, year, base_year),
                }
            )
        item["chains"] = chains
        chain_sum = sum(c["scale_yi"] or 0.0 for c in chains if c["as_of_year"] == item["as_of_year"])
        item["overlap"] = {
            "chains_sum_yi": chain_sum,
            "overlap_yi": (chain_sum - item["scale_yi"]) if item["scale_yi"] is not None else None,
            "chain_credits": sum(c["enterprises_reporting"] for c in chains if c["as_of_year"] == item["as_of_year"]),
            "enterprises": item["enterprises_reporting"],
        }
        ecos_out.append(item)
    total_fig = unit_figures(_rows_of(table, *accounting.PROGRAM_KEY), year, base_year)
    total_target = (
        sum(t for t in totals_target if t is not None) if totals_target and None not in totals_target else None
    )
    total = {"name": "全部生态圈", "year": year, **total_fig, **_outlook(total_fig, total_target, target_year, rules)}
    if not ecosystem:
        eco_sum = sum(e["scale_yi"] or 0.0 for e in ecos_out if e["as_of_year"] == total["as_of_year"])
        total["overlap"] = {
            "ecosystems_sum_yi": eco_sum,
            "overlap_yi": (eco_sum - total["scale_yi"]) if total["scale_yi"] is not None else None,
        }
    del ids
    return {
        "program": row.name,
        "revision": row.revision,
        "year": year,
        "metric": metric,
        "metric_label": METRIC_LABELS.get(metric, metric),
        "unit": "亿元",
        "base_year": base_year,
        "target_year": target_year,
        "status_rules": rules.model_dump(),
        "ecosystems": ecos_out,
        "total": total,
        "tiers": _tiers(session, prog, year),
        "flag_text": {k: {"zh": zh, "en": en} for k, (zh, en) in FLAG_TEXT.items()},
        "computed_at": utcnow().isoformat(timespec="seconds"),
        "data_versions": versions(session, *PROGRESS_AREAS),
    }


def _nodes(
    structure: accounting.Structure, table: Table, chain_id: int, year: int, base_year: int
) -> list[dict[str, Any]]:
    out = []
    for (kind, uid), name in structure.names.items():
        if kind != "node" or structure.node_chain.get(uid) != chain_id:
            continue
        fig = unit_figures(_rows_of(table, "node", uid), year, base_year)
        out.append(
            {
                "name": name,
                "scale_yi": fig["scale_yi"],
                "as_of_year": fig["as_of_year"],
                "enterprises_reporting": fig["enterprises_reporting"],
                "members": fig["members"],
                "yoy_nominal": fig.get("yoy_nominal"),
                "yoy_like_for_like": fig.get("yoy_like_for_like"),
                "flags": fig["flags"],
            }
        )
    return out


def _tiers(session: Session, prog: Program, year: int) -> list[dict[str, Any]]:
    targets, baselines = prog.tier_targets.counts(), prog.tier_baselines.counts()
    wanted = [t for t in TIER_KEYS if t in targets or t in baselines]
    years = list(range(year - tiers.PACE_YEARS, year + 1))
    counts = tiers.tier_counts(session, wanted, years)
    rules = prog.status_rules
    out = []
    for tier in wanted:
        s = tiers.assess(
            tier,
            year,
            counts[tier],
            baselines.get(tier),
            targets.get(tier),
            prog.tier_targets.year or prog.program.target_year,
            rules.tier_on_track_min_pace_ratio,
            rules.tier_at_risk_min_pace_ratio,
        )
        out.append(
            {
                "tier": tier,
                "label": tiers.TIER_LABELS.get(tier, tier),
                "year": year,
                "count": s.count,
                "baseline": s.baseline,
                "baseline_as_of": prog.tier_baselines.as_of.isoformat() if prog.tier_baselines.as_of else None,
                "target": s.target,
                "target_year": s.target_year,
                "needed_per_year": s.needed_per_year,
                "recent_pace": s.recent_pace,
                "status": s.status,
                "status_zh": STATUS_ZH.get(s.status or ""),
                "history": [{"year": y, "count": counts[tier][y]} for y in years],
            }
        )
    return out


def status_report(
    session: Session, year: int | None = None, ecosystem: str | None = None, metric: str | None = None
) -> dict[str, Any]:
    """The `chainlead status --json` dict (cached; never stale — see progress.cache)."""
    row = active_program_row(session)
    key = f"progress.status:{row.id if row else 0}:{metric or '-'}:{year or '-'}:{ecosystem or '*'}"
    payload, _ = cached(session, key, lambda: build_report(session, year, ecosystem, metric))
    return payload
