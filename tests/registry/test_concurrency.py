"""Two imports of the same file at once, in two processes: the second waits (or fails
cleanly) and the data stays consistent."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from chainlead.db.models import Enterprise
from tests.registry.helpers import ENT_HEADER, batches, count, enterprise_rows, write_csv

SCRIPT = """
import json, sys
from chainlead.registry.importer import import_file
r = import_file(sys.argv[1], "enterprises", sys.argv[2], user=sys.argv[3])
print(json.dumps({"status": r.status, "new": r.rows_new, "unchanged": r.rows_unchanged, "error": r.error}))
"""


def test_two_imports_at_once(db_url: str, tmp_path: Path) -> None:
    n = 4000
    path = write_csv(tmp_path / "e.csv", ENT_HEADER, enterprise_rows(n))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SCRIPT, db_url, str(path), f"user{i}"], stdout=subprocess.PIPE, text=True
        )
        for i in range(2)
    ]
    results = [json.loads(p.communicate(timeout=120)[0].strip().splitlines()[-1]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    applied = [r for r in results if r["status"] == "applied"]
    assert applied, results
    assert sorted(r["new"] for r in applied) in ([n], [0, n])
    for r in results:
        if r["status"] == "applied" and r["new"] == 0:
            assert r["unchanged"] == n  # the second waited and found everything in place
        if r["status"] == "failed":
            assert "另一个导入" in r["error"][0]
    assert count(db_url, Enterprise) == n
    rows = batches(db_url)
    assert len(rows) == 2 and sum(b["rows_new"] for b in rows) == n
