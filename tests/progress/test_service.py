"""status_report: JSON keys, cache that cannot serve a stale figure, errors; `chainlead status`."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from chainlead.cli.main import app
from chainlead.db import session_scope
from chainlead.db.models import ChainMembership, Enterprise, EnterpriseFinancial, ResultCache
from chainlead.db.versions import bump
from chainlead.program.store import save_program
from chainlead.program.validate import parse_program
from chainlead.progress.service import ProgressError, status_report
from tests.progress.fixture import PROGRAM, load_fixture

YI = 10_000.0
ECO_KEYS = {
    "name",
    "year",
    "scale_yi",
    "target_yi",
    "target_year",
    "progress",
    "cagr_actual",
    "cagr_required",
    "projection_yi",
    "projection_low_yi",
    "projection_high_yi",
    "probability",
    "status",
}
TIER_KEYS = {"tier", "count", "baseline", "target", "needed_per_year", "status"}


def _eco(report, name):  # type: ignore[no-untyped-def]
    return next(e for e in report["ecosystems"] if e["name"] == name)


def _chain(report, name):  # type: ignore[no-untyped-def]
    return next(c for e in report["ecosystems"] for c in e["chains"] if c["name"] == name)


def test_json_has_the_stable_keys(db_url: str) -> None:
    load_fixture(db_url)
    with session_scope(db_url) as s:
        r = status_report(s)
    assert r["year"] == 2023  # latest year with figures
    for eco in r["ecosystems"]:
        assert set(eco) >= ECO_KEYS
        for chain in eco["chains"]:
            assert set(chain) >= ECO_KEYS
    assert r["tiers"] and all(set(t) >= TIER_KEYS for t in r["tiers"])
    jia = _eco(r, "甲生态")
    assert jia["status"] in {"on_track", "at_risk", "off_track"}
    assert jia["projection_low_yi"] <= jia["projection_yi"] <= jia["projection_high_yi"]
    assert 0.0 <= jia["probability"] <= 1.0
    json.dumps(r)  # plain JSON all the way down


def test_cached_until_an_import_changes_a_figure(db_url: str) -> None:
    ids = load_fixture(db_url)
    with session_scope(db_url) as s:
        first = status_report(s, year=2023)
    with session_scope(db_url) as s:
        again = status_report(s, year=2023)
    assert again["computed_at"] == first["computed_at"] and again == first  # served from result_cache
    assert _eco(first, "甲生态")["scale_yi"] * YI == pytest.approx(201)
    with session_scope(db_url) as s:  # what an importer does: the write and the bump in one transaction
        row = s.scalars(
            select(EnterpriseFinancial).where(
                EnterpriseFinancial.enterprise_id == ids["A"], EnterpriseFinancial.year == 2023
            )
        ).one()
        row.revenue_wan = 221.0
        bump(s, "financials")
    with session_scope(db_url) as s:
        after = status_report(s, year=2023)
    assert _eco(after, "甲生态")["scale_yi"] * YI == pytest.approx(301)
    assert after["total"]["scale_yi"] * YI == pytest.approx(341)
    assert after["data_versions"] != first["data_versions"]


def test_mapping_change_recomputes(db_url: str) -> None:
    ids = load_fixture(db_url)
    with session_scope(db_url) as s:
        before = status_report(s, year=2023)
    assert _chain(before, "链二")["scale_yi"] * YI == pytest.approx(191)
    with session_scope(db_url) as s:  # a reviewer confirms F in 链二 (was rejected)
        m = s.scalars(
            select(ChainMembership).where(
                ChainMembership.enterprise_id == ids["F"], ChainMembership.status == "rejected"
            )
        ).one()
        m.status = "confirmed"
        bump(s, "memberships")
    with session_scope(db_url) as s:
        after = status_report(s, year=2023)
    assert _chain(after, "链二")["scale_yi"] * YI == pytest.approx(201)
    assert _eco(after, "甲生态")["scale_yi"] * YI == pytest.approx(201)  # F was already counted once
    assert _eco(after, "甲生态")["overlap"]["overlap_yi"] * YI == pytest.approx(131)


def test_program_change_recomputes(db_url: str) -> None:
    load_fixture(db_url)
    with session_scope(db_url) as s:
        before = status_report(s, year=2023)
    assert _eco(before, "甲生态")["target_yi"] == 0.05
    with session_scope(db_url) as s:
        save_program(s, parse_program(PROGRAM.replace("targets = { 2025 = 0.05 }", "targets = { 2025 = 0.03 }"), "v2"))
    with session_scope(db_url) as s:
        after = status_report(s, year=2023)
    jia = _eco(after, "甲生态")
    assert jia["target_yi"] == 0.03
    assert jia["progress"] == pytest.approx(201 / 300)
    assert jia["scale_yi"] * YI == pytest.approx(201)  # manual memberships carried to the revision


def test_stale_cache_row_is_never_served(db_url: str) -> None:
    load_fixture(db_url)
    with session_scope(db_url) as s:
        status_report(s, year=2023)
        for row in s.scalars(select(ResultCache)):
            row.payload = {**row.payload, "poisoned": True}  # tamper with what is stored
    with session_scope(db_url) as s:
        s.add(Enterprise(uscc="91330100MA2ZZZZZ00", name="新企业"))
        bump(s, "enterprises")
    with session_scope(db_url) as s:
        fresh = status_report(s, year=2023)
    assert "poisoned" not in fresh


def test_bad_requests_raise_bilingual_errors(db_url: str) -> None:
    with session_scope(db_url) as s, pytest.raises(ProgressError) as exc:
        status_report(s)
    assert "program load" in exc.value.en and "方案" in exc.value.zh
    load_fixture(db_url)
    with session_scope(db_url) as s:
        with pytest.raises(ProgressError, match="unknown scale metric"):
            status_report(s, metric="profit_wan")
        with pytest.raises(ProgressError, match="no ecosystem"):
            status_report(s, ecosystem="不存在")
        only = status_report(s, year=2023, ecosystem="乙生态")
    assert [e["name"] for e in only["ecosystems"]] == ["乙生态"]


def test_cli_status_table_and_json(db_url: str) -> None:
    load_fixture(db_url)
    runner = CliRunner()
    got = runner.invoke(app, ["status", "--db", db_url, "--year", "2023", "--json"])
    assert got.exit_code == 0, got.output
    body = json.loads(got.stdout)
    with session_scope(db_url) as s:
        assert body == status_report(s, year=2023)
    table = runner.invoke(app, ["status", "--db", db_url, "--year", "2023"], env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    for text in ("甲生态", "链一", "跨链重复", "梯度培育", "省级专精特新", "样本过少"):
        assert text in table.stdout


def test_cli_user_errors_exit_2(db_url: str) -> None:
    runner = CliRunner()
    none = runner.invoke(app, ["status", "--db", db_url])
    assert none.exit_code == 2 and "chainlead program load" in none.output
    load_fixture(db_url)
    bad = runner.invoke(app, ["status", "--db", db_url, "--metric", "profit_wan"])
    assert bad.exit_code == 2 and "未知的规模口径" in bad.output and "unknown scale metric" in bad.output
    eco = runner.invoke(app, ["status", "--db", db_url, "--ecosystem", "不存在"])
    assert eco.exit_code == 2 and "no ecosystem" in eco.output
    year = runner.invoke(app, ["status", "--db", db_url, "--year", "1800"])
    assert year.exit_code == 2 and "1990–2100" in year.output
