"""Title holders in the demo meet the criteria of the titles they hold (issue 6).

The demo files are screened with the cultivation file evaluator, exactly as
`chainlead cultivation evaluate` does: most holders of each tier are 符合 or 待定 for it in an
application year in which they hold it, and some non-holders are eligible 专精特新 candidates.
"""

from __future__ import annotations

import pandas as pd
import pytest

from chainlead.cultivation.files import read_file
from chainlead.cultivation.inputs import build_inputs
from chainlead.cultivation.screen import screen
from chainlead.registry.formats import ENTERPRISES, FACTS, FINANCIALS, QUALIFICATIONS

TIERS = ("innovative_sme", "zjtx_provincial", "little_giant_national", "hidden_champion_provincial")
YEARS = (2023, 2024)


@pytest.fixture(scope="module")
def screened(demo5000) -> dict[int, pd.DataFrame]:
    _, out = demo5000
    ent = read_file(out / "enterprises.csv", ENTERPRISES)
    fin = read_file(out / "financials.csv", FINANCIALS)
    fac = read_file(out / "facts.csv", FACTS)
    quals = read_file(out / "qualifications.csv", QUALIFICATIONS)
    return {y: screen(build_inputs(ent, fin, fac, quals, y), y, None, TIERS) for y in YEARS}


def test_holders_meet_the_criteria_of_the_titles_they_hold(screened):
    for tier in TIERS:
        rows = pd.concat([df[(df["tier"] == tier) & df["holds_title"].astype(bool)] for df in screened.values()])
        assert len(rows) >= 20, tier
        ratio = (rows["result"] != "not_eligible").mean()
        assert ratio >= 0.8, (tier, ratio)
        assert ratio < 1.0 or tier == "hidden_champion_provincial", (tier, "some holders drift below the bar")


def test_some_non_holders_are_eligible_candidates(screened):
    df = screened[2024]
    zjtx = df[(df["tier"] == "zjtx_provincial") & ~df["holds_title"].astype(bool)]
    assert (zjtx["result"] == "eligible").sum() >= 50
    lg = df[(df["tier"] == "little_giant_national") & ~df["holds_title"].astype(bool)]
    assert (lg["result"] == "eligible").sum() >= 1
