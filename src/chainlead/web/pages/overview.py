"""总览 overview: the five ecosystems against their targets, tier counts, the last import."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from chainlead.web.cache import memo
from chainlead.web.data.imports import last_change
from chainlead.web.data.mapping import queue_counts
from chainlead.web.data.program import data_years, program_info
from chainlead.web.data.status import StatusError, status_report
from chainlead.web.deps import PageError, get_db, page_user, render
from chainlead.web.users import Principal

router = APIRouter()


def cached_status(request: Request, db: Session, year: int | None) -> dict:  # type: ignore[type-arg]
    try:
        return memo(db, request.app, ("status", year), lambda: status_report(db, year=year))
    except StatusError as exc:
        raise PageError(422, exc.zh, exc.en) from exc


@router.get("/")
def overview(
    request: Request,
    year: int | None = Query(None, ge=1990, le=2100),
    db: Session = Depends(get_db),
    user: Principal = Depends(page_user),
):
    prog = program_info(db)
    if prog is None:
        return render(request, "empty.html", {"nav": "overview"}, user=user)
    report = cached_status(request, db, year)
    years = memo(db, request.app, ("years",), lambda: data_years(db))
    queue = memo(db, request.app, ("queue_counts", prog.id), lambda: queue_counts(db, prog.id))
    eco_ids = {e.name: e.id for e in prog.ecosystems}
    return render(
        request,
        "overview.html",
        {
            "nav": "overview",
            "prog": prog,
            "report": report,
            "years": years,
            "eco_ids": eco_ids,
            "chain_ids": {c.name: c.id for c in prog.chains},
            "last": last_change(db),
            "queue_total": sum(queue.values()),
        },
        user=user,
    )
