"""The plan as data (方案): ecosystems, chains, nodes, targets; built-in programs ship here."""

from chainlead.program.builtin import builtin_names, load_builtin, resolve_program
from chainlead.program.model import Chain, Ecosystem, Node, Position, Program
from chainlead.program.validate import LoadedProgram, ProgramError, load_program_file, parse_program

__all__ = [
    "Chain",
    "Ecosystem",
    "LoadedProgram",
    "Node",
    "Position",
    "Program",
    "ProgramError",
    "builtin_names",
    "load_builtin",
    "load_program_file",
    "parse_program",
    "resolve_program",
]
