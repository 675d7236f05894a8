"""`demo-data --unmapped-share`: firms written without a membership, for `chainlead map` to find."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from chainlead.cli.main import app
from chainlead.db import session_scope
from chainlead.db.models import ChainMembership, Enterprise
from chainlead.demo.service import generate_demo, prepare, unmapped_masks
from chainlead.demo.text import GENERIC_DESCRIPTIONS
from chainlead.mapping.service import map_all
from tests.demo.conftest import read_csv

runner = CliRunner()
N = 1500
SHARE = 0.2


def test_files_leave_the_drawn_firms_without_membership(tmp_path):
    full = generate_demo(N, 5, out_dir=tmp_path / "full")
    part = generate_demo(N, 5, out_dir=tmp_path / "part", unmapped_share=SHARE)
    run = prepare(N, 5)
    unmapped, vague = unmapped_masks(run.pop, 5, SHARE)
    assert part.unmapped == int(unmapped.sum()) > 0.1 * N and full.unmapped == 0
    assert not (unmapped & (run.pop.listed | run.pop.master)).any()  # listed firms and masters stay mapped
    assert 0 < vague.sum() < unmapped.sum() and not (vague & ~unmapped).any()

    ents = read_csv(tmp_path / "part" / "enterprises.csv")
    uscc = [e["uscc"] for e in ents]
    lost = {uscc[i] for i in range(N) if unmapped[i]}
    full_members = read_csv(tmp_path / "full" / "memberships.csv")
    part_members = read_csv(tmp_path / "part" / "memberships.csv")
    # Exactly the drawn firms lose their rows; every other membership is written as before.
    assert part_members == [m for m in full_members if m["uscc"] not in lost]
    assert {m["uscc"] for m in full_members} >= lost
    # Half of them (the vague ones) describe nothing chain-specific; the others are unchanged.
    generic = {(scope, products) for scope, products in GENERIC_DESCRIPTIONS}
    full_ents = read_csv(tmp_path / "full" / "enterprises.csv")
    for i in range(N):
        described = (ents[i]["business_scope"], ents[i]["main_products"])
        if vague[i]:
            assert described in generic
        else:
            assert ents[i] == full_ents[i]


def test_map_finds_the_unmapped_firms_and_keeps_the_imported_ones(db_url):
    summary = generate_demo(N, 5, db_url=db_url, unmapped_share=SHARE)
    with session_scope(db_url) as s:
        imported = s.scalars(select(ChainMembership.enterprise_id).where(ChainMembership.source == "import")).all()
        before = len(imported)
        result = map_all(s)
    assert result.applied + result.suggested >= summary.unmapped  # every unmapped firm gets an answer
    assert result.suggested > 0  # the vague ones wait for a person
    with session_scope(db_url) as s:
        rows = s.execute(select(ChainMembership.enterprise_id, ChainMembership.source)).all()
        assert sum(1 for _, src in rows if src == "import") == before
        auto = {eid for eid, src in rows if src in ("rule", "model")}
        unmapped_ids = set(s.scalars(select(Enterprise.id).where(~Enterprise.id.in_(set(imported)))).all())
        assert auto == unmapped_ids and len(auto) == summary.unmapped


def test_cli_reports_the_count_and_refuses_a_bad_share(tmp_path):
    out = runner.invoke(app, ["demo-data", "-n", "300", "--out", str(tmp_path / "o"), "--unmapped-share", "0.1"])
    assert out.exit_code == 0, out.output
    assert "enterprises left unmapped" in out.output and "未挂链企业" in out.output
    for bad in ("-0.1", "0.95"):
        result = runner.invoke(app, ["demo-data", "-n", "30", "--out", str(tmp_path / "b"), "--unmapped-share", bad])
        assert result.exit_code == 2
        assert "未挂链比例" in result.output and "unmapped share" in result.output
        assert not (tmp_path / "b" / "enterprises.csv").exists()
