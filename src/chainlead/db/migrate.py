"""Run Alembic migrations programmatically (`chainlead db upgrade`)."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from chainlead.db.engine import get_engine


def alembic_config(url: str | None = None) -> Config:
    engine = get_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("chainlead.db") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def current_revision(url: str | None = None) -> str | None:
    engine = get_engine(url)
    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    return row[0] if row else None


def ensure_schema(url: str | None = None) -> None:
    """Upgrade to head; cheap when already there."""
    upgrade(url)
