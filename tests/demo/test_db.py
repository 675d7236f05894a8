"""Loading demo data into SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from chainlead.db import session_scope
from chainlead.db.models import (
    ChainMembership,
    Enterprise,
    EnterpriseFact,
    EnterpriseFinancial,
    ImportBatch,
    Qualification,
)
from chainlead.db.versions import versions
from chainlead.demo.plan import DemoError
from chainlead.demo.service import generate_demo
from chainlead.program.store import active_program
from tests.demo.conftest import read_csv

N = 400


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_db_load_matches_the_files(db_url, tmp_path):
    summary = generate_demo(N, 11, db_url=db_url, out_dir=tmp_path)
    with session_scope(db_url) as s:
        assert _count(s, Enterprise) == N
        assert (
            _count(s, EnterpriseFinancial) == len(read_csv(tmp_path / "financials.csv")) == summary.rows["financials"]
        )
        assert _count(s, Qualification) == len(read_csv(tmp_path / "qualifications.csv"))
        assert _count(s, ChainMembership) == len(read_csv(tmp_path / "memberships.csv"))
        assert _count(s, EnterpriseFact) == len(read_csv(tmp_path / "facts.csv")) > 0
        members = s.scalars(select(ChainMembership)).all()
        assert {(m.status, m.source) for m in members} == {("confirmed", "import")}
        primaries = s.execute(
            select(ChainMembership.enterprise_id, func.count())
            .where(ChainMembership.is_primary.is_(True))
            .group_by(ChainMembership.enterprise_id)
        ).all()
        assert len(primaries) == N and all(c == 1 for _e, c in primaries)
        first_file = read_csv(tmp_path / "enterprises.csv")[0]
        ent = s.scalars(select(Enterprise).where(Enterprise.uscc == first_file["uscc"])).one()
        assert ent.name == first_file["name"] and ent.founded_on.isoformat() == first_file["founded_on"]
        fin = s.scalars(select(EnterpriseFinancial).where(EnterpriseFinancial.enterprise_id == ent.id)).first()
        assert fin is not None and fin.revenue_wan > 0
        loaded = active_program(s, "hangzhou-2022")
        assert loaded is not None
        batch = s.scalars(select(ImportBatch)).one()
        assert batch.kind == "demo" and batch.status == "done" and batch.rows_new == N
        assert versions(s) == ("enterprises=1;facts=1;financials=1;memberships=1;program=1;qualifications=1")
        # New rows get fresh ids after the bulk load (sequences were moved past the demo ids).
        s.add(Enterprise(uscc="91330106MA2H0TQ4XA", name="杭州测试企业有限公司"))
        s.flush()


def test_replace_empties_first_and_refuses_without_it(db_url):
    generate_demo(N, 1, db_url=db_url)
    with pytest.raises(DemoError) as err:
        generate_demo(N, 2, db_url=db_url)
    assert "--replace" in err.value.zh and "--replace" in err.value.en
    assert isinstance(err.value, ValueError) and str(err.value) == f"{err.value.zh} / {err.value.en}"
    generate_demo(N // 2, 2, db_url=db_url, replace=True)
    with session_scope(db_url) as s:
        assert _count(s, Enterprise) == N // 2
        assert _count(s, ImportBatch) == 2
        assert "enterprises=2" in versions(s)


def test_files_import_back_without_rejections(db_url, tmp_path):
    """The interchange files are accepted whole by `chainlead import` (the registry's importer)."""
    from typer.testing import CliRunner

    from chainlead.cli.main import app

    generate_demo(150, 5, out_dir=tmp_path)
    runner = CliRunner()
    assert runner.invoke(app, ["program", "load", "hangzhou-2022", "--db", db_url]).exit_code == 0
    for kind in ("enterprises", "financials", "qualifications", "memberships", "facts"):
        result = runner.invoke(app, ["import", kind, str(tmp_path / f"{kind}.csv"), "--db", db_url])
        assert result.exit_code == 0, result.output
        assert "拒绝 0 行" in result.output, result.output
    with session_scope(db_url) as s:
        assert _count(s, Enterprise) == 150
        assert _count(s, EnterpriseFact) == len(read_csv(tmp_path / "facts.csv"))


def test_replace_works_when_other_tables_reference_enterprises(db_url):
    """A later feature's table pointing at enterprises must not block --replace (rows cascade away)."""
    from sqlalchemy import text

    from chainlead.db.engine import get_engine

    generate_demo(120, 1, db_url=db_url)
    with get_engine(db_url).begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE other_ref (id INTEGER PRIMARY KEY, "
                "enterprise_id INTEGER REFERENCES enterprise(id) ON DELETE CASCADE)"
            )
        )
        conn.execute(text("INSERT INTO other_ref (id, enterprise_id) VALUES (1, 1)"))
    generate_demo(100, 2, db_url=db_url, replace=True)
    with get_engine(db_url).connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM other_ref")).scalar() == 0
        assert conn.execute(text("SELECT COUNT(*) FROM enterprise")).scalar() == 100
