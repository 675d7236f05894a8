"""`chainlead cultivation evaluate` on files (no database): Chinese headers, 是/否 cells, outputs,
and bilingual errors naming the row and field with exit code 2."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from chainlead.cli.cultivation_cmd import app
from chainlead.cultivation.files import parse_cell
from chainlead.registry.formats import ENTERPRISES, FACTS, FINANCIALS, QUALIFICATIONS
from tests.cultivation.helpers import STAR_ENTERPRISE, STAR_FACTS, STAR_FINANCIALS, USCC, YEAR

runner = CliRunner()


def _zh(df: pd.DataFrame, fmt) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return df.rename(columns={c.name: c.zh for c in fmt.columns})


def _yes_no(v: object) -> object:
    return {True: "是", False: "否"}.get(v, v) if isinstance(v, bool) else v


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return write_files(tmp_path)


def write_files(tmp_path: Path) -> dict[str, Path]:
    """The star and a second enterprise as four UTF-8 CSV files with Chinese headers."""
    ent = pd.DataFrame([{**STAR_ENTERPRISE, "name": "杭州星辰精密机械有限公司", "is_high_tech": "否"}])
    second = {**STAR_ENTERPRISE, "uscc": "91330101MA2C000107", "name": "杭州试样科技有限公司", "is_high_tech": ""}
    ent = pd.concat([ent, pd.DataFrame([second])])
    fin = pd.DataFrame([{"uscc": USCC, "year": y, **v} for y, v in STAR_FINANCIALS.items()])
    fin = pd.concat(
        [
            fin,
            pd.DataFrame(
                [
                    {
                        "uscc": "91330101MA2C000107",
                        "year": 2022,
                        "revenue_wan": 3000,
                        "main_business_revenue_wan": 2000,
                        "rd_expense_wan": 60,
                    }
                ]
            ),
        ]
    )
    facts = pd.DataFrame([{"uscc": USCC, "year": YEAR - 1, **{k: _yes_no(v) for k, v in STAR_FACTS.items()}}])
    quals = pd.DataFrame([{"uscc": USCC, "tier": "省级专精特新中小企业", "granted_on": "2021-06-01", "expires_on": ""}])
    paths = {}
    for name, df, fmt in (
        ("ent", ent, ENTERPRISES),
        ("fin", fin, FINANCIALS),
        ("facts", facts, FACTS),
        ("quals", quals, QUALIFICATIONS),
    ):
        paths[name] = tmp_path / f"{name}.csv"
        _zh(df, fmt).to_csv(paths[name], index=False)
    return paths


def _run(files: dict[str, Path], out: Path, *extra: str):  # type: ignore[no-untyped-def]
    args = [
        "evaluate",
        "--enterprises",
        str(files["ent"]),
        "--financials",
        str(files["fin"]),
        "--facts",
        str(files["facts"]),
        "--qualifications",
        str(files["quals"]),
        "--year",
        str(YEAR),
        "-o",
        str(out),
        *extra,
    ]
    return runner.invoke(app, args)


def test_evaluate_files_with_chinese_headers(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    res = _run(files, out)
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(df.columns[:8]) == ["uscc", "tier", "result", "score_min", "score_max", "failed", "missing", "advice"]
    assert len(df) == 8  # 2 enterprises × 4 tiers
    star = df[df["uscc"] == USCC].set_index("tier")["result"].to_dict()
    assert star == {t: "eligible" for t in star} and len(star) == 4
    other = df[df["uscc"] == "91330101MA2C000107"].set_index("tier")
    assert other.loc["zjtx_provincial", "result"] == "not_eligible"
    assert "研发费用占营业收入比重 2% < 3%" in other.loc["zjtx_provincial", "failed"]
    assert other.loc["innovative_sme", "result"] == "undetermined"
    assert "Ⅰ类知识产权数" in other.loc["innovative_sme", "missing"]


def test_evaluate_xlsx_output_marks_unconfirmed(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    res = _run(files, out, "--tier", "zjtx_provincial")
    assert res.exit_code == 0, res.output
    result = pd.read_excel(out, sheet_name="结果", engine="calamine")
    assert set(result["tier"]) == {"zjtx_provincial"}
    assert result["score_text"].str.contains("特色化待核实").all()
    notes = pd.read_excel(out, sheet_name="说明", engine="calamine").astype(str).to_string()
    assert "待核实" in notes and "miit-2022" in notes


def test_bad_boolean_cell_names_row_and_field(files: dict[str, Path], tmp_path: Path) -> None:
    df = pd.read_csv(files["facts"], dtype=str, keep_default_na=False)
    df.loc[0, "自主品牌"] = "也许"
    df.to_csv(files["facts"], index=False)
    res = _run(files, tmp_path / "out.csv")
    assert res.exit_code == 2
    assert "第 2 行" in res.output and "own_brand" in res.output and "row 2" in res.output


def test_missing_required_column(files: dict[str, Path], tmp_path: Path) -> None:
    df = pd.read_csv(files["fin"], dtype=str).drop(columns=["年度"])
    df.to_csv(files["fin"], index=False)
    res = _run(files, tmp_path / "out.csv")
    assert res.exit_code == 2 and "年度" in res.output and "year" in res.output


def test_invalid_uscc_and_enum(files: dict[str, Path], tmp_path: Path) -> None:
    df = pd.read_csv(files["facts"], dtype=str, keep_default_na=False)
    df.loc[0, "研发机构级别"] = "区级"
    df.to_csv(files["facts"], index=False)
    res = _run(files, tmp_path / "out.csv")
    assert res.exit_code == 2 and "rd_institution_level" in res.output and "national" in res.output
    df.loc[0, "研发机构级别"] = "省级"
    df.loc[0, "统一社会信用代码"] = "91330100MA2C00000X"
    df.to_csv(files["facts"], index=False)
    res = _run(files, tmp_path / "out.csv")
    assert res.exit_code == 2 and "统一社会信用代码" in res.output


def test_unknown_tier_year_and_output_type(files: dict[str, Path], tmp_path: Path) -> None:
    assert _run(files, tmp_path / "o.csv", "--tier", "golden").exit_code == 2
    res = runner.invoke(
        app,
        [
            "evaluate",
            "--enterprises",
            str(files["ent"]),
            "--financials",
            str(files["fin"]),
            "--facts",
            str(files["facts"]),
            "--year",
            "2031",
            "-o",
            str(tmp_path / "o.csv"),
        ],
    )
    assert res.exit_code == 2 and "2031" in res.output
    assert _run(files, tmp_path / "o.json").exit_code == 2


def test_rules_command_lists_versions() -> None:
    res = runner.invoke(app, ["rules"])
    assert res.exit_code == 0 and "miit-2022" in res.output and "zhejiang-2021" in res.output


@given(st.sampled_from(["是", "否", "true", "False", "1", "0", "TRUE", " 是 ", "", None, "—"]))
def test_boolean_cells(raw: str | None) -> None:
    got = parse_cell(raw, "bool", ())
    text = (raw or "").strip().lower()
    expected = {"是": True, "true": True, "1": True, "否": False, "false": False, "0": False}.get(text)
    assert got is expected


@given(st.text(max_size=6))
def test_boolean_cells_reject_or_parse(raw: str) -> None:
    try:
        got = parse_cell(raw, "bool", ())
    except ValueError as exc:
        assert "|" in str(exc)  # zh|en
    else:
        assert got in (True, False, None)


def test_xlsx_inputs(files: dict[str, Path], tmp_path: Path) -> None:
    for key in ("ent", "facts", "quals"):
        xlsx = files[key].with_suffix(".xlsx")
        pd.read_csv(files[key], dtype=str, keep_default_na=False).to_excel(xlsx, index=False)
        files[key] = xlsx
    out = tmp_path / "out.csv"
    res = _run(files, out)
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out)
    assert (df[df["uscc"] == USCC]["result"] == "eligible").all()


def test_enum_none_is_a_value_not_an_empty_cell() -> None:
    assert parse_cell("none", "enum", ("national", "none")) == "none"
    assert parse_cell("无", "enum", ("national", "none")) == "none"
    assert parse_cell("", "enum", ("national", "none")) is None
    assert parse_cell("none", "int", ()) is None


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False), st.sampled_from(["{:.2f}", "{:,.2f}", " {:.1f} "]))
def test_money_cells_round_trip(x: float, pattern: str) -> None:
    text = pattern.format(x)
    assert parse_cell(text, "money", ()) == pytest.approx(float(text.strip().replace(",", "")))


@given(st.text(alphabet="0123456789.,-abc ", max_size=8))
def test_number_cells_parse_or_refuse(raw: str) -> None:
    try:
        got = parse_cell(raw, "money", ())
    except ValueError as exc:
        assert "|" in str(exc)
    else:
        assert got is None or isinstance(got, float)
