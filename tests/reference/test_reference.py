"""Reference lookups: USCC (GB 32100-2015), GB/T 4754-2017 codes, GB/T 2260 districts."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from chainlead.reference import (
    InvalidUSCC,
    district_name,
    industry,
    is_industry_class,
    is_known_district,
    normalize_uscc,
    uscc_check_char,
)
from chainlead.reference.industry import industry_classes

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
first17 = st.builds(
    lambda head, body: "91" + head + body,
    st.text(alphabet=string.digits, min_size=6, max_size=6),
    st.text(alphabet=ALPHABET, min_size=9, max_size=9),
)


@given(first17)
def test_valid_code_round_trips(body: str) -> None:
    code = body + uscc_check_char(body)
    assert normalize_uscc(code) == code
    assert stdnum_uscc.is_valid(code)


@given(first17, st.sampled_from(list(ALPHABET)))
def test_any_other_check_char_is_rejected(body: str, wrong: str) -> None:
    right = uscc_check_char(body)
    if wrong == right:
        return
    with pytest.raises(InvalidUSCC) as info:
        normalize_uscc(body + wrong)
    assert right in info.value.reason_zh and "校验位" in info.value.reason_zh


@given(first17, st.lists(st.sampled_from([" ", "-", "\u3000"]), max_size=3), st.booleans())
def test_typing_accidents_are_repaired(body: str, junk: list[str], lower: bool) -> None:
    code = body + uscc_check_char(body)
    messy = code[:6] + "".join(junk) + code[6:]
    messy = messy.lower() if lower else messy
    assert normalize_uscc(messy) == code


@given(st.text(alphabet=string.ascii_uppercase + string.digits, max_size=30))
def test_never_crashes_on_garbage(text: str) -> None:
    try:
        out = normalize_uscc(text)
    except InvalidUSCC as exc:
        assert exc.reason_en
    else:
        assert len(out) == 18


def test_wrong_length_message() -> None:
    with pytest.raises(InvalidUSCC) as info:
        normalize_uscc("9133010")
    assert "18位" in info.value.reason_zh and "18 characters" in info.value.reason_en


def test_industry_table_has_every_class() -> None:
    classes = industry_classes()
    assert len(classes) == 1381  # 1380 in the 2017 text + the 2019 amendment
    assert industry("3973").name == "集成电路制造"
    assert industry("3973").is_manufacturing
    assert not industry("6520").is_manufacturing
    assert industry("C").level == 1 and industry("39").level == 2


@given(st.sampled_from([c.code for c in industry_classes()]))
def test_every_class_is_recognised(code: str) -> None:
    assert is_industry_class(code)


@given(st.text(alphabet=string.digits, min_size=1, max_size=6))
def test_non_classes_are_not(code: str) -> None:
    assert is_industry_class(code) == (len(code) == 4 and industry(code) is not None)


def test_districts() -> None:
    assert district_name("330108") == "滨江区"
    assert district_name("330114") == "钱塘区"
    assert is_known_district("330104")  # abolished in 2021, still in old data
    assert not is_known_district("330101")
