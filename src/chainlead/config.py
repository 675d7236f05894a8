"""Where data goes: the database URL and the data directory.

Order: an explicit `--db URL`, then `CHAINLEAD_DATABASE_URL`, then an SQLite file in the data
directory (`CHAINLEAD_HOME`, default `~/.local/share/chainlead`).
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_PROGRAM = "hangzhou-2022"


def data_dir() -> Path:
    home = os.environ.get("CHAINLEAD_HOME")
    if home:
        path = Path(home)
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(base) / "chainlead"
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url(explicit: str | None = None) -> str:
    if explicit:
        return normalize_url(explicit)
    env = os.environ.get("CHAINLEAD_DATABASE_URL")
    if env:
        return normalize_url(env)
    return f"sqlite:///{data_dir() / 'chainlead.db'}"


def normalize_url(url: str) -> str:
    """Accept plain paths and `postgresql://` URLs; use the psycopg 3 driver for PostgreSQL."""
    if "://" not in url:
        return f"sqlite:///{Path(url).resolve()}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url
