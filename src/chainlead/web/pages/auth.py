"""Sign in and out, language switch (登录/退出/语言)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from chainlead.db.models import AuditLog
from chainlead.web.deps import csrf_protect, get_db, optional_user, render, url_for_path
from chainlead.web.security import LANG_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE, SESSION_MAX_AGE, csrf_matches
from chainlead.web.users import Principal, authenticate

router = APIRouter()


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _safe_next(value: str | None) -> str:
    if not value or not value.startswith("/") or value.startswith("//"):
        return "/"
    return value


@router.get("/login")
def login_page(request: Request, next: str = "/", user: Principal | None = Depends(optional_user)):
    if user is not None:
        return RedirectResponse(url_for_path(request, _safe_next(next)), status_code=303)
    return _login_form(request, {"next": _safe_next(next), "error": None, "username": ""})


def _login_form(request: Request, ctx: dict, status_code: int = 200):  # type: ignore[no-untyped-def,type-arg]
    """The login form with a fresh double-submit CSRF token (cookie + hidden field)."""
    token = secrets.token_urlsafe(24)
    resp = render(request, "login.html", {**ctx, "login_csrf": token}, status_code=status_code)
    resp.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="lax",
        secure=request.app.state.secure_cookies,
        path=url_for_path(request, "/") or "/",
    )
    return resp


@router.post("/login")
def login(
    request: Request,
    username: str = Form("", max_length=100),
    password: str = Form("", max_length=200),
    next: str = Form("/"),
    csrf_token: str = Form(""),
    db: Session = Depends(get_db),
):
    limiter = request.app.state.limiter
    address = client_address(request)
    ctx = {"next": _safe_next(next), "username": username}
    if not csrf_matches(request.cookies.get(LOGIN_CSRF_COOKIE), csrf_token):
        ctx["error"] = (
            "登录页已过期，请重新登录（CSRF 校验失败）",
            "the sign-in page expired; sign in again (CSRF check failed)",
        )
        return _login_form(request, ctx, 403)
    wait = limiter.blocked(username, address)
    if wait:
        ctx["error"] = (f"登录失败次数过多，请 {wait} 秒后再试", f"too many failed logins; try again in {wait} s")
        return _login_form(request, ctx, 429)
    if not username.strip() or not password:
        ctx["error"] = ("请输入用户名和密码", "enter your user name and password")
        return _login_form(request, ctx, 422)
    user = authenticate(db, username.strip(), password)
    if user is None:
        limiter.failed(username, address)
        db.add(
            AuditLog(
                user=username[:100],
                action="login_failed",
                entity="app_user",
                entity_key=username[:100],
                new_value={"ip": address},
            )
        )
        ctx["error"] = ("用户名或密码错误，或账号已停用", "wrong user name or password, or the account is disabled")
        return _login_form(request, ctx, 401)
    limiter.succeeded(username, address)
    db.add(
        AuditLog(
            user=user.username, action="login", entity="app_user", entity_key=user.username, new_value={"ip": address}
        )
    )
    resp = RedirectResponse(url_for_path(request, ctx["next"]), status_code=303)
    resp.set_cookie(
        SESSION_COOKIE,
        request.app.state.signer.session_cookie(user.username),
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.app.state.secure_cookies,
        path=url_for_path(request, "/") or "/",
    )
    return resp


@router.post("/logout", dependencies=[Depends(csrf_protect)])
def logout(request: Request):
    resp = RedirectResponse(url_for_path(request, "/login"), status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path=url_for_path(request, "/") or "/")
    return resp


@router.get("/lang/{code}")
def switch_language(request: Request, code: str, next: str = "/"):
    resp = RedirectResponse(url_for_path(request, _safe_next(next)), status_code=303)
    resp.set_cookie(
        LANG_COOKIE,
        "en" if code == "en" else "zh",
        max_age=365 * 86400,
        samesite="lax",
        httponly=True,
        path=url_for_path(request, "/") or "/",
    )
    return resp
