"""`GET /api/v1/status`: exactly the JSON of `chainlead status --json` (目标进度)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from chainlead.web.cache import memo
from chainlead.web.data import json_safe
from chainlead.web.data.status import SCALE_METRICS, StatusError, status_report
from chainlead.web.deps import PageError, api_user, get_db
from chainlead.web.users import Principal

router = APIRouter(tags=["progress 目标进度"])


@router.get("/status", summary="目标进度 / progress against targets (= chainlead status --json)")
def status(
    request: Request,
    year: int | None = Query(None, ge=1990, le=2100, description="统计年度 / year"),
    ecosystem: str | None = Query(None, max_length=100, description="生态圈名称 / ecosystem name"),
    metric: str | None = Query(None, description="revenue_wan | output_value_wan"),
    db: Session = Depends(get_db),
    _: Principal = Depends(api_user),
) -> dict[str, Any]:
    if metric is not None and metric not in SCALE_METRICS:
        raise PageError(422, f"未知口径 {metric!r}", f"unknown metric {metric!r} (revenue_wan or output_value_wan)")
    try:
        return _cached(request, db, year, ecosystem, metric)
    except StatusError as exc:  # unknown ecosystem, no program
        raise PageError(422, exc.zh, exc.en) from exc


def _cached(
    request: Request, db: Session, year: int | None, ecosystem: str | None, metric: str | None
) -> dict[str, Any]:
    return memo(
        db,
        request.app,
        ("status", year, ecosystem, metric),
        lambda: json_safe(status_report(db, year=year, ecosystem=ecosystem, metric=metric)),
    )
