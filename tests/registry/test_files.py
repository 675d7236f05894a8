"""Real files from the field: encodings, Excel quirks, broken and huge files — each ends in a
clear message and a database unchanged or changed exactly as reported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter
from sqlalchemy import select
from sqlalchemy.orm import Session

from chainlead.db.engine import get_engine
from chainlead.db.models import Enterprise, EnterpriseFinancial
from chainlead.registry.importer import import_file
from tests.registry.helpers import ENT_HEADER, batches, count, enterprise_rows, make_uscc, write_csv


def _enterprises(url: str) -> dict[str, Enterprise]:
    with Session(get_engine(url)) as session:
        return {e.uscc: e for e in session.scalars(select(Enterprise))}


def test_gbk_and_utf8_bom_are_detected(db_url: str, tmp_path: Path) -> None:
    gbk = import_file(db_url, "enterprises", write_csv(tmp_path / "g.csv", ENT_HEADER, enterprise_rows(3), "gbk"))
    bom = import_file(
        db_url, "enterprises", write_csv(tmp_path / "b.csv", ENT_HEADER, enterprise_rows(3, 3), "utf-8-sig")
    )
    assert (gbk.encoding, gbk.rows_new) == ("gb18030", 3)
    assert (bom.encoding, bom.rows_new) == ("utf-8-sig", 3)
    assert _enterprises(db_url)[make_uscc(1)].name == "杭州测试1科技有限公司"


def test_gbk_file_read_as_utf8_is_a_clear_error(db_url: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "g.csv", ENT_HEADER, enterprise_rows(3), "gbk")
    report = import_file(db_url, "enterprises", path, encoding="utf-8")
    assert report.status == "failed"
    assert "utf-8" in report.error[0] and "UTF-8" in report.error[0] and "encoding" in report.error[1]
    assert count(db_url, Enterprise) == 0


def test_foreign_encoding_guessed_wrong_is_refused(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "big5.csv"
    text = "統一社會信用代碼,企業名稱,區縣代碼\n" + "".join(
        f"{make_uscc(i)},臺灣積體電路製造股份有限公司{i},330108\n" for i in range(20)
    )
    path.write_bytes(text.encode("big5"))
    report = import_file(db_url, "enterprises", path)
    assert report.status == "failed" and "编码" in report.error[0] and "encoding" in report.error[1]
    assert count(db_url, Enterprise) == 0 and batches(db_url)[0]["status"] == "failed"


def test_empty_file(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    report = import_file(db_url, "enterprises", path)
    assert report.status == "failed" and "为空" in report.error[0] and "empty" in report.error[1]
    assert count(db_url, Enterprise) == 0


def test_header_only(db_url: str, tmp_path: Path) -> None:
    report = import_file(db_url, "enterprises", write_csv(tmp_path / "h.csv", ENT_HEADER, []))
    assert report.status == "failed" and "没有数据行" in report.error[0] and "no data rows" in report.error[1]
    assert count(db_url, Enterprise) == 0


def test_wrong_file_kind_names_required_columns(db_url: str, tmp_path: Path) -> None:
    report = import_file(db_url, "financials", write_csv(tmp_path / "x.csv", ["foo", "bar"], [[1, 2]]))
    assert (
        report.status == "failed"
        and "年度(year)" in report.error[0]
        and "chainlead template financials" in report.error[1]
    )


def test_binary_and_corrupt_excel(db_url: str, tmp_path: Path) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 20)
    report = import_file(db_url, "enterprises", junk)
    assert report.status == "failed" and "Excel" in report.error[0] and "corrupt" in report.error[1]
    binary = tmp_path / "data.csv"
    binary.write_bytes(bytes(range(256)) * 50)
    report = import_file(db_url, "enterprises", binary)
    assert report.status == "failed" and "二进制" in report.error[0]
    fake = tmp_path / "fake.xlsx"
    fake.write_text("uscc,name\n", encoding="utf-8")
    report = import_file(db_url, "enterprises", fake)
    assert report.status == "failed" and "不是有效的 Excel" in report.error[0]
    assert count(db_url, Enterprise) == 0 and len(batches(db_url)) == 3


def _workbook(path: Path, title_rows: bool = True) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("说明")
    sheet.write(0, 0, "本表由系统导出")
    data = book.add_worksheet("企业名单")
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    start = 0
    if title_rows:
        merged = book.add_format({"bold": True, "align": "center"})
        data.merge_range(0, 0, 0, 6, "2023年杭州市重点企业名单", merged)
        data.merge_range(1, 0, 1, 6, "填报单位：市经信局    单位：万元", merged)
        start = 2
    for col, name in enumerate([*ENT_HEADER, "备注"]):
        data.write(start, col, name)
    data.write(start + 1, 0, make_uscc(0).lower())
    data.write(start + 1, 1, "杭州甲科技有限公司")
    data.write_number(start + 1, 2, 330108)  # a code typed as a number
    data.write_number(start + 1, 3, 3921)
    data.write_datetime(start + 1, 4, dt.datetime(2016, 3, 18), date_fmt)  # a real date cell
    data.write_boolean(start + 1, 5, True)
    data.write(start + 2, 0, " ".join([make_uscc(1)[:9], make_uscc(1)[9:]]))
    data.write(start + 2, 1, "杭州乙科技有限公司")
    data.write(start + 2, 2, "330106")
    data.write(start + 2, 3, "3922")
    data.write_number(start + 2, 4, 44712)  # an Excel serial number without a date format → 2022-05-31
    data.write(start + 2, 5, "否")
    data.write_formula(start + 2, 6, '=CONCATENATE("x","y")', None, "xy")
    book.close()
    return path


def test_excel_with_title_rows_serial_dates_and_sheet_choice(db_url: str, tmp_path: Path) -> None:
    path = _workbook(tmp_path / "list.xlsx")
    report = import_file(db_url, "enterprises", path)
    assert report.ok and (report.sheet, report.header_row, report.rows_new) == ("企业名单", 3, 2)
    assert any("企业名单" in zh for zh, _ in report.notices) and any("备注" in zh for zh, _ in report.notices)
    found = _enterprises(db_url)
    first, second = found[make_uscc(0)], found[make_uscc(1)]
    assert (first.district_code, first.industry_code, first.founded_on, first.is_above_scale) == (
        "330108",
        "3921",
        dt.date(2016, 3, 18),
        True,
    )
    assert (second.founded_on, second.is_above_scale) == (dt.date(2022, 5, 31), False)
    missing = import_file(db_url, "enterprises", path, sheet="不存在")
    assert missing.status == "failed" and "企业名单" in missing.error[0]
    wrong = import_file(db_url, "enterprises", path, sheet="说明")
    assert wrong.status == "failed" and "表头" in wrong.error[0]


def test_formulas_give_their_cached_values(db_url: str, tmp_path: Path) -> None:
    import_file(db_url, "enterprises", write_csv(tmp_path / "e.csv", ENT_HEADER, enterprise_rows(1)))
    path = tmp_path / "fin.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for col, name in enumerate(["统一社会信用代码", "年度", "主营业务收入", "营业收入", "从业人员"]):
        sheet.write(0, col, name)
    sheet.write(1, 0, make_uscc(0))
    sheet.write(1, 1, 2023)
    sheet.write(1, 2, 800.5)
    sheet.write_formula(1, 3, "=C2+200", None, 1000.5)
    sheet.write_formula(1, 4, "=10*12", None, 120)
    book.close()
    report = import_file(db_url, "financials", path)
    assert report.ok and report.rows_new == 1
    with Session(get_engine(db_url)) as session:
        fin = session.scalars(select(EnterpriseFinancial)).one()
    assert (fin.revenue_wan, fin.main_business_revenue_wan, fin.employees) == (1000.5, 800.5, 120)


def test_fifty_megabyte_file(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    scope = "集成电路设计、制造、封装测试；电子元器件研发、生产、销售；技术服务、技术开发、技术咨询；" * 16
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(",".join([*ENT_HEADER, "经营范围"]) + "\n")
        while f.tell() < 50 * 1024 * 1024:
            f.write(f"{make_uscc(rows)},杭州测试{rows}科技有限公司,330108,3921,2018-03-05,是,{scope}\n")
            rows += 1
    assert path.stat().st_size >= 50 * 1024 * 1024
    report = import_file(sqlite_url, "enterprises", path, dry_run=True)
    assert (report.status, report.rows_read, report.rows_new, report.rows_rejected) == ("dry_run", rows, rows, 0)
    assert count(sqlite_url, Enterprise) == 0
