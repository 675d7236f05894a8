"""The `chainlead` command. Each feature lives in its own module as a Typer sub-app."""

from __future__ import annotations

import typer

from chainlead import __version__
from chainlead.cli import db_cmd, program_cmd

app = typer.Typer(
    name="chainlead",
    help="产业链链长制工作平台 / chain-leader program platform",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
app.add_typer(db_cmd.app, name="db")
app.add_typer(program_cmd.app, name="program")


@app.command("version")
def version() -> None:
    """显示版本 / show the version."""
    typer.echo(__version__)


if __name__ == "__main__":
    app()
