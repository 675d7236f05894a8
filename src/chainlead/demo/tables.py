"""Chunks as Arrow tables in the interchange format, and the CSV writer (`--out DIR`).

Column names and order are the canonical ones of registry/formats.py; files are UTF-8 with
an unquoted header line, empty cells for unknown values, `true`/`false` for booleans and
ISO dates. Rows come in enterprise order, so the same seed gives byte-identical files.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from chainlead.demo.chunks import FIN_FIELDS, Chunk
from chainlead.demo.facts import BOOL_FACTS, FACT_COLUMNS, FLOAT_FACTS, TEXT_FACTS
from chainlead.demo.plan import Plan
from chainlead.registry.formats import ENTERPRISES, FINANCIALS, MEMBERSHIPS, QUALIFICATIONS

FACTS_NAMES = ("uscc", "year", *FACT_COLUMNS)
FILE_KINDS = ("enterprises", "financials", "qualifications", "memberships", "facts")
HEADERS = {
    "enterprises": tuple(ENTERPRISES.names),
    "financials": tuple(FINANCIALS.names),
    "qualifications": tuple(QUALIFICATIONS.names),
    "memberships": tuple(MEMBERSHIPS.names),
    "facts": FACTS_NAMES,
}


def _num(values: np.ndarray, kind: str) -> pa.Array:
    mask = np.isnan(values)
    if kind == "int":
        return pa.array(np.where(mask, 0, values).astype(np.int64), mask=mask)
    return pa.array(values, mask=mask, type=pa.float64())


def _date(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype("datetime64[D]"), type=pa.date32())


def _key(chunk: Chunk, local: np.ndarray, as_ids: bool) -> pa.Array:
    if as_ids:
        return pa.array(local.astype(np.int64) + chunk.start + 1)
    return pa.array(chunk.uscc[local])


def chunk_tables(chunk: Chunk, plan: Plan, as_ids: bool = False) -> dict[str, pa.Table]:
    """The chunk's rows per file kind; `as_ids` puts database ids where the files have uscc."""
    key = "enterprise_id" if as_ids else "uscc"
    ent_cols = {
        ("id" if as_ids else "uscc"): _key(chunk, np.arange(chunk.size), as_ids),
    }
    if as_ids:
        ent_cols["uscc"] = pa.array(chunk.uscc)
    ent_cols |= {
        "name": pa.array(chunk.name, pa.string()),
        "district_code": pa.array(chunk.district_code),
        "industry_code": pa.array(chunk.industry_code, pa.string()),
        "founded_on": _date(chunk.founded_on),
        "business_scope": pa.array(chunk.business_scope, pa.string()),
        "main_products": pa.array(chunk.main_products, pa.string()),
        "is_above_scale": pa.array(chunk.is_above_scale),
        "is_listed": pa.array(chunk.is_listed),
        "is_high_tech": pa.array(chunk.is_high_tech),
    }
    fin_cols = {key: _key(chunk, chunk.fin_ent, as_ids), "year": pa.array(chunk.fin_year.astype(np.int64))}
    for name, _attr, kind in FIN_FIELDS:
        fin_cols[name] = _num(chunk.fin[name], kind)
    qual_cols = {
        key: _key(chunk, chunk.qual_ent, as_ids),
        "tier": pa.array(chunk.qual_tier, pa.string()),
        "granted_on": _date(chunk.qual_granted),
        "expires_on": _date(chunk.qual_expires),
    }
    chain_names = np.array([c.name for c in plan.chains], dtype=object)
    node_names = np.array([nd.name for nd in plan.nodes], dtype=object)
    mem_cols = {
        key: _key(chunk, chunk.mem_ent, as_ids),
        "chain": pa.array(chain_names[chunk.mem_chain], pa.string()),
        "node": pa.array(node_names[chunk.mem_node], pa.string()),
        "is_primary": pa.array(chunk.mem_primary),
    }
    fact_cols = {key: _key(chunk, chunk.fact_ent, as_ids), "year": pa.array(chunk.fact_year.astype(np.int64))}
    for col in FACT_COLUMNS:
        values = chunk.facts.get(col)
        if values is None:
            values = np.zeros(0)
        if col in BOOL_FACTS:
            fact_cols[col] = pa.array(values.tolist(), type=pa.bool_())
        elif col in TEXT_FACTS:
            fact_cols[col] = pa.array(values.tolist(), type=pa.string())
        else:
            fact_cols[col] = _num(values.astype(float), "float" if col in FLOAT_FACTS else "int")
    return {
        "enterprises": pa.table(ent_cols),
        "financials": pa.table(fin_cols),
        "qualifications": pa.table(qual_cols),
        "memberships": pa.table(mem_cols),
        "facts": pa.table(fact_cols),
    }


def csv_bytes(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pacsv.write_csv(table, buf, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    return buf.getvalue()


class CsvSink:
    """Writes the five interchange files into a folder, chunk by chunk."""

    def __init__(self, out_dir: str | Path, with_facts: bool = True) -> None:
        self.dir = Path(out_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.kinds = FILE_KINDS if with_facts else FILE_KINDS[:4]
        self.files = {k: open(self.dir / f"{k}.csv", "wb") for k in self.kinds}  # noqa: SIM115
        for kind, f in self.files.items():
            f.write((",".join(HEADERS[kind]) + "\n").encode("utf-8"))

    def write(self, tables: dict[str, pa.Table]) -> None:
        for kind in self.kinds:
            table = tables[kind]
            if table.num_rows:
                self.files[kind].write(csv_bytes(table.select(list(HEADERS[kind]))))

    def write_bytes(self, parts: dict[str, bytes]) -> None:
        """Append CSV bytes already serialised (by a worker) per file kind."""
        for kind in self.kinds:
            data = parts.get(kind)
            if data:
                self.files[kind].write(data)

    def close(self) -> None:
        for f in self.files.values():
            f.close()

    def paths(self) -> dict[str, Path]:
        return {k: self.dir / f"{k}.csv" for k in self.kinds}
