"""A small hand-worked fixture (py-ecomplexity style): every expected figure is computed by hand
in docs/progress.md § Worked example and asserted in test_accounting.py.

Enterprises (revenue_wan 2021 / 2022 / 2023) and memberships:
  A 100/110/121  一上 confirmed, 二中 applied        (two chains of 甲生态)
  B 200/220/—    一上 confirmed, 一中 confirmed      (two nodes of 链一; exits in 2023)
  C  50/ 60/ 70  二中 confirmed, 三中 confirmed      (two ecosystems)
  D   —/ 30/ 40  三中 confirmed                      (enters in 2022)
  E 1000 each    一中 suggested                      (not counted)
  F  10/ 10/ 10  一上 confirmed, 二中 rejected       (counted in 链一 only)
  G   no figures 三中 applied                        (member that never reported)
"""

from __future__ import annotations

from chainlead.db import session_scope
from chainlead.db.models import ChainMembership, ChainNodeRow, ChainRow, Enterprise, EnterpriseFinancial
from chainlead.db.versions import bump
from chainlead.program.store import save_program
from chainlead.program.validate import parse_program

PROGRAM = """
[program]
name = "fixture"
title = "手算样例"
region_code = "330100"
base_year = 2021
target_year = 2025
scale_metric = "revenue_wan"

[status_rules]
on_track_min_probability = 0.6
at_risk_min_probability = 0.3

[tier_targets]
year = 2025
zjtx_provincial = 10

[tier_baselines]
as_of = 2022-05-31
zjtx_provincial = 2

[[ecosystems]]
name = "甲生态"
targets = { 2025 = 0.05 }

[[ecosystems.chains]]
name = "链一"
nodes = [ { name = "一上", position = "上游" }, { name = "一中", position = "中游" } ]

[[ecosystems.chains]]
name = "链二"
nodes = [ { name = "二中", position = "中游" } ]

[[ecosystems]]
name = "乙生态"
targets = { 2025 = 0.02 }

[[ecosystems.chains]]
name = "链三"
nodes = [ { name = "三中", position = "中游" } ]
"""

FIGURES = {
    "A": {2021: 100.0, 2022: 110.0, 2023: 121.0},
    "B": {2021: 200.0, 2022: 220.0},
    "C": {2021: 50.0, 2022: 60.0, 2023: 70.0},
    "D": {2022: 30.0, 2023: 40.0},
    "E": {2021: 1000.0, 2022: 1000.0, 2023: 1000.0},
    "F": {2021: 10.0, 2022: 10.0, 2023: 10.0},
    "G": {},
}
MEMBERSHIPS = [
    ("A", "一上", "confirmed"),
    ("A", "二中", "applied"),
    ("B", "一上", "confirmed"),
    ("B", "一中", "confirmed"),
    ("C", "二中", "confirmed"),
    ("C", "三中", "confirmed"),
    ("D", "三中", "confirmed"),
    ("E", "一中", "suggested"),
    ("F", "一上", "confirmed"),
    ("F", "二中", "rejected"),
    ("G", "三中", "applied"),
]


def uscc(letter: str) -> str:
    return f"91330100MA2{ord(letter):03d}XX00"[:18].ljust(18, "0")


def load_fixture(url: str, enterprise_ids: dict[str, int] | None = None) -> dict[str, int]:
    """Load the program and data (with the given enterprise ids, else the database's own);
    returns enterprise ids by letter."""
    with session_scope(url) as s:
        prog = save_program(s, parse_program(PROGRAM, "fixture"))
        nodes = {n.name: n for n in s.query(ChainNodeRow).join(ChainRow).filter(ChainRow.program_id == prog.id)}
        ids: dict[str, int] = {}
        for letter, years in FIGURES.items():
            ent = Enterprise(id=(enterprise_ids or {}).get(letter), uscc=uscc(letter), name=f"企业{letter}")
            s.add(ent)
            s.flush()
            ids[letter] = ent.id
            for year, value in years.items():
                s.add(
                    EnterpriseFinancial(enterprise_id=ent.id, year=year, revenue_wan=value, output_value_wan=value * 2)
                )
        for letter, node, status in MEMBERSHIPS:
            n = nodes[node]
            s.add(
                ChainMembership(
                    enterprise_id=ids[letter], node_id=n.id, chain_id=n.chain_id, source="manual", status=status
                )
            )
        bump(s, "enterprises", "financials", "memberships")
    return ids
