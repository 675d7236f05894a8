"""The `chainlead import` and `chainlead template` commands: exit codes and bilingual messages."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from chainlead.cli.main import app
from chainlead.db.models import Enterprise
from chainlead.registry.formats import FORMATS
from tests.registry.helpers import ENT_HEADER, batches, count, enterprise_rows, write_csv

runner = CliRunner()


def test_import_list_undo(db_url: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "e.csv", ENT_HEADER, enterprise_rows(3))
    result = runner.invoke(app, ["import", "enterprises", str(path), "--db", db_url, "--user", "wu"])
    assert result.exit_code == 0, result.output
    assert "读取 3 行，应用 3 行（新增 3，更新 0，未变 0），拒绝 0 行，警告 0 条" in result.output
    assert "read 3, applied 3 (new 3, updated 0, unchanged 0), rejected 0, warnings 0" in result.output
    listed = runner.invoke(app, ["import", "list", "--db", db_url])
    assert listed.exit_code == 0 and "e.csv" in listed.output
    undone = runner.invoke(app, ["import", "undo", "1", "--db", db_url])
    assert undone.exit_code == 0 and "删除 3 行" in undone.output
    assert count(db_url, Enterprise) == 0
    again = runner.invoke(app, ["import", "undo", "1", "--db", db_url])
    assert again.exit_code == 2 and "already undone" in again.output


def test_strict_failure_exit_code_and_accept_valid(db_url: str, tmp_path: Path) -> None:
    rows = enterprise_rows(2)
    rows[1][0] = "123"
    path = write_csv(tmp_path / "e.csv", ENT_HEADER, rows)
    result = runner.invoke(app, ["import", "enterprises", str(path), "--db", db_url])
    assert result.exit_code == 2
    assert "第 3 行" in result.output and "18位" in result.output and "strict mode" in result.output
    assert count(db_url, Enterprise) == 0
    rejects = tmp_path / "rej.xlsx"
    ok = runner.invoke(
        app, ["import", "enterprises", str(path), "--db", db_url, "--accept-valid", "--rejects", str(rejects)]
    )
    assert ok.exit_code == 0 and "拒绝 1 行" in ok.output and str(rejects) in ok.output.replace("\n", "")
    assert count(db_url, Enterprise) == 1 and rejects.exists()
    dry = runner.invoke(app, ["import", "enterprises", str(path), "--db", db_url, "--dry-run", "--unit", "元"])
    assert (
        dry.exit_code == 2
        and "dry run" in dry.output
        and [b["status"] for b in batches(db_url)] == ["failed", "applied", "dry_run"]
    )


def test_bad_arguments_are_clear(db_url: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "e.csv", ENT_HEADER, enterprise_rows(1))
    bad_unit = runner.invoke(app, ["import", "financials", str(path), "--db", db_url, "--unit", "美元"])
    assert bad_unit.exit_code == 2 and "未知的金额单位" in bad_unit.output
    missing = runner.invoke(app, ["import", "enterprises", str(tmp_path / "none.csv"), "--db", db_url])
    assert missing.exit_code == 2 and "no such file" in missing.output


def test_templates_round_trip(db_url: str, tmp_path: Path) -> None:
    for kind in ("enterprises", "financials", "qualifications", "facts"):
        out = tmp_path / f"{kind}.xlsx"
        result = runner.invoke(app, ["template", kind, "-o", str(out)])
        assert result.exit_code == 0, result.output
        sheet = openpyxl.load_workbook(out).active
        header = [c.value for c in sheet[1]]
        assert header[0] == "*统一社会信用代码\nuscc" and len(header) == len(FORMATS[kind].columns)
        imported = runner.invoke(app, ["import", kind, str(out), "--db", db_url])
        assert imported.exit_code == 0, imported.output
        assert "新增 1" in imported.output
    csv_out = tmp_path / "m.csv"
    assert runner.invoke(app, ["template", "memberships", "-o", str(csv_out)]).exit_code == 0
    assert csv_out.read_text(encoding="utf-8-sig").startswith("*统一社会信用代码 uscc,")
    bad = runner.invoke(app, ["template", "nonsense", "-o", str(tmp_path / "x.xlsx")])
    assert bad.exit_code == 2 and "unknown template" in bad.output
