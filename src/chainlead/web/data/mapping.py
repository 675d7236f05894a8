"""The mapping review queue (挂链审核): suggestions waiting for a person, confirm or reject.

The queue is read here (paged, per chain, with the leader's permissions); decisions go through
`chainlead.mapping.service.decide`, which writes the audit log and bumps the `memberships` data
version in the same transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chainlead.db.models import ChainMembership, ChainRow
from chainlead.errors import BilingualError
from chainlead.web.users import Principal

DECISIONS = {"confirm": "confirmed", "reject": "rejected"}


class DecisionError(BilingualError, ValueError):
    """A review decision that cannot be made; `status` is the HTTP status that answers it."""

    def __init__(self, status: int, zh: str, en: str) -> None:
        super().__init__(zh, en)
        self.status = status


def review_queue(
    session: Session, chain_id: int | None = None, page: int = 1, per_page: int = 50, lowest_first: bool = False
) -> tuple[list[dict[str, Any]], int]:
    """Suggested memberships of the active program (most confident first, or least), with reasons."""
    from chainlead.mapping.service import review_queue as queue

    found, total = queue(
        session, limit=per_page, offset=(page - 1) * per_page, chain_id=chain_id, lowest_first=lowest_first
    )
    items = [
        {
            "id": it.membership_id,
            "uscc": it.uscc,
            "enterprise": it.name,
            "chain": it.chain,
            "node": it.node,
            "position": it.position,
            "source": it.source,
            "confidence": it.confidence,
            "reason": it.reason,
        }
        for it in found
    ]
    return items, int(total)


def queue_counts(session: Session, program_id: int) -> dict[str, int]:
    rows = session.execute(
        select(ChainRow.name, func.count(ChainMembership.id))
        .join(ChainRow, ChainRow.id == ChainMembership.chain_id)
        .where(ChainMembership.status == "suggested", ChainRow.program_id == program_id)
        .group_by(ChainRow.name)
    ).all()
    return {name: int(n) for name, n in rows}


def decide(session: Session, membership_ids: list[int], decision: str, user: Principal, note: str = "") -> int:
    """Confirm or reject suggestions (确认/驳回); a leader only on his own chains. Returns how many."""
    if decision not in DECISIONS:
        raise DecisionError(422, f"未知操作 {decision!r}", f"unknown decision {decision!r}")
    if not membership_ids:
        raise DecisionError(422, "请至少选择一条挂链建议", "select at least one suggestion")
    rows = session.execute(
        select(ChainMembership, ChainRow.name)
        .join(ChainRow, ChainRow.id == ChainMembership.chain_id)
        .where(ChainMembership.id.in_(membership_ids))
    ).all()
    if len(rows) != len(set(membership_ids)):
        raise DecisionError(404, "部分挂链建议不存在", "some suggestions do not exist")
    for m, chain_name in rows:
        if not user.can_act_on_chain(chain_name):
            raise DecisionError(403, f"您无权审核{chain_name}的挂链", f"you may not review memberships of {chain_name}")
        if m.status != "suggested":
            raise DecisionError(
                409, f"挂链建议 {m.id} 已处理（{m.status}）", f"suggestion {m.id} was already decided ({m.status})"
            )
    from chainlead.mapping.service import decide as decide_memberships  # loaded on the first decision

    return decide_memberships(session, membership_ids, DECISIONS[decision], user=user.username, note=note)
