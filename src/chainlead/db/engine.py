"""Engines and sessions for SQLite (WAL, foreign keys on) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from chainlead.config import database_url


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    # Waiting beats failing when two imports run at once; writers still serialise.
    cur.execute("PRAGMA busy_timeout=60000")
    cur.close()


@cache
def get_engine(url: str | None = None) -> Engine:
    """One engine per URL per process."""
    resolved = database_url(url)
    if resolved.startswith("sqlite"):
        engine = create_engine(resolved, connect_args={"timeout": 60})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(resolved, pool_pre_ping=True)
    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A unit of work: commit on success, roll back on any error."""
    session = sessionmaker(get_engine(url), expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
