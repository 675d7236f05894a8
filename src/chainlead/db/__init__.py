"""Storage: SQLAlchemy tables, engines/sessions, Alembic migrations."""

from chainlead.db.engine import get_engine, is_sqlite, session_scope

__all__ = ["get_engine", "is_sqlite", "session_scope"]
