"""Kinds defined elsewhere (cultivation's `facts`) import through the same machinery; the
column-wise fast path agrees with the cell parsers; a bad byte deep in a file stops cleanly."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from chainlead.db.engine import get_engine
from chainlead.db.models import Enterprise, EnterpriseFact
from chainlead.registry import cells as C
from chainlead.registry.batches import undo_batch
from chainlead.registry.columns import fast_column
from chainlead.registry.importer import import_file
from tests.registry.helpers import ENT_HEADER, count, enterprise_rows, make_uscc, snapshot, write_csv


def test_facts_import_and_undo(db_url: str, tmp_path: Path) -> None:
    import_file(db_url, "enterprises", write_csv(tmp_path / "e.csv", ENT_HEADER, enterprise_rows(2)))
    header = [
        "统一社会信用代码",
        "年度",
        "研发机构级别",
        "自主品牌",
        "全国细分市场占有率",
        "近三年科技奖励",
        "主导产品数量",
    ]
    rows = [[make_uscc(0), 2023, "provincial", "是", "12.5%", "none", 3], [make_uscc(1), 2023, "", "", "", "", ""]]
    report = import_file(db_url, "facts", write_csv(tmp_path / "f.csv", header, rows))
    assert report.ok and report.rows_new == 2, report.as_dict()
    with Session(get_engine(db_url)) as session:
        facts = {f.enterprise_id: f for f in session.scalars(select(EnterpriseFact))}
        ids = dict(session.execute(select(Enterprise.uscc, Enterprise.id)).all())
    first, second = facts[ids[make_uscc(0)]], facts[ids[make_uscc(1)]]
    assert (first.rd_institution_level, first.own_brand, first.national_market_share_pct) == ("provincial", True, 12.5)
    assert (first.sci_tech_award, first.leading_product_count) == ("none", 3)
    assert (second.own_brand, second.sci_tech_award) == (None, None)  # empty = unknown, never false
    undo_batch(db_url, report.batch_id)
    assert count(db_url, EnterpriseFact) == 0


@settings(max_examples=60)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.just(""),
            st.floats(-1e9, 1e9, allow_nan=False).map(repr),
            st.integers(-(10**9), 10**9).map(str),
        ),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from(["元", "万元", "亿元"]),
)
def test_fast_path_agrees_with_cell_parser(cells: list[str | None], unit: str) -> None:
    fast = fast_column("money", cells, C.UNITS[unit])
    slow = [C.parse_money(c, unit) for c in cells]
    assert fast is not None
    assert fast == slow


def test_fast_path_declines_what_it_cannot_read() -> None:
    assert fast_column("money", ["1,234.5", "2"]) is None
    assert fast_column("int", ["12.5"]) is None
    assert fast_column("money", ["inf"]) is None
    assert fast_column("date", ["2022/5/31"]) is None
    assert fast_column("money", [1.5, "2"]) is None


def test_bad_byte_deep_in_the_file(db_url: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "e.csv", ENT_HEADER, enterprise_rows(30000))
    with path.open("ab") as f:
        f.write(b"\xff\xfe broken,\n")
    before = snapshot(db_url)
    report = import_file(db_url, "enterprises", path)
    assert report.status == "failed" and "第 30002 行" in report.error[0] and "line 30002" in report.error[1]
    assert snapshot(db_url) == before
