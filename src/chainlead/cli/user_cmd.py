"""`chainlead user ...`: platform users and roles (用户与角色)."""

from __future__ import annotations

import sys

import typer
from rich.table import Table

from chainlead.cli.common import DbOption, console, fail
from chainlead.db import session_scope
from chainlead.db.migrate import ensure_schema
from chainlead.web.users import ROLES, UserError, add_user, list_users, set_active, set_password

app = typer.Typer(help="用户 / users: add, passwd, list, disable", no_args_is_help=True)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("密码 / password", hide_input=True, confirmation_prompt=True)
    if not password:
        fail(
            "没有读到密码（--password-stdin 需要从标准输入提供一行密码）",
            "no password read (--password-stdin expects one line on standard input)",
        )
    return password


@app.command("add")
def add(
    name: str = typer.Argument(..., help="用户名 / user name"),
    role: str = typer.Option(..., "--role", help=f"角色 / role: {', '.join(ROLES)}"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="从标准输入读取密码 / read the password from stdin"
    ),
    display_name: str = typer.Option("", "--display-name", help="姓名 / display name"),
    chain: list[str] = typer.Option([], "--chain", help="链长负责的产业链（可多次）/ a leader's chain (repeatable)"),
    db: DbOption = None,
) -> None:
    """新建用户 / add a user."""
    password = _read_password(password_stdin)
    ensure_schema(db)
    try:
        with session_scope(db) as session:
            add_user(session, name, role, password, display_name=display_name, chains=chain, actor="cli")
    except UserError as exc:
        fail(exc.zh, exc.en)
    console.print(f"已添加用户 / user added: {name} ({role})")


@app.command("passwd")
def passwd(
    name: str = typer.Argument(..., help="用户名 / user name"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="从标准输入读取密码 / read the password from stdin"
    ),
    db: DbOption = None,
) -> None:
    """修改密码 / change a password."""
    password = _read_password(password_stdin)
    ensure_schema(db)
    try:
        with session_scope(db) as session:
            set_password(session, name, password, actor="cli")
    except UserError as exc:
        fail(exc.zh, exc.en)
    console.print(f"已修改密码 / password changed: {name}")


@app.command("list")
def list_cmd(db: DbOption = None) -> None:
    """列出用户 / list users."""
    ensure_schema(db)
    with session_scope(db) as session:
        users = list_users(session)
        table = Table("用户名 user", "姓名 name", "角色 role", "产业链 chains", "状态 status")
        for u in users:
            table.add_row(
                u.username,
                u.display_name or "",
                u.role,
                "、".join(u.chains or []),
                "启用 active" if u.is_active else "停用 disabled",
            )
    console.print(table)


@app.command("disable")
def disable(name: str = typer.Argument(..., help="用户名 / user name"), db: DbOption = None) -> None:
    """停用用户 / disable a user (sign-in and tokens stop working)."""
    ensure_schema(db)
    try:
        with session_scope(db) as session:
            set_active(session, name, False, actor="cli")
    except UserError as exc:
        fail(exc.zh, exc.en)
    console.print(f"已停用 / disabled: {name}")
