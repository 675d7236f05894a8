"""Importing real files into SQLite and PostgreSQL: modes, counts, upserts, audit, database state."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from chainlead.db.engine import get_engine
from chainlead.db.models import DataVersion, Enterprise, EnterpriseFinancial
from chainlead.registry.importer import import_file
from tests.registry.helpers import (
    ENT_HEADER,
    FIN_HEADER,
    audit,
    batches,
    count,
    enterprise_rows,
    financial_rows,
    make_uscc,
    snapshot,
    write_csv,
)


def _ents(url: str, tmp_path: Path, n: int = 5) -> None:
    report = import_file(url, "enterprises", write_csv(tmp_path / "ent.csv", ENT_HEADER, enterprise_rows(n)))
    assert report.ok, report.error


def test_enterprises_then_financials(db_url: str, tmp_path: Path) -> None:
    report = import_file(
        db_url, "enterprises", write_csv(tmp_path / "e.csv", ENT_HEADER, enterprise_rows(4)), user="wang"
    )
    assert (report.status, report.rows_read, report.rows_new) == ("applied", 4, 4)
    assert report.summary_zh() == "读取 4 行，应用 4 行（新增 4，更新 0，未变 0），拒绝 0 行，警告 0 条"
    assert report.summary_en() == "read 4, applied 4 (new 4, updated 0, unchanged 0), rejected 0, warnings 0"
    fin = write_csv(tmp_path / "f.csv", FIN_HEADER, financial_rows(4))
    report = import_file(db_url, "financials", fin)
    assert report.rows_new == 4 and report.ok
    with get_engine(db_url).connect() as conn:
        row = conn.execute(select(EnterpriseFinancial).where(EnterpriseFinancial.revenue_wan == 1002)).one()
        assert (row.year, row.employees) == (2023, 52)
        versions = dict(conn.execute(select(DataVersion.area, DataVersion.version)).all())
    assert versions["enterprises"] >= 1 and versions["financials"] >= 1
    [b1, b2] = batches(db_url)
    assert (b1["kind"], b1["user"], b1["status"], b1["rows_new"], b1["unit"]) == (
        "enterprises",
        "wang",
        "applied",
        4,
        "万元",
    )
    assert len(b2["file_hash"]) == 64 and b2["report"]["rows_new"] == 4


def test_unchanged_reimport_is_a_noop(db_url: str, tmp_path: Path) -> None:
    _ents(db_url, tmp_path)
    before, audits = snapshot(db_url), len(audit(db_url))
    with get_engine(db_url).connect() as conn:
        version = conn.execute(select(DataVersion.version).where(DataVersion.area == "enterprises")).scalar_one()
    report = import_file(db_url, "enterprises", tmp_path / "ent.csv")
    assert (report.rows_new, report.rows_updated, report.rows_unchanged) == (0, 0, 5)
    assert snapshot(db_url) == before and len(audit(db_url)) == audits
    with get_engine(db_url).connect() as conn:
        assert (
            conn.execute(select(DataVersion.version).where(DataVersion.area == "enterprises")).scalar_one() == version
        )


def test_changed_value_updated_with_old_value_in_audit_log(db_url: str, tmp_path: Path) -> None:
    _ents(db_url, tmp_path)
    import_file(db_url, "financials", write_csv(tmp_path / "f.csv", FIN_HEADER, financial_rows(3)))
    rows = financial_rows(3)
    rows[1][2] = "2,500.5"  # revenue changed
    report = import_file(db_url, "financials", write_csv(tmp_path / "f2.csv", FIN_HEADER, rows), user="li")
    assert (report.rows_updated, report.rows_unchanged) == (1, 2)
    [entry] = audit(db_url, "update")
    assert entry["entity"] == "enterprise_financial" and entry["entity_key"] == f"{make_uscc(1)}|2023"
    assert entry["old_value"] == {"revenue_wan": 1001.0} and entry["new_value"] == {"revenue_wan": 2500.5}
    assert entry["user"] == "li" and entry["batch_id"] == report.batch_id


def test_strict_mode_writes_nothing_when_a_row_fails(db_url: str, tmp_path: Path) -> None:
    rows = enterprise_rows(3)
    rows[2][0] = rows[2][0][:-1] + ("0" if rows[2][0][-1] != "0" else "1")  # wrong check digit
    report = import_file(db_url, "enterprises", write_csv(tmp_path / "e.csv", ENT_HEADER, rows))
    assert report.status == "failed" and not report.ok
    assert report.rows_rejected == 1 and report.rows_applied == 0
    assert "校验位" in report.rejected[0].zh and report.rejected[0].row == 4
    assert "strict mode" in report.error[1]
    assert count(db_url, Enterprise) == 0 and audit(db_url) == []
    assert [b["status"] for b in batches(db_url)] == ["failed"]


def test_accept_valid_writes_rejects_file(db_url: str, tmp_path: Path) -> None:
    rows = enterprise_rows(4)
    rows[1][3] = "9999"  # unknown industry class
    rows[2][2] = "110101"  # not a Hangzhou district
    rejects = tmp_path / "rej.csv"
    report = import_file(
        db_url,
        "enterprises",
        write_csv(tmp_path / "e.csv", ENT_HEADER, rows),
        mode="accept_valid",
        rejects_path=rejects,
    )
    assert (report.status, report.rows_new, report.rows_rejected) == ("applied", 2, 2)
    with rejects.open(encoding="utf-8-sig") as f:
        lines = list(csv.reader(f))
    assert lines[0] == [*ENT_HEADER, "行号 row", "字段 field", "原因 reason_zh", "reason_en"]
    assert [line[:6] for line in lines[1:]] == [[str(c) for c in rows[1]], [str(c) for c in rows[2]]]
    assert [(line[6], line[7]) for line in lines[1:]] == [("3", "industry_code"), ("4", "district_code")]
    assert "GB/T 4754" in lines[1][8] and "GB/T 4754" in lines[1][9]
    with get_engine(db_url).connect() as conn:
        assert set(conn.execute(select(Enterprise.uscc)).scalars()) == {rows[0][0], rows[3][0]}
    again = import_file(db_url, "enterprises", rejects)  # the rejects file imports as is (extra columns ignored)
    assert again.rows_read == 2 and again.rows_rejected == 2
    assert any("忽略" in zh for zh, _ in again.notices)


def test_rejects_file_as_xlsx(db_url: str, tmp_path: Path) -> None:
    import openpyxl

    rows = enterprise_rows(2)
    rows[0][4] = "2022-13-01"
    rejects = tmp_path / "rej.xlsx"
    import_file(
        db_url,
        "enterprises",
        write_csv(tmp_path / "e.csv", ENT_HEADER, rows),
        mode="accept_valid",
        rejects_path=rejects,
    )
    sheet = openpyxl.load_workbook(rejects).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][0] == rows[0][0] and values[1][6] == 2 and values[1][7] == "founded_on"
    assert count(db_url, Enterprise) == 1


def test_duplicate_uscc_with_different_values_rejects_both(db_url: str, tmp_path: Path) -> None:
    rows = enterprise_rows(3)
    rows.append([rows[0][0].lower(), "另一个名字有限公司", "330108", "3921", "2018-03-05", "是"])
    rows.append(list(rows[1]))  # identical duplicate: applied once, with a warning
    report = import_file(
        db_url,
        "enterprises",
        write_csv(tmp_path / "e.csv", ENT_HEADER, rows),
        mode="accept_valid",
        rejects_path=tmp_path / "r.csv",
    )
    assert (report.rows_read, report.rows_new, report.rows_unchanged, report.rows_rejected) == (5, 2, 1, 2)
    assert sorted(i.row for i in report.rejected) == [2, 5]
    assert any("完全重复" in w.zh for w in report.warnings)
    with get_engine(db_url).connect() as conn:
        assert set(conn.execute(select(Enterprise.uscc)).scalars()) == {rows[1][0], rows[2][0]}
    assert len((tmp_path / "r.csv").read_text(encoding="utf-8-sig").strip().splitlines()) == 3


def test_duplicate_across_chunks_is_taken_back(db_url: str, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("chainlead.registry.importer.CHUNK", 2)
    _ents(db_url, tmp_path)
    base = financial_rows(5)
    import_file(db_url, "financials", write_csv(tmp_path / "f0.csv", FIN_HEADER, base[:1]))
    rows = [list(r) for r in base]
    rows[0][2] = 7777  # first row updates an existing figure, later rows conflict with it
    rows.append([rows[0][0], 2023, 8888, 50, 5, 2000, 800])
    rows.append([rows[1][0], 2023, 9999, 51, 5, 2001, 800])
    before = snapshot(db_url)
    report = import_file(
        db_url,
        "financials",
        write_csv(tmp_path / "f.csv", FIN_HEADER, rows),
        mode="accept_valid",
        rejects_path=tmp_path / "r.csv",
    )
    assert (report.rows_new, report.rows_updated, report.rows_rejected) == (3, 0, 4)
    after = snapshot(db_url)
    assert len(after["enterprise_financial"]) == 4
    assert [r for r in after["enterprise_financial"] if 1000.0 in r] == [r for r in before["enterprise_financial"]]
    assert [e for e in audit(db_url, "update") if e["batch_id"] == report.batch_id] == []
    assert sorted(
        int(line.split(",")[7]) for line in (tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    ) == [2, 3, 7, 8]


def test_financials_for_unknown_enterprise_is_an_error(db_url: str, tmp_path: Path) -> None:
    report = import_file(db_url, "financials", write_csv(tmp_path / "f.csv", FIN_HEADER, financial_rows(2)))
    assert report.status == "failed" and report.rows_rejected == 2
    assert "不在企业库" in report.rejected[0].zh and "import it with `enterprises` first" in report.rejected[0].en
    assert count(db_url, EnterpriseFinancial) == 0


def test_row_rules(db_url: str, tmp_path: Path) -> None:
    _ents(db_url, tmp_path)
    rows = financial_rows(5)
    rows[0][4] = 999  # rd_employees > employees
    rows[1][2] = -5  # negative revenue
    rows[2][1] = 1985  # year out of range
    rows[3][6] = 99999  # liabilities > 3× assets → warning only
    rows[4][2] = "3e9"  # revenue 3e9 万元 → warning
    report = import_file(
        db_url,
        "financials",
        write_csv(tmp_path / "f.csv", FIN_HEADER, rows),
        mode="accept_valid",
        rejects_path=tmp_path / "r.csv",
    )
    fields = {i.row: i.field for i in report.rejected}
    assert fields == {2: "rd_employees", 3: "revenue_wan", 4: "year"}
    warned = {w.field for w in report.warnings}
    assert {"total_liabilities_wan", "revenue_wan"} <= warned
    assert report.rows_new == 2


def test_units_declared_and_in_cells(db_url: str, tmp_path: Path) -> None:
    _ents(db_url, tmp_path, 3)
    rows = [
        [make_uscc(0), 2023, "12.5万", 10, 1, "3亿", 0],
        [make_uscc(1), 2023, 1200, 10, 1, "1,000,000", 0],
        [make_uscc(2), "2023年", "1200元", 10, 1, "", ""],
    ]
    report = import_file(db_url, "financials", write_csv(tmp_path / "f.csv", FIN_HEADER, rows), unit="元")
    assert report.ok and report.unit == "元"
    with get_engine(db_url).connect() as conn:
        got = {
            u: (r, a)
            for u, r, a in conn.execute(
                select(Enterprise.uscc, EnterpriseFinancial.revenue_wan, EnterpriseFinancial.total_assets_wan).join(
                    EnterpriseFinancial, EnterpriseFinancial.enterprise_id == Enterprise.id
                )
            )
        }
    assert got[make_uscc(0)] == (12.5, 30000.0)
    assert got[make_uscc(1)][0] == 0.12 and got[make_uscc(1)][1] == 100.0
    assert got[make_uscc(2)] == (0.12, None)


def test_header_unit_wins(db_url: str, tmp_path: Path) -> None:
    _ents(db_url, tmp_path, 1)
    path = write_csv(tmp_path / "f.csv", ["统一社会信用代码", "年度", "营业收入(元)"], [[make_uscc(0), 2023, 50000]])
    report = import_file(db_url, "financials", path)
    assert any("元" in zh for zh, _ in report.notices)
    with get_engine(db_url).connect() as conn:
        assert conn.execute(select(EnterpriseFinancial.revenue_wan)).scalar_one() == 5.0


def test_empty_cells_do_not_erase(db_url: str, tmp_path: Path) -> None:
    _ents(db_url, tmp_path, 1)
    path = write_csv(
        tmp_path / "e.csv", ["uscc", "name", "district_code", "is_listed"], [[make_uscc(0), "新名称有限公司", "", "否"]]
    )
    report = import_file(db_url, "enterprises", path)
    assert report.rows_updated == 1
    with Session(get_engine(db_url)) as session:
        ent = session.scalars(select(Enterprise)).one()
    assert (ent.name, ent.district_code, ent.is_listed, ent.founded_on) == (
        "新名称有限公司",
        "330108",
        False,
        dt.date(2018, 3, 5),
    )


def test_dry_run_writes_nothing(db_url: str, tmp_path: Path) -> None:
    _ents(db_url, tmp_path, 2)
    before = snapshot(db_url)
    rows = enterprise_rows(4)
    rows[0][1] = "改名有限公司"
    report = import_file(db_url, "enterprises", write_csv(tmp_path / "e2.csv", ENT_HEADER, rows), dry_run=True)
    assert (report.status, report.rows_new, report.rows_updated, report.rows_unchanged) == ("dry_run", 2, 1, 1)
    assert snapshot(db_url) == before
    assert batches(db_url)[-1]["status"] == "dry_run"


def test_abolished_district_is_a_warning(db_url: str, tmp_path: Path) -> None:
    rows = enterprise_rows(1)
    rows[0][2] = "330104"
    report = import_file(db_url, "enterprises", write_csv(tmp_path / "e.csv", ENT_HEADER, rows))
    assert report.rows_new == 1 and report.warnings_count == 1
    assert "330102" in report.warnings[0].zh and "上城区" in report.warnings[0].zh


def test_manual_edit_then_reimport_updates(db_url: str, tmp_path: Path) -> None:
    _ents(db_url, tmp_path, 2)
    with get_engine(db_url).begin() as conn:
        conn.execute(update(Enterprise).where(Enterprise.uscc == make_uscc(0)).values(industry_code="3922"))
    report = import_file(db_url, "enterprises", tmp_path / "ent.csv")
    assert (report.rows_updated, report.rows_unchanged) == (1, 1)
    assert audit(db_url, "update")[0]["old_value"] == {"industry_code": "3922"}
