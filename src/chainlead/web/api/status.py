"""`GET /api/v1/status`: exactly the JSON of `chainlead status --json` (目标进度)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from chainlead.web.cache import memo
from chainlead.web.data import json_safe
from chainlead.web.data.status import SCALE_METRICS, StatusError, status_report
from chainlead.web.deps import PageError, api_user, get_db
from chainlead.web.users import Principal

router = APIRouter(tags=["progress 目标进度"])


@router.get(
    "/status",
    summary="目标进度 / progress against targets (= chainlead status --json)",
    responses={
        200: {"description": "chainlead status --json", "content": {"application/json": {"schema": {"type": "object"}}}}
    },
)
def status(
    request: Request,
    year: int | None = Query(None, ge=1990, le=2100, description="统计年度 / year"),
    ecosystem: str | None = Query(None, max_length=100, description="生态圈名称 / ecosystem name"),
    metric: str | None = Query(None, description="revenue_wan | output_value_wan"),
    db: Session = Depends(get_db),
    _: Principal = Depends(api_user),
) -> Response:
    if metric is not None and metric not in SCALE_METRICS:
        raise PageError(422, f"未知口径 {metric!r}", f"unknown metric {metric!r} (revenue_wan or output_value_wan)")
    try:
        return Response(_cached(request, db, year, ecosystem, metric), media_type="application/json")
    except StatusError as exc:  # unknown ecosystem, no program
        raise PageError(422, exc.zh, exc.en) from exc


def _cached(request: Request, db: Session, year: int | None, ecosystem: str | None, metric: str | None) -> bytes:
    """The serialised JSON, kept until the data versions change (serialising is the costly part)."""

    def build() -> bytes:
        report = json_safe(status_report(db, year=year, ecosystem=ecosystem, metric=metric))
        return json.dumps(report, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    return memo(db, request.app, ("status_json", year, ecosystem, metric), build)
