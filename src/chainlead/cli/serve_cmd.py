"""`chainlead serve`: run the web platform with uvicorn (网页平台)."""

from __future__ import annotations

import os
import secrets

import typer

from chainlead.cli.common import DbOption, console, fail
from chainlead.db import session_scope
from chainlead.db.migrate import ensure_schema

DEMO_USER = "demo"


def ensure_demo_login(db: str | None) -> str:
    """Make sure the demo admin exists; give it a fresh random password and return it."""
    from chainlead.web.users import add_user, get_user, set_active, set_password

    password = secrets.token_urlsafe(9)
    with session_scope(db) as session:
        if get_user(session, DEMO_USER) is None:
            add_user(session, DEMO_USER, "admin", password, display_name="演示管理员", actor="serve --demo-login")
        else:
            set_password(session, DEMO_USER, password, actor="serve --demo-login")
            set_active(session, DEMO_USER, True, actor="serve --demo-login")
    return password


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址 / address to listen on"),
    port: int = typer.Option(8000, "--port", help="端口 / port"),
    db: DbOption = None,
    root_path: str = typer.Option(
        "", "--root-path", help="反向代理路径前缀，如 /chainlead / path prefix behind a reverse proxy"
    ),
    demo_login: bool = typer.Option(
        False, "--demo-login", help="创建演示管理员并打印密码 / ensure a demo admin and print its password"
    ),
    workers: int = typer.Option(1, "--workers", min=1, max=32, help="工作进程数 / worker processes"),
) -> None:
    """启动网页平台 / run the web platform."""
    import uvicorn

    from chainlead.config import database_url
    from chainlead.web.app import create_app
    from chainlead.web.security import load_secret_key

    if root_path and not root_path.startswith("/"):
        fail("--root-path 必须以 / 开头", "--root-path must start with /")
    ensure_schema(db)
    if demo_login:
        password = ensure_demo_login(db)
        console.print(
            f"[bold]演示登录 / demo login[/]: 用户名 user [green]{DEMO_USER}[/]  密码 password [green]{password}[/]"
        )
    console.print(f"http://{host}:{port}{root_path}/  (API: {root_path}/docs)")
    common = {
        "host": host,
        "port": port,
        "proxy_headers": True,
        "forwarded_allow_ips": "127.0.0.1",
        "log_level": "info",
    }
    if workers > 1:
        # Each worker builds its own app from the environment; they share one signing key file.
        load_secret_key()
        os.environ["CHAINLEAD_WEB_DB"] = database_url(db)
        os.environ["CHAINLEAD_WEB_ROOT_PATH"] = root_path
        uvicorn.run(
            "chainlead.web.app:app_from_env", factory=True, workers=workers, timeout_worker_healthcheck=120, **common
        )  # type: ignore[arg-type]
        return
    uvicorn.run(create_app(db, root_path=root_path), **common)  # type: ignore[arg-type]
