"""Undo restores the previous values exactly and refuses to overwrite later changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from chainlead.db.engine import get_engine
from chainlead.db.models import Enterprise, EnterpriseFinancial
from chainlead.registry.batches import list_batches, undo_batch
from chainlead.registry.importer import import_file
from chainlead.registry.readers import FileProblem
from tests.registry.helpers import ENT_HEADER, FIN_HEADER, batches, enterprise_rows, financial_rows, snapshot, write_csv


def test_undo_restores_exactly(db_url: str, tmp_path: Path) -> None:
    import_file(db_url, "enterprises", write_csv(tmp_path / "e.csv", ENT_HEADER, enterprise_rows(4)))
    import_file(db_url, "financials", write_csv(tmp_path / "f.csv", FIN_HEADER, financial_rows(3)))
    before = snapshot(db_url)
    rows = financial_rows(4)
    rows[0][2], rows[0][3] = 5555.25, 77  # update two fields
    rows[1][6] = ""  # empty: leaves the old value
    changed = import_file(db_url, "financials", write_csv(tmp_path / "f2.csv", FIN_HEADER, rows))
    assert (changed.rows_new, changed.rows_updated, changed.rows_unchanged) == (1, 1, 2)
    assert snapshot(db_url) != before
    result = undo_batch(db_url, changed.batch_id, user="zhao")
    assert (result.restored, result.deleted, result.conflicts) == (1, 1, [])
    assert snapshot(db_url) == before
    assert batches(db_url)[-1]["status"] == "undone" and batches(db_url)[-1]["undone_at"] is not None
    with pytest.raises(FileProblem) as exc:
        undo_batch(db_url, changed.batch_id)
    assert "已" in exc.value.zh and "already undone" in exc.value.en


def test_undo_of_enterprises_batch(db_url: str, tmp_path: Path) -> None:
    import_file(db_url, "enterprises", write_csv(tmp_path / "e.csv", ENT_HEADER, enterprise_rows(2)))
    before = snapshot(db_url)
    rows = enterprise_rows(3)
    rows[0][1], rows[0][4], rows[0][5] = "改名科技有限公司", "2001/1/2", "否"
    report = import_file(db_url, "enterprises", write_csv(tmp_path / "e2.csv", ENT_HEADER, rows))
    assert (report.rows_new, report.rows_updated) == (1, 1)
    undo_batch(db_url, report.batch_id)
    assert snapshot(db_url) == before


def test_undo_refuses_when_a_later_batch_changed_the_rows(db_url: str, tmp_path: Path) -> None:
    import_file(db_url, "enterprises", write_csv(tmp_path / "e.csv", ENT_HEADER, enterprise_rows(2)))
    first = import_file(db_url, "financials", write_csv(tmp_path / "f.csv", FIN_HEADER, financial_rows(2)))
    rows = financial_rows(2)
    rows[0][2] = 4242
    later = import_file(db_url, "financials", write_csv(tmp_path / "f2.csv", FIN_HEADER, rows))
    assert later.rows_updated == 1
    state = snapshot(db_url)
    with pytest.raises(FileProblem) as exc:
        undo_batch(db_url, first.batch_id)
    assert "--force" in exc.value.zh and "--force" in exc.value.en
    assert snapshot(db_url) == state  # refused: nothing changed
    undo_batch(db_url, later.batch_id)
    undo_batch(db_url, first.batch_id)  # now allowed
    assert snapshot(db_url)["enterprise_financial"] == []


def test_undo_refuses_over_manual_edit_unless_forced(db_url: str, tmp_path: Path) -> None:
    import_file(db_url, "enterprises", write_csv(tmp_path / "e.csv", ENT_HEADER, enterprise_rows(1)))
    rows = enterprise_rows(1)
    rows[0][1] = "新名字有限公司"
    report = import_file(db_url, "enterprises", write_csv(tmp_path / "e2.csv", ENT_HEADER, rows))
    with get_engine(db_url).begin() as conn:
        conn.execute(update(Enterprise).values(name="人工修改有限公司"))
    with pytest.raises(FileProblem):
        undo_batch(db_url, report.batch_id)
    result = undo_batch(db_url, report.batch_id, force=True)
    assert result.forced and result.conflicts and result.restored == 1
    assert snapshot(db_url)["enterprise"][0][1] == "杭州测试0科技有限公司"


def test_undo_of_enterprises_refuses_when_figures_hang_off_them(db_url: str, tmp_path: Path) -> None:
    ents = import_file(db_url, "enterprises", write_csv(tmp_path / "e.csv", ENT_HEADER, enterprise_rows(2)))
    import_file(db_url, "financials", write_csv(tmp_path / "f.csv", FIN_HEADER, financial_rows(2)))
    with pytest.raises(FileProblem) as exc:
        undo_batch(db_url, ents.batch_id)
    assert "enterprise_financial" in exc.value.zh
    assert len(snapshot(db_url)["enterprise_financial"]) == 2


def test_failed_and_dry_run_batches_cannot_be_undone(db_url: str, tmp_path: Path) -> None:
    dry = import_file(
        db_url, "enterprises", write_csv(tmp_path / "e.csv", ENT_HEADER, enterprise_rows(1)), dry_run=True
    )
    with pytest.raises(FileProblem) as exc:
        undo_batch(db_url, dry.batch_id)
    assert "dry_run" in exc.value.zh
    with pytest.raises(FileProblem) as exc:
        undo_batch(db_url, 999)
    assert "不存在" in exc.value.zh and [b["status"] for b in list_batches(db_url)] == ["dry_run"]
    assert EnterpriseFinancial.__tablename__ == "enterprise_financial"
