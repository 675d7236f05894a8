"""Why `ix_membership_progress` (migration 0002) stays although progress no longer merge-joins on
it: the enterprise search's chain filter (without a node) looks it up per enterprise on SQLite. Without it SQLite
searches ix_membership_chain_status per enterprise instead (> 20 s rather than 0.4 s for 200,000
demo enterprises); see docs/progress.md §1."""

from __future__ import annotations

from sqlalchemy import inspect, select

from chainlead.db.engine import get_engine, session_scope
from chainlead.web.data.enterprises import Filters, _order, _query, search


def test_the_index_exists_at_head(db_url: str) -> None:
    indexes = {i["name"]: i["column_names"] for i in inspect(get_engine(db_url)).get_indexes("chain_membership")}
    assert indexes["ix_membership_progress"] == ["enterprise_id", "status", "chain_id", "node_id"]


def test_the_search_chain_filter_uses_it_on_sqlite(sqlite_url: str) -> None:
    engine = get_engine(sqlite_url)
    for f in (Filters(chain_id=1), Filters(chain_id=1, tier="zjtx_provincial")):  # with a node: the unique index
        for stmt in (select(_query(f, 2023).subquery()), _order(_query(f, 2023), f).limit(50)):
            sql = str(stmt.compile(engine, compile_kwargs={"literal_binds": True}))
            with engine.connect() as conn:
                plan = " / ".join(row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
            assert "SEARCH chain_membership USING COVERING INDEX ix_membership_progress" in plan, plan
    with session_scope(sqlite_url) as s:  # and the statements are the ones search() runs
        assert search(s, Filters(chain_id=1), 2023) == ([], 0)
