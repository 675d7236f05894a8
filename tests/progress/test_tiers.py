"""Tier counts at year end and the pace needed to reach the tier targets."""

from __future__ import annotations

import datetime as dt

import pytest

from chainlead.db import session_scope
from chainlead.db.models import Qualification
from chainlead.db.versions import bump
from chainlead.progress.service import status_report
from chainlead.progress.tiers import assess, tier_counts, valid_at
from tests.progress.fixture import load_fixture


def test_valid_at_year_end_rules() -> None:
    granted = dt.date(2021, 6, 30)
    assert valid_at(granted, None, dt.date(2023, 12, 31))  # three years by default
    assert not valid_at(granted, None, dt.date(2024, 12, 31))
    assert not valid_at(granted, dt.date(2022, 6, 30), dt.date(2022, 12, 31))  # expired mid-year
    assert valid_at(granted, dt.date(2023, 1, 1), dt.date(2022, 12, 31))
    assert not valid_at(dt.date(2023, 1, 1), None, dt.date(2022, 12, 31))  # not yet granted
    assert valid_at(dt.date(2020, 2, 29), None, dt.date(2022, 12, 31))


def test_assess_pace_against_needed() -> None:
    counts = {2021: 100, 2022: 140, 2023: 200}
    s = assess("zjtx_provincial", 2023, counts, 80, 500, 2025, 1.0, 0.7)
    assert s.count == 200 and s.needed_per_year == 150 and s.recent_pace == 50.0
    assert s.status == "off_track"  # 50 < 0.7 × 150
    assert assess("t", 2023, counts, None, 300, 2025, 1.0, 0.7).status == "on_track"  # needs 50, pace 50
    assert assess("t", 2023, counts, None, 340, 2025, 1.0, 0.7).status == "at_risk"  # needs 70: 50/70 ≥ 0.7
    s2 = assess("t", 2023, counts, None, 290, 2025, 1.0, 0.7)
    assert s2.needed_per_year == 45 and s2.status == "on_track"
    assert assess("t", 2023, counts, None, 150, 2025, 1.0, 0.7).status == "on_track"  # already reached
    assert assess("t", 2025, {2025: 10}, None, 20, 2025, 1.0, 0.7).status == "off_track"  # time is up
    assert assess("t", 2023, counts, None, None, None, 1.0, 0.7).status is None


def test_tier_counts_from_the_table(db_url: str) -> None:
    ids = load_fixture(db_url)
    with session_scope(db_url) as s:
        rows = [
            (ids["A"], dt.date(2021, 6, 30), None),  # 2021–2023
            (ids["A"], dt.date(2022, 6, 30), None),  # same firm again: still one
            (ids["B"], dt.date(2022, 3, 1), dt.date(2023, 3, 1)),  # 2022 only
            (ids["C"], dt.date(2023, 12, 31), dt.date(2026, 12, 31)),  # from 2023
        ]
        for ent, granted, expires in rows:
            s.add(Qualification(enterprise_id=ent, tier="zjtx_provincial", granted_on=granted, expires_on=expires))
        s.add(Qualification(enterprise_id=ids["D"], tier="little_giant_national", granted_on=dt.date(2022, 1, 1)))
        bump(s, "qualifications")
    with session_scope(db_url) as s:
        counts = tier_counts(s, ["zjtx_provincial", "little_giant_national"], [2020, 2021, 2022, 2023, 2024])
        report = status_report(s, year=2023)
    assert counts["zjtx_provincial"] == {2020: 0, 2021: 1, 2022: 2, 2023: 2, 2024: 2}
    assert counts["little_giant_national"][2023] == 1
    tier = next(t for t in report["tiers"] if t["tier"] == "zjtx_provincial")
    assert (tier["count"], tier["baseline"], tier["target"]) == (2, 2, 10)
    assert tier["needed_per_year"] == 4  # (10 − 2) / 2 years left
    assert tier["recent_pace"] == pytest.approx(0.5)  # (2 − 1) / 2
    assert tier["status"] == "off_track"
