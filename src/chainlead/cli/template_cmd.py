"""`chainlead template NAME -o FILE`: a blank import template (导入模板)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import typer

from chainlead.cli.common import console, fail
from chainlead.registry.readers import FileProblem
from chainlead.registry.templates import write_template


def template(
    name: str = typer.Argument(..., help="enterprises | financials | qualifications | memberships | facts"),
    out: Path = typer.Option(..., "-o", "--out", help="输出文件 .xlsx 或 .csv / output file"),
) -> None:
    """下载导入模板 / write an import template (.xlsx or .csv)."""
    if name == "facts":
        with contextlib.suppress(ImportError):
            import chainlead.cultivation  # noqa: F401  (registers the facts format)
    try:
        path = write_template(name, out)
    except FileProblem as exc:
        fail(exc.zh, exc.en)
    console.print(f"已写出模板 / template written: {path}")
