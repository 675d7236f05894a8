"""The review queue (待审核挂链) and people's decisions: confirm and reject.

A decision turns the row into `source=manual` (status confirmed or rejected), records who and
when, writes an `audit_log` row with the old and new value, and bumps the `memberships` data
version. Automatic runs never change manual rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chainlead.db.models import (
    COUNTED_MEMBERSHIP_STATUSES,
    AuditLog,
    ChainMembership,
    ChainNodeRow,
    ChainRow,
    Enterprise,
    utcnow,
)
from chainlead.db.versions import bump
from chainlead.mapping.errors import MappingError
from chainlead.mapping.store import active_program_or_fail
from chainlead.reference.uscc import InvalidUSCC, normalize_uscc


@dataclass(frozen=True)
class ReviewItem:
    """One suggestion waiting for a person (待审核)."""

    membership_id: int
    uscc: str
    name: str
    chain: str
    node: str
    confidence: float
    source: str
    reason: str
    is_primary: bool
    position: str = ""  # the node's place in the chain (上游 / 中游 / 下游)


def review_queue(
    session: Session,
    chain: str | None = None,
    limit: int = 50,
    offset: int = 0,
    *,
    chain_id: int | None = None,
    lowest_first: bool = False,
) -> tuple[list[ReviewItem], int]:
    """Suggested memberships of the active program and the total count.

    Most confident first (quick to confirm), or with `lowest_first` the least confident first (what
    most needs a person). `chain`: a chain name or alias; `chain_id`: a chain row id (the web app).
    """
    prow, program = active_program_or_fail(session)
    query = (
        select(
            ChainMembership, Enterprise.uscc, Enterprise.name, ChainRow.name, ChainNodeRow.name, ChainNodeRow.position
        )
        .join(Enterprise, Enterprise.id == ChainMembership.enterprise_id)
        .join(ChainRow, ChainRow.id == ChainMembership.chain_id)
        .join(ChainNodeRow, ChainNodeRow.id == ChainMembership.node_id)
        .where(ChainRow.program_id == prow.id, ChainMembership.status == "suggested")
    )
    if chain:
        found = program.find_chain(chain)
        if found is None:
            raise MappingError(f"方案中没有产业链「{chain}」", f"no chain named {chain!r} in the program")
        query = query.where(ChainRow.name == found[1].name)
    if chain_id is not None:
        query = query.where(ChainMembership.chain_id == chain_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    confidence = ChainMembership.confidence.asc() if lowest_first else ChainMembership.confidence.desc()
    rows = session.execute(
        query.order_by(confidence.nulls_last(), ChainMembership.id).limit(limit).offset(offset)
    ).all()
    items = [
        ReviewItem(m.id, uscc, name, c, n, float(m.confidence or 0), m.source, m.reason or "", m.is_primary, pos or "")
        for m, uscc, name, c, n, pos in rows
    ]
    return items, int(total)


def _resolve_node(session: Session, program_id: int, text: str) -> tuple[int, int, str, str]:
    """`chain/node`, or a node name that is unique in the program → (chain id, node id, names)."""
    query = (
        select(ChainRow.id, ChainNodeRow.id, ChainRow.name, ChainNodeRow.name, ChainRow.aliases)
        .join(ChainNodeRow, ChainNodeRow.chain_id == ChainRow.id)
        .where(ChainRow.program_id == program_id)
    )
    rows = session.execute(query).all()
    text = text.strip()
    if "/" in text:
        chain, node = (p.strip() for p in text.split("/", 1))
        hits = [r for r in rows if r[3] == node and (r[2] == chain or chain in (r[4] or []))]
    else:
        hits = [r for r in rows if r[3] == text]
    if not hits:
        raise MappingError(
            f"方案中没有节点「{text}」（写成 产业链/节点）", f"no node {text!r} in the program (write chain/node)"
        )
    if len(hits) > 1:
        names = "、".join(f"{r[2]}/{r[3]}" for r in hits)
        raise MappingError(
            f"节点名「{text}」不唯一，请写成 产业链/节点：{names}",
            f"node name {text!r} is ambiguous; write chain/node: {names}",
        )
    cid, nid, cname, nname, _ = hits[0]
    return cid, nid, cname, nname


def _enterprise(session: Session, uscc: str) -> Enterprise:
    try:
        code = normalize_uscc(uscc)
    except InvalidUSCC as exc:
        raise MappingError(
            f"统一社会信用代码 {uscc} 无效：{exc.reason_zh}", f"invalid USCC {uscc}: {exc.reason_en}"
        ) from exc
    ent = session.scalars(select(Enterprise).where(Enterprise.uscc == code)).first()
    if ent is None:
        raise MappingError(f"没有统一社会信用代码为 {uscc} 的企业", f"no enterprise with USCC {uscc}")
    return ent


def _snapshot(m: ChainMembership) -> dict:
    return {
        "source": m.source,
        "status": m.status,
        "confidence": m.confidence,
        "is_primary": m.is_primary,
        "decided_by": m.decided_by,
    }


def decide(session: Session, uscc: str, node: str, confirm: bool, user: str = "", note: str = "") -> ChainMembership:
    """Confirm (确认) or reject (驳回) one enterprise–node membership."""
    prow, _ = active_program_or_fail(session)
    ent = _enterprise(session, uscc)
    cid, nid, cname, nname = _resolve_node(session, prow.id, node)
    row = session.scalars(
        select(ChainMembership).where(ChainMembership.enterprise_id == ent.id, ChainMembership.node_id == nid)
    ).first()
    old = _snapshot(row) if row else None
    previous_reason = row.reason if row is not None and row.source not in ("manual", "import") else None
    if row is None:
        row = ChainMembership(enterprise_id=ent.id, node_id=nid, chain_id=cid, source="manual", status="suggested")
        session.add(row)
    row.source = "manual"
    row.status = "confirmed" if confirm else "rejected"
    row.confidence = 1.0 if confirm else 0.0
    row.decided_by = user or "manual"
    row.decided_at = utcnow()
    verb = "人工确认" if confirm else "人工驳回"
    row.reason = f"{verb}{('：' + note) if note else ''}" + (
        f"（原建议：{previous_reason}）" if previous_reason else ""
    )
    if confirm:
        has_primary = session.scalar(
            select(func.count())
            .select_from(ChainMembership)
            .join(ChainRow, ChainRow.id == ChainMembership.chain_id)
            .where(
                ChainMembership.enterprise_id == ent.id,
                ChainMembership.is_primary.is_(True),
                ChainMembership.status.in_(COUNTED_MEMBERSHIP_STATUSES),
                ChainMembership.node_id != nid,
                ChainRow.program_id == prow.id,
            )
        )
        row.is_primary = row.is_primary or not has_primary
    else:
        row.is_primary = False
    session.flush()
    session.add(
        AuditLog(
            user=user or "manual",
            action="update" if old else "insert",
            entity="chain_membership",
            entity_key=f"{ent.uscc}:{cname}/{nname}",
            old_value=old,
            new_value=_snapshot(row),
        )
    )
    bump(session, "memberships")
    return row


def decide_many(
    session: Session, items: list[tuple[str, str]], confirm: bool, user: str = "", note: str = ""
) -> list[ChainMembership]:
    """Confirm or reject several (USCC, node) pairs in one transaction (all or nothing)."""
    return [decide(session, uscc, node, confirm, user, note) for uscc, node in items]


def decide_by_id(session: Session, membership_ids: list[int], confirm: bool, user: str = "", note: str = "") -> int:
    """Confirm or reject review-queue rows by id (what the web page sends)."""
    done = 0
    for mid in membership_ids:
        found = session.execute(
            select(Enterprise.uscc, ChainRow.name, ChainNodeRow.name)
            .join(ChainMembership, ChainMembership.enterprise_id == Enterprise.id)
            .join(ChainRow, ChainRow.id == ChainMembership.chain_id)
            .join(ChainNodeRow, ChainNodeRow.id == ChainMembership.node_id)
            .where(ChainMembership.id == mid)
        ).first()
        if found is None:
            raise MappingError(f"没有编号为 {mid} 的挂链记录", f"no membership with id {mid}")
        decide(session, found[0], f"{found[1]}/{found[2]}", confirm, user, note)
        done += 1
    return done
