"""Same seed → byte-identical files; another seed → other data."""

from __future__ import annotations

import hashlib

from chainlead.demo.service import generate_demo
from chainlead.demo.tables import FILE_KINDS


def _digests(folder):
    return {k: hashlib.sha256((folder / f"{k}.csv").read_bytes()).hexdigest() for k in FILE_KINDS}


def test_same_seed_gives_byte_identical_files(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate_demo(1500, 42, out_dir=a)
    generate_demo(1500, 42, out_dir=b)
    generate_demo(1500, 43, out_dir=c)
    assert _digests(a) == _digests(b)
    assert all(_digests(a)[k] != _digests(c)[k] for k in FILE_KINDS)
    first = (a / "enterprises.csv").read_bytes()
    assert first.decode("utf-8").startswith("uscc,name,district_code")


def test_a_larger_run_starts_with_different_but_valid_enterprises(tmp_path):
    # Chunks are seeded by their number, so N changes the population, not the format.
    generate_demo(800, 3, out_dir=tmp_path / "small")
    lines = (tmp_path / "small" / "enterprises.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 801


def test_worker_processes_do_not_change_the_output(tmp_path, monkeypatch):
    from chainlead.demo import chunks

    monkeypatch.setattr(chunks, "CHUNK_SIZE", 400)  # several chunks from a small population
    generate_demo(1500, 9, out_dir=tmp_path / "one", workers=1)
    generate_demo(1500, 9, out_dir=tmp_path / "two", workers=2)
    assert _digests(tmp_path / "one") == _digests(tmp_path / "two")


def test_database_runs_write_the_same_files(db_url, tmp_path, monkeypatch):
    from chainlead.demo import chunks

    monkeypatch.setattr(chunks, "CHUNK_SIZE", 300)
    generate_demo(1000, 8, out_dir=tmp_path / "files", workers=1)
    generate_demo(1000, 8, out_dir=tmp_path / "with-db", db_url=db_url, workers=2)
    assert _digests(tmp_path / "files") == _digests(tmp_path / "with-db")
