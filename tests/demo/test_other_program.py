"""Demo data for another city's program: its baselines, its date, its region and name prefix."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from chainlead.demo.service import generate_demo
from tests.demo.conftest import read_csv

PROGRAM = """
[program]
name = "wenzhou-test"
region_code = "330300"
region_name = "温州市"
base_year = 2021
target_year = 2025

[tier_baselines]
as_of = 2022-06-10
zjtx_provincial = 120
hidden_champion_provincial = 9
little_giant_national = 20

[[ecosystems]]
name = "智能装备"
targets = { 2025 = 3000 }
baseline = { year = 2021, scale_yi = 900, estimate = true }

[[ecosystems.chains]]
name = "电气"

[[ecosystems.chains.nodes]]
name = "低压电器"
position = "中游"
industry_codes = ["3823"]
keywords = ["断路器", "接触器"]
products = ["低压断路器", "交流接触器"]

[[ecosystems.chains.nodes]]
name = "输配电设备"
position = "中游"
industry_codes = ["3821"]
keywords = ["变压器"]
products = ["干式变压器"]

[[ecosystems]]
name = "时尚产业"
targets = { 2025 = 2500 }
baseline = { year = 2021, scale_yi = 600, estimate = true }

[[ecosystems.chains]]
name = "鞋服"

[[ecosystems.chains.nodes]]
name = "皮鞋"
position = "中游"
industry_codes = ["1951"]
keywords = ["皮鞋"]
products = ["男士皮鞋", "女士皮鞋"]
"""


def test_another_program_is_calibrated_to_its_own_baselines(tmp_path):
    path = tmp_path / "wenzhou.toml"
    path.write_text(PROGRAM, encoding="utf-8")
    summary = generate_demo(3000, 2, program=str(path), out_dir=tmp_path / "out")
    out = tmp_path / "out"
    assert summary.baseline_date == dt.date(2022, 6, 10)
    assert summary.tiers_on_baseline == {
        "zjtx_provincial": 120,
        "hidden_champion_provincial": 9,
        "little_giant_national": 20,
    }
    ents = read_csv(out / "enterprises.csv")
    assert {e["district_code"] for e in ents} == {"330300"}
    assert all(e["uscc"][2:8] == "330300" and e["name"].startswith("温州") for e in ents)
    eco_of = {"电气": "智能装备", "鞋服": "时尚产业"}
    ecos = defaultdict(set)
    for m in read_csv(out / "memberships.csv"):
        ecos[m["uscc"]].add(eco_of[m["chain"]])
    totals = defaultdict(float)
    for r in read_csv(out / "financials.csv"):
        if r["year"] == "2021":
            for eco in ecos[r["uscc"]]:
                totals[eco] += float(r["revenue_wan"])
    assert abs(totals["智能装备"] / 9_000_000 - 1) < 0.02
    assert abs(totals["时尚产业"] / 6_000_000 - 1) < 0.02
