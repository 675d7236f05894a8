"""Scale accounting (规模核算): the scale metric summed per node, chain, ecosystem and program.

One pass over the data, pushed into SQL. Every counted enterprise gets a *signature* — the set
of chain nodes it is a member of (only ``confirmed`` and ``applied`` memberships of the
program's chains) — and a *reporting mask* — bit i set when it reported the metric in year
``first_year + i``. The database returns, per (signature, mask), the number of enterprises and
the per-year sums (a few thousand rows for a million enterprises). pandas then credits each
group once to every node in its signature, once to every chain those nodes belong to, once to
every ecosystem and once to the program. That is the counting rule of docs/progress.md: an
enterprise in two chains counts in both chains, once in the ecosystem and once in the program.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from chainlead.db.models import ChainNodeRow, ChainRow, EcosystemRow, Enterprise, EnterpriseFinancial

COUNTED_STATUSES = ("confirmed", "applied")
WAN_PER_YI = 10_000.0
PROGRAM_KEY = ("program", 0)
PARALLEL_MIN_ENTERPRISES = 200_000  # below this one connection is faster than starting threads
MAX_PARTS = 4


@dataclass(frozen=True)
class Structure:
    """Nodes, chains and ecosystems of one program revision, by id."""

    node_chain: dict[int, int]
    chain_eco: dict[int, int]
    names: dict[tuple[str, int], str]  # ("node"|"chain"|"ecosystem", id) → name
    parents: dict[tuple[str, int], tuple[str, int]]  # node → chain → ecosystem → program


def load_structure(session: Session, program_id: int) -> Structure:
    names: dict[tuple[str, int], str] = {PROGRAM_KEY: "全部生态圈"}
    parents: dict[tuple[str, int], tuple[str, int]] = {}
    chain_eco: dict[int, int] = {}
    for eid, name in session.execute(
        select(EcosystemRow.id, EcosystemRow.name).where(EcosystemRow.program_id == program_id)
    ):
        names[("ecosystem", eid)] = name
        parents[("ecosystem", eid)] = PROGRAM_KEY
    for cid, eid, name in session.execute(
        select(ChainRow.id, ChainRow.ecosystem_id, ChainRow.name).where(ChainRow.program_id == program_id)
    ):
        names[("chain", cid)] = name
        parents[("chain", cid)] = ("ecosystem", eid)
        chain_eco[cid] = eid
    node_chain: dict[int, int] = {}
    for nid, cid, name in session.execute(
        select(ChainNodeRow.id, ChainNodeRow.chain_id, ChainNodeRow.name).where(ChainNodeRow.chain_id.in_(chain_eco))
    ):
        names[("node", nid)] = name
        parents[("node", nid)] = ("chain", cid)
        node_chain[nid] = cid
    return Structure(node_chain, chain_eco, names, parents)


def year_range(session: Session, metric: str) -> tuple[int, int] | None:
    column = getattr(EnterpriseFinancial, metric)
    lo, hi = session.execute(
        select(func.min(EnterpriseFinancial.year), func.max(EnterpriseFinancial.year)).where(column.is_not(None))
    ).one()
    return None if lo is None else (int(lo), int(hi))


def _sql(
    dialect: str, metric: str, years: list[int], chain_ids: list[int], id_range: tuple[int, int] | None = None
) -> tuple[str, str]:
    """(signature query, grouped query) for the dialect; `metric` is a checked column name.

    The grouped query returns one row per (signature, mask) with the enterprise count and the
    yearly sums; members without any figure in the window come back with mask 0.
    """
    y0 = years[0]
    mask = " + ".join(f"(CASE WHEN v{y} IS NULL THEN 0 ELSE {1 << (y - y0)} END)" for y in years)
    sums = ", ".join(f"SUM(v{y})" for y in years)
    chains = ",".join(str(int(c)) for c in chain_ids)
    statuses = ",".join(f"'{s}'" for s in COUNTED_STATUSES)
    ids = f" AND enterprise_id BETWEEN {int(id_range[0])} AND {int(id_range[1])}" if id_range else ""
    select_groups = f"SELECT sig, {mask} AS mask, COUNT(*) AS n, {sums}"
    if dialect == "sqlite":
        # `+col` keeps SQLite on the covering indexes of migration 0002 (enterprise order, no sorter)
        # instead of ix_membership_chain_status / ix_financial_year
        sig = (
            f"SELECT enterprise_id, group_concat(node_id) AS sig FROM chain_membership "
            f"WHERE +status IN ({statuses}) AND +chain_id IN ({chains}){ids} GROUP BY enterprise_id"
        )
        pivot = ", ".join(f"SUM(CASE WHEN f.year = {y} THEN f.{metric} END) AS v{y}" for y in years)
        per_firm = (
            f"SELECT m.sig AS sig, {pivot} FROM temp.progress_sig m LEFT JOIN enterprise_financial f "
            f"ON f.enterprise_id = m.enterprise_id AND +f.year BETWEEN {years[0]} AND {years[-1]} "
            f"AND f.{metric} IS NOT NULL GROUP BY m.enterprise_id"
        )
        return sig, f"{select_groups} FROM ({per_firm}) GROUP BY 1, 2"
    sig = (
        f"SELECT enterprise_id, string_agg(node_id::text, ',') AS sig "  # order normalised in pandas
        f"FROM chain_membership WHERE status IN ({statuses}) AND chain_id IN ({chains}){ids} GROUP BY enterprise_id"
    )
    pivot = ", ".join(f"SUM(CASE WHEN year = {y} THEN {metric} END) AS v{y}" for y in years)
    per_firm = (
        f"SELECT enterprise_id, {pivot} FROM enterprise_financial "
        f"WHERE year BETWEEN {years[0]} AND {years[-1]} AND {metric} IS NOT NULL{ids} GROUP BY enterprise_id"
    )
    grouped = (
        f"WITH m AS ({sig}), f AS ({per_firm}) {select_groups} FROM m LEFT JOIN f USING (enterprise_id) GROUP BY 1, 2"
    )
    return sig, grouped


def _norm_sig(sig: str) -> str:
    return ",".join(sorted(sig.split(","), key=int))


def _sqlite_part(conn: Connection, sig_sql: str, grouped_sql: str) -> list[tuple[Any, ...]]:
    conn.exec_driver_sql("DROP TABLE IF EXISTS temp.progress_sig")
    conn.exec_driver_sql("CREATE TEMP TABLE progress_sig (enterprise_id INTEGER PRIMARY KEY, sig TEXT)")
    conn.exec_driver_sql(f"INSERT INTO temp.progress_sig {sig_sql}")
    rows = [tuple(r) for r in conn.exec_driver_sql(grouped_sql).all()]
    conn.exec_driver_sql("DROP TABLE temp.progress_sig")
    return rows


def _sqlite_parallel(session: Session, metric: str, years: list[int], chain_ids: list[int], parts: int):
    """Split the enterprise-id range over `parts` connections run in threads (SQLite is single-core
    per connection; the sqlite3 driver releases the GIL while a statement runs)."""
    lo, hi = session.execute(select(func.min(Enterprise.id), func.max(Enterprise.id))).one()
    if lo is None:
        return []
    step = (hi - lo) // parts + 1
    bounds = [(lo + i * step, min(hi, lo + (i + 1) * step - 1)) for i in range(parts)]
    engine = session.get_bind()

    def run(bound: tuple[int, int]) -> list[tuple[Any, ...]]:
        sig_sql, grouped_sql = _sql("sqlite", metric, years, chain_ids, bound)
        with engine.connect() as conn:  # type: ignore[union-attr]
            rows = _sqlite_part(conn, sig_sql, grouped_sql)
            conn.rollback()
            return rows

    with ThreadPoolExecutor(max_workers=parts) as pool:
        return [row for rows in pool.map(run, bounds) for row in rows]


def load_groups(
    session: Session, metric: str, years: list[int], chain_ids: list[int], parts: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(groups, members): per (signature, mask) counts and yearly sums in 万元; members per signature.

    On a file SQLite database with more than PARALLEL_MIN_ENTERPRISES enterprises the pass is split
    over one connection per core (`parts` forces a number, for tests and benchmarks).
    """
    cols = ["sig", "mask", "n", *[f"v{y}" for y in years]]
    if not chain_ids:
        return pd.DataFrame(columns=cols), pd.DataFrame(columns=["sig", "members"])
    bind = session.get_bind()
    dialect = bind.dialect.name
    if dialect == "sqlite":
        if parts is None:
            file_db = bool(bind.url.database) and bind.url.database != ":memory:"  # type: ignore[union-attr]
            many = file_db and (session.scalar(select(func.max(Enterprise.id))) or 0) > PARALLEL_MIN_ENTERPRISES
            parts = min(os.cpu_count() or 1, MAX_PARTS) if many else 1
        if parts > 1:
            rows = _sqlite_parallel(session, metric, years, chain_ids, parts)
        else:
            sig_sql, grouped_sql = _sql(dialect, metric, years, chain_ids)
            rows = _sqlite_part(session.connection(), sig_sql, grouped_sql)
    else:
        # For this transaction only. JIT compiling costs ~0.8 s and saves nothing here. Both per-firm
        # aggregates stream out of the covering indexes in enterprise order, so a merge join keeps the
        # pass streaming (a hash join of ~1M firms spills). The final grouping is ~1 row per 20 firms
        # but the planner overestimates it wildly; 32 MB keeps it in memory. A larger work_mem makes
        # the planner hash-aggregate 5M financial rows instead, which is several times slower.
        session.execute(text("SET LOCAL jit = off"))
        session.execute(text("SET LOCAL enable_hashjoin = off"))
        session.execute(text("SET LOCAL work_mem = '32MB'"))
        rows = [tuple(r) for r in session.execute(text(_sql(dialect, metric, years, chain_ids)[1])).all()]
    table = pd.DataFrame(rows, columns=cols)
    table["sig"] = table["sig"].map(_norm_sig)
    value_cols = [f"v{y}" for y in years]
    table[value_cols] = table[value_cols].astype(float)
    table = table.groupby(["sig", "mask"], as_index=False).sum()
    # With as_index=False the per-group sum is a DataFrame (sig, n); the stubs type it as a Series.
    members = cast(pd.DataFrame, table.groupby("sig", as_index=False)["n"].sum()).rename(columns={"n": "members"})
    groups = table[table["mask"] != 0].reset_index(drop=True)
    return groups, members


