"""A throwaway PostgreSQL cluster for tests: initdb in a temp dir, started as a non-root user.

Usage: python scripts/pg_test_server.py start DIR   → prints the server URL
       python scripts/pg_test_server.py stop DIR
The test suite imports `start`/`stop` directly when CHAINLEAD_TEST_PG_URL is not set.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


def _bindir() -> Path:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise RuntimeError("PostgreSQL is not installed (no initdb); run `make setup` (installs Debian postgresql)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_user() -> list[str]:
    """Prefix that runs a command as a non-root user when we are root (postgres refuses root)."""
    if os.geteuid() != 0:
        return []
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return ["runuser", "-u", name, "--"]
        except KeyError:
            continue
    raise RuntimeError("no non-root user to run PostgreSQL as")


def _chown(path: Path) -> None:
    if os.geteuid() != 0:
        return
    prefix = _as_user()
    user = pwd.getpwnam(prefix[2])
    for root, dirs, files in os.walk(path):
        os.chown(root, user.pw_uid, user.pw_gid)
        for f in files:
            os.chown(os.path.join(root, f), user.pw_uid, user.pw_gid)
        del dirs


def start(base: str | Path) -> str:
    base = Path(base)
    base.mkdir(parents=True, exist_ok=True)
    os.chmod(base, 0o777)
    data, sock = base / "data", base / "sock"
    sock.mkdir(exist_ok=True)
    _chown(base)
    bindir, run = _bindir(), _as_user()
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    subprocess.run(
        [
            *run,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        env=env,
    )
    port = _free_port()
    opts = (
        f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    subprocess.run(
        [*run, str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(base / "log"), "-w", "start"],
        check=True,
        stdout=subprocess.DEVNULL,
        env=env,
    )
    for _ in range(50):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"


def stop(base: str | Path) -> None:
    data = Path(base) / "data"
    if data.exists():
        subprocess.run(
            [*_as_user(), str(_bindir() / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    action, where = sys.argv[1], sys.argv[2]
    if action == "start":
        print(start(where))
    else:
        stop(where)
