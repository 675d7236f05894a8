"""`chainlead status` when the progress figures cannot be read: the SQLite reader child is killed
after CHAINLEAD_PROGRESS_READ_TIMEOUT (here 0.001 s; it needs ~0.2 s just to start) — the CLI says so
in Chinese / English and exits 1 (a server-side failure, like a database error), without a
traceback; a bad setting is bad input (exit 2). The database is the progress fixture with enterprise
ids up to 2,147,483,000, so `auto` reads it through the child (span ≥ ARROW_MIN_ENTERPRISES)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from chainlead.cli.main import app as cli
from chainlead.progress.reading import ARROW_MIN_ENTERPRISES, READ_TIMEOUT_ENV
from tests.progress.fixture import load_fixture
from tests.progress.test_sparse_ids import SPARSE


@pytest.fixture
def sparse_db(sqlite_url: str) -> str:
    """A file SQLite database whose enterprise-id span makes `auto` use the reader child."""
    ids = load_fixture(sqlite_url, SPARSE)
    assert max(ids.values()) - min(ids.values()) >= ARROW_MIN_ENTERPRISES
    return sqlite_url.removeprefix("sqlite:///")


def test_a_read_timeout_is_a_message_and_exit_1(sparse_db: str) -> None:
    env = {**os.environ, READ_TIMEOUT_ENV: "0.001"}
    args = [sys.executable, "-m", "chainlead.cli.main", "status", "--db", sparse_db, "--json"]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert "错误 / Error:" in done.stderr
    assert "SQLite 读取子进程 0.001 秒内未完成，已终止" in done.stderr and READ_TIMEOUT_ENV in done.stderr
    assert "the SQLite reader child process did not finish within 0.001 s and was killed" in done.stderr
    # the same database reads once the child has time (nothing half-written or cached by the failure)
    env[READ_TIMEOUT_ENV] = "120"
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["program"] == "fixture"


def test_a_bad_timeout_setting_is_bad_input(sparse_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(READ_TIMEOUT_ENV, "soon")
    r = CliRunner().invoke(cli, ["status", "--db", sparse_db])
    assert r.exit_code == 2, r.output
    assert isinstance(r.exception, SystemExit)  # ended by fail(), not by an uncaught error
    assert f"环境变量 {READ_TIMEOUT_ENV}='soon' 不是正的秒数" in r.output
    assert f"{READ_TIMEOUT_ENV}='soon' is not a positive number of seconds" in r.output


def test_a_read_timeout_in_process_exits_1(sparse_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(READ_TIMEOUT_ENV, "0.001")
    r = CliRunner().invoke(cli, ["status", "--db", sparse_db])
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit), r.output  # uncaught would be ReadTimeout
    assert "0.001 秒内未完成" in r.output and "did not finish within 0.001 s" in r.output
