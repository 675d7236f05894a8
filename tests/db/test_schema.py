"""Migrations create the schema on both back-ends and go down and up again."""

from sqlalchemy import inspect

from chainlead.db.engine import get_engine
from chainlead.db.migrate import current_revision, downgrade, upgrade

EXPECTED = {
    "program",
    "ecosystem",
    "chain",
    "chain_node",
    "tier_goal",
    "enterprise",
    "enterprise_financial",
    "qualification",
    "enterprise_fact",
    "chain_membership",
    "import_batch",
    "audit_log",
    "app_user",
    "data_version",
    "result_cache",
    "stored_model",
}


def test_upgrade_creates_every_table(db_url: str) -> None:
    tables = set(inspect(get_engine(db_url)).get_table_names())
    assert tables >= EXPECTED
    assert current_revision(db_url) is not None


def test_downgrade_then_upgrade_round_trip(db_url: str) -> None:
    head = current_revision(db_url)
    downgrade(db_url, "base")
    engine = get_engine(db_url)
    assert not (EXPECTED & set(inspect(engine).get_table_names()))
    upgrade(db_url)
    assert current_revision(db_url) == head
    assert set(inspect(engine).get_table_names()) >= EXPECTED
