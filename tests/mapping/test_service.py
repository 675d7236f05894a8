"""Map-all on a small database (SQLite and PostgreSQL): applied, review queue, decisions kept."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from chainlead.cli.main import app
from chainlead.db import session_scope
from chainlead.db.models import AuditLog, ChainMembership, ChainNodeRow, ChainRow, Enterprise
from chainlead.db.versions import versions
from chainlead.mapping.predict import Thresholds
from chainlead.mapping.review import decide, decide_by_id, review_queue
from chainlead.mapping.service import MappingError, map_all
from chainlead.program.store import save_program

from .helpers import add_enterprises, small_program


def _rows(db_url: str) -> dict[tuple[str, str], tuple[str, str, bool]]:
    with session_scope(db_url) as s:
        rows = s.execute(
            select(
                Enterprise.name,
                ChainRow.name,
                ChainNodeRow.name,
                ChainMembership.source,
                ChainMembership.status,
                ChainMembership.is_primary,
            )
            .join(Enterprise, Enterprise.id == ChainMembership.enterprise_id)
            .join(ChainRow, ChainRow.id == ChainMembership.chain_id)
            .join(ChainNodeRow, ChainNodeRow.id == ChainMembership.node_id)
        ).all()
    return {(e, f"{c}/{n}"): (src, st, p) for e, c, n, src, st, p in rows}


@pytest.fixture
def small_db(db_url: str) -> tuple[str, list[str]]:
    with session_scope(db_url) as s:
        save_program(s, small_program())
        codes = add_enterprises(s)
    return db_url, codes


def test_map_all_applies_suggests_and_keeps_manual(small_db: tuple[str, list[str]]) -> None:
    db_url, codes = small_db
    with session_scope(db_url) as s:
        report = map_all(s, thresholds=Thresholds(apply=0.8, suggest=0.35))
    assert report.enterprises == 9 and report.model == "rules"
    rows = _rows(db_url)
    assert rows[("杭州晶科光伏科技有限公司", "光伏/光伏组件")] == ("rule", "applied", True)
    assert rows[("杭州康华药业有限公司", "药品/化学药")][:2] == ("rule", "applied")
    assert not any(e in ("杭州好味餐饮管理有限公司", "杭州宏图房地产开发有限公司") for e, _ in rows)
    assert report.none >= 2
    suggested = [k for k, v in rows.items() if v[1] == "suggested"]
    assert suggested, "a weak match waits for review"
    with session_scope(db_url) as s:
        assert "memberships=1" in versions(s, "memberships")
        items, total = review_queue(s)
    assert total == len(suggested) and items[0].reason

    # A person rejects an applied row, confirms another; a new run leaves both alone.
    with session_scope(db_url) as s:
        decide(s, codes[0], "光伏/光伏组件", confirm=False, user="analyst")
        decide(s, codes[6], "药品/中药", confirm=True, user="analyst", note="兼营中药")
    with session_scope(db_url) as s:
        map_all(s, thresholds=Thresholds(apply=0.8, suggest=0.35))
    rows = _rows(db_url)
    assert rows[("杭州晶科光伏科技有限公司", "光伏/光伏组件")] == ("manual", "rejected", False)
    assert rows[("杭州好味餐饮管理有限公司", "药品/中药")] == ("manual", "confirmed", True)
    with session_scope(db_url) as s:
        audits = s.scalars(select(AuditLog).where(AuditLog.entity == "chain_membership").order_by(AuditLog.id)).all()
        assert [a.action for a in audits] == ["update", "insert"]
        assert audits[0].old_value["status"] == "applied" and audits[0].new_value["status"] == "rejected"
        assert audits[0].user == "analyst"
        assert "memberships=4" in versions(s, "memberships")


def test_import_rows_train_the_model_and_are_never_overwritten(small_db: tuple[str, list[str]]) -> None:
    db_url, _codes = small_db
    chains = {"光伏": "光伏组件", "储能": "储能电池", "药品": "化学药"}
    with session_scope(db_url) as s:
        nodes = {
            (c, n): (cid, nid)
            for c, cid, n, nid in s.execute(
                select(ChainRow.name, ChainRow.id, ChainNodeRow.name, ChainNodeRow.id).join(
                    ChainNodeRow, ChainNodeRow.chain_id == ChainRow.id
                )
            )
        }
        ents = s.scalars(select(Enterprise).order_by(Enterprise.id)).all()
        # Imported decisions, one deliberately "wrong" (the pharma firm put on 储能).
        labels = ["光伏", "光伏", "储能", "储能", "储能", "药品"]
        for ent, chain in zip(ents, labels, strict=False):
            cid, nid = nodes[(chain, chains[chain])]
            s.add(
                ChainMembership(
                    enterprise_id=ent.id,
                    chain_id=cid,
                    node_id=nid,
                    source="import",
                    status="confirmed",
                    is_primary=True,
                    confidence=1.0,
                )
            )
    with session_scope(db_url) as s:
        report = map_all(s)
    assert report.model == "rules"  # too few labels for a model (fewer than 20)
    rows = _rows(db_url)
    assert rows[("杭州康华药业有限公司", "储能/储能电池")] == ("import", "confirmed", True)
    assert ("杭州康华药业有限公司", "药品/化学药") in rows  # another chain may still be suggested
    assert rows[("杭州康华药业有限公司", "药品/化学药")][0] == "rule"
    # The firm whose chain was imported gets no automatic row in that chain.
    assert [k for k in rows if k[0] == "杭州晶科光伏科技有限公司"] == [("杭州晶科光伏科技有限公司", "光伏/光伏组件")]


def test_decide_errors_are_clear(small_db: tuple[str, list[str]]) -> None:
    db_url, codes = small_db
    with session_scope(db_url) as s, pytest.raises(MappingError) as err:
        decide(s, codes[0], "不存在的节点", confirm=True)
    assert "没有节点" in err.value.zh and "no node" in err.value.en
    with session_scope(db_url) as s, pytest.raises(MappingError) as err:
        decide(s, "91330100MA0000999X", "光伏组件", confirm=True)
    assert "USCC" in err.value.en
    with session_scope(db_url) as s:
        row = decide(s, codes[1], "光伏组件", confirm=True)  # unique node name without chain
        assert row.status == "confirmed" and row.source == "manual"
        with pytest.raises(MappingError):
            review_queue(s, chain="没有这条链")


def test_cli_map_review_confirm_reject(small_db: tuple[str, list[str]]) -> None:
    db_url, codes = small_db
    runner = CliRunner()
    res = runner.invoke(app, ["map", "--db", db_url])
    assert res.exit_code == 0, res.output
    assert "自动挂链 applied" in res.output
    res = runner.invoke(app, ["map", "review", "--db", db_url, "--limit", "3"])
    assert res.exit_code == 0 and "待审核" in res.output
    with session_scope(db_url) as s:
        items, _ = review_queue(s)
        first = items[0]
        assert decide_by_id(s, [first.membership_id], confirm=True, user="cli-test") == 1
    res = runner.invoke(app, ["map", "reject", codes[4], "药品/化学药", "--db", db_url, "--user", "x"])
    assert res.exit_code == 0, res.output
    assert _rows(db_url)[("杭州康华药业有限公司", "药品/化学药")] == ("manual", "rejected", False)
    res = runner.invoke(app, ["map", "confirm", codes[4], "没有/节点", "--db", db_url])
    assert res.exit_code == 2 and "no node" in res.output
    res = runner.invoke(app, ["map", "--db", db_url, "--apply-threshold", "0.2", "--suggest-threshold", "0.5"])
    assert res.exit_code == 2


def test_service_functions_for_the_web_app(small_db: tuple[str, list[str]]) -> None:
    from chainlead.mapping import service

    db_url, codes = small_db
    with session_scope(db_url) as s:
        service.map_all(s)
        items, total = service.review_queue(s, limit=10)
        assert total >= 1 and all(i.reason for i in items)
        assert service.decide(s, [items[0].membership_id], "rejected", user="web", note="不相关") == 1
        assert service.confirm(s, [(codes[5], "药品/中药"), (codes[1], "光伏/光伏电站运维")], user="web") == 2
        assert service.reject(s, [(codes[3], "储能/储能电池")], user="web") == 1
        with pytest.raises(MappingError):
            service.decide(s, [items[0].membership_id], "maybe")
    with session_scope(db_url) as s:
        _, after = service.review_queue(s)
    assert after == total - 1
    rows = _rows(db_url)
    assert rows[("杭州锂享新能源有限公司", "储能/储能电池")] == ("manual", "rejected", False)


def test_two_worker_processes_give_the_same_rows(small_db: tuple[str, list[str]]) -> None:
    db_url, _ = small_db
    with session_scope(db_url) as s:
        one = map_all(s, workers=1)
    first = _rows(db_url)
    with session_scope(db_url) as s:
        two = map_all(s, workers=2)
    assert _rows(db_url) == first
    assert (one.applied, one.suggested, one.none) == (two.applied, two.suggested, two.none)


def test_rate_leaves_out_training() -> None:
    from chainlead.mapping.service import MapReport

    assert MapReport(enterprises=1000, seconds=3.0, train_seconds=2.0).rate == 1000
    assert MapReport(enterprises=1000, seconds=2.0).rate == 500
    assert MapReport(enterprises=10, seconds=1.0, train_seconds=1.0).rate == 0.0


def test_review_queue_orders_and_filters(small_db: tuple[str, list[str]]) -> None:
    db_url, _codes = small_db
    with session_scope(db_url) as s:
        map_all(s, thresholds=Thresholds(apply=0.99, suggest=0.1))  # nearly everything waits for review
        high, total = review_queue(s, limit=1000)
        low, total_low = review_queue(s, limit=1000, lowest_first=True)
        assert total == total_low == len(high) > 1
        assert [it.confidence for it in high] == sorted((it.confidence for it in high), reverse=True)
        assert [it.confidence for it in low] == sorted(it.confidence for it in low)
        assert {it.membership_id for it in high} == {it.membership_id for it in low}
        assert all(it.position for it in high)
        chain = high[0].chain
        chain_id = s.scalar(select(ChainRow.id).where(ChainRow.name == chain))
        by_name, _ = review_queue(s, chain=chain, limit=1000)
        by_id, _ = review_queue(s, chain_id=chain_id, limit=1000)
        assert by_name == by_id and {it.chain for it in by_id} == {chain}
    runner = CliRunner()
    first = runner.invoke(app, ["map", "review", "--db", db_url, "--lowest-first", "--limit", "1"])
    assert first.exit_code == 0 and f"{low[0].confidence:.2f}" in first.output
