"""Shared CLI pieces: the --db option, bilingual errors with exit codes, the console."""

from __future__ import annotations

import os
import sys
from typing import Annotated, NoReturn

import typer
from rich.console import Console


def _output_width() -> int | None:
    """Terminal width; output to a file or pipe gets at least a wide page so tables don't wrap names."""
    columns = os.environ.get("COLUMNS", "")
    asked = int(columns) if columns.isdigit() else None
    if sys.stdout.isatty():
        return asked
    return max(asked or 0, 160)


console = Console(width=_output_width())
err_console = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="数据库 URL 或 SQLite 文件路径 / database URL or SQLite path (env CHAINLEAD_DATABASE_URL)"
    ),
]

EXIT_USER_ERROR = 2


def fail(message_zh: str, message_en: str = "", code: int = EXIT_USER_ERROR) -> NoReturn:
    """End with a clear message (Chinese, then English) and a non-zero exit code."""
    text = message_zh if not message_en else f"{message_zh}\n{message_en}"
    err_console.print(f"[bold red]错误 / Error:[/] {text}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def echo_plain(text: str) -> None:
    """Print machine-readable output (JSON) without Rich markup."""
    sys.stdout.write(text)
    if not text.endswith("\n"):
        sys.stdout.write("\n")
