"""The enterprise export decorates up to 100,000 rows: more ids than PostgreSQL binds in one query."""

from __future__ import annotations

from sqlalchemy import select

from chainlead.db import session_scope
from chainlead.db.models import Enterprise
from chainlead.demo.service import generate_demo
from chainlead.web.data.enterprises import IDS_PER_QUERY, _decorate


def test_decorate_more_rows_than_bound_parameters(db_url: str) -> None:
    generate_demo(300, 3, db_url=db_url, with_facts=False)
    with session_scope(db_url) as s:
        real = [
            (eid, uscc, name, district, code, None, None, None)
            for eid, uscc, name, district, code in s.execute(
                select(
                    Enterprise.id, Enterprise.uscc, Enterprise.name, Enterprise.district_code, Enterprise.industry_code
                )
                .order_by(Enterprise.id)
                .limit(20)
            )
        ]
        fake = [(10_000_000 + k, f"X{k}", "无", None, None, None, None, None) for k in range(70_000)]
        rows = fake[:40_000] + real + fake[40_000:]  # the real ones in the second chunk of ids
        assert len(rows) > 65_535 and len(rows) > 3 * IDS_PER_QUERY
        wide = _decorate(s, rows)
        narrow = _decorate(s, real)
    assert wide[40_000 : 40_000 + len(real)] == narrow
    assert sum(bool(r["chains"]) for r in narrow) == len(real)  # every demo firm is in a chain
    assert not any(r["chains"] or r["tiers"] for r in wide[:40_000] + wide[40_000 + len(real) :])
