"""The SQLite reader child process (progress/arrowread.py) is bounded in time and its failures
are reported: a real read with a tiny timeout is killed, a child that cannot read the file or is
killed from outside raises an error that says so (Chinese / English)."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from chainlead.db import session_scope
from chainlead.progress import accounting
from chainlead.progress.reading import READ_TIMEOUT_ENV, ReadError, ReadTimeout, read_arrow
from tests.progress.fixture import load_fixture

YEARS = [2021, 2022, 2023]


def _table(s, reader: str) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    prog_id = s.execute(text("SELECT id FROM program WHERE is_active")).scalar_one()
    structure = accounting.load_structure(s, prog_id)
    return accounting.unit_table(s, structure, "revenue_wan", YEARS, reader, 1, 0)


def _reader_children() -> list[int]:
    """Pids of this process's children that run arrowread.py, or that died and were not reaped."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == os.getpid() and (state == "Z" or b"arrowread.py" in cmdline):
            found.append(int(entry.name))
    return found


def test_a_read_beyond_the_timeout_is_killed(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    load_fixture(sqlite_url)
    monkeypatch.setenv(READ_TIMEOUT_ENV, "0.001")  # the child needs ~0.2 s just to start
    with session_scope(sqlite_url) as s:
        for reader in ("arrow", "auto"):  # "auto" does not fall back to an unbounded session read
            with pytest.raises(ReadTimeout) as exc:
                _table(s, reader)
            assert "0.001 秒内未完成" in exc.value.zh and READ_TIMEOUT_ENV in exc.value.zh
            assert "did not finish within 0.001 s and was killed" in exc.value.en
            assert _reader_children() == []  # killed and reaped, not left running
        monkeypatch.setenv(READ_TIMEOUT_ENV, "120")
        assert _table(s, "arrow").query("kind == 'program' and year == 2023")["total"].item() == pytest.approx(241)


def test_a_bad_timeout_setting_is_reported(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    load_fixture(sqlite_url)
    with session_scope(sqlite_url) as s:
        for bad in ("soon", "0", "-5"):
            monkeypatch.setenv(READ_TIMEOUT_ENV, bad)
            with pytest.raises(ValueError, match=f"{READ_TIMEOUT_ENV}={bad!r} is not a positive number"):
                _table(s, "auto")  # not swallowed by the fall-back to the session


def test_a_child_that_cannot_read_the_file_says_so(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("not a database " * 100)
    with pytest.raises(ReadError) as exc:
        read_arrow(f"sqlite://{junk}", "revenue_wan", YEARS, [1], (1, 10), parts=1, timeout=120)
    assert not isinstance(exc.value, ReadTimeout)
    assert "异常退出（退出码 1）" in exc.value.zh and "file is not a database" in exc.value.zh
    assert "exited with code 1: RuntimeError: file is not a database" in exc.value.en


def test_a_child_killed_from_outside_says_so(sqlite_url: str) -> None:
    load_fixture(sqlite_url)
    url = "sqlite://" + sqlite_url.removeprefix("sqlite:///")
    failure: list[BaseException] = []

    def read() -> None:
        try:
            read_arrow(url, "revenue_wan", YEARS, [1, 2, 3], (1, 10), parts=1, timeout=120)
        except BaseException as exc:  # handed over to the test's thread
            failure.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    deadline = time.monotonic() + 30
    while not (children := _reader_children()) and time.monotonic() < deadline:
        time.sleep(0.001)
    assert len(children) == 1, "the reader child did not start"
    os.kill(children[0], signal.SIGKILL)  # it takes ~0.2 s to start: still running here
    reader.join(60)
    assert len(failure) == 1 and isinstance(failure[0], ReadError)
    assert "被信号 SIGKILL 终止" in failure[0].zh and "was killed by SIGKILL" in failure[0].en
