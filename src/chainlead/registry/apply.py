"""Bulk upsert of validated records (批量写入): no ORM per row.

Per chunk: one query resolves USCCs to enterprise ids, one fetches the existing rows, then
inserts go in one executemany (PostgreSQL: COPY), updates in one executemany per set of
changed columns, and every update leaves its old values in the audit log.
"""

from __future__ import annotations

import datetime as dt
import math
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Date, DateTime, bindparam, select

from chainlead.db.models import AuditLog, Enterprise, table_of, utcnow
from chainlead.registry.targets import Target, key_text, to_json
from chainlead.registry.validate import Issue

NEW, UPDATED, UNCHANGED, REJECTED, KEPT = 1, 2, 3, 4, 5
_ENT = table_of(Enterprise)
_AUDIT = table_of(AuditLog)


def same(old: object, new: object) -> bool:
    if old is None:
        return new is None
    if isinstance(new, float) or isinstance(old, float):
        try:
            a, b = float(old), float(new)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)
    if isinstance(new, bool):
        return bool(old) == new
    return old == new


class Applier:
    """Upserts chunks of records of one kind inside the caller's transaction."""

    def __init__(self, conn: Connection, target: Target, *, batch_id: int | None, user: str, write: bool) -> None:
        self.conn = conn
        self.target = target
        self.batch_id = batch_id
        self.user = user
        self.write = write
        self.pg = conn.dialect.name == "postgresql"
        self.ids: dict[str, int] = {}
        self.value_cols: list[str] | None = None
        self._names: list[str] = []
        self._sqlite = conn.dialect.name == "sqlite"
        # An empty table (first load, checked under the import lock) has no existing rows to look
        # up; keys are unique within the file, so every row is new.
        self.started_empty = conn.execute(select(target.table.c.id).limit(1)).first() is None
        table = target.table
        self._date_key = any(c in table.c and isinstance(table.c[c].type, Date) for c in target.db_key)

    def apply(self, items: list[tuple[int, dict]]) -> list[tuple[int, int, Issue | None]]:
        t = self.target
        if self.value_cols is None and items:
            self.value_cols = t.value_columns(list(items[0][1].keys()))
        cols = self.value_cols or []
        out: list[tuple[int, int, Issue | None]] = []
        if t.linked:
            self._resolve({r["uscc"] for _, r in items} - self.ids.keys())
        keyed = []
        for n, r in items:
            key = tuple(r[k] for k in t.key)
            if t.linked:
                eid = self.ids.get(r["uscc"])
                if eid is None:
                    out.append((n, REJECTED, _unknown(n, r["uscc"])))
                    continue
                keyed.append((n, r, key, (eid, *key[1:])))
            else:
                keyed.append((n, r, key, key))
        existing = self._existing({k[3] for k in keyed}, cols)
        inserts: list[tuple] = []
        new_keys: list = []
        updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        audits: list[dict[str, Any]] = []
        now = utcnow()
        fixed = tuple(self._insert_fixed(now).values())
        key_json = self._key_json
        date_key = self._date_key
        values_of = (lambda r: (r[cols[0]],)) if len(cols) == 1 else itemgetter(*cols) if cols else (lambda r: ())
        lo, hi = 1 + len(t.db_key), 1 + len(t.db_key) + len(cols)
        plain = t.kind != "memberships"
        for n, r, key, dbkey in keyed:
            found = existing.get(dbkey)
            if found is None:
                inserts.append((*dbkey, *values_of(r), *fixed))
                new_keys.append(key_json(key) if date_key else key)
                out.append((n, NEW, None))
                continue
            if plain and values_of(r) == found[lo:hi]:
                out.append((n, UNCHANGED, None))
                continue
            old = dict(zip(self._names, found, strict=True))
            if t.kind == "memberships" and old["source"] == "manual":
                out.append((n, KEPT, _kept(n, r, old)))
                continue
            changed = {c: r[c] for c in cols if r.get(c) is not None and not same(old[c], r[c])}
            if t.kind == "memberships" and (old["source"] != "import" or old["status"] != "confirmed"):
                changed.update(source="import", status="confirmed")
            if not changed:
                out.append((n, UNCHANGED, None))
                continue
            extra = self._update_fixed(now)
            params = {**changed, **extra, "_id": old["id"]}
            updates.setdefault(tuple(sorted(params)), []).append(params)
            audits.append(
                {
                    "at": now,
                    "user": self.user,
                    "action": "update",
                    "entity": t.table.name,
                    "entity_key": key_text(key)[:100],
                    "batch_id": self.batch_id,
                    "old_value": {c: to_json(t.table, c, old[c]) for c in (*changed, *extra)},
                    "new_value": {c: to_json(t.table, c, v) for c, v in {**changed, **extra}.items()},
                }
            )
            out.append((n, UPDATED, None))
        if self.write:
            self._write(inserts, new_keys, updates, audits, now)
        return out

    # ------------------------------------------------------------ lookups

    def _resolve(self, usccs: set[str]) -> None:
        todo = list(usccs)
        for i in range(0, len(todo), 5000):
            part = todo[i : i + 5000]
            for eid, uscc in self.conn.execute(select(_ENT.c.id, _ENT.c.uscc).where(_ENT.c.uscc.in_(part))):
                self.ids[uscc] = eid

    def _existing(self, dbkeys: set[tuple], cols: list[str]) -> dict[tuple, tuple]:
        """Existing rows by key, as tuples (id, *db_key, *cols, *extra); names in self._names."""
        if not dbkeys or self.started_empty:
            return {}
        t = self.target
        table = t.table
        extra = ["source", "status", "decided_by", "batch_id"] if t.kind == "memberships" else []
        wanted = [table.c.id, *(table.c[c] for c in t.db_key), *(table.c[c] for c in (*cols, *extra))]
        first = sorted({k[0] for k in dbkeys}, key=str)
        self._names = [c.name for c in wanted]
        width = 1 + len(t.db_key)
        found: dict[tuple, tuple] = {}
        for i in range(0, len(first), 5000):
            query = select(*wanted).where(table.c[t.db_key[0]].in_(first[i : i + 5000]))
            for found_row in self.conn.execute(query):
                row = tuple(found_row)
                dbkey = row[1:width]
                if dbkey in dbkeys:
                    found[dbkey] = row
        return found

    # ------------------------------------------------------------ fixed columns

    def _insert_fixed(self, now: Any) -> dict[str, Any]:
        kind = self.target.kind
        if kind == "enterprises":
            return {"created_batch_id": self.batch_id, "updated_at": now}
        if kind == "qualifications":
            return {"source": "import"}
        if kind == "memberships":
            return {
                "source": "import",
                "status": "confirmed",
                "confidence": 1.0,
                "decided_by": self.user,
                "decided_at": now,
                "batch_id": self.batch_id,
                "reason": f"导入批次 {self.batch_id} / import batch {self.batch_id}",
            }
        return {}

    def _update_fixed(self, now: Any) -> dict[str, Any]:
        if self.target.kind == "memberships":
            return {"decided_by": self.user, "batch_id": self.batch_id}
        return {}

    # ------------------------------------------------------------ writes

    def _write(self, inserts, new_keys, updates, audits, now) -> None:  # type: ignore[no-untyped-def]
        table = self.target.table
        if inserts:
            names = [*self.target.db_key, *(self.value_cols or []), *self._insert_fixed(now)]
            if "is_primary" in names:
                at = names.index("is_primary")
                inserts = [(*row[:at], bool(row[at]), *row[at + 1 :]) for row in inserts]
            inserts = (
                [dict(zip(names, row, strict=True)) for row in inserts] if not (self.pg or self._sqlite) else inserts
            )
            if self.pg:
                self._copy(names, inserts)
            elif self._sqlite:
                self._sqlite_insert(names, inserts)
            else:
                self.conn.execute(table.insert(), inserts)
            audits.append(
                {
                    "at": now,
                    "user": self.user,
                    "action": "insert",
                    "entity": table.name,
                    "entity_key": f"{len(new_keys)} rows",
                    "batch_id": self.batch_id,
                    "old_value": None,
                    "new_value": {"key": list(self.target.key), "keys": new_keys},
                }
            )
        for names, params in updates.items():
            cols = [c for c in names if c != "_id"]
            stmt = table.update().where(table.c.id == bindparam("_id")).values({c: bindparam(c) for c in cols})
            if self.target.kind == "enterprises":
                stmt = stmt.values(updated_at=now)
            self.conn.execute(stmt, params)
        if audits:
            self.conn.execute(_AUDIT.insert(), audits)

    def _sqlite_insert(self, names: list[str], inserts: list[tuple]) -> None:
        """executemany on the driver: SQLAlchemy's per-row parameter processing is the slow part."""
        sql = f"INSERT INTO {self.target.table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        dated = [i for i, c in enumerate(names) if isinstance(self.target.table.c[c].type, Date | DateTime)]
        if dated:
            inserts = [tuple(_sqlite_value(v) if i in dated else v for i, v in enumerate(row)) for row in inserts]
        self.conn.exec_driver_sql(sql, inserts)

    def _copy(self, names: list[str], inserts: list[tuple]) -> None:
        raw = self.conn.connection.driver_connection
        sql = f"COPY {self.target.table.name} ({', '.join(names)}) FROM STDIN"
        with raw.cursor() as cur, cur.copy(sql) as copy:  # type: ignore[union-attr]
            for row in inserts:
                copy.write_row(row)

    def _key_json(self, key: tuple) -> list[object]:
        if not self._date_key:
            return list(key)
        return [v.isoformat() if isinstance(v, dt.date) else v for v in key]


def _sqlite_value(value: object) -> object:
    """Values as SQLAlchemy stores them in SQLite (dates as ISO text, datetimes with microseconds)."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _unknown(n: int, uscc: str) -> Issue:
    return Issue(
        n,
        "uscc",
        f"企业 {uscc} 不在企业库中，请先导入 enterprises（企业名录）",
        f"enterprise {uscc} is not in the registry; import it with `enterprises` first",
        uscc,
    )


def _kept(n: int, r: dict, old: dict) -> Issue:
    return Issue(
        n,
        "node",
        f"{r['uscc']} 在 {r['chain']}/{r['node']} 的挂链已由人工确定（{old['status']}），保留人工结论，未覆盖",
        f"{r['uscc']} at {r['chain']}/{r['node']} was decided manually ({old['status']}); kept, not overwritten",
    )
