"""Sign-in, sessions, CSRF, rate limit and roles on the pages (both back-ends)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from chainlead.db.engine import session_scope
from chainlead.db.models import AuditLog, ChainMembership
from chainlead.web.app import create_app
from tests.web.conftest import SECRET, csrf_of, login


def test_pages_need_a_login(client: TestClient) -> None:
    r = client.get("/enterprises?chain=1", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/enterprises%3Fchain%3D1"


def test_login_sets_a_safe_cookie_and_logs(client: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"username": "office", "password": "office-pass-1", "csrf_token": csrf_of(page.text), "next": "/mapping"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/mapping"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("chainlead_session=")).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert client.get("/mapping").status_code == 200
    with session_scope(seeded[0]) as s:
        assert s.scalars(select(AuditLog).where(AuditLog.action == "login", AuditLog.user == "office")).first()


def test_wrong_password_says_so(client: TestClient) -> None:
    page = client.get("/login")
    r = client.post("/login", data={"username": "office", "password": "nope", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 401
    assert "用户名或密码错误" in r.text


def test_login_without_csrf_is_refused(client: TestClient) -> None:
    client.get("/login")
    r = client.post("/login", data={"username": "office", "password": "office-pass-1", "csrf_token": "forged"})
    assert r.status_code == 403
    assert "CSRF" in r.text
    assert "chainlead_session" not in client.cookies


def test_login_is_rate_limited(client: TestClient) -> None:
    for _ in range(5):
        page = client.get("/login")
        r = client.post("/login", data={"username": "viewer", "password": "bad", "csrf_token": csrf_of(page.text)})
        assert r.status_code == 401
    page = client.get("/login")
    r = client.post(
        "/login", data={"username": "viewer", "password": "viewer-pass-1", "csrf_token": csrf_of(page.text)}
    )
    assert r.status_code == 429
    assert "登录失败次数过多" in r.text
    # another user from the same address is not blocked
    login(client, "office")


def test_forms_need_the_csrf_token(client: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    login(client, "office")
    sid = seeded[1].suggestion_ids[0]
    r = client.post("/mapping/decide", data={"ids": str(sid), "decision": "confirm"})
    assert r.status_code == 403 and "CSRF" in r.text
    r = client.post("/mapping/decide", data={"ids": str(sid), "decision": "confirm", "csrf_token": "wrong"})
    assert r.status_code == 403
    with session_scope(seeded[0]) as s:
        assert s.get(ChainMembership, sid).status == "suggested"


def test_viewer_cannot_change_anything(client: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    token = login(client, "viewer")
    sid = seeded[1].suggestion_ids[0]
    assert client.get("/mapping").status_code == 200
    r = client.post("/mapping/decide", data={"ids": str(sid), "decision": "confirm", "csrf_token": token})
    assert r.status_code == 403 and "只读" in r.text
    r = client.post(
        "/imports/check", data={"kind": "enterprises", "csrf_token": token}, files={"file": ("a.csv", b"x")}
    )
    assert r.status_code == 403
    assert client.get("/users").status_code == 403
    with session_scope(seeded[0]) as s:
        assert s.get(ChainMembership, sid).status == "suggested"


def test_leader_acts_only_on_own_chain(client: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    url, data = seeded
    with session_scope(url) as s:
        m = s.get(ChainMembership, data.suggestion_ids[1])
        m.chain_id = data.ic_id  # a suggestion on 集成电路, not the leader's chain
    token = login(client, "leader")
    r = client.post(
        "/mapping/decide", data={"ids": str(data.suggestion_ids[1]), "decision": "confirm", "csrf_token": token}
    )
    assert r.status_code == 403
    r = client.post(
        "/mapping/decide", data={"ids": str(data.suggestion_ids[0]), "decision": "confirm", "csrf_token": token}
    )
    assert r.status_code == 200
    with session_scope(url) as s:
        assert s.get(ChainMembership, data.suggestion_ids[0]).status == "confirmed"
        assert s.get(ChainMembership, data.suggestion_ids[1]).status == "suggested"


def test_office_cannot_manage_users(client: TestClient) -> None:
    token = login(client, "office")
    assert client.get("/users").status_code == 403
    r = client.post("/users", data={"username": "x", "role": "admin", "password": "long-enough-1", "csrf_token": token})
    assert r.status_code == 403


def test_admin_adds_and_disables_users(client: TestClient) -> None:
    token = login(client, "admin")
    r = client.post("/users", data={"username": "zhang", "role": "viewer", "password": "short", "csrf_token": token})
    assert r.status_code == 422 and "密码至少 8 个字符" in r.text
    r = client.post(
        "/users", data={"username": "zhang", "role": "boss", "password": "long-enough-1", "csrf_token": token}
    )
    assert r.status_code == 422 and "未知角色" in r.text
    r = client.post(
        "/users", data={"username": "zhang", "role": "viewer", "password": "long-enough-1", "csrf_token": token}
    )
    assert r.status_code == 200 and "已添加用户 zhang" in r.text
    r = client.post("/users/zhang/active", data={"active": "0", "csrf_token": token})
    assert r.status_code == 200
    other = TestClient(client.app)
    page = other.get("/login")
    r = other.post("/login", data={"username": "zhang", "password": "long-enough-1", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 401


def test_logout_ends_the_session(client: TestClient) -> None:
    token = login(client, "office")
    r = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_tampered_cookie_is_ignored(seeded) -> None:  # type: ignore[no-untyped-def]
    app = create_app(seeded[0], secret_key=SECRET)
    with TestClient(app) as c:
        c.cookies.set("chainlead_session", "eyJ1IjoiYWRtaW4ifQ.forged.sig")
        assert c.get("/", follow_redirects=False).status_code == 303


def test_english_switch(client: TestClient) -> None:
    login(client, "viewer")
    assert "总览" in client.get("/").text
    client.get("/lang/en?next=/")
    html = client.get("/").text
    assert "Overview" in html and "Tier targets" in html
