"""`chainlead program ...`: validate, show and load programs."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table
from rich.tree import Tree

from chainlead.cli.common import DbOption, console, echo_plain, err_console
from chainlead.config import DEFAULT_PROGRAM
from chainlead.db import session_scope
from chainlead.db.migrate import ensure_schema
from chainlead.program import ProgramError, load_program_file, resolve_program
from chainlead.program.model import Program
from chainlead.program.store import list_programs, program_as_json, save_program

app = typer.Typer(help="方案 / program: 生态圈、产业链、节点、目标", no_args_is_help=True)


def _report(exc: ProgramError) -> None:
    err_console.print(str(exc), highlight=False, soft_wrap=True, markup=False)
    raise typer.Exit(2)


@app.command("validate")
def validate(file: Path = typer.Argument(..., help="方案 TOML 文件 / program TOML file")) -> None:
    """校验方案文件 / validate a program file (exit 2 on errors)."""
    try:
        loaded = load_program_file(file)
    except ProgramError as exc:
        _report(exc)
    prog = loaded.program
    nodes = sum(len(c.nodes) for _, c in prog.chains())
    console.print(
        f"[green]方案有效 / valid[/]: {prog.name} — {len(prog.ecosystems)} 个生态圈 ecosystems, "
        f"{len(prog.chains())} 条产业链 chains, {nodes} 个节点 nodes"
    )


@app.command("show")
def show(
    name: str = typer.Argument(DEFAULT_PROGRAM, help="内置方案名或 TOML 路径 / built-in name or path"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"),
    nodes: bool = typer.Option(False, "--nodes", help="显示节点树 / show node trees"),
) -> None:
    """显示方案 / show a program."""
    try:
        loaded = resolve_program(name)
    except ProgramError as exc:
        _report(exc)
    if as_json:
        echo_plain(json.dumps(program_as_json(loaded.program), ensure_ascii=False, indent=2))
        return
    _print_program(loaded.program, nodes)


def _print_program(prog: Program, with_nodes: bool) -> None:
    head = prog.program
    console.print(f"[bold]{head.title or head.name}[/] ({head.name} {head.revision})")
    console.print(
        f"基准年 base year {head.base_year} → 目标年 target year {head.target_year}; 规模口径 {head.scale_metric}"
    )
    table = Table("生态圈 Ecosystem", "目标 Target (亿元)", "产业链 Chains")
    for eco in prog.ecosystems:
        targets = ", ".join(f"{y}: {'≥' if eco.target_is_floor else ''}{v:,.0f}" for y, v in eco.targets.items())
        table.add_row(
            eco.name + (f" ({'/'.join(eco.aliases)})" if eco.aliases else ""),
            targets,
            "、".join(c.name for c in eco.chains),
        )
    console.print(table)
    tiers = Table("梯度 Tier", "基数 Baseline", "目标 Target")
    labels = {
        "zjtx_provincial": "省级专精特新",
        "hidden_champion_provincial": "省隐形冠军",
        "little_giant_national": "国家级小巨人",
    }
    base, target = prog.tier_baselines.counts(), prog.tier_targets.counts()
    for key, label in labels.items():
        tiers.add_row(f"{label} {key}", str(base.get(key, "-")), str(target.get(key, "-")))
    console.print(tiers)
    if with_nodes:
        for eco, chain in prog.chains():
            tree = Tree(f"[bold]{eco.name} / {chain.name}[/]")
            branches = {}
            for node in chain.nodes:
                parent = branches.get(node.parent, tree)
                branches[node.name] = parent.add(
                    f"{node.name} [dim]{node.position.value} {' '.join(node.industry_codes)}[/]"
                )
            console.print(tree)


@app.command("load")
def load(
    name: str = typer.Argument(DEFAULT_PROGRAM, help="内置方案名或 TOML 路径 / built-in name or path"),
    db: DbOption = None,
) -> None:
    """把方案载入数据库并设为当前 / load a program into the database and make it active."""
    try:
        loaded = resolve_program(name)
    except ProgramError as exc:
        _report(exc)
    ensure_schema(db)
    with session_scope(db) as session:
        row = save_program(session, loaded)
        console.print(f"已载入方案 / loaded: {row.name} (id {row.id}, hash {row.file_hash[:12]})")


@app.command("list")
def list_cmd(db: DbOption = None) -> None:
    """列出数据库中的方案及修订 / list programs and revisions in the database."""
    ensure_schema(db)
    with session_scope(db) as session:
        table = Table("id", "name", "revision", "effective_on", "hash", "active")
        for row in list_programs(session):
            table.add_row(
                str(row.id),
                row.name,
                row.revision,
                str(row.effective_on or ""),
                row.file_hash[:12],
                "✓" if row.is_active else "",
            )
        console.print(table)
