"""A NUL character in any text input is bad input (400), never a server error — PostgreSQL text
cannot hold it, so it must not reach a query (found by the schemathesis run on PostgreSQL)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import token


def test_nul_in_login_is_a_failed_login(client: TestClient) -> None:
    for username, password in (("\x00", "x"), ("office", "pw\x00"), ("off\x00ice", "\x00")):
        res = client.post("/api/v1/auth/token", data={"username": username, "password": password})
        assert res.status_code == 400, (username, res.text)
        assert "空字符" in res.json()["detail"] and "NUL character" in res.json()["detail"]
    res = client.post("/login", data={"username": "\x00", "password": "x"}, follow_redirects=False)
    assert res.status_code == 400
    # An ordinary login still works through the guard (it re-feeds the form body it read).
    assert token(client, "office")["Authorization"].startswith("Bearer ")


def test_nul_in_query_parameters_is_4xx(client: TestClient) -> None:
    headers = token(client, "office")
    for url in (
        "/api/v1/enterprises?q=%00",
        "/api/v1/enterprises?name=%00",
        "/api/v1/cultivation/candidates?tier=%00",
        "/api/v1/cultivation/candidates?tier=specialized&chain=%00",
        "/api/v1/status?ecosystem=%00",
        "/api/v1/enterprises/%00",
        "/enterprises?q=%00",
    ):
        res = client.get(url, headers=headers)
        assert res.status_code == 400, (url, res.status_code, res.text[:200])
    assert client.get("/api/v1/enterprises?q=%E5%85%89%E4%BC%8F", headers=headers).status_code == 200
