"""Test fixtures: a fresh, migrated database per test on SQLite and on a real PostgreSQL.

`db_url` is parametrised over both back-ends; tests that touch the database use it and run
twice. PostgreSQL comes from CHAINLEAD_TEST_PG_URL (set by `make test`) or is started here.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "scripts"))

import pg_test_server  # noqa: E402

from chainlead.db.engine import get_engine  # noqa: E402
from chainlead.db.migrate import upgrade  # noqa: E402

os.environ.setdefault("CHAINLEAD_HOME", tempfile.mkdtemp(prefix="chainlead-home-"))


def shared_path(*parts: str) -> Path:
    """A file of the reference data in ../shared (used by path, never copied)."""
    return SHARED.joinpath(*parts)


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    url = os.environ.get("CHAINLEAD_TEST_PG_URL")
    if url:
        yield url
        return
    base = Path(tempfile.mkdtemp(prefix="chainlead-pg-"))
    try:
        yield pg_test_server.start(base)
    finally:
        pg_test_server.stop(base)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    upgrade(str(path))
    get_engine(str(path)).dispose()
    return path


@pytest.fixture(scope="session")
def pg_template(pg_server_url: str) -> str:
    name = f"tpl_{_worker()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(pg_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = pg_server_url.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    get_engine(url).dispose()
    admin.dispose()
    return name


def _new_sqlite(template: Path, tmp_path: Path) -> str:
    path = tmp_path / "chainlead.db"
    shutil.copy(template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    url = _new_sqlite(sqlite_template, tmp_path)
    yield url
    get_engine(url).dispose()


@pytest.fixture
def pg_url(pg_server_url: str, pg_template: str) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    url = pg_server_url.rsplit("/", 1)[0] + f"/{name}"
    yield url
    get_engine(url).dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh, migrated, empty database on each back-end."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
