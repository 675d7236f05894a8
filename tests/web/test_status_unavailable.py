"""The web when the progress figures cannot be read: the SQLite reader child is killed after
CHAINLEAD_PROGRESS_READ_TIMEOUT (here 0.001 s; it needs ~0.2 s just to start), and the status API,
the chain API and the overview page answer 503 with the bilingual message (JSON for the API, the
error page for HTML) instead of 500. SQLite only: the child and its timeout exist only there. One
enterprise with id 5,000,000 widens the id span so that `auto` reads through the child."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from chainlead.db.engine import session_scope
from chainlead.db.models import Enterprise
from chainlead.db.versions import bump
from chainlead.progress.reading import READ_TIMEOUT_ENV
from chainlead.web.security import LANG_COOKIE
from tests.web.conftest import login, token
from tests.web.seed import make_uscc

ZH = "SQLite 读取子进程 0.001 秒内未完成，已终止"
EN = "the SQLite reader child process did not finish within 0.001 s and was killed"
pytestmark = pytest.mark.parametrize("seeded", ["sqlite"], indirect=True)


@pytest.fixture(autouse=True)
def _wide_ids(seeded) -> None:  # type: ignore[no-untyped-def]
    with session_scope(seeded[0]) as s:
        s.add(Enterprise(id=5_000_000, uscc=make_uscc(999_999), name="远端企业"))
        bump(s, "enterprises")


def test_the_api_answers_503_with_the_message(client: TestClient, seeded, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    headers = token(client, "viewer")
    monkeypatch.setenv(READ_TIMEOUT_ENV, "0.001")
    for url in ("/api/v1/status?year=2023", f"/api/v1/chains/{seeded[1].vision_id}"):
        r = client.get(url, headers=headers)
        assert r.status_code == 503, r.text
        assert r.headers["content-type"] == "application/json"
        detail = r.json()["detail"]
        assert ZH in detail and READ_TIMEOUT_ENV in detail and EN in detail
    monkeypatch.setenv(READ_TIMEOUT_ENV, "soon")  # a bad setting: the server's, not the caller's fault
    r = client.get("/api/v1/status?year=2023", headers=headers)
    assert r.status_code == 503 and f"{READ_TIMEOUT_ENV}='soon' is not a positive number" in r.json()["detail"]
    monkeypatch.setenv(READ_TIMEOUT_ENV, "120")  # the failures cached nothing: the figures come once readable
    r = client.get("/api/v1/status?year=2023", headers=headers)
    assert r.status_code == 200 and r.json()["program"]


def test_the_overview_page_shows_the_error_page(client: TestClient, seeded, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    login(client, "viewer")  # its overview request computed and cached the figures
    with session_scope(seeded[0]) as s:
        bump(s, "financials")  # a data change: the next request must read them again
    monkeypatch.setenv(READ_TIMEOUT_ENV, "0.001")
    r = client.get("/")
    assert r.status_code == 503 and r.headers["content-type"].startswith("text/html")
    assert "出错了" in r.text and "(503)" in r.text and ZH in r.text
    client.cookies.set(LANG_COOKIE, "en")
    r = client.get("/")
    assert r.status_code == 503 and EN in r.text
    r = client.get("/", headers={"HX-Request": "true"})  # htmx: the flash fragment, same status
    assert r.status_code == 503 and EN in r.text and r.headers["hx-retarget"] == "#flash"
    monkeypatch.setenv(READ_TIMEOUT_ENV, "120")
    assert client.get("/").status_code == 200
