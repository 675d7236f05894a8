"""Late rejections (事后拒绝): a key that turns out to be duplicated with different values
after its first row was already applied. The first row is taken back out (inside the same
transaction) and both rows go to the rejects file, so nothing ambiguous is kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, and_, delete, select, update

from chainlead.db.models import AuditLog, table_of
from chainlead.registry.apply import KEPT, NEW, REJECTED, UNCHANGED, UPDATED
from chainlead.registry.formats import FORMATS
from chainlead.registry.readers import open_source
from chainlead.registry.targets import from_json, key_text, to_json
from chainlead.registry.validate import Issue

if TYPE_CHECKING:
    from chainlead.registry.state import State

_AUDIT = table_of(AuditLog)


def late_rejects(conn: Connection, state: State, path: Path) -> None:
    from chainlead.registry.state import COUNTERS, dup_issue

    report = state.report
    outcome = state.outcome
    wanted: dict[int, tuple[int, Issue]] = {}
    for first in state.poisoned.values():
        done = outcome[first] if first < len(outcome) else 0
        if done in (NEW, UPDATED, UNCHANGED, KEPT):
            wanted[first] = (done, dup_issue(first, state.key_fields))
    for number, kh in state.identical:
        first = state.seen[kh] >> 64
        first_done = outcome[first] if first < len(outcome) else 0
        if kh in state.poisoned or first_done == REJECTED:
            wanted[number] = (
                UNCHANGED,
                Issue(
                    number,
                    state.key_fields[0],
                    f"与第 {first} 行重复，而第 {first} 行未导入，本行也不导入",
                    f"duplicate of row {first}, which was rejected; not applied either",
                ),
            )
    if not wanted:
        return
    source = open_source(path, FORMATS[report.kind], sheet=report.sheet, encoding=report.encoding)
    writing = state.applier.write
    for number, cells in source.rows:
        if number not in wanted:
            continue
        done, issue = wanted.pop(number)
        name = COUNTERS[done]
        setattr(report, name, getattr(report, name) - 1)
        if done in (NEW, UPDATED) and writing and state.validate is not None:
            record = state.validate(number, cells)[0]
            if record is not None:
                _take_back(conn, state, record, done)
        state.reject(number, cells, [issue])
        if not wanted:
            break


def _take_back(conn: Connection, state: State, record: dict, done: int) -> None:
    applier = state.applier
    target = applier.target
    table = target.table
    key = tuple(record[k] for k in target.key)
    dbkey = (applier.ids[record["uscc"]], *key[1:]) if target.linked else key
    where = and_(*(table.c[c] == v for c, v in zip(target.db_key, dbkey, strict=True)))
    batch = applier.batch_id
    if done == NEW:
        conn.execute(delete(table).where(where))
        json_key = [to_json(table, c, v) if c in table.c else v for c, v in zip(target.key, key, strict=True)]
        rows = conn.execute(
            select(_AUDIT.c.id, _AUDIT.c.new_value).where(
                _AUDIT.c.batch_id == batch, _AUDIT.c.entity == table.name, _AUDIT.c.action == "insert"
            )
        ).all()
        for audit_id, value in rows:
            keys = [k for k in value["keys"] if k != json_key]
            if len(keys) != len(value["keys"]):
                conn.execute(update(_AUDIT).where(_AUDIT.c.id == audit_id).values(new_value={**value, "keys": keys}))
        return
    entry = conn.execute(
        select(_AUDIT.c.id, _AUDIT.c.old_value).where(
            _AUDIT.c.batch_id == batch,
            _AUDIT.c.entity == table.name,
            _AUDIT.c.action == "update",
            _AUDIT.c.entity_key == key_text(key)[:100],
        )
    ).first()
    if entry is None:
        return
    old = {c: from_json(table, c, v) for c, v in entry.old_value.items()}
    conn.execute(update(table).where(where).values(**old))
    conn.execute(delete(_AUDIT).where(_AUDIT.c.id == entry.id))
