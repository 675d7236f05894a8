"""Cell parsers: numbers, money with units, booleans, dates, years, tiers, USCCs."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chainlead.registry import cells as C
from chainlead.registry.validate import _parse_uscc
from tests.registry.helpers import make_uscc

FULLWIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=99))
def test_thousands_separators_and_fullwidth(whole: int, cents: int) -> None:
    text = f"{whole:,}.{cents:02d}"
    expected = whole + cents / 100
    assert C.parse_number(text) == pytest.approx(expected)
    assert C.parse_number(text.translate(FULLWIDTH)) == pytest.approx(expected)
    assert C.parse_number(f" {whole}.{cents:02d} ") == pytest.approx(expected)


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_money_units_in_the_cell(amount) -> None:  # type: ignore[no-untyped-def]
    value = float(amount)
    assert C.parse_money(f"{value}万") == pytest.approx(value)
    assert C.parse_money(f"{value}万元") == pytest.approx(value)
    assert C.parse_money(f"{value}亿") == pytest.approx(value * 1e4)
    assert C.parse_money(f"{value}元") == pytest.approx(value / 1e4)
    assert C.parse_money(value, "元") == pytest.approx(value / 1e4)
    assert C.parse_money(str(value), "亿元") == pytest.approx(value * 1e4)
    assert C.parse_money(f"{value}万", "元") == pytest.approx(value)  # the cell's unit wins


def test_money_examples() -> None:
    assert C.parse_money("12.5万") == 12.5
    assert C.parse_money("3亿") == 30000
    assert C.parse_money("1200元") == pytest.approx(0.12)
    assert C.parse_money("1,234.5") == 1234.5
    assert C.parse_money("") is None
    assert C.parse_money("-") is None
    with pytest.raises(C.CellError) as exc:
        C.parse_money("十二万")
    assert "数字" in exc.value.zh and "number" in exc.value.en
    assert isinstance(exc.value, ValueError) and str(exc.value) == f"{exc.value.zh} / {exc.value.en}"
    with pytest.raises(C.CellError):
        C.parse_number("1,23,4")


@given(st.text(max_size=20))
def test_number_parser_never_crashes(text: str) -> None:
    try:
        C.parse_number(text)
        C.parse_money(text)
        C.parse_date(text)
        C.parse_bool(text)
        C.parse_year(text)
    except C.CellError as exc:
        assert exc.zh and exc.en


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("是", True),
        ("否", False),
        ("true", True),
        ("FALSE", False),
        ("Y", True),
        ("n", False),
        ("1", True),
        (0, False),
        ("", None),
        (None, None),
    ],
)
def test_booleans(raw: object, expected: bool | None) -> None:
    assert C.parse_bool(raw) is expected


def test_bad_boolean() -> None:
    with pytest.raises(C.CellError):
        C.parse_bool("maybe")


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_dates_in_every_spelling(day: dt.date) -> None:
    assert C.parse_date(day.isoformat()) == day
    assert C.parse_date(f"{day.year}/{day.month}/{day.day}") == day
    assert C.parse_date(f"{day.year}年{day.month}月{day.day}日") == day
    assert C.parse_date(day.strftime("%Y%m%d")) == day
    serial = (day - dt.date(1899, 12, 30)).days
    assert C.parse_date(serial) == day
    assert C.parse_date(float(serial)) == day
    assert C.parse_date(dt.datetime.combine(day, dt.time(0, 0))) == day


def test_impossible_dates() -> None:
    for bad in ("2022-02-30", "31/05/2022", "2022-5"):
        with pytest.raises(C.CellError):
            C.parse_date(bad)


@given(st.integers(min_value=1990, max_value=2100))
def test_years(year: int) -> None:
    assert C.parse_year(str(year)) == year
    assert C.parse_year(f"{year}年") == year
    assert C.parse_year(f"{year}年度") == year
    assert C.parse_year(float(year)) == year


def test_tiers_accept_chinese_labels() -> None:
    choices = ("innovative_sme", "zjtx_provincial", "hidden_champion_provincial", "little_giant_national")
    assert C.parse_enum("省级专精特新中小企业", choices) == "zjtx_provincial"
    assert C.parse_enum("国家级专精特新小巨人", choices) == "little_giant_national"
    assert C.parse_enum("ZJTX_PROVINCIAL", choices) == "zjtx_provincial"
    with pytest.raises(C.CellError) as exc:
        C.parse_enum("瞪羚企业", choices)
    assert "允许" in exc.value.zh


@given(st.integers(min_value=0, max_value=99999))
def test_uscc_repairs_case_and_spaces(i: int) -> None:
    code = make_uscc(i)
    assert _parse_uscc(code.lower()) == code
    assert _parse_uscc(" ".join([code[:6], code[6:12], code[12:]])) == code


def test_uscc_wrong_check_digit_names_the_expected_one() -> None:
    code = make_uscc(7)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(C.CellError) as exc:
        _parse_uscc(wrong)
    assert f"应为 {code[-1]}" in exc.value.zh
    assert f"expected {code[-1]}" in exc.value.en


def test_counts_and_codes() -> None:
    assert C.parse_int("1,200人") == 1200
    assert C.parse_int(12.0) == 12
    with pytest.raises(C.CellError):
        C.parse_int("12.5")
    assert C.parse_text(3921.0) == "3921"
    assert C.parse_number("12.5%", percent=True) == 12.5
