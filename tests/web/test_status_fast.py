"""Status fast path: gzip body equals the plain JSON, ETag/304 follow data versions, auth on every request."""

from __future__ import annotations

import gzip
import json

from fastapi.testclient import TestClient

from chainlead.db.engine import session_scope
from chainlead.db.versions import bump
from chainlead.web.users import set_active
from tests.web.conftest import token


def test_status_gzip_etag_and_auth(client: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    headers = token(client, "viewer")
    plain = client.get("/api/v1/status?year=2023", headers={**headers, "Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    zipped = client.get("/api/v1/status?year=2023", headers={**headers, "Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.json() == plain.json()  # httpx decodes the gzip body
    assert len(gzip.compress(plain.content)) < len(plain.content)
    etag = plain.headers["etag"]
    same = client.get(
        "/api/v1/status?year=2023", headers={**headers, "Accept-Encoding": "identity", "If-None-Match": etag}
    )
    assert same.status_code == 304 and same.content == b""
    # a 304 is never given without a valid token
    assert client.get("/api/v1/status?year=2023", headers={"If-None-Match": etag}).status_code == 401
    # a data change changes the ETag: the old body is not confirmed as current
    with session_scope(seeded[0]) as s:
        bump(s, "financials")
    after = client.get(
        "/api/v1/status?year=2023", headers={**headers, "Accept-Encoding": "identity", "If-None-Match": etag}
    )
    assert after.status_code == 200 and after.headers["etag"] != etag
    assert "financials=2" in json.loads(after.content)["data_versions"]  # rebuilt, not the cached body
    # a disabled user's still-valid token is refused on the next request
    with session_scope(seeded[0]) as s:
        set_active(s, "viewer", False)
    assert client.get("/api/v1/status?year=2023", headers=headers).status_code == 401
