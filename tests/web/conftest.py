"""Fixtures for the web tests: a seeded database on both back-ends and signed-in clients."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import create_engine, text

from chainlead.db.engine import get_engine
from chainlead.web import users
from chainlead.web.app import create_app
from tests.web.seed import PASSWORDS, Seeded, seed

SECRET = "test-secret-key-for-the-web-tests-0123456789"

# Real argon2, with small costs so that the many sign-ins of the tests stay fast.
users._hasher = PasswordHash((Argon2Hasher(memory_cost=1024, time_cost=1, parallelism=1),))


@pytest.fixture(scope="session")
def _seeded_sqlite(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Seeded]:
    path = tmp_path_factory.mktemp("webtpl") / "seeded.db"
    shutil.copy(sqlite_template, path)
    data = seed(f"sqlite:///{path}")
    get_engine(f"sqlite:///{path}").dispose()
    return path, data


@pytest.fixture(scope="session")
def _seeded_pg(pg_server_url: str, pg_template: str) -> tuple[str, Seeded]:
    name = f"webtpl_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    url = pg_server_url.rsplit("/", 1)[0] + f"/{name}"
    data = seed(url)
    get_engine(url).dispose()
    admin.dispose()
    return name, data


@pytest.fixture(params=["sqlite", "postgresql"])
def seeded(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Seeded]]:
    """A fresh copy of the seeded database (tests/web/seed.py) on each back-end."""
    if request.param == "sqlite":
        template, data = request.getfixturevalue("_seeded_sqlite")
        path = tmp_path / "web.db"
        shutil.copy(template, path)
        url = f"sqlite:///{path}"
        yield url, data
        get_engine(url).dispose()
        return
    server = request.getfixturevalue("pg_server_url")
    template_name, data = request.getfixturevalue("_seeded_pg")
    name = f"w_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
    url = server.rsplit("/", 1)[0] + f"/{name}"
    yield url, data
    get_engine(url).dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def app(seeded: tuple[str, Seeded]):  # type: ignore[no-untyped-def]
    return create_app(seeded[0], secret_key=SECRET)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        yield c


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(r'"X-CSRF-Token": "([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def login(client: TestClient, role: str, password: str | None = None, prefix: str = "") -> str:
    """Sign in as the seeded user `role`; return the session's CSRF token."""
    page = client.get(f"{prefix}/login")
    r = client.post(
        f"{prefix}/login",
        data={"username": role, "password": password or PASSWORDS[role], "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return csrf_of(client.get(f"{prefix}/").text)


def token(client: TestClient, role: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": role, "password": PASSWORDS[role]})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}
