"""Built-in programs shipped as package data (`program/data/NAME.toml`)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from chainlead.program.validate import LoadedProgram, Problem, ProgramError, load_program_file, parse_program


def builtin_names() -> list[str]:
    folder = resources.files("chainlead.program").joinpath("data")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


@cache
def load_builtin(name: str) -> LoadedProgram:
    folder = resources.files("chainlead.program").joinpath("data")
    entry = folder.joinpath(f"{name}.toml")
    if not entry.is_file():
        raise ProgramError(
            name,
            [
                Problem(
                    "(name)",
                    f"没有名为 {name!r} 的内置方案（可用：{', '.join(builtin_names())}）",
                    f"no built-in program named {name!r} (available: {', '.join(builtin_names())})",
                )
            ],
        )
    return parse_program(entry.read_text(encoding="utf-8"), f"builtin:{name}")


def resolve_program(name_or_path: str) -> LoadedProgram:
    """A built-in name or a path to a TOML file."""
    if name_or_path.endswith(".toml") or Path(name_or_path).exists():
        return load_program_file(name_or_path)
    return load_builtin(name_or_path)
