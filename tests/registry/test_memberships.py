"""Memberships (挂链) and qualifications: chain/node checks, manual decisions kept, tier labels."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from chainlead.db.engine import get_engine, session_scope
from chainlead.db.models import ChainMembership, ChainNodeRow, ChainRow, Qualification
from chainlead.program.builtin import load_builtin
from chainlead.program.store import save_program
from chainlead.registry.batches import undo_batch
from chainlead.registry.importer import import_file
from tests.registry.helpers import ENT_HEADER, enterprise_rows, make_uscc, snapshot, write_csv

MEM_HEADER = ["统一社会信用代码", "产业链", "链节点", "是否主链"]


def _setup(url: str, tmp_path: Path) -> tuple[str, list[str]]:
    with session_scope(url) as session:
        save_program(session, load_builtin("hangzhou-2022"))
    import_file(url, "enterprises", write_csv(tmp_path / "e.csv", ENT_HEADER, enterprise_rows(4)))
    with Session(get_engine(url)) as session:
        chain = session.scalars(select(ChainRow).where(ChainRow.name == "视觉智能")).one()
        return chain.name, [n.name for n in chain.nodes]


def test_memberships_import_as_confirmed(db_url: str, tmp_path: Path) -> None:
    chain, nodes = _setup(db_url, tmp_path)
    rows = [
        [make_uscc(0), chain, nodes[0], "是"],
        [make_uscc(1), chain, nodes[1], ""],
        [make_uscc(2), "不存在的链", nodes[0], ""],
        [make_uscc(3), chain, "不存在的节点", ""],
    ]
    report = import_file(
        db_url,
        "memberships",
        write_csv(tmp_path / "m.csv", MEM_HEADER, rows),
        mode="accept_valid",
        rejects_path=tmp_path / "r.csv",
        user="office",
    )
    assert (report.rows_new, report.rows_rejected) == (2, 2)
    assert {i.field for i in report.rejected} == {"chain", "node"}
    with Session(get_engine(db_url)) as session:
        members = session.scalars(select(ChainMembership).order_by(ChainMembership.id)).all()
    assert [(m.source, m.status, m.is_primary, m.decided_by) for m in members] == [
        ("import", "confirmed", True, "office"),
        ("import", "confirmed", False, "office"),
    ]


def test_manual_decision_is_never_overwritten(db_url: str, tmp_path: Path) -> None:
    chain, nodes = _setup(db_url, tmp_path)
    first = import_file(
        db_url,
        "memberships",
        write_csv(
            tmp_path / "m.csv", MEM_HEADER, [[make_uscc(0), chain, nodes[0], ""], [make_uscc(1), chain, nodes[1], ""]]
        ),
    )
    assert first.rows_new == 2
    with get_engine(db_url).begin() as conn:
        conn.execute(
            update(ChainMembership)
            .where(
                ChainMembership.node_id
                == select(ChainNodeRow.id).where(ChainNodeRow.name == nodes[0]).scalar_subquery()
            )
            .values(source="manual", status="rejected")
        )
        conn.execute(
            update(ChainMembership).where(ChainMembership.source == "import").values(source="rule", status="suggested")
        )
    before = snapshot(db_url)
    again = import_file(db_url, "memberships", tmp_path / "m.csv")
    assert (again.rows_updated, again.rows_unchanged, again.warnings_count) == (1, 1, 1)
    assert "人工" in again.warnings[0].zh and "manually" in again.warnings[0].en
    with Session(get_engine(db_url)) as session:
        got = {(m.source, m.status) for m in session.scalars(select(ChainMembership))}
    assert got == {("manual", "rejected"), ("import", "confirmed")}
    undo_batch(db_url, again.batch_id)
    assert snapshot(db_url) == before


def test_chain_alias(db_url: str, tmp_path: Path) -> None:
    chain, nodes = _setup(db_url, tmp_path)
    with get_engine(db_url).begin() as conn:
        conn.execute(update(ChainRow).where(ChainRow.name == chain).values(aliases=["视觉智能产业链"]))
    report = import_file(
        db_url,
        "memberships",
        write_csv(tmp_path / "m.csv", MEM_HEADER, [[make_uscc(0), "视觉智能产业链", nodes[0], "1"]]),
    )
    assert report.rows_new == 1


def test_memberships_need_a_program(db_url: str, tmp_path: Path) -> None:
    import_file(db_url, "enterprises", write_csv(tmp_path / "e.csv", ENT_HEADER, enterprise_rows(1)))
    report = import_file(
        db_url, "memberships", write_csv(tmp_path / "m.csv", MEM_HEADER, [[make_uscc(0), "视觉智能", "x", ""]])
    )
    assert report.status == "failed" and "方案" in report.error[0]


def test_qualifications_with_chinese_tier_labels(db_url: str, tmp_path: Path) -> None:
    import_file(db_url, "enterprises", write_csv(tmp_path / "e.csv", ENT_HEADER, enterprise_rows(2)))
    rows = [
        [make_uscc(0), "省级专精特新中小企业", "2022年5月31日", "2025-05-30"],
        [make_uscc(1), "little_giant_national", "2021/7/1", ""],
        [make_uscc(1), "瞪羚企业", "2021/7/1", ""],
        [make_uscc(0), "high_tech", "2022-01-01", "2021-01-01"],
    ]
    report = import_file(
        db_url,
        "qualifications",
        write_csv(tmp_path / "q.csv", ["uscc", "称号", "认定日期", "有效期至"], rows),
        mode="accept_valid",
        rejects_path=tmp_path / "r.csv",
    )
    assert (report.rows_new, report.rows_rejected) == (2, 2)
    assert {i.field for i in report.rejected} == {"tier", "expires_on"}
    with Session(get_engine(db_url)) as session:
        quals = {(q.tier, q.granted_on, q.expires_on, q.source) for q in session.scalars(select(Qualification))}
    assert quals == {
        ("zjtx_provincial", dt.date(2022, 5, 31), dt.date(2025, 5, 30), "import"),
        ("little_giant_national", dt.date(2021, 7, 1), None, "import"),
    }
