"""`chainlead cultivation evaluate` reading real files through the registry's reader: GBK CSV, Excel
written by openpyxl / xlsxwriter with a title above the header, units in headers, and the files it
must refuse (truncated Excel, empty, UTF-16, Big5, unknown headers) — exit 2, nothing written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from tests.cultivation.helpers import USCC
from tests.cultivation.test_files_cli import _run, write_files


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return write_files(tmp_path)


def _csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return list(df.columns), df.to_numpy().tolist()


def _result(files: dict[str, Path], out: Path) -> pd.DataFrame:
    res = _run(files, out)
    assert res.exit_code == 0, res.output
    return pd.read_csv(out, dtype=str, keep_default_na=False)


def _refused(files: dict[str, Path], tmp_path: Path, *needles: str) -> str:
    """Exit 2, no output file, and the message (zh and en) names the file and says why."""
    out = tmp_path / "refused.csv"
    res = _run(files, out)
    assert res.exit_code == 2, res.output
    assert not out.exists()
    text = " ".join(res.output.split())
    assert "错误 / Error" in res.output
    for needle in needles:
        assert needle in text, (needle, res.output)
    return text


def test_gbk_csv_gives_the_same_result_as_utf8(files: dict[str, Path], tmp_path: Path) -> None:
    want = _result(files, tmp_path / "utf8.csv")
    for key in ("ent", "fin", "facts", "quals"):
        files[key].write_bytes(files[key].read_text(encoding="utf-8").encode("gbk"))
    pd.testing.assert_frame_equal(_result(files, tmp_path / "gbk.csv"), want)


def test_xlsx_with_title_rows_extra_column_and_blank_row(files: dict[str, Path], tmp_path: Path) -> None:
    want = _result(files, tmp_path / "csv.csv")
    header, rows = _csv_rows(files["fin"])
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["2020–2022 年度经营数据（单位：万元）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append([])
    ws.append([*header, "备注"])  # header on spreadsheet row 3
    for k, row in enumerate(rows):
        ws.append([*[v if c == 0 or not v else float(v) for c, v in enumerate(row)], "内部核对"])  # numbers
        if k == 1:
            ws.append([None] * (len(header) + 1))  # a blank row in the middle is skipped
    files["fin"] = tmp_path / "fin.xlsx"
    book.save(files["fin"])
    out = tmp_path / "xlsx.csv"
    res = _run(files, out)
    assert res.exit_code == 0, res.output
    assert "fin.xlsx" in res.output and "备注" in res.output and "ignored" in res.output  # a notice, not an error
    pd.testing.assert_frame_equal(pd.read_csv(out, dtype=str, keep_default_na=False), want)

    ws.cell(row=7, column=header.index("研发费用") + 1, value="一千")  # 3rd data row, after the blank
    book.save(files["fin"])
    _refused(files, tmp_path, "fin.xlsx 第 7 行", "fin.xlsx row 7", "rd_expense_wan", "一千", "expected a number")


def test_xlsxwriter_dates_and_bools(files: dict[str, Path], tmp_path: Path) -> None:
    want = _result(files, tmp_path / "csv.csv")
    path = tmp_path / "quals.xlsx"
    with xlsxwriter.Workbook(path) as book:
        ws = book.add_worksheet("资质")
        date = book.add_format({"num_format": "yyyy-mm-dd"})
        ws.write_row(0, 0, ["统一社会信用代码", "称号", "认定日期", "有效期至"])
        ws.write_string(1, 0, USCC)
        ws.write_string(1, 1, "省级专精特新中小企业")
        ws.write_datetime(1, 2, dt.datetime(2021, 6, 1), date)
    files["quals"] = path
    header, rows = _csv_rows(files["ent"])
    path = tmp_path / "ent.xlsx"
    with xlsxwriter.Workbook(path) as book:
        ws = book.add_worksheet()
        ws.write_row(0, 0, header)
        for r, row in enumerate(rows, 1):
            for c, v in enumerate(row):
                if header[c] == "高新技术企业" and v:
                    ws.write_boolean(r, c, v == "是")
                else:
                    ws.write(r, c, v)
    files["ent"] = path
    pd.testing.assert_frame_equal(_result(files, tmp_path / "xlsx.csv"), want)


def test_amounts_in_yuan_are_converted(files: dict[str, Path], tmp_path: Path) -> None:
    want = _result(files, tmp_path / "wan.csv")
    df = pd.read_csv(files["fin"], dtype=str, keep_default_na=False)
    for col in ("营业收入", "研发费用"):
        df[col] = [str(round(float(v) * 10_000)) if v else v for v in df[col]]
        df = df.rename(columns={col: f"{col}（元）"})
    df.to_csv(files["fin"], index=False)
    res = _run(files, tmp_path / "yuan.csv")
    assert res.exit_code == 0, res.output
    assert "已换算为万元" in res.output and "revenue_wan" in res.output
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "yuan.csv", dtype=str, keep_default_na=False), want)


def test_truncated_xlsx_is_refused(files: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "facts.xlsx"
    pd.read_csv(files["facts"], dtype=str, keep_default_na=False).to_excel(path, index=False)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    files["facts"] = path
    _refused(files, tmp_path, "facts.xlsx", "无法读取 Excel 文件", "cannot read the Excel file")


def test_text_named_xlsx_is_refused(files: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "facts.xlsx"
    path.write_bytes(files["facts"].read_bytes())
    files["facts"] = path
    _refused(files, tmp_path, "facts.xlsx", "不是有效的 Excel 文件", "not a valid Excel file")


def test_empty_and_header_only_files(files: dict[str, Path], tmp_path: Path) -> None:
    files["fin"].write_bytes(b"")
    _refused(files, tmp_path, "fin.csv", "文件为空", "the file is empty")
    (tmp_path / "again").mkdir()
    files["fin"] = write_files(tmp_path / "again")["fin"]
    header = files["ent"].read_text(encoding="utf-8").splitlines()[0]
    files["ent"].write_text(header + "\n", encoding="utf-8")
    _refused(files, tmp_path, "ent.csv 没有企业行", "ent.csv has no enterprise rows")


def test_utf16_and_big5_are_refused(files: dict[str, Path], tmp_path: Path) -> None:
    text = files["facts"].read_text(encoding="utf-8")
    files["facts"].write_bytes(text.encode("utf-16"))
    _refused(files, tmp_path, "facts.csv", "UTF-16", "save it as 'CSV UTF-8")
    big5 = "統一社會信用代碼,年度,自主品牌\n" + "".join(
        f"{USCC},2022,臺灣積體電路製造股份有限公司{i}\n" for i in range(20)
    )
    files["facts"].write_bytes(big5.encode("big5"))
    _refused(files, tmp_path, "facts.csv", "无法识别文件编码", "cannot read the file's encoding")


def test_unknown_headers_and_types(files: dict[str, Path], tmp_path: Path) -> None:
    files["fin"].write_text("公司,金额\n甲,1\n", encoding="utf-8")
    _refused(files, tmp_path, "fin.csv", "找不到 financials", "年度(year)", "no financials header found")
    files["fin"] = tmp_path / "fin.json"
    files["fin"].write_text("{}", encoding="utf-8")
    _refused(files, tmp_path, "不支持的文件类型 .json", "fin.json", "unsupported file type")
    files["fin"] = tmp_path / "missing.csv"
    _refused(files, tmp_path, "文件不存在", "missing.csv", "no such file")
