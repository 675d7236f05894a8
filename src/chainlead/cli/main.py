"""The `chainlead` command. Each feature lives in its own module as a Typer sub-app."""

from __future__ import annotations

import sys

import typer

from chainlead import __version__
from chainlead.cli import db_cmd, import_cmd, program_cmd, serve_cmd, template_cmd, user_cmd
from chainlead.cli.common import fail
from chainlead.cli.cultivation_cmd import app as cultivation_app
from chainlead.cli.demo_cmd import demo_data
from chainlead.cli.mapping_cmd import app as mapping_app
from chainlead.cli.mapping_cmd import classify as classify_cmd

app = typer.Typer(
    name="chainlead",
    help="产业链链长制工作平台 / chain-leader program platform",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
app.add_typer(db_cmd.app, name="db")
app.add_typer(program_cmd.app, name="program")
app.add_typer(cultivation_app, name="cultivation")
app.add_typer(import_cmd.app, name="import")
app.command("template")(template_cmd.template)
app.command("demo-data")(demo_data)
app.add_typer(user_cmd.app, name="user")
app.command("serve")(serve_cmd.serve)
app.command("status")(__import__("chainlead.cli.status_cmd", fromlist=["status"]).status)
app.add_typer(mapping_app, name="map")
app.command("classify")(classify_cmd)


@app.command("version")
def version() -> None:
    """显示版本 / show the version."""
    typer.echo(__version__)


def main() -> None:
    """Console entry point: database errors a user can cause end in a clear message, not a traceback."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    try:
        app()
    except (OperationalError, ProgrammingError) as exc:
        reason = str(exc.orig).strip().splitlines()[0]
        try:
            fail(
                f"数据库错误：{reason}\n请检查 --db 或 CHAINLEAD_DATABASE_URL；表结构过旧时运行 chainlead db upgrade",
                f"database error: {reason}; check --db or CHAINLEAD_DATABASE_URL, run chainlead db upgrade if the "
                "schema is old",
                code=1,
            )
        except typer.Exit as stop:
            sys.exit(stop.exit_code)


if __name__ == "__main__":
    main()
