"""总览 overview: the five ecosystems against their targets, tier counts, the last import."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from chainlead.web.cache import memo
from chainlead.web.data.imports import last_change
from chainlead.web.data.mapping import queue_counts
from chainlead.web.data.program import ProgramInfo, data_years, program_info
from chainlead.web.data.status import StatusError, StatusUnavailable, status_report
from chainlead.web.deps import PageError, cached_body, formatter, get_db, page_user, render, render_page
from chainlead.web.users import Principal

router = APIRouter()


def cached_status(request: Request, db: Session, year: int | None) -> dict:  # type: ignore[type-arg]
    try:
        return memo(db, request.app, ("status", year), lambda: status_report(db, year=year))
    except StatusError as exc:
        raise PageError(422, exc.zh, exc.en) from exc
    except StatusUnavailable as exc:  # the reader child timed out or died, or its setting is bad: 503
        raise PageError(503, exc.zh, exc.en) from exc


def cached_program(request: Request, db: Session) -> ProgramInfo | None:
    return memo(db, request.app, ("program_info",), lambda: program_info(db))


@router.get("/")
def overview(
    request: Request,
    year: int | None = Query(None, ge=1990, le=2100),
    db: Session = Depends(get_db),
    user: Principal = Depends(page_user),
):
    prog = cached_program(request, db)
    if prog is None:
        return render(request, "empty.html", {"nav": "overview"}, user=user)

    def build() -> dict[str, Any]:
        queue = queue_counts(db, prog.id)
        return {
            "prog": prog,
            "report": cached_status(request, db, year),
            "years": data_years(db),
            "eco_ids": {e.name: e.id for e in prog.ecosystems},
            "chain_ids": {c.name: c.id for c in prog.chains},
            "last": last_change(db),
            "queue_total": sum(queue.values()),
        }

    body = cached_body(request, db, ("overview", year), "overview_body.html", build)
    return render_page(request, body, title=formatter(request).t("总览", "Overview"), nav="overview", user=user)
