"""Import batches (导入批次): list them, and undo one exactly.

Undo restores every updated value from the audit log and deletes every inserted row. It
refuses when a later change touched the same rows (the current value is no longer what the
batch wrote, a later batch updated a row it inserted, or — for enterprises — later data hangs
off an enterprise it inserted), unless forced.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, and_, delete, func, select, update
from sqlalchemy.orm import Session

from chainlead.db.models import (
    AuditLog,
    ChainMembership,
    Enterprise,
    EnterpriseFact,
    EnterpriseFinancial,
    ImportBatch,
    Qualification,
    table_of,
    utcnow,
)
from chainlead.db.versions import bump
from chainlead.registry.apply import same
from chainlead.registry.importer import lock, resolve_engine
from chainlead.registry.readers import FileProblem
from chainlead.registry.targets import TARGETS, Target, from_json, key_text

_AUDIT = table_of(AuditLog)
_BATCH = table_of(ImportBatch)
_ENT = table_of(Enterprise)
_DEPENDENTS = (EnterpriseFinancial, Qualification, ChainMembership, EnterpriseFact)


@dataclass
class UndoResult:
    """What an undo did (or would have done, when refused)."""

    batch_id: int
    kind: str
    restored: int = 0
    deleted: int = 0
    conflicts: list[str] = field(default_factory=list)
    forced: bool = False

    def summary(self) -> str:
        return (
            f"已撤销批次 {self.batch_id}：恢复 {self.restored} 行，删除 {self.deleted} 行 / "
            f"undid batch {self.batch_id}: restored {self.restored} rows, deleted {self.deleted} rows"
        )


def list_batches(db: str | Engine | Session | None, limit: int = 50) -> list[dict]:
    engine = resolve_engine(db)
    cols = [c for c in _BATCH.c if c.name != "report"]
    with engine.connect() as conn:
        rows = conn.execute(select(*cols).order_by(_BATCH.c.id.desc()).limit(limit)).mappings().all()
    return [dict(r) for r in rows]


def get_batch(db: str | Engine | Session | None, batch_id: int) -> dict | None:
    engine = resolve_engine(db)
    with engine.connect() as conn:
        row = conn.execute(select(_BATCH).where(_BATCH.c.id == batch_id)).mappings().first()
    return dict(row) if row else None


def undo_batch(db: str | Engine | Session | None, batch_id: int, *, force: bool = False, user: str = "") -> UndoResult:
    """Undo an applied batch; raise FileProblem (bilingual) when it cannot or should not."""
    engine = resolve_engine(db)
    with engine.connect() as conn:
        lock(conn)
        batch = conn.execute(select(_BATCH).where(_BATCH.c.id == batch_id)).mappings().first()
        if batch is None:
            raise FileProblem(f"导入批次 {batch_id} 不存在", f"no import batch {batch_id}")
        if batch["undone_at"] is not None:
            raise FileProblem(
                f"批次 {batch_id} 已于 {batch['undone_at']:%Y-%m-%d %H:%M} 撤销", f"batch {batch_id} was already undone"
            )
        if batch["status"] != "applied":
            raise FileProblem(
                f"批次 {batch_id} 的状态是 {batch['status']}，没有写入数据，无需撤销",
                f"batch {batch_id} is {batch['status']}: it wrote nothing, so there is nothing to undo",
            )
        target = TARGETS[batch["kind"]]
        result = UndoResult(batch_id, batch["kind"], forced=force)
        entries = (
            conn.execute(
                select(_AUDIT)
                .where(_AUDIT.c.batch_id == batch_id, _AUDIT.c.entity == target.table.name)
                .order_by(_AUDIT.c.id)
            )
            .mappings()
            .all()
        )
        inserted = [tuple(k) for e in entries if e["action"] == "insert" for k in e["new_value"]["keys"]]
        updated = [e for e in entries if e["action"] == "update"]
        ids = _enterprise_ids(conn, target, inserted, updated)
        result.conflicts = _conflicts(conn, target, batch_id, inserted, updated, ids)
        if result.conflicts and not force:
            conn.rollback()
            shown = "；".join(result.conflicts[:5])
            more = f"（共 {len(result.conflicts)} 处）" if len(result.conflicts) > 5 else ""
            raise FileProblem(
                f"批次 {batch_id} 之后这些数据又被修改过，撤销会覆盖后来的修改：{shown}{more}。确需撤销请加 --force",
                f"rows of batch {batch_id} were changed later ({len(result.conflicts)}); undoing would overwrite "
                "those changes. Use --force to undo anyway",
            )
        for entry in reversed(updated):
            where = _where(target, _db_key(target, _parse_key(target, entry["entity_key"]), ids))
            if where is None:
                continue
            old = {c: from_json(target.table, c, v) for c, v in entry["old_value"].items()}
            result.restored += conn.execute(update(target.table).where(where).values(**old)).rowcount or 0
        for key in inserted:
            where = _where(target, _db_key(target, key, ids))
            if where is not None:
                result.deleted += conn.execute(delete(target.table).where(where)).rowcount or 0
        now = utcnow()
        conn.execute(update(_BATCH).where(_BATCH.c.id == batch_id).values(status="undone", undone_at=now))
        conn.execute(
            _AUDIT.insert().values(
                at=now,
                user=user,
                action="undo",
                entity="import_batch",
                entity_key=str(batch_id),
                batch_id=None,
                old_value=None,
                new_value={"restored": result.restored, "deleted": result.deleted, "forced": force},
            )
        )
        areas = {target.area} | (
            {"financials", "qualifications", "memberships", "facts"} if target.kind == "enterprises" else set()
        )
        bump(Session(bind=conn), *sorted(areas))
        conn.commit()
    return result


def _parse_key(target: Target, text: str) -> tuple:
    parts = text.split("|")
    return tuple(parts)


def _enterprise_ids(conn: Connection, target: Target, inserted: list[tuple], updated: list) -> dict[str, int]:
    usccs = {k[0] for k in inserted} | {e["entity_key"].split("|")[0] for e in updated}
    ids: dict[str, int] = {}
    todo = list(usccs)
    for i in range(0, len(todo), 5000):
        for eid, uscc in conn.execute(select(_ENT.c.id, _ENT.c.uscc).where(_ENT.c.uscc.in_(todo[i : i + 5000]))):
            ids[uscc] = eid
    return ids


def _db_key(target: Target, key: tuple, ids: dict[str, int]) -> tuple | None:
    values = [from_json(target.table, c, v) if c in target.table.c else v for c, v in zip(target.key, key, strict=True)]
    if target.kind == "enterprises":
        return tuple(values)
    eid = ids.get(str(values[0]))
    if eid is None:
        return None
    rest = [_typed(target, c, v) for c, v in zip(target.db_key[1:], values[1:], strict=True)]
    return (eid, *rest)


def _typed(target: Target, column: str, value: object) -> object:
    value = from_json(target.table, column, value)
    if isinstance(value, str) and target.table.c[column].type.python_type is int:
        return int(value)
    return value


def _where(target: Target, dbkey: tuple | None):  # type: ignore[no-untyped-def]
    if dbkey is None:
        return None
    return and_(*(target.table.c[c] == v for c, v in zip(target.db_key, dbkey, strict=True)))


def _conflicts(
    conn: Connection, target: Target, batch_id: int, inserted: list[tuple], updated: list, ids: dict
) -> list[str]:
    table = target.table
    found: list[str] = []
    for entry in updated:
        where = _where(target, _db_key(target, _parse_key(target, entry["entity_key"]), ids))
        cols = list(entry["new_value"])
        row = (
            conn.execute(select(*(table.c[c] for c in cols)).where(where)).mappings().first()
            if where is not None
            else None
        )
        if row is None:
            found.append(f"{entry['entity_key']} 已被删除 deleted")
            continue
        for c in cols:
            if not same(row[c], from_json(table, c, entry["new_value"][c])):
                found.append(f"{entry['entity_key']}.{c}")
                break
    keys = {key_text(tuple(k)) for k in inserted} | {e["entity_key"] for e in updated}
    later = conn.execute(
        select(_AUDIT.c.entity_key, _AUDIT.c.batch_id).where(
            _AUDIT.c.entity == table.name,
            _AUDIT.c.action == "update",
            _AUDIT.c.id > _last_audit(conn, batch_id),
            _AUDIT.c.batch_id.is_(None)
            | _AUDIT.c.batch_id.notin_(select(_BATCH.c.id).where(_BATCH.c.undone_at.isnot(None))),
        )
    ).all()
    found += [f"{k}（批次 batch {b}）" for k, b in later if k in keys and b != batch_id]
    if target.kind == "enterprises" and inserted:
        eids = [ids[k[0]] for k in inserted if k[0] in ids]
        for model in _DEPENDENTS:
            for i in range(0, len(eids), 5000):
                n = conn.execute(
                    select(func.count()).select_from(model).where(model.enterprise_id.in_(eids[i : i + 5000]))
                ).scalar_one()
                if n:
                    found.append(
                        f"{model.__tablename__}: {n} 行引用本批次新增的企业 rows refer to enterprises it added"
                    )
    return found


def _last_audit(conn: Connection, batch_id: int) -> int:
    return conn.execute(
        select(func.coalesce(func.max(_AUDIT.c.id), 0)).where(_AUDIT.c.batch_id == batch_id)
    ).scalar_one()
