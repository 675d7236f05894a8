"""Fast path for `GET /api/v1/status` (目标进度快速通道), a pure-ASGI layer outside the FastAPI stack.

A warm status request is answered here without routing, dependency solving or a threadpool hop:

1. the query (`year`, `ecosystem`, `metric`) is parsed the way the route parses it;
2. the bearer token's signature and age are verified in memory (no database);
3. ONE query reads the data versions together with the token user's `is_active` flag, so a
   disabled or deleted user is refused on the very next request and no stale figure is served;
4. the body the normal route cached for exactly those data versions (plain or gzip, `web/cache.py`)
   is sent, or a 304 when `If-None-Match` carries the current ETag.

Anything else — no or bad token, an inactive user, a cache miss (the data changed), parameters it
does not recognise — is passed on untouched to the normal route, which answers as it always did
(401, 422, or a rebuild that fills the cache). So the fast path only ever sends a 200/304 that the
normal route would have sent, after the same checks.

On SQLite the query runs inline on a dedicated read-only connection (WAL: readers never wait for
writers; ≈ 20 µs); on PostgreSQL it runs in the threadpool so a slow server cannot block the loop.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from typing import Any
from urllib.parse import parse_qsl

from anyio import to_thread
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy import Engine, text

from chainlead.db.models import DataVersion, User, table_of
from chainlead.db.versions import versions_text
from chainlead.web.api.status import (
    ECOSYSTEM_MAX,
    STATUS_HEADERS,
    YEAR_MAX,
    YEAR_MIN,
    body_key,
    etag_for,
    etag_matches,
    wants_gzip,
)
from chainlead.web.data.status import SCALE_METRICS

STATUS_PATH = "/api/v1/status"
_PROBE_SQL = (
    f"SELECT area, version FROM {table_of(DataVersion).name}"
    f" UNION ALL SELECT '', CAST(is_active AS INTEGER) FROM {table_of(User).name} WHERE username = {{}}"
)
_YEAR = re.compile(r"[0-9]{4}")
BUSY_SECONDS = 0.05  # SQLite busy wait of the probe (WAL readers are not blocked by writers)


class VersionProbe:
    """Data versions and one user's active flag in a single query (one round trip)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sqlite_path = engine.url.database if engine.dialect.name == "sqlite" else None
        if self.sqlite_path in (None, "", ":memory:"):
            self.sqlite_path = None
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _sqlite(self, username: str) -> list[tuple[str, Any]]:
        with self._lock:
            if self._conn is None:
                # Runs on the event loop: a short busy wait, then the caller falls through to the route.
                conn = sqlite3.connect(
                    self.sqlite_path or "", timeout=BUSY_SECONDS, check_same_thread=False, isolation_level=None
                )
                conn.execute("PRAGMA query_only=1")
                self._conn = conn
            return self._conn.execute(_PROBE_SQL.format("?"), (username,)).fetchall()

    def _engine(self, username: str) -> list[tuple[str, Any]]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(_PROBE_SQL.format(":u")), {"u": username})]  # type: ignore[misc]

    async def read(self, username: str) -> tuple[str, bool] | None:
        """(versions string as `db.versions.versions()` writes it, whether the user exists and is active);
        None when the SQLite file is locked beyond BUSY_SECONDS (the normal route then answers)."""
        if self.sqlite_path is not None:
            try:
                rows = self._sqlite(username)
            except sqlite3.OperationalError:
                return None
        else:
            rows = await to_thread.run_sync(self._engine, username)
        active = False
        versions: list[tuple[str, int]] = []
        for area, value in rows:
            if area == "":
                active = bool(value)
            else:
                versions.append((area, value))
        return versions_text(versions), active

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class StatusFastPath:
    """ASGI middleware: serves warm `GET /api/v1/status` requests, passes everything else on."""

    def __init__(self, app: Any, owner: Any) -> None:
        self.app = app
        self.owner = owner  # the FastAPI app: its state holds the signer, memo, probe and counter

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"].endswith(STATUS_PATH):
            root = (scope.get("root_path") or "").rstrip("/")
            if scope["path"] in (STATUS_PATH, root + STATUS_PATH) and await self._serve(scope, send):
                self.owner.state.status_fast_served += 1
                return
        await self.app(scope, receive, send)

    async def _serve(self, scope: dict[str, Any], send: Any) -> bool:
        params = _params(scope.get("query_string", b""))
        if params is None:
            return False
        authorization = accept = if_none_match = None
        for name, value in scope["headers"]:
            if name == b"authorization" and authorization is None:
                authorization = value.decode("latin-1")
            elif name == b"accept-encoding" and accept is None:
                accept = value.decode("latin-1")
            elif name == b"if-none-match" and if_none_match is None:
                if_none_match = value.decode("latin-1")
        scheme, token = get_authorization_scheme_param(authorization)
        if not authorization or scheme.lower() != "bearer":
            return False
        state = self.owner.state
        username = state.signer.read_token(token)
        if not username:
            return False
        probed = await state.status_probe.read(username)
        if probed is None or not probed[1]:
            return False
        versions = probed[0]
        gz = wants_gzip(accept)
        year, ecosystem, metric = params
        body = state.memo.peek(body_key(gz, *params), versions)
        if body is None:
            return False
        etag = etag_for(versions, year, ecosystem, metric, gz)
        headers = [(b"etag", etag.encode()), *STATUS_HEADERS]
        if etag_matches(etag, if_none_match):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return True
        headers.append((b"content-length", str(len(body)).encode()))
        headers.append((b"content-type", b"application/json"))
        if gz:
            headers.append((b"content-encoding", b"gzip"))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return True


def _params(query: bytes) -> tuple[int | None, str | None, str | None] | None:
    """(year, ecosystem, metric) when the query is one the route would accept as is; None otherwise."""
    year: int | None = None
    ecosystem = metric = None
    seen: set[str] = set()
    for key, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if key in seen or (key in ("year", "ecosystem", "metric") and not value):
            return None
        seen.add(key)
        if key == "year":
            if not _YEAR.fullmatch(value) or not YEAR_MIN <= int(value) <= YEAR_MAX:
                return None
            year = int(value)
        elif key == "ecosystem":
            if len(value) > ECOSYSTEM_MAX:
                return None
            ecosystem = value
        elif key == "metric":
            if value not in SCALE_METRICS:
                return None
            metric = value
    return year, ecosystem, metric
