"""Status fast path (web/fastpath.py): same answers as the route, auth on every request, never stale."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select, update
from typer.testing import CliRunner

from chainlead.cli.main import app as cli
from chainlead.db.engine import session_scope
from chainlead.db.models import EnterpriseFinancial, User
from chainlead.db.versions import bump, versions
from chainlead.web.app import create_app
from chainlead.web.data.status import status_report
from chainlead.web.fastpath import _params
from chainlead.web.security import Signer, _Verified
from tests.web.conftest import SECRET, token

URL = "/api/v1/status?year=2023"
SAME = ("content-type", "content-length", "content-encoding", "etag", "vary", "cache-control", "www-authenticate")


@pytest.fixture
def plain(seeded) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """The same database served without the fast path: the reference answers."""
    with TestClient(create_app(seeded[0], secret_key=SECRET, status_fast_path=False)) as c:
        yield c


def served(client: TestClient) -> int:
    return int(client.app.state.status_fast_served)  # type: ignore[attr-defined]


def same_answer(a, b) -> None:  # type: ignore[no-untyped-def]
    assert a.status_code == b.status_code
    assert a.content == b.content
    assert {h: a.headers.get(h) for h in SAME} == {h: b.headers.get(h) for h in SAME}


def test_status_gzip_etag_and_auth(client: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    headers = token(client, "viewer")
    plain = client.get(URL, headers={**headers, "Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    zipped = client.get(URL, headers={**headers, "Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.json() == plain.json()  # httpx decodes the gzip body
    assert len(gzip.compress(plain.content)) < len(plain.content)
    etag = plain.headers["etag"]
    same = client.get(URL, headers={**headers, "Accept-Encoding": "identity", "If-None-Match": etag})
    assert same.status_code == 304 and same.content == b""
    # a 304 is never given without a valid token
    assert client.get(URL, headers={"If-None-Match": etag}).status_code == 401
    # a data change changes the ETag: the old body is not confirmed as current
    with session_scope(seeded[0]) as s:
        bump(s, "financials")
    after = client.get(URL, headers={**headers, "Accept-Encoding": "identity", "If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag
    assert "financials=2" in json.loads(after.content)["data_versions"]  # rebuilt, not the cached body
    # a disabled user's still-valid token is refused on the next request
    with session_scope(seeded[0]) as s:
        from chainlead.web.users import set_active

        set_active(s, "viewer", False)
    assert client.get(URL, headers=headers).status_code == 401


def test_fast_path_answers_exactly_like_the_route(client: TestClient, plain: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    h = token(client, "viewer")
    eco = quote(status_report_names(seeded[0])[0])
    urls = [URL, "/api/v1/status", f"/api/v1/status?year=2022&metric=output_value_wan&ecosystem={eco}&x=1"]
    for url in urls:
        for enc in ("gzip", "identity"):
            client.get(url, headers={**h, "Accept-Encoding": enc})  # first request: the route fills the cache
            before = served(client)
            fast = client.get(url, headers={**h, "Accept-Encoding": enc})
            assert served(client) == before + 1, (url, enc)  # ... the second is the fast path's
            same_answer(fast, plain.get(url, headers={**h, "Accept-Encoding": enc}))
            etag = fast.headers["etag"]
            not_modified = client.get(url, headers={**h, "Accept-Encoding": enc, "If-None-Match": f'"x", {etag}'})
            assert not_modified.status_code == 304 and served(client) == before + 2
            same_answer(not_modified, plain.get(url, headers={**h, "Accept-Encoding": enc, "If-None-Match": etag}))
    # what the fast path serves is what `chainlead status --json` prints
    out = CliRunner().invoke(cli, ["status", "--year", "2023", "--json", "--db", seeded[0]])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == client.get(URL, headers=h).json()


def status_report_names(url: str) -> list[str]:
    with session_scope(url) as s:
        return [e["name"] for e in status_report(s, year=2023)["ecosystems"]]


def test_401_without_token_bad_token_and_disabled_user(client: TestClient, plain: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    h = token(client, "viewer")
    assert client.get(URL, headers=h).status_code == 200
    assert client.get(URL, headers=h).status_code == 200 and served(client) == 1  # warm
    bad = h["Authorization"][:-2] + ("AA" if not h["Authorization"].endswith("AA") else "BB")
    for headers in ({}, {"Authorization": bad}, {"Authorization": "Basic dmlld2VyOng="}, {"Authorization": "Bearer"}):
        r = client.get(URL, headers=headers)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        same_answer(r, plain.get(URL, headers=headers))
    with session_scope(seeded[0]) as s:  # disabled straight in the table: no cache can hide it
        s.execute(update(User).where(User.username == "viewer").values(is_active=False))
    r = client.get(URL, headers=h)
    assert r.status_code == 401 and "令牌无效" in r.json()["detail"]
    same_answer(r, plain.get(URL, headers=h))
    with session_scope(seeded[0]) as s:  # a deleted user too
        s.execute(update(User).where(User.username == "viewer").values(is_active=True))
    assert client.get(URL, headers=h).status_code == 200
    with session_scope(seeded[0]) as s:
        s.delete(s.scalars(select(User).where(User.username == "viewer")).one())
    assert client.get(URL, headers=h).status_code == 401
    assert served(client) == 2  # only the two warm requests with an active user were fast


def test_changed_data_gives_new_figures(client: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    h = token(client, "viewer")
    client.get(URL, headers=h)
    old = client.get(URL, headers=h).json()
    assert served(client) == 1
    with session_scope(seeded[0]) as s:  # every writer changes data and bumps its area in one transaction
        s.execute(
            update(EnterpriseFinancial)
            .where(EnterpriseFinancial.year == 2023)
            .values(revenue_wan=EnterpriseFinancial.revenue_wan * 3)
        )
        bump(s, "financials")
    new = client.get(URL, headers=h).json()
    assert served(client) == 1  # the route rebuilt it ...
    assert client.get(URL, headers=h).json() == new and served(client) == 2  # ... and the fast path serves it
    assert [e["scale_yi"] for e in new["ecosystems"]] != [e["scale_yi"] for e in old["ecosystems"]]
    with session_scope(seeded[0]) as s:
        direct = status_report(s, year=2023)
    assert [e["scale_yi"] for e in new["ecosystems"]] == [e["scale_yi"] for e in direct["ecosystems"]]


def test_probe_reads_the_same_versions(client: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    probe = client.app.state.status_probe  # type: ignore[attr-defined]
    with session_scope(seeded[0]) as s:
        bump(s, "memberships", "program")
        expected = versions(s)
    assert asyncio.run(probe.read("viewer")) == (expected, True)
    assert asyncio.run(probe.read("nobody")) == (expected, False)


def test_a_data_change_changes_the_versions_on_both_paths(client: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    """The probe's one-query read and db.versions.versions() (what the page memo and the progress
    cache use) give the same string before and after a write, and the write changes it."""
    import asyncio

    probe = client.app.state.status_probe  # type: ignore[attr-defined]
    memo = client.app.state.memo  # type: ignore[attr-defined]
    with session_scope(seeded[0]) as s:
        before = versions(s)
        assert memo.get(s, ("probe-test",), lambda: "built") == "built"
        assert s.info["data_versions"] == before  # the memo keys on the same string
        program_before = versions(s, "program")
    assert asyncio.run(probe.read("viewer")) == (before, True)
    assert before.split(";") == sorted(before.split(";")) and len(before.split(";")) == 6
    with session_scope(seeded[0]) as s:
        bump(s, "financials")
        after = versions(s)
        assert versions(s, "program") == program_before  # only the bumped area moves
        assert versions(s, "financials", "program") == f"financials={_area(after, 'financials')};{program_before}"
    assert after != before and _area(after, "financials") == _area(before, "financials") + 1
    assert asyncio.run(probe.read("viewer")) == (after, True)
    with session_scope(seeded[0]) as s:
        assert memo.get(s, ("probe-test",), lambda: "rebuilt") == "rebuilt"


def _area(versions_string: str, area: str) -> int:
    return int(dict(part.split("=") for part in versions_string.split(";"))[area])


def test_the_probe_connection_is_closed_on_shutdown(sqlite_url: str) -> None:
    """The probe's own SQLite connection is opened by the first fast-path request and closed
    when the application shuts down (lifespan)."""
    import sqlite3

    app = create_app(sqlite_url, secret_key=SECRET)
    probe = app.state.status_probe
    with TestClient(app) as c:
        ghost = app.state.signer.api_token("ghost")  # signed, but no such user: the route answers 401
        assert c.get(URL, headers={"Authorization": f"Bearer {ghost}"}).status_code == 401
        conn = probe._conn
        assert conn is not None and conn.execute("SELECT 1").fetchone() == (1,)
    assert probe._conn is None
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        conn.execute("SELECT 1")


def test_verified_signatures_still_expire() -> None:
    """The memo of verified signatures never accepts a tampered value nor outlives max_age."""
    signer = Signer("k" * 40)
    good = signer.api_token("viewer")
    assert signer.read_token(good) == "viewer" and signer.read_token(good) == "viewer"  # second: from the memo
    assert signer.read_token(good[:-1] + ("A" if good[-1] != "A" else "B")) is None
    assert Signer("other-key" * 5).read_token(good) is None
    short = _Verified(URLSafeTimedSerializer("k" * 40, salt="chainlead-api-token"), max_age=1)
    assert short.loads(good) == {"u": "viewer"}
    time.sleep(2.1)
    with pytest.raises(BadSignature):
        short.loads(good)  # cached, but expired


def test_odd_parameters_go_to_the_route(client: TestClient) -> None:
    h = token(client, "viewer")
    assert client.get("/api/v1/status?year=1800", headers=h).status_code == 422
    assert client.get("/api/v1/status?metric=bogus", headers=h).status_code == 422
    assert client.get("/api/v1/status?ecosystem=没有这个生态圈", headers=h).status_code == 422
    assert served(client) == 0
    assert client.get("/api/v1/status?year=1800").status_code == 401  # no token: 401 before any 422
    assert _params(b"year=2023&metric=revenue_wan") == (2023, None, "revenue_wan")
    for odd in (
        b"year=+2023",
        b"year=2023&year=2022",
        b"year=",
        b"year=02023",
        b"metric=x",
        b"ecosystem=" + b"a" * 101,
    ):
        assert _params(odd) is None, odd


def test_fast_path_behind_a_root_path(seeded) -> None:  # type: ignore[no-untyped-def]
    app = create_app(seeded[0], root_path="/chainlead", secret_key=SECRET)
    with TestClient(app, root_path="/chainlead") as c:
        r = c.post("/chainlead/api/v1/auth/token", data={"username": "viewer", "password": "viewer-pass-1"})
        h = {"Authorization": f"Bearer {r.json()['access_token']}"}
        first = c.get("/chainlead/api/v1/status", headers=h)
        second = c.get("/chainlead/api/v1/status", headers=h)
        assert second.status_code == 200 and second.json() == first.json() and app.state.status_fast_served == 1
