"""Each enterprise is consistent with its chain node, its district weights, its size and titles."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from chainlead.program.builtin import load_builtin
from chainlead.reference.industry import industry, is_industry_class
from chainlead.registry.formats import FORMATS
from tests.demo.conftest import read_csv

PROGRAM = load_builtin("hangzhou-2022").program
NODES = {(chain.name, node.name): node for _eco, chain in PROGRAM.chains() for node in chain.nodes}


def _codes(node):
    return set(node.industry_codes) | set(node.partial_codes)


def test_files_have_the_canonical_headers(demo5000):
    _, out = demo5000
    for kind in ("enterprises", "financials", "qualifications", "memberships"):
        with (out / f"{kind}.csv").open(encoding="utf-8") as f:
            header = f.readline().strip().split(",")
        assert header == FORMATS[kind].names
        known = FORMATS[kind].header_map()
        assert all(known[h] == h for h in header)
    with (out / "facts.csv").open(encoding="utf-8") as f:
        header = f.readline().strip().split(",")
    assert header[:3] == ["uscc", "year", "niche_since_year"] and header[-1] == "major_incident_3y"


def test_industry_code_and_words_come_from_the_primary_node(demo5000):
    _, out = demo5000
    ents = {r["uscc"]: r for r in read_csv(out / "enterprises.csv")}
    for m in read_csv(out / "memberships.csv"):
        node = NODES[(m["chain"], m["node"])]
        ent = ents[m["uscc"]]
        words = set(node.products) | set(node.keywords)
        products = {p.split(":")[0] for p in ent["main_products"].split(";")}
        if m["is_primary"] == "true":
            assert is_industry_class(ent["industry_code"])
            assert ent["industry_code"] in _codes(node)
            assert products & set(node.products), (ent["main_products"], node.name)
            assert any(w in ent["business_scope"] for w in node.keywords)
        else:  # the second chain's node is named too
            assert products & words or any(w in ent["business_scope"] for w in words)


def test_main_product_shares_are_well_formed(demo5000):
    _, out = demo5000
    for ent in read_csv(out / "enterprises.csv"):
        items = ent["main_products"].split(";")
        if ":" in items[0]:
            shares = [float(x.split(":")[1]) for x in items]
            assert all(0 <= s <= 1 for s in shares) and sum(shares) <= 1.01


def test_districts_follow_the_chain_weights(demo5000):
    _, out = demo5000
    ents = {r["uscc"]: r for r in read_csv(out / "enterprises.csv")}
    by_chain = defaultdict(Counter)
    for m in read_csv(out / "memberships.csv"):
        if m["is_primary"] == "true":
            by_chain[m["chain"]][ents[m["uscc"]]["district_code"]] += 1
    assert by_chain["视觉智能"].most_common(1)[0][0] == "330108"  # 滨江
    assert by_chain["药品"].most_common(1)[0][0] == "330114"  # 钱塘
    assert by_chain["汽车及零部件"].most_common(1)[0][0] == "330109"  # 萧山
    assert by_chain["云计算大数据"].most_common(1)[0][0] == "330110"  # 余杭


def test_figures_are_consistent_with_each_other(demo5000):
    _, out = demo5000
    previous = {}
    for r in read_csv(out / "financials.csv"):
        rev = float(r["revenue_wan"])
        assert rev > 0
        assert 0 <= float(r["rd_expense_wan"]) <= rev
        assert float(r["main_business_revenue_wan"]) <= rev + 0.01
        assert float(r["total_liabilities_wan"]) < float(r["total_assets_wan"])
        assert float(r["tax_wan"]) >= 0
        staff = int(r["employees"])
        assert staff >= 1
        if r["rd_employees"]:
            assert int(r["rd_employees"]) <= staff
        patents, ip = int(r["invention_patents"]), int(r["ip_total"])
        assert patents <= ip
        last = previous.get(r["uscc"])
        if last is not None:  # patent stocks never shrink
            assert last[0] == int(r["year"]) - 1 and patents >= last[1]
        previous[r["uscc"]] = (int(r["year"]), patents)


def test_title_holders_meet_the_rd_and_debt_floors(demo5000):
    _, out = demo5000
    quals = defaultdict(set)
    for q in read_csv(out / "qualifications.csv"):
        quals[q["uscc"]].add(q["tier"])
    checked = 0
    for r in read_csv(out / "financials.csv"):
        tiers = quals.get(r["uscc"], set())
        rev = float(r["revenue_wan"])
        if rev < 100:
            continue
        ratio = float(r["rd_expense_wan"]) / rev
        debt = float(r["total_liabilities_wan"]) / float(r["total_assets_wan"])
        if tiers & {"zjtx_provincial", "little_giant_national", "hidden_champion_provincial"}:
            assert ratio >= 0.0299 and debt <= 0.6801
            checked += 1
        if "little_giant_national" in tiers:
            assert int(r["invention_patents"]) >= 2
        if "high_tech" in tiers:
            assert ratio >= 0.0299
    assert checked > 300


def test_facts_agree_with_titles_and_figures(demo5000):
    _, out = demo5000
    quals = defaultdict(set)
    for q in read_csv(out / "qualifications.csv"):
        quals[q["uscc"]].add(q["tier"])
    patents = {(r["uscc"], r["year"]): int(r["invention_patents"]) for r in read_csv(out / "financials.csv")}
    founded = {r["uscc"]: int(r["founded_on"][:4]) for r in read_csv(out / "enterprises.csv")}
    first_giant = {}
    for q in read_csv(out / "qualifications.csv"):
        if q["tier"] == "little_giant_national":
            year = int(q["granted_on"][:4])
            first_giant[q["uscc"]] = min(year, first_giant.get(q["uscc"], year))
    facts = read_csv(out / "facts.csv")
    assert facts and {f["year"] for f in facts} == {"2021", "2022", "2023", "2024"}
    unknown = 0
    for f in facts:
        assert (f["uscc"], f["year"]) in patents  # facts only for active years
        if f["ip_class1"]:
            assert int(f["ip_class1"]) == patents[(f["uscc"], f["year"])]
        unknown += sum(1 for v in f.values() if v == "")
        if "little_giant_national" in quals[f["uscc"]]:
            assert f["national_market_share_pct"] == "" or float(f["national_market_share_pct"]) >= 10
            assert f["on_dishonesty_list"] in ("", "false")
            # in the niche at least 3 years before the first 小巨人 grant
            assert f["niche_since_year"] == "" or int(f["niche_since_year"]) <= first_giant[f["uscc"]] - 3
        if f["niche_since_year"]:
            assert founded[f["uscc"]] <= int(f["niche_since_year"]) <= int(f["year"])
        if f["digital_level"]:
            assert 1 <= int(f["digital_level"]) <= 4
    assert unknown > 0  # some cells are unknown on purpose


def test_enterprises_founded_before_their_figures(demo5000):
    _, out = demo5000
    founded = {r["uscc"]: dt.date.fromisoformat(r["founded_on"]) for r in read_csv(out / "enterprises.csv")}
    years = defaultdict(list)
    for r in read_csv(out / "financials.csv"):
        years[r["uscc"]].append(int(r["year"]))
    for uscc, ys in years.items():
        assert min(ys) >= founded[uscc].year
        assert ys == list(range(min(ys), max(ys) + 1))  # no gaps: entries and exits only
    entries = sum(1 for ys in years.values() if min(ys) > 2019)
    exits = sum(1 for ys in years.values() if max(ys) < 2024)
    assert entries > 100 and exits > 100


def test_flags_agree_with_titles_and_figures(demo5000):
    _, out = demo5000
    end = dt.date(2024, 12, 31)
    valid_high_tech = {
        q["uscc"]
        for q in read_csv(out / "qualifications.csv")
        if q["tier"] == "high_tech"
        and dt.date.fromisoformat(q["granted_on"]) <= end <= dt.date.fromisoformat(q["expires_on"])
    }
    last_revenue = {}
    for r in read_csv(out / "financials.csv"):
        last_revenue[r["uscc"]] = max(last_revenue.get(r["uscc"], 0.0), float(r["revenue_wan"]))
    for ent in read_csv(out / "enterprises.csv"):
        assert (ent["is_high_tech"] == "true") == (ent["uscc"] in valid_high_tech)
        if ent["is_above_scale"] == "true":
            assert last_revenue[ent["uscc"]] >= 500  # the lowest 规上 threshold (retail)
        elif industry(ent["industry_code"]).is_manufacturing:
            assert last_revenue.get(ent["uscc"], 0.0) < 2000  # 规上 industry: revenue ≥ 2000万
