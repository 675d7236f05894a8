"""Bulk demo data for the progress benchmark: N enterprises, six years of figures (2019–2024).

Used by bench/progress_bench.py when the `demo` package has not landed (or for exact control
of N). Deterministic (seeded numpy). Writes with the driver's fastest path: executemany on
SQLite, COPY on PostgreSQL. The built-in program is loaded; chains without nodes get three
generated nodes (上游/中游/下游) so that memberships have somewhere to point.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import select

from chainlead.db import session_scope
from chainlead.db.engine import get_engine
from chainlead.db.models import ChainNodeRow, ChainRow, EcosystemRow
from chainlead.db.versions import bump
from chainlead.program.builtin import load_builtin
from chainlead.program.store import save_program

YEARS = range(2019, 2025)
GROWTH = {"智能物联": 0.095, "生物医药": 0.09, "高端装备": 0.06, "新材料": 0.08, "绿色低碳": 0.12}
SCALE_2021_YI = {"智能物联": 7100, "生物医药": 1600, "高端装备": 4400, "新材料": 1500, "绿色低碳": 1400}


def _nodes(url: str) -> list[tuple[int, int, str]]:
    """(node_id, chain_id, ecosystem name) for the active built-in program, adding nodes if none."""
    with session_scope(url) as s:
        prog = save_program(s, load_builtin("hangzhou-2022"))
        chains = s.execute(
            select(ChainRow.id, EcosystemRow.name).join(EcosystemRow).where(ChainRow.program_id == prog.id)
        ).all()
        for chain_id, _eco in chains:
            if s.scalar(select(ChainNodeRow.id).where(ChainNodeRow.chain_id == chain_id).limit(1)) is None:
                for i, (name, pos) in enumerate(
                    (("原材料与部件", "上游"), ("制造与集成", "中游"), ("应用与服务", "下游"))
                ):
                    s.add(ChainNodeRow(chain_id=chain_id, name=name, position=pos, sort=i))
        s.flush()
        rows = s.execute(
            select(ChainNodeRow.id, ChainNodeRow.chain_id, EcosystemRow.name)
            .join(ChainRow, ChainNodeRow.chain_id == ChainRow.id)
            .join(EcosystemRow, ChainRow.ecosystem_id == EcosystemRow.id)
            .where(ChainRow.program_id == prog.id)
            .order_by(ChainNodeRow.id)
        ).all()
        return [(int(a), int(b), str(c)) for a, b, c in rows]


def build(url: str, n: int, seed: int = 1) -> dict[str, int]:
    """Fill an empty migrated database; returns row counts."""
    rng = np.random.default_rng(seed)
    nodes = _nodes(url)
    node_ids = np.array([x[0] for x in nodes])
    node_chain = np.array([x[1] for x in nodes])
    eco_names = sorted(GROWTH)
    node_eco = np.array([eco_names.index(x[2]) for x in nodes])
    ids = np.arange(1, n + 1)

    # memberships: every enterprise one node; 12% a second node (half in another ecosystem)
    primary = rng.integers(0, len(nodes), n)
    status = rng.choice(["confirmed", "applied", "suggested", "rejected"], n, p=[0.55, 0.33, 0.08, 0.04])
    second_mask = rng.random(n) < 0.12
    second = rng.integers(0, len(nodes), n)
    second_mask &= node_chain[second] != node_chain[primary]

    # figures: entry (80% present from 2019), exits (6%), growth by ecosystem of the primary node
    entry = np.where(rng.random(n) < 0.8, 2019, rng.integers(2020, 2025, n))
    exit_year = np.where(rng.random(n) < 0.06, rng.integers(2021, 2025, n), 9999)
    eco = node_eco[primary]
    base = rng.lognormal(mean=7.0, sigma=1.4, size=n)  # 万元
    counted = (status == "confirmed") | (status == "applied")
    factors = np.ones(len(eco_names))
    for k, name in enumerate(eco_names):
        in_eco = counted & (eco == k)
        total = base[in_eco].sum() * (1 + GROWTH[name]) ** 2 / 10_000
        factors[k] = SCALE_2021_YI[name] / total if total else 1.0
    base *= factors[eco]
    growth = np.array([GROWTH[e] for e in eco_names])[eco]

    fin_rows: list[tuple] = []
    fid = 0
    for year in YEARS:
        present = (entry <= year) & (exit_year > year)
        noise = rng.normal(0, 0.08, n)
        revenue = base * (1 + growth) ** (year - 2019) * np.exp(noise)
        output = revenue * rng.uniform(0.8, 1.05, n)
        for i in np.nonzero(present)[0]:
            fid += 1
            fin_rows.append((fid, int(ids[i]), year, float(revenue[i]), float(output[i])))

    now = dt.datetime(2025, 1, 1)
    ent_rows = [(int(i), f"91330100MA{i:08d}", f"演示企业{i}", "330106", None, now) for i in ids]
    mem_rows: list[tuple] = []
    mid = 0
    for i in range(n):
        mid += 1
        p = primary[i]
        mem_rows.append(
            (mid, int(ids[i]), int(node_ids[p]), int(node_chain[p]), "rule", 0.9, str(status[i]), True, now)
        )
        if second_mask[i]:
            mid += 1
            q = second[i]
            mem_rows.append(
                (mid, int(ids[i]), int(node_ids[q]), int(node_chain[q]), "rule", 0.8, str(status[i]), False, now)
            )

    # qualifications: yearly cohorts, three-year validity (some without expiry)
    qual_rows: list[tuple] = []
    qid = 0
    cohorts = {
        "zjtx_provincial": [60, 90, 160, 420, 700, 800],
        "hidden_champion_provincial": [4, 6, 10, 14, 16, 18],
        "little_giant_national": [8, 12, 20, 40, 50, 60],
    }
    for tier, sizes in cohorts.items():
        for year, size in zip(YEARS, sizes, strict=True):
            for e in rng.choice(ids, size=min(size, n), replace=False):
                qid += 1
                granted = dt.date(year, 6, 30)
                expires = None if rng.random() < 0.1 else dt.date(year + 3, 6, 30)
                qual_rows.append((qid, int(e), tier, granted, expires, "bench"))

    _write(url, ent_rows, fin_rows, mem_rows, qual_rows)
    with session_scope(url) as s:
        bump(s, "enterprises", "financials", "memberships", "qualifications")
    return {
        "enterprises": len(ent_rows),
        "financials": len(fin_rows),
        "memberships": len(mem_rows),
        "qualifications": len(qual_rows),
    }


TABLES = {
    "enterprise": ("id", "uscc", "name", "district_code", "industry_code", "updated_at"),
    "enterprise_financial": ("id", "enterprise_id", "year", "revenue_wan", "output_value_wan"),
    "chain_membership": (
        "id",
        "enterprise_id",
        "node_id",
        "chain_id",
        "source",
        "confidence",
        "status",
        "is_primary",
        "decided_at",
    ),
    "qualification": ("id", "enterprise_id", "tier", "granted_on", "expires_on", "source"),
}


def _write(url: str, *row_sets: list[tuple]) -> None:
    engine = get_engine(url)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        for (table, cols), rows in zip(TABLES.items(), row_sets, strict=True):
            if engine.dialect.name == "sqlite":
                marks = ",".join("?" * len(cols))
                cur.executemany(f"INSERT INTO {table} ({','.join(cols)}) VALUES ({marks})", rows)
            else:
                with cur.copy(f"COPY {table} ({','.join(cols)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        if engine.dialect.name != "sqlite":
            for table in TABLES:
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
                cur.execute(f"ANALYZE {table}")
        else:
            cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
