"""Progress against targets (目标进度): the `chainlead status --json` dict and scale series.

The status dict is `chainlead.progress.service.status_report` with its errors turned into web
errors; the per-year series behind the charts sum the scale metric over counted memberships
(confirmed or applied) straight from the tables: an enterprise counts once per ecosystem or chain.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chainlead.db.models import ChainMembership, ChainRow, EnterpriseFinancial
from chainlead.errors import BilingualError
from chainlead.progress.reading import ReadError, ReadSettingError
from chainlead.progress.service import ProgressError
from chainlead.progress.service import status_report as progress_status
from chainlead.web.data.program import COUNTED, ProgramInfo

SCALE_METRICS = ("revenue_wan", "output_value_wan")


class StatusError(BilingualError, ValueError):
    """The progress service cannot answer (unknown ecosystem, no program); zh and en."""


class StatusUnavailable(BilingualError, RuntimeError):
    """The progress figures cannot be read right now (暂时无法读取): the SQLite reader child timed
    out or died, or its timeout setting is bad — a server-side failure (503), not bad input; zh and en."""


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


def status_report(
    session: Session, year: int | None = None, ecosystem: str | None = None, metric: str | None = None
) -> dict[str, Any]:
    """Exactly what `chainlead status --json` prints (`progress.service.status_report`).

    Raises StatusError for a request it cannot answer, StatusUnavailable when the figures cannot be read.
    """
    try:
        return progress_status(session, year=year, ecosystem=ecosystem, metric=metric)
    except ProgressError as exc:
        raise StatusError(exc.zh, exc.en) from exc
    except (ReadError, ReadSettingError) as exc:
        raise StatusUnavailable(exc.zh, exc.en) from exc
