"""Scale accounting (规模核算): the scale metric summed per node, chain, ecosystem and program.

The database hands over two compact inputs as arrays (progress/reading.py): the counted
memberships (only ``confirmed`` and ``applied`` ones of the program's chains) and the metric's
yearly figures. numpy then gives every counted enterprise a *reporting mask* — bit i set when it
reported the metric in year ``first_year + i`` — and forms its (unit, enterprise) pairs: one per
node it is in, one per distinct chain of those nodes, one per distinct ecosystem, one for the
program. That is the counting rule of docs/progress.md: an enterprise in two chains counts in
both chains, once in the ecosystem and once in the program. The pairs are summed per (unit,
mask) — a few thousand groups for a million enterprises — and each group's years are split into
totals, continuing firms, entrants and exits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from chainlead.db.models import ChainNodeRow, ChainRow, EcosystemRow, EnterpriseFinancial
from chainlead.progress.reading import ARROW_MIN_ENTERPRISES, COUNTED_STATUSES, Inputs, read_inputs

__all__ = ["COUNTED_STATUSES", "PROGRAM_KEY", "WAN_PER_YI", "load_structure", "unit_table", "year_range"]

WAN_PER_YI = 10_000.0
PROGRAM_KEY = ("program", 0)
MAX_DENSE_KEYS = 1 << 24  # (unit, mask) keys counted with bincount up to this; np.unique beyond


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
    """First and last year in which anyone reported `metric`.

    Walks the distinct years on ix_financial_year (a few index probes, not a scan) and checks
    from each end for a year with a non-empty figure.
    """
    f, column = EnterpriseFinancial, getattr(EnterpriseFinancial, metric)
    years: list[int] = []
    year = session.scalar(select(func.min(f.year)))
    while year is not None:
        years.append(int(year))
        year = session.scalar(select(func.min(f.year)).where(f.year > year))

    def reported(y: int) -> bool:
        return bool(session.scalar(select(exists().where(f.year == y, column.is_not(None)))))

    first = next((y for y in years if reported(y)), None)
    if first is None:
        return None
    last = next(y for y in reversed(years) if reported(y))
    return first, last


OUT_COLS = (
    "kind", "id", "year", "total", "reporting", "members", "cont_cur", "cont_prev", "cont_n",
    "entrants", "entrants_n", "exits", "exits_n",
)  # fmt: skip
COUNT_COLS = ("reporting", "cont_n", "entrants_n", "exits_n")


def _units(structure: Structure) -> tuple[list[tuple[str, int]], np.ndarray, np.ndarray, np.ndarray]:
    """All units (nodes first, in node-id order) and, per node, its node/chain/ecosystem unit index."""
    node_ids = sorted(structure.node_chain)
    chains = sorted(structure.chain_eco)
    ecos = sorted(set(structure.chain_eco.values()))
    units = [("node", n) for n in node_ids] + [("chain", c) for c in chains] + [("ecosystem", e) for e in ecos]
    index = {u: i for i, u in enumerate(units)}
    chain_of = np.array([index[("chain", structure.node_chain[n])] for n in node_ids], dtype=np.int64)
    eco_of = np.array(
        [index[("ecosystem", structure.chain_eco[structure.node_chain[n]])] for n in node_ids], dtype=np.int64
    )
    return [*units, PROGRAM_KEY], np.array(node_ids, dtype=np.int64), chain_of, eco_of


def _firm_index(member_eid: np.ndarray, figure_eid: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """(n, firm of each membership, firm of each figure row): counted enterprises numbered 0…n−1
    in id order; figure rows of enterprises that are not counted get n (a spare slot).

    A lookup table when ids are dense (primary keys usually are), a binary search otherwise.
    """
    top = int(max(member_eid.max(initial=-1), figure_eid.max(initial=-1))) + 1
    if top <= 8 * (len(member_eid) + len(figure_eid)) + 1024:
        present = np.zeros(top, dtype=bool)
        present[member_eid] = True
        table = np.cumsum(present, dtype=np.int32 if top < 2**31 else np.int64) - 1
        n = int(table[-1]) + 1 if top else 0
        table[~present] = n
        return n, table[member_eid], table[figure_eid]
    firms = np.unique(member_eid)
    pos = np.searchsorted(firms, figure_eid)
    found = pos < len(firms)  # past the last counted id: not counted (and no firm to compare)
    found[found] = firms[pos[found]] == figure_eid[found]
    pos[~found] = len(firms)
    return len(firms), np.searchsorted(firms, member_eid), pos


def _distinct(keys: np.ndarray) -> np.ndarray:
    keys = np.sort(keys)
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys


def _firm_values(inputs: Inputs, firm: np.ndarray, n_firms: int, n_years: int) -> tuple[np.ndarray, np.ndarray]:
    """(values, mask): (years × firms+1) figures of the counted firms (0 where not reported) and
    each firm's reporting mask (bit y set when it reported in year y of the window). `firm`
    numbers the figure rows; n_firms (not counted) is a spare column, left out of the sums.

    Written to touch little fresh memory: on a VM every new page costs a fault to the host.
    """
    stride = n_firms + 1
    values = np.zeros((n_years, stride))
    reported = np.zeros((n_years, stride), dtype=np.uint8)
    if inputs.year_index is None:  # per-enterprise pivot, NaN = not reported
        for y in range(n_years):
            seen = ~np.isnan(inputs.values[y])
            values[y][firm] = np.where(seen, inputs.values[y], 0.0)
            reported[y][firm] = seen
    else:  # raw rows; (enterprise, year) is unique
        flat: np.ndarray = inputs.year_index.astype(np.int64 if n_years * stride >= 2**31 else np.int32)
        np.multiply(flat, stride, out=flat)
        np.add(flat, firm, out=flat, casting="unsafe")  # in place: no further 5 M-row temporaries
        values.reshape(-1)[flat] = inputs.values
        reported.reshape(-1)[flat] = 1
    mask = np.zeros(stride, dtype=np.int64)
    for y in range(n_years):
        mask |= reported[y].astype(np.int64) << y
    mask[n_firms] = 0
    return values, mask


def _sum_by(key: np.ndarray, columns: list[np.ndarray | None], size: int) -> tuple[np.ndarray, np.ndarray]:
    """(distinct keys, per-key sums of each column); column 0 counts (None = count the rows).

    bincount over the dense key space [0, size) when it is small, np.unique otherwise.
    """
    if size <= MAX_DENSE_KEYS:
        sums = np.stack([np.bincount(key, weights=c, minlength=size) for c in columns])
        present = np.flatnonzero(sums[0])
        return present, sums[:, present]
    keys, inverse = np.unique(key, return_inverse=True)
    return keys, np.stack([np.bincount(inverse, weights=c, minlength=len(keys)) for c in columns])


def group_table(inputs: Inputs, structure: Structure, n_years: int) -> tuple[pd.DataFrame, np.ndarray]:
    """(groups, members): per (unit, mask) the firm count `n` and yearly sums `v0…`; members per unit.

    Every counted firm is credited once to each node it is in, each distinct chain and ecosystem
    of those nodes, and the program (mask 0 = no figure in the window; kept out of `groups`).
    Most firms are in one node: they are summed per (node, mask) once and those sums rolled up to
    chains, ecosystems and the program; firms in several nodes get one (unit, firm) pair per
    distinct unit.
    """
    units, node_ids, chain_of, eco_of = _units(structure)
    program_of = np.full(len(node_ids), len(units) - 1, dtype=np.int64)
    node_of = np.full(int(max(node_ids.max(initial=-1), inputs.member_node.max(initial=-1))) + 1, -1, dtype=np.int64)
    node_of[node_ids] = np.arange(len(node_ids))
    node = node_of[inputs.member_node]
    keep = node >= 0  # memberships of nodes of the program's chains only
    node = node[keep]
    n_firms, firm, figure_firm = _firm_index(inputs.member_eid[keep], inputs.figure_eid)
    values, mask = _firm_values(inputs, figure_firm, n_firms, n_years)
    size = len(units) << n_years

    # firms in one node: summed per (node, mask) straight from the per-firm arrays (no gather)
    count = np.bincount(firm, minlength=n_firms + 1)
    single = count[firm] == 1
    key = np.full(n_firms + 1, size, dtype=np.int64)  # `size` = not summed here
    key[firm[single]] = (node[single] << n_years) | mask[firm[single]]
    keys, sums = _sum_by(key, [None, *values], size + 1)
    keep_keys = keys < size
    parts = [(keys[keep_keys], sums[:, keep_keys])]
    node_unit, node_mask = parts[0][0] >> n_years, parts[0][0] & ((1 << n_years) - 1)
    for level in (chain_of, eco_of, program_of):  # … and rolled up
        parts.append(_sum_by((level[node_unit] << n_years) | node_mask, list(parts[0][1]), size))

    # firms in several nodes: one (unit, firm) pair per distinct unit
    multi_node, multi_firm = node[~single], firm[~single]
    pair_unit, pair_firm = [multi_node], [multi_firm]
    for level in (chain_of, eco_of, program_of):
        pairs = _distinct(level[multi_node] * n_firms + multi_firm)
        pair_unit.append(pairs // n_firms)
        pair_firm.append(pairs % n_firms)
    unit, pair = np.concatenate(pair_unit), np.concatenate(pair_firm)
    parts.append(_sum_by((unit << n_years) | mask[pair], [None, *(v[pair] for v in values)], size))

    keys, sums = _sum_by(
        np.concatenate([k for k, _ in parts]),
        [np.concatenate([s[i] for _, s in parts]) for i in range(n_years + 1)],
        size,
    )
    members = np.bincount(keys >> n_years, weights=sums[0], minlength=len(units)).round().astype(np.int64)
    groups = pd.DataFrame({"unit": keys >> n_years, "mask": keys & ((1 << n_years) - 1), "n": sums[0].round()})
    for y in range(n_years):
        groups[f"v{y}"] = sums[y + 1]
    return groups[groups["mask"] != 0].reset_index(drop=True), members


def unit_year_table(groups: pd.DataFrame, members: np.ndarray, structure: Structure, years: list[int]) -> pd.DataFrame:
    """Per unit (kind, id) and year: total, reporting, continuing, entrant and exit sums (万元)."""
    units = _units(structure)[0]
    size = len(units)
    g_idx = groups["unit"].to_numpy(dtype=np.int64)
    mask = groups["mask"].to_numpy(dtype=np.int64)
    n = groups["n"].to_numpy(dtype=float)
    values = [groups[f"v{i}"].to_numpy(dtype=float) for i in range(len(years))]
    out: dict[str, list[np.ndarray]] = {c: [] for c in OUT_COLS}
    for i, y in enumerate(years):
        bit = (mask >> i) & 1 == 1
        prev = ((mask >> (i - 1)) & 1 == 1) if i > 0 else np.zeros_like(bit)
        cur_v = values[i]
        prev_v = values[i - 1] if i > 0 else np.zeros_like(cur_v)
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
        out["members"].append(members.astype(float))
        out["year"].append(np.full(size, y))
    table = pd.DataFrame({c: np.concatenate(v) for c, v in out.items() if v})
    table.insert(0, "id", [k[1] for k in units] * len(years))
    table.insert(0, "kind", [k[0] for k in units] * len(years))
    for col in (*COUNT_COLS, "members", "year", "id"):
        table[col] = table[col].round().astype(int)
    return table[table["members"] > 0][list(OUT_COLS)].reset_index(drop=True)


def unit_table(
    session: Session,
    structure: Structure,
    metric: str,
    years: list[int],
    reader: str = "auto",
    parts: int | None = None,
    arrow_min: int = ARROW_MIN_ENTERPRISES,
) -> pd.DataFrame:
    """The unit-year table of `metric` over `years` (the whole accounting; see the module docstring;
    the last three arguments are those of reading.read_inputs)."""
    if not structure.chain_eco or not years:
        return pd.DataFrame(columns=list(OUT_COLS))
    inputs = read_inputs(session, metric, years, sorted(structure.chain_eco), reader, parts, arrow_min)
    groups, members = group_table(inputs, structure, len(years))
    return unit_year_table(groups, members, structure, years)
