"""Request dependencies (依赖): database session, signed-in user, roles, CSRF, rendering."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
from fastapi import Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordBearer
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from chainlead.errors import BilingualError
from chainlead.web import fmt
from chainlead.web.security import LANG_COOKIE, SESSION_COOKIE, csrf_matches
from chainlead.web.users import ROLE_NAMES, Principal, active_principal

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.globals.update(
    STATUS_TEXT=fmt.STATUS_TEXT,
    STATUS_CLASS=fmt.STATUS_CLASS,
    TIER_TEXT=fmt.TIER_TEXT,
    POSITION_TEXT=fmt.POSITION_TEXT,
    MEMBERSHIP_STATUS_TEXT=fmt.MEMBERSHIP_STATUS_TEXT,
    ROLE_NAMES=ROLE_NAMES,
)

MAX_ID = 2_147_483_647  # ids beyond a 32-bit integer are not ours (and overflow SQLite)

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="api/v1/auth/token", auto_error=False)


class LoginRequired(Exception):
    """Raised by page dependencies when nobody is signed in; answered with a redirect."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class PageError(BilingualError):
    """A user-facing error on a page (4xx with a bilingual message; 503 when the figures cannot be read)."""

    def __init__(self, status: int, zh: str, en: str) -> None:
        super().__init__(zh, en)
        self.status = status


async def get_db(request: Request) -> AsyncIterator[Session]:
    """A unit of work per request: commit on success, roll back on error.

    Async so that opening the session (no I/O) costs no threadpool hop; the commit or rollback and
    the close, which do talk to the database, run in one hop at the end, shielded from cancellation."""
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
    except BaseException:
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(_finish, session, False)
        raise
    with anyio.CancelScope(shield=True):
        await run_in_threadpool(_finish, session, True)


def _finish(session: Session, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def lang_of(request: Request) -> str:
    return "en" if request.cookies.get(LANG_COOKIE) == "en" else "zh"


def formatter(request: Request) -> fmt.Formatter:
    return fmt.Formatter(lang_of(request))


def session_data(request: Request) -> dict[str, str] | None:
    cached = getattr(request.state, "session_data", "unset")
    if cached != "unset":
        return cached  # type: ignore[return-value]
    data = request.app.state.signer.read_session(request.cookies.get(SESSION_COOKIE))
    request.state.session_data = data
    return data


def optional_user(request: Request, db: Session = Depends(get_db)) -> Principal | None:
    data = session_data(request)
    if not data:
        return None
    return active_principal(db, data["u"])


async def page_user(request: Request, user: Principal | None = Depends(optional_user)) -> Principal:
    """The signed-in user of a page, or a redirect to the login page."""
    if user is None:
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        raise LoginRequired(target)
    return user


async def csrf_protect(request: Request) -> None:
    """Every state-changing page request carries the session's CSRF token (form field or header)."""
    data = session_data(request)
    given = request.headers.get("x-csrf-token")
    if not given:
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    if not data or not csrf_matches(data.get("c"), given):
        raise PageError(
            403,
            "页面已过期或请求来源无效，请刷新后重试（CSRF 校验失败）",
            "the page expired or the request is not from this site; reload and try again (CSRF check failed)",
        )


def writer_user(user: Principal = Depends(page_user), _csrf: None = Depends(csrf_protect)) -> Principal:
    """A signed-in user allowed to change something (not a viewer), with a valid CSRF token."""
    if not user.can_write:
        raise PageError(403, "只读账号不能修改数据", "a read-only account cannot change data")
    return user


def office_user(user: Principal = Depends(writer_user)) -> Principal:
    if user.role not in ("admin", "office"):
        raise PageError(403, "只有链长办和管理员可以执行此操作", "only the chain office and administrators can do this")
    return user


def admin_user(user: Principal = Depends(writer_user)) -> Principal:
    if not user.is_admin:
        raise PageError(403, "只有管理员可以管理用户", "only administrators can manage users")
    return user


def api_user(request: Request, token: str | None = Depends(oauth2_scheme), db: Session = Depends(get_db)) -> Principal:
    """The API caller from the bearer token; 401 without a valid one or when its user is not active."""
    username = request.app.state.signer.read_token(token)
    user = active_principal(db, username) if username else None
    if user is None:
        raise HTTPException(
            status_code=401,
            detail="未登录或令牌无效 / not authenticated or invalid token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


def api_writer(user: Principal = Depends(api_user)) -> Principal:
    if not user.can_write:
        raise HTTPException(403, "只读账号不能修改数据 / a read-only account cannot change data")
    return user


def api_office(user: Principal = Depends(api_user)) -> Principal:
    if user.role not in ("admin", "office"):
        raise HTTPException(
            403, "只有链长办和管理员可以执行此操作 / only the chain office and administrators can do this"
        )
    return user


def url_for_path(request: Request, path: str) -> str:
    """An absolute path that honours the reverse-proxy root path."""
    return (request.scope.get("root_path") or "").rstrip("/") + path


def _common(request: Request) -> dict[str, Any]:
    f = formatter(request)
    return {
        "lang": f.lang,
        "f": f,
        "_": f.t,
        "u": lambda p: url_for_path(request, p),
        "q": lambda s: quote(str(s), safe=""),
    }


def cached_body(request: Request, db: Session, key: tuple[Any, ...], template: str, build: Any) -> str:
    """The page body (no user, no CSRF token in it) rendered once per key, language, root path and
    data version; `build()` returns the template context and runs only on a miss."""
    from chainlead.web.cache import memo

    full_key = ("html", template, *key, lang_of(request), request.scope.get("root_path") or "")
    return memo(
        db,
        request.app,
        full_key,
        lambda: TEMPLATES.get_template(template).render(**TEMPLATES.env.globals, **_common(request), **build()),
    )


def render_page(request: Request, body: str, *, title: str, nav: str, user: Principal, charts: bool = True):  # type: ignore[no-untyped-def]
    return render(request, "page.html", {"body": body, "title": title, "nav": nav, "charts": charts}, user=user)


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200, user: Principal | None = None
):  # type: ignore[no-untyped-def]
    f = formatter(request)
    data = session_data(request)
    ctx = {
        "request": request,
        "user": user,
        "lang": f.lang,
        "f": f,
        "_": f.t,
        "u": lambda p: url_for_path(request, p),
        "q": lambda s: quote(str(s), safe=""),
        "csrf_token": (data or {}).get("c", ""),
        "nav": context.pop("nav", ""),
    }
    ctx.update(context)
    return TEMPLATES.TemplateResponse(request, template, ctx, status_code=status_code)
