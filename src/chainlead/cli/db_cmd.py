"""`chainlead db ...`: schema migrations."""

from __future__ import annotations

import typer
from sqlalchemy.exc import OperationalError

from chainlead.cli.common import DbOption, console, fail
from chainlead.config import database_url
from chainlead.db import migrate

app = typer.Typer(help="数据库 / database: 建表与升级 (migrations)", no_args_is_help=True)


@app.command("upgrade")
def upgrade(db: DbOption = None, revision: str = typer.Option("head", help="target revision")) -> None:
    """升级数据库结构到最新 / upgrade the schema (Alembic)."""
    try:
        migrate.upgrade(db, revision)
    except OperationalError as exc:
        fail(f"无法连接或升级数据库：{exc.orig}", f"cannot connect to or upgrade the database: {exc.orig}")
    console.print(f"数据库已升级 / schema upgraded: {migrate.current_revision(db)} ({_safe(database_url(db))})")


@app.command("current")
def current(db: DbOption = None) -> None:
    """显示当前结构版本 / show the current schema revision."""
    console.print(migrate.current_revision(db) or "(empty)")


def _safe(url: str) -> str:
    if "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
