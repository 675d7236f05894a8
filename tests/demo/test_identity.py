"""USCC codes and company names of demo enterprises."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from chainlead.demo.identity import (
    NEW_SPACE,
    OLD_SPACE,
    PAIRS,
    affine_bijection,
    make_uscc,
    org_bodies,
    trade_names,
)
from chainlead.demo.profile import DISTRICT_CODES
from chainlead.reference.uscc import is_valid_uscc
from tests.conftest import shared_path
from tests.demo.conftest import CALIBRATION_N, read_csv

ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_check(body: str) -> str:
    """GB 11714 check character, written out independently of the generator."""
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in body]
    c9 = 11 - sum(v * w for v, w in zip(values, ORG_WEIGHTS, strict=True)) % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


def test_every_uscc_is_valid_unique_and_matches_its_district(demo5000):
    _, out = demo5000
    rows = read_csv(out / "enterprises.csv")
    codes = [r["uscc"] for r in rows]
    assert len(codes) == CALIBRATION_N == len(set(codes))
    for r in rows:
        code = r["uscc"]
        assert stdnum_uscc.is_valid(code) and is_valid_uscc(code)
        assert code[:2] == "91"  # market regulation authority, enterprise
        assert code[2:8] == r["district_code"] and r["district_code"] in DISTRICT_CODES
        assert code[16] == org_check(code[8:16])
        if int(r["founded_on"][:4]) >= 2016:
            assert code[8:10] == "MA"
        else:
            assert code[8:16].isdigit()


@settings(max_examples=60, deadline=None)
@given(
    ranks=st.lists(st.integers(0, 50_000_000), min_size=1, max_size=40, unique=True),
    new=st.booleans(),
    district=st.sampled_from(DISTRICT_CODES),
    salt=st.integers(0, 10**6),
)
def test_generated_codes_pass_stdnum_and_stay_unique(ranks, new, district, salt):
    r = np.array(ranks, dtype=np.int64) % (NEW_SPACE if new else OLD_SPACE)
    r = np.unique(r)
    bodies = org_bodies(r, np.full(r.size, new), salt)
    codes = make_uscc(np.full(r.size, district), bodies)
    assert len(set(codes.tolist())) == r.size
    for code in codes.tolist():
        assert stdnum_uscc.validate(code) == code
        assert code[16] == org_check(code[8:16])


@settings(max_examples=40, deadline=None)
@given(space=st.integers(1, 10**9), salt=st.integers(0, 10**6), data=st.data())
def test_affine_bijection_is_one_to_one(space, salt, data):
    ranks = np.array(data.draw(st.lists(st.integers(0, space - 1), max_size=50, unique=True)), dtype=np.int64)
    mapped = affine_bijection(ranks, space, salt)
    assert ((mapped >= 0) & (mapped < space)).all()
    assert np.unique(mapped).size == ranks.size


def test_trade_names_are_unique_beyond_two_characters():
    n = len(PAIRS) * 3
    names = trade_names(np.arange(n), salt=5, n_total=n)
    assert len(set(names)) == n
    assert sum(len(x) == 2 for x in names) == len(PAIRS)


def test_names_look_like_hangzhou_companies_and_are_not_real(demo5000):
    _, out = demo5000
    names = [r["name"] for r in read_csv(out / "enterprises.csv")]
    assert len(set(names)) == len(names)
    pattern = re.compile(r"^杭州[\u4e00-\u9fff]{2,4}[\u4e00-\u9fff0-9]+(股份)?有限公司$")
    assert all(pattern.match(n) for n in names)
    listed = read_csv(shared_path("data", "listed", "companies.csv"))
    real_full = {r["full_name"] for r in listed}
    assert not real_full & set(names)
    zhejiang_brands = {r["short_name"][:2] for r in listed if "杭州" in r["full_name"] or "浙江" in r["full_name"]}
    assert not {n[2:4] for n in names} & zhejiang_brands