def _units_of(sig: str, structure: Structure) -> list[tuple[str, int]]:
    nodes = [int(s) for s in sig.split(",") if int(s) in structure.node_chain]
    chains = {structure.node_chain[n] for n in nodes}
    ecos = {structure.chain_eco[c] for c in chains}
    units = [("node", n) for n in nodes] + [("chain", c) for c in sorted(chains)]
    return units + [("ecosystem", e) for e in sorted(ecos)] + ([PROGRAM_KEY] if nodes else [])


OUT_COLS = (
    "kind", "id", "year", "total", "reporting", "members", "cont_cur", "cont_prev", "cont_n",
    "entrants", "entrants_n", "exits", "exits_n",
)  # fmt: skip
COUNT_COLS = ("reporting", "cont_n", "entrants_n", "exits_n")


def _explode(sigs: list[str], sig_units: dict[str, list[tuple[str, int]]], units: dict[tuple[str, int], int]):  # type: ignore[no-untyped-def]
    """(row index, unit index) pairs: each group credited once to each of its units."""
    rows, idx = [], []
    for i, sig in enumerate(sigs):
        for unit in sig_units[sig]:
            rows.append(i)
            idx.append(units.setdefault(unit, len(units)))
    return np.array(rows, dtype=np.int64), np.array(idx, dtype=np.int64)


