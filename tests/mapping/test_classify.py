"""`chainlead classify` on small CSV and XLSX files, with and without --train."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from chainlead.cli.main import app

from .helpers import ENTERPRISES, SMALL

runner = CliRunner()


def _program(tmp_path: Path) -> str:
    path = tmp_path / "small.toml"
    path.write_text(SMALL, encoding="utf-8")
    return str(path)


def _write_csv(path: Path, with_chain: bool = False) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["编号", "企业名称", "主营产品", "经营范围", "行业代码", *(["产业链"] if with_chain else [])])
        for k, (name, products, scope, code, chain) in enumerate(ENTERPRISES, start=1):
            w.writerow([k, name, products, scope, code, *([("" if chain == "none" else chain)] if with_chain else [])])


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def test_classify_csv_keeps_columns_and_adds_suggestion(tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    _write_csv(src)
    res = runner.invoke(app, ["classify", str(src), "-o", str(out), "--program", _program(tmp_path)])
    assert res.exit_code == 0, res.output
    rows = _read_csv(out)
    assert list(rows[0])[:5] == ["编号", "企业名称", "主营产品", "经营范围", "行业代码"]
    assert list(rows[0])[5:] == ["ecosystem", "chain", "node", "confidence", "reason"]
    by_name = {r["企业名称"]: r for r in rows}
    solar = by_name["杭州晶科光伏科技有限公司"]
    assert (solar["ecosystem"], solar["chain"], solar["node"]) == ("绿色低碳", "光伏", "光伏组件")
    assert 0.8 <= float(solar["confidence"]) <= 1 and "光伏组件" in solar["reason"]
    food = by_name["杭州好味餐饮管理有限公司"]
    assert food["chain"] == "" and food["confidence"] == "" and food["reason"]
    assert by_name["杭州百草中药饮片有限公司"]["node"] == "中药"
    assert rows[0]["编号"] == "1"


def test_classify_xlsx_with_training(tmp_path: Path) -> None:
    labelled = tmp_path / "labelled.csv"
    _write_csv(labelled, with_chain=True)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["name", "main_products", "industry_code", "备注"])
    sheet.append(["杭州新晶光伏有限公司", "太阳能电池片:0.9;光伏组件:0.1", 3825, "x"])
    sheet.append(["杭州仁和药业有限公司", "片剂:1.0", 2720, "y"])
    sheet.append(["杭州食客餐饮有限公司", "餐饮服务", None, "z"])
    src, out = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    book.save(src)
    res = runner.invoke(
        app, ["classify", str(src), "-o", str(out), "--train", str(labelled), "--program", _program(tmp_path)]
    )
    assert res.exit_code == 0, res.output
    got = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert got[0] == (
        "name",
        "main_products",
        "industry_code",
        "备注",
        "ecosystem",
        "chain",
        "node",
        "confidence",
        "reason",
    )
    assert got[1][5] == "光伏" and got[2][5] == "药品"
    assert got[1][3] == "x" and "模型概率" in got[1][8]
    assert got[3][5] in (None, "")


def test_classify_errors_exit_2(tmp_path: Path) -> None:
    prog = _program(tmp_path)
    res = runner.invoke(
        app, ["classify", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "o.csv"), "--program", prog]
    )
    assert res.exit_code == 2 and "不存在" in res.output
    src = tmp_path / "in.csv"
    _write_csv(src)
    res = runner.invoke(app, ["classify", str(src), "-o", str(tmp_path / "o.json"), "--program", prog])
    assert res.exit_code == 2 and ".csv" in res.output
    bad = tmp_path / "bad.csv"
    bad.write_text("企业名称,主营产品,产业链\n甲,光伏组件,光伏\n乙,片剂,不存在的链\n", encoding="utf-8")
    res = runner.invoke(
        app, ["classify", str(src), "-o", str(tmp_path / "o.csv"), "--train", str(bad), "--program", prog]
    )
    assert res.exit_code == 2 and "第 3 行" in res.output and "row 3" in res.output
