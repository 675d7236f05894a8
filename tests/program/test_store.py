"""Programs in the database: load, idempotence, revisions, aliases, carried memberships."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from chainlead.cli.main import app
from chainlead.db import session_scope
from chainlead.db.models import ChainMembership, ChainNodeRow, ChainRow, Enterprise, ProgramRow, TierGoalRow
from chainlead.db.versions import versions
from chainlead.program import load_builtin, parse_program
from chainlead.program.store import active_program, list_programs, save_program

from .test_validate import GOOD


def test_builtin_saved_whole(db_url: str) -> None:
    loaded = load_builtin("hangzhou-2022")
    with session_scope(db_url) as s:
        row = save_program(s, loaded)
        assert row.is_active
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(ChainRow)) == 21
        goals = {(g.kind, g.tier): g.count for g in s.scalars(select(TierGoalRow))}
        assert goals[("target", "zjtx_provincial")] == 2500
        assert goals[("baseline", "little_giant_national")] == 53
        found = active_program(s)
        assert found is not None and found[1].find_ecosystem("绿色能源").name == "绿色低碳"
        assert "program=1" in versions(s, "program")


def test_same_file_twice_is_one_row(db_url: str) -> None:
    loaded = parse_program(GOOD, "good.toml")
    with session_scope(db_url) as s:
        first = save_program(s, loaded).id
    with session_scope(db_url) as s:
        assert save_program(s, loaded).id == first
        assert len(list_programs(s)) == 1


def test_new_revision_keeps_old_and_carries_confirmed_memberships(db_url: str) -> None:
    v1 = parse_program(GOOD, "v1.toml")
    # The revision renames the chain (old name kept as alias) and adds a node.
    v2_text = (
        GOOD.replace('name = "智能装备"', 'name = "智能装备与机器人"\naliases = ["智能装备"]')
        + '\n[[ecosystems.chains.nodes]]\nname = "系统集成"\nposition = "下游"\nindustry_codes = ["6531"]\n'
    )
    v2 = parse_program(v2_text, "v2.toml")
    with session_scope(db_url) as s:
        old = save_program(s, v1)
        node = s.scalars(select(ChainNodeRow).where(ChainNodeRow.name == "工业机器人")).one()
        ent = Enterprise(uscc="91330108MA2H0TQ4XA", name="杭州测试机器人有限公司")
        s.add(ent)
        s.flush()
        s.add(
            ChainMembership(
                enterprise_id=ent.id,
                node_id=node.id,
                chain_id=node.chain_id,
                source="manual",
                status="confirmed",
                is_primary=True,
            )
        )
        s.add(
            ChainMembership(
                enterprise_id=ent.id,
                node_id=s.scalars(select(ChainNodeRow).where(ChainNodeRow.name == "核心零部件")).one().id,
                chain_id=node.chain_id,
                source="rule",
                status="applied",
            )
        )
    with session_scope(db_url) as s:
        new = save_program(s, v2)
        assert new.id != old.id
        rows = s.scalars(select(ProgramRow).order_by(ProgramRow.id)).all()
        assert [r.is_active for r in rows] == [False, True]
        members = s.execute(
            select(ChainRow.program_id, ChainNodeRow.name, ChainMembership.source)
            .join(ChainNodeRow, ChainMembership.node_id == ChainNodeRow.id)
            .join(ChainRow, ChainMembership.chain_id == ChainRow.id)
            .order_by(ChainRow.program_id)
        ).all()
        # the old program's two rows stay; only the manual one is carried to the new revision
        assert [(m[0] == old.id, m[1], m[2]) for m in members] == [
            (True, "工业机器人", "manual"),
            (True, "核心零部件", "rule"),
            (False, "工业机器人", "manual"),
        ]


def test_cli_show_json_shape() -> None:
    result = CliRunner().invoke(app, ["program", "show", "hangzhou-2022", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [e["name"] for e in data["ecosystems"]] == ["智能物联", "生物医药", "高端装备", "新材料", "绿色低碳"]
    assert {e["name"]: e["targets"]["2025"] for e in data["ecosystems"]} == {
        "智能物联": 10000,
        "生物医药": 5000,
        "高端装备": 10000,
        "新材料": 3000,
        "绿色低碳": 3000,
    }
    assert data["tier_targets"] == {
        "zjtx_provincial": 2500,
        "hidden_champion_provincial": 100,
        "little_giant_national": 240,
    }
    assert data["tier_baselines"] == {
        "zjtx_provincial": 310,
        "hidden_champion_provincial": 36,
        "little_giant_national": 53,
    }
    chain = data["ecosystems"][0]["chains"][0]
    assert chain["name"] == "视觉智能"
    for key in ("name", "position", "industry_codes", "keywords"):
        assert all(key in node for node in chain["nodes"])


def test_cli_show_unknown_name_exits_2() -> None:
    result = CliRunner().invoke(app, ["program", "show", "no-such-city"])
    assert result.exit_code == 2
    assert "没有名为" in result.output and "no built-in program" in result.output


def test_cli_load_into_db(db_url: str) -> None:
    result = CliRunner().invoke(app, ["program", "load", "hangzhou-2022", "--db", db_url])
    assert result.exit_code == 0, result.output
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(ProgramRow)) == 1


def test_console_entry_turns_a_dead_database_into_a_message() -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from chainlead.cli.main import main; main()",
            "program",
            "list",
            "--db",
            "postgresql://nobody@127.0.0.1:1/none",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "数据库错误" in proc.stderr and "database error" in proc.stderr
    assert "Traceback" not in proc.stderr