def unit_year_table(
    groups: pd.DataFrame, members: pd.DataFrame, structure: Structure, years: list[int]
) -> pd.DataFrame:
    """Per unit (kind, id) and year: total, reporting, continuing, entrant and exit sums (万元)."""
    if groups.empty and members.empty:
        return pd.DataFrame(columns=list(OUT_COLS))
    sig_units = {s: _units_of(s, structure) for s in set(groups["sig"]) | set(members["sig"])}
    units: dict[tuple[str, int], int] = {}
    m_rows, m_idx = _explode(list(members["sig"]), sig_units, units)
    g_rows, g_idx = _explode(list(groups["sig"]), sig_units, units)
    size = len(units)
    member_counts = np.bincount(m_idx, weights=members["members"].to_numpy(dtype=float)[m_rows], minlength=size)
    mask = groups["mask"].to_numpy(dtype=np.int64)[g_rows]
    n = groups["n"].to_numpy(dtype=float)[g_rows]
    values = {y: groups[f"v{y}"].fillna(0.0).to_numpy(dtype=float)[g_rows] for y in years}
    y0 = years[0]
    out: dict[str, list[np.ndarray]] = {c: [] for c in OUT_COLS}
    for y in years:
        bit = (mask >> (y - y0)) & 1 == 1
        prev = ((mask >> (y - 1 - y0)) & 1 == 1) if y > y0 else np.zeros_like(bit)
        cur_v = values[y]
        prev_v = values[y - 1] if y > y0 else np.zeros_like(cur_v)
        parts = {
            "total": np.where(bit, cur_v, 0.0),
            "reporting": np.where(bit, n, 0.0),
            "cont_cur": np.where(bit & prev, cur_v, 0.0),
            "cont_prev": np.where(bit & prev, prev_v, 0.0),
            "cont_n": np.where(bit & prev, n, 0.0),
            "entrants": np.where(bit & ~prev, cur_v, 0.0),
            "entrants_n": np.where(bit & ~prev, n, 0.0),
            "exits": np.where(~bit & prev, prev_v, 0.0),
            "exits_n": np.where(~bit & prev, n, 0.0),
        }
        for col, weights in parts.items():
            out[col].append(np.bincount(g_idx, weights=weights, minlength=size))
        out["members"].append(member_counts)
        out["year"].append(np.full(size, y))
    keys = list(units)
    table = pd.DataFrame({c: np.concatenate(v) for c, v in out.items() if v})
    table.insert(0, "id", [k[1] for k in keys] * len(years))
    table.insert(0, "kind", [k[0] for k in keys] * len(years))
    for col in (*COUNT_COLS, "members", "year", "id"):
        table[col] = table[col].round().astype(int)
    return table[list(OUT_COLS)]
