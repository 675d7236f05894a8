"""`GET /api/v1/status`: exactly the JSON of `chainlead status --json` (目标进度).

The body is cached per data version both plain and gzipped, with an ETag derived from the data
versions so a client holding the current body gets a 304; the token and user are verified on every
request, before any body or 304 is sent. Warm requests are answered before the FastAPI stack by
`web/fastpath.py` from the same cache (`body_key`, `etag_for`, `STATUS_HEADERS`); this route answers
the rest (401, 422, and the first request after a data change, which fills the cache). When the
figures cannot be read (the SQLite reader child timed out or died) it answers 503 with the message.
"""

from __future__ import annotations

import gzip
import hashlib
import json

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from chainlead.web.cache import memo
from chainlead.web.data import json_safe
from chainlead.web.data.status import SCALE_METRICS, StatusError, StatusUnavailable, status_report
from chainlead.web.deps import PageError, api_user, get_db
from chainlead.web.users import Principal

router = APIRouter(tags=["progress 目标进度"])

YEAR_MIN, YEAR_MAX = 1990, 2100
ECOSYSTEM_MAX = 100
# Headers of every 200/304 answer after the ETag (web/fastpath.py sends the same).
STATUS_HEADERS = [(b"vary", b"Accept-Encoding, Authorization"), (b"cache-control", b"private, no-cache")]


@router.get(
    "/status",
    summary="目标进度 / progress against targets (= chainlead status --json)",
    responses={
        200: {
            "description": "chainlead status --json",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        503: {"description": "进度数据暂时无法读取 / the figures could not be read (reader timed out or failed)"},
    },
)
def status(
    request: Request,
    year: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX, description="统计年度 / year"),
    ecosystem: str | None = Query(None, max_length=ECOSYSTEM_MAX, description="生态圈名称 / ecosystem name"),
    metric: str | None = Query(None, description="revenue_wan | output_value_wan"),
    db: Session = Depends(get_db),
    _: Principal = Depends(api_user),
) -> Response:
    if metric is not None and metric not in SCALE_METRICS:
        raise PageError(422, f"未知口径 {metric!r}", f"unknown metric {metric!r} (revenue_wan or output_value_wan)")
    gz = wants_gzip(request.headers.get("accept-encoding"))
    try:
        plain = _cached(request, db, year, ecosystem, metric)
        zipped = memo(db, request.app, body_key(True, year, ecosystem, metric), lambda: gzip.compress(plain, 6))
    except StatusError as exc:  # unknown ecosystem, no program
        raise PageError(422, exc.zh, exc.en) from exc
    except StatusUnavailable as exc:  # the reader child timed out or died, or its setting is bad: 503
        raise PageError(503, exc.zh, exc.en) from exc
    etag = etag_for(str(db.info["data_versions"]), year, ecosystem, metric, gz)
    headers = {"ETag": etag, **{k.decode(): v.decode() for k, v in STATUS_HEADERS}}
    if etag_matches(etag, request.headers.get("if-none-match")):
        return Response(status_code=304, headers=headers)
    if gz:
        headers["Content-Encoding"] = "gzip"
    return Response(zipped if gz else plain, media_type="application/json", headers=headers)


def wants_gzip(accept_encoding: str | None) -> bool:
    return "gzip" in (accept_encoding or "").lower()


def body_key(gz: bool, year: int | None, ecosystem: str | None, metric: str | None) -> tuple[object, ...]:
    """The memo key of one cached status body (web/fastpath.py reads the same entries)."""
    return ("status_json_gz" if gz else "status_json", year, ecosystem, metric)


def etag_for(versions: str, year: int | None, ecosystem: str | None, metric: str | None, gz: bool) -> str:
    """The ETag of one status body: its data versions, parameters and encoding."""
    key = f"{versions}|{year}|{ecosystem}|{metric}|{gz}".encode()
    return '"' + hashlib.blake2b(key, digest_size=12).hexdigest() + '"'


def etag_matches(etag: str, if_none_match: str | None) -> bool:
    return bool(if_none_match) and etag in [t.strip() for t in (if_none_match or "").split(",")]


def _cached(request: Request, db: Session, year: int | None, ecosystem: str | None, metric: str | None) -> bytes:
    """The serialised JSON, kept until the data versions change (serialising is the costly part)."""

    def build() -> bytes:
        report = json_safe(status_report(db, year=year, ecosystem=ecosystem, metric=metric))
        return json.dumps(report, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    return memo(db, request.app, body_key(False, year, ecosystem, metric), build)
