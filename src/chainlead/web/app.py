"""The FastAPI application factory (应用): `create_app(db_url, root_path=...)`.

Pages live in `web/pages/` (one module per page), the JSON API in `web/api/`; both call the same
service functions. Static assets are vendored under `static/` (no CDN), the OpenAPI docs page is
served from the vendored swagger-ui.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from chainlead import __version__
from chainlead.db.engine import get_engine
from chainlead.web.cache import ResultMemo
from chainlead.web.deps import LoginRequired, PageError, render, url_for_path
from chainlead.web.fastpath import StatusFastPath, VersionProbe
from chainlead.web.nulguard import NulGuard
from chainlead.web.security import LoginLimiter, Signer, load_secret_key

STATIC = Path(__file__).parent / "static"
SWAGGER_JS = "vendor/swagger-ui-bundle-5.35.0.js"
SWAGGER_CSS = "vendor/swagger-ui-5.35.0.css"

API_DESCRIPTION = """产业链链长制工作平台 JSON API。先用 `POST /api/v1/auth/token`（表单字段 username、password，
OAuth2 password flow）取得令牌，再以 `Authorization: Bearer <token>` 调用其他接口；无有效令牌一律 401。

JSON API of the chain-leader platform. Get a token from `POST /api/v1/auth/token` (form fields
username, password; OAuth2 password flow), then call with `Authorization: Bearer <token>`; every
route answers 401 without a valid token. Money in 万元 (`*_wan`) or 亿元 (`*_yi`)."""


def create_app(
    db_url: str | None = None,
    root_path: str = "",
    *,
    secret_key: str | None = None,
    secure_cookies: bool = False,
    login_limit: int = 5,
    login_window: float = 300.0,
    status_fast_path: bool = True,
) -> FastAPI:
    """Build the app for one database (SQLite path/URL or PostgreSQL URL)."""
    app = FastAPI(
        lifespan=_lifespan,
        title="chainlead 产业链链长制工作平台",
        version=__version__,
        description=API_DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    engine = get_engine(db_url)
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker(engine, expire_on_commit=False)
    app.state.signer = Signer(load_secret_key(secret_key))
    app.state.limiter = LoginLimiter(login_limit, login_window)
    app.state.secure_cookies = secure_cookies
    app.state.memo = ResultMemo()
    app.state.status_probe = VersionProbe(engine)
    app.state.status_fast_served = 0
    if status_fast_path:  # outside the routing (added before the root path so that one runs first)
        app.add_middleware(StatusFastPath, owner=app)
    app.add_middleware(NulGuard)  # before the fast path, the routes and PostgreSQL see any input
    if root_path.rstrip("/"):
        app.add_middleware(RootPathMiddleware, root_path=root_path.rstrip("/"))
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    from chainlead.web.api import router as api_router
    from chainlead.web.pages import router as pages_router

    app.include_router(pages_router)
    app.include_router(api_router, prefix="/api/v1")
    _install_handlers(app)

    @app.get("/docs", include_in_schema=False)
    def swagger_docs(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=url_for_path(request, "/api/v1/openapi.json"),
            title="chainlead API",
            swagger_js_url=url_for_path(request, f"/static/{SWAGGER_JS}"),
            swagger_css_url=url_for_path(request, f"/static/{SWAGGER_CSS}"),
            swagger_favicon_url=url_for_path(request, "/static/favicon.svg"),
        )

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """On shutdown, close what the app holds open outside the engine's pool (the status probe's
    own SQLite connection)."""
    yield
    app.state.status_probe.close()


class RootPathMiddleware:
    """Serve under a reverse-proxy prefix: sets the ASGI root_path unless the server already did."""

    def __init__(self, app, root_path: str) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.root_path = root_path

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] in ("http", "websocket") and not scope.get("root_path"):
            scope = dict(scope, root_path=self.root_path)
        await self.app(scope, receive, send)


def app_from_env() -> FastAPI:
    """The app for `chainlead serve --workers N` (uvicorn factory; settings from the environment)."""
    import os

    # Several workers share one listening socket; libuv (uvloop) lets the first worker to wake accept
    # every pending connection, so a burst of keep-alive clients tends to land on one process.
    # Accepting one connection at a time makes that less likely (bench/web_load.py shows the split).
    os.environ.setdefault("UV_TCP_SINGLE_ACCEPT", "1")
    return create_app(os.environ.get("CHAINLEAD_WEB_DB"), root_path=os.environ.get("CHAINLEAD_WEB_ROOT_PATH", ""))


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(url_for_path(request, "/api/")) or request.url.path.startswith("/api/")


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    def login_required(request: Request, exc: LoginRequired):  # type: ignore[no-untyped-def]
        from urllib.parse import quote

        if request.headers.get("hx-request"):
            resp = HTMLResponse("", status_code=401)
            resp.headers["HX-Redirect"] = url_for_path(request, "/login")
            return resp
        return RedirectResponse(url_for_path(request, f"/login?next={quote(exc.next_path)}"), status_code=303)

    @app.exception_handler(PageError)
    def page_error(request: Request, exc: PageError):  # type: ignore[no-untyped-def]
        if _wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=exc.status)
        if request.headers.get("hx-request"):
            html = f'<div class="flash error" role="alert">{_esc(exc.zh if _lang(request) == "zh" else exc.en)}</div>'
            resp = HTMLResponse(html, status_code=exc.status)
            resp.headers["HX-Retarget"] = "#flash"
            resp.headers["HX-Reswap"] = "innerHTML"
            return resp
        return render(request, "error.html", {"status": exc.status, "zh": exc.zh, "en": exc.en}, exc.status)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException):  # type: ignore[no-untyped-def]
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        zh, en = ("页面不存在", "page not found") if exc.status_code == 404 else (str(exc.detail), str(exc.detail))
        return render(request, "error.html", {"status": exc.status_code, "zh": zh, "en": en}, exc.status_code)

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError):  # type: ignore[no-untyped-def]
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors())
        if _wants_json(request):
            return JSONResponse({"detail": f"参数无效 / invalid input: {problems}"}, status_code=422)
        return render(
            request,
            "error.html",
            {"status": 422, "zh": f"输入有误：{problems}", "en": f"invalid input: {problems}"},
            422,
        )


def _lang(request: Request) -> str:
    from chainlead.web.deps import lang_of

    return lang_of(request)


def _esc(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))
