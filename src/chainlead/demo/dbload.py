"""Bulk loading of demo chunks into the database (SQLite executemany, PostgreSQL COPY).

Everything happens in one transaction on one connection: the program is stored with
program.store.save_program, an import batch records the run, all rows are written, and the
data versions of every area written are bumped before the commit, so a failed or interrupted
run leaves the database as it was.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from chainlead.db.models import ChainNodeRow, ChainRow, Enterprise, ImportBatch, utcnow
from chainlead.db.versions import bump
from chainlead.demo.chunks import Chunk
from chainlead.demo.plan import DemoError, Plan
from chainlead.demo.tables import chunk_tables, csv_bytes
from chainlead.program.store import save_program
from chainlead.program.validate import LoadedProgram

DEMO_TABLES = ("chain_membership", "enterprise_fact", "qualification", "enterprise_financial", "enterprise")
AREAS = ("enterprises", "financials", "qualifications", "memberships", "facts")
TABLE_OF = {
    "enterprises": "enterprise",
    "financials": "enterprise_financial",
    "qualifications": "qualification",
    "memberships": "chain_membership",
    "facts": "enterprise_fact",
}


def _to_list(col: pa.ChunkedArray) -> list[Any]:
    t = col.type
    if pa.types.is_floating(t) or pa.types.is_integer(t):
        return col.to_numpy(zero_copy_only=False).tolist()
    if pa.types.is_date(t):
        return col.to_numpy(zero_copy_only=False).astype("datetime64[D]").astype(str).tolist()
    return col.to_pylist()


class DbSink:
    """Receives chunks and writes them with the back-end's fastest bulk path."""

    def __init__(self, conn: Connection, plan: Plan, loaded: LoadedProgram, replace: bool, meta: dict[str, Any]):
        self.conn = conn
        self.plan = plan
        self.sqlite = conn.dialect.name == "sqlite"
        self.session = Session(bind=conn, expire_on_commit=False)
        if replace:
            self._empty()
        elif self.session.scalar(select(func.count()).select_from(Enterprise)):
            raise DemoError(
                "数据库中已有企业数据；如要用演示数据替换，请加 --replace（会清空企业、年度数据、称号、挂链和事实表）",
                "the database already holds enterprises; add --replace to empty the enterprise, figures, "
                "titles, membership and facts tables first",
            )
        self.indexes = self._drop_indexes()
        program_row = save_program(self.session, loaded)
        self.node_ids, self.chain_ids = self._node_ids(program_row.id)
        now = utcnow()
        self.batch = ImportBatch(
            kind="demo",
            file_name=f"demo-data seed={meta['seed']} n={meta['n']}",
            file_hash=meta.get("hash", ""),
            unit="万元",
            mode="demo",
            user="demo-data",
            status="running",
            started_at=now,
            report=meta,
        )
        self.session.add(self.batch)
        self.session.flush()
        self.now = now.isoformat(sep=" ")
        self.rows = dict.fromkeys(AREAS, 0)

    def _empty(self) -> None:
        if self.sqlite:
            for table in DEMO_TABLES:
                self.conn.exec_driver_sql(f"DELETE FROM {table}")
            return
        nested = self.conn.begin_nested()
        try:
            self.conn.exec_driver_sql(f"TRUNCATE {', '.join(DEMO_TABLES)} RESTART IDENTITY")
            nested.commit()
        except Exception:  # other tables reference enterprise: delete instead (cascades apply)
            nested.rollback()
            for table in DEMO_TABLES:
                self.conn.exec_driver_sql(f"DELETE FROM {table}")

    def _drop_indexes(self) -> list[str]:
        """Drop the plain (non-unique) indexes of the demo tables; recreated sorted after the load."""
        tables = {f"t{i}": t for i, t in enumerate(DEMO_TABLES)}
        names = ", ".join(f":{k}" for k in tables)
        if self.sqlite:
            query = (
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({names}) AND sql NOT LIKE :unique"
            )
        else:
            query = (
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                f"AND tablename IN ({names}) AND indexdef NOT LIKE :unique "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
            )
        rows = self.conn.execute(text(query), {**tables, "unique": "CREATE UNIQUE%"}).all()
        for name, _sql in rows:
            self.conn.exec_driver_sql(f'DROP INDEX "{name}"')
        restore = [sql for _name, sql in sorted(rows)]
        if not self.sqlite:
            # Row-by-row foreign-key triggers dominate COPY time; one validation pass at the end is
            # far cheaper. The rows reference ids this run assigns, so the check cannot fail.
            fks = self.conn.execute(
                text(
                    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    f"WHERE contype = 'f' AND conrelid::regclass::text IN ({names}) ORDER BY 1, 2"
                ),
                tables,
            ).all()
            for table, name, definition in fks:
                self.conn.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        return restore

    def _node_ids(self, program_id: int) -> tuple[np.ndarray, np.ndarray]:
        rows = self.session.execute(
            select(ChainRow.name, ChainRow.id, ChainNodeRow.name, ChainNodeRow.id)
            .join(ChainNodeRow, ChainNodeRow.chain_id == ChainRow.id)
            .where(ChainRow.program_id == program_id)
        ).all()
        found = {(c, nd): (cid, nid) for c, cid, nd, nid in rows}
        node_ids = np.zeros(len(self.plan.nodes), dtype=np.int64)
        chain_ids = np.zeros(len(self.plan.chains), dtype=np.int64)
        for spec in self.plan.nodes:
            chain = self.plan.chains[spec.chain_index]
            cid, nid = found[(chain.name, spec.name)]
            node_ids[spec.index] = nid
            chain_ids[chain.index] = cid
        return node_ids, chain_ids

    def write(self, chunk: Chunk) -> None:
        tables = chunk_tables(chunk, self.plan, as_ids=True)
        batch_id = self.batch.id
        ent = tables["enterprises"]
        m = ent.num_rows
        tables["enterprises"] = ent.append_column("created_batch_id", pa.array(np.full(m, batch_id))).append_column(
            "updated_at", pa.array([self.now] * m, pa.string())
        )
        q = tables["qualifications"]
        tables["qualifications"] = q.append_column("source", pa.array(["demo"] * q.num_rows, pa.string()))
        k = chunk.mem_ent.size
        tables["memberships"] = pa.table(
            {
                "enterprise_id": pa.array(chunk.mem_ent.astype(np.int64) + chunk.start + 1),
                "node_id": pa.array(self.node_ids[chunk.mem_node]),
                "chain_id": pa.array(self.chain_ids[chunk.mem_chain]),
                "source": pa.array(["import"] * k, pa.string()),
                "confidence": pa.array(np.ones(k)),
                "status": pa.array(["confirmed"] * k, pa.string()),
                "is_primary": pa.array(chunk.mem_primary),
                "reason": pa.array(["演示数据 / demo data"] * k, pa.string()),
                "decided_by": pa.array(["demo-data"] * k, pa.string()),
                "decided_at": pa.array([self.now] * k, pa.string()),
                "batch_id": pa.array(np.full(k, batch_id)),
            }
        )
        for area in AREAS:
            table = tables[area]
            if table.num_rows == 0:
                continue
            self.rows[area] += table.num_rows
            if self.sqlite:
                self._sqlite_insert(TABLE_OF[area], table)
            else:
                self._pg_copy(TABLE_OF[area], table)

    def _driver_connection(self) -> Any:
        """The DBAPI driver's own connection (sqlite3 / psycopg) under this SQLAlchemy connection."""
        raw = self.conn.connection.driver_connection
        if raw is None:
            raise RuntimeError("the database connection is closed or invalidated")
        return raw

    def _sqlite_insert(self, name: str, table: pa.Table) -> None:
        cols = table.column_names
        sql = f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        raw = self._driver_connection()
        for lo in range(0, table.num_rows, 40_000):  # bounded lists of Python tuples
            part = table.slice(lo, 40_000)
            raw.executemany(sql, zip(*(_to_list(part.column(c)) for c in cols), strict=True))

    def _pg_copy(self, name: str, table: pa.Table) -> None:
        cols = ", ".join(table.column_names)
        raw = self._driver_connection()
        with raw.cursor() as cur, cur.copy(f"COPY {name} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(csv_bytes(table))

    def finish(self, summary: dict[str, Any]) -> None:
        if not self.sqlite:
            self.conn.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('enterprise', 'id'), GREATEST(COALESCE(MAX(id), 0), 1))"
                    " FROM enterprise"
                )
            )
        for sql in self.indexes:
            self.conn.exec_driver_sql(sql)
        self.batch.status = "done"
        self.batch.finished_at = utcnow()
        self.batch.rows_read = self.rows["enterprises"]
        self.batch.rows_new = self.rows["enterprises"]
        self.batch.report = {**(self.batch.report or {}), "rows": dict(self.rows), "summary": summary}
        bump(self.session, *AREAS)
        self.session.flush()
        self.session.close()


def sqlite_speed_pragmas(conn: Connection) -> None:
    """Settings that make a one-off bulk load fast; durability comes from the final commit."""
    for pragma in ("PRAGMA cache_size=-65536", "PRAGMA synchronous=OFF"):
        conn.exec_driver_sql(pragma)


def sqlite_normal_pragmas(conn: Connection) -> None:
    """Back to the engine's settings (engine.py) before the connection returns to the pool."""
    for pragma in ("PRAGMA cache_size=-2000", "PRAGMA synchronous=NORMAL"):
        conn.exec_driver_sql(pragma)


__all__ = ["DbSink", "sqlite_normal_pragmas", "sqlite_speed_pragmas"]
