"""`chainlead demo-data` from the command line."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from chainlead.cli.main import app

runner = CliRunner()


@pytest.mark.parametrize("n", ["0", "-5"])
def test_non_positive_count_is_a_user_error(n, tmp_path):
    result = runner.invoke(app, ["demo-data", "--enterprises", n, "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "必须为正整数" in result.output and "must be a positive integer" in result.output


def test_bad_seed_out_and_program_are_user_errors(tmp_path):
    result = runner.invoke(app, ["demo-data", "-n", "10", "--seed", "-1", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "seed" in result.output
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    result = runner.invoke(app, ["demo-data", "-n", "10", "--out", str(a_file)])
    assert result.exit_code == 2 and "目录" in result.output and "folder" in result.output
    result = runner.invoke(app, ["demo-data", "-n", "10", "--out", str(tmp_path), "--program", "nope"])
    assert result.exit_code == 2 and "nope" in result.output


def test_writes_files_and_prints_the_summary(tmp_path):
    result = runner.invoke(app, ["demo-data", "-n", "300", "--seed", "4", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    for kind in ("enterprises", "financials", "qualifications", "memberships", "facts"):
        assert (tmp_path / "o" / f"{kind}.csv").stat().st_size > 0
    assert "智能物联" in result.output and "估算" in result.output and "2022-05-31" in result.output
    assert "two chains" in result.output


def test_loads_a_database_given_as_a_path(tmp_path):
    db = tmp_path / "demo.db"
    result = runner.invoke(app, ["demo-data", "-n", "200", "--db", str(db), "--replace"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(app, ["demo-data", "-n", "200", "--db", str(db)])
    assert again.exit_code == 2 and "--replace" in again.output
