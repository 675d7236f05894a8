"""A small, hand-checkable data set for the web tests (built-in program + 40 enterprises).

Chain 视觉智能: enterprises 0–19 confirmed on its first node (0–9) or second node (10–19);
chain 集成电路: enterprises 20–29 applied on its first node; enterprises 30–39 are suggestions
(waiting for review) on 视觉智能's third node. Revenue of enterprise i in year y is
(i + 1) * 1000 * (1 + 0.1 * (y - 2021)) 万元, R&D 5% of it; years 2021–2023.
Enterprises 0–4 hold 省级专精特新, 5–9 创新型中小企业.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from chainlead.db.engine import session_scope
from chainlead.db.models import ChainMembership, ChainNodeRow, ChainRow, Enterprise, EnterpriseFinancial, Qualification
from chainlead.db.versions import bump
from chainlead.program.builtin import load_builtin
from chainlead.program.store import save_program
from chainlead.reference.uscc import is_valid_uscc, uscc_check_char
from chainlead.web.users import add_user

PASSWORDS = {"admin": "admin-pass-1", "office": "office-pass-1", "leader": "leader-pass-1", "viewer": "viewer-pass-1"}
YEARS = (2021, 2022, 2023)
VISION, IC = "视觉智能", "集成电路"


def make_uscc(i: int) -> str:
    body = f"91330106MA{i:06d}"
    for c in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        first17 = body + c
        code = first17 + uscc_check_char(first17)
        if is_valid_uscc(code):
            return code
    raise AssertionError(f"no valid USCC for {i}")


def revenue(i: int, year: int) -> float:
    return (i + 1) * 1000.0 * (1 + 0.1 * (year - 2021))


@dataclass
class Seeded:
    vision_id: int
    ic_id: int
    vision_nodes: list[int]
    suggestion_ids: list[int]
    usccs: list[str]


def seed(url: str) -> Seeded:
    with session_scope(url) as s:
        save_program(s, load_builtin("hangzhou-2022"))
        s.flush()
        vision = s.scalars(select(ChainRow).where(ChainRow.name == VISION)).one()
        ic = s.scalars(select(ChainRow).where(ChainRow.name == IC)).one()
        vnodes = list(
            s.scalars(select(ChainNodeRow).where(ChainNodeRow.chain_id == vision.id).order_by(ChainNodeRow.sort))
        )
        inodes = list(s.scalars(select(ChainNodeRow).where(ChainNodeRow.chain_id == ic.id).order_by(ChainNodeRow.sort)))
        usccs = []
        suggestions = []
        for i in range(40):
            e = Enterprise(
                uscc=make_uscc(i),
                name=f"杭州测试{i:02d}科技有限公司",
                district_code="330106" if i % 2 else "330108",
                industry_code="3919",
            )
            s.add(e)
            s.flush()
            usccs.append(e.uscc)
            for y in YEARS:
                rev = revenue(i, y)
                s.add(
                    EnterpriseFinancial(
                        enterprise_id=e.id, year=y, revenue_wan=rev, rd_expense_wan=rev * 0.05, employees=50 + i
                    )
                )
            if i < 20:
                node = vnodes[0] if i < 10 else vnodes[1]
                s.add(
                    ChainMembership(
                        enterprise_id=e.id,
                        node_id=node.id,
                        chain_id=vision.id,
                        source="import",
                        status="confirmed",
                        confidence=1.0,
                        reason="导入",
                    )
                )
            elif i < 30:
                s.add(
                    ChainMembership(
                        enterprise_id=e.id,
                        node_id=inodes[0].id,
                        chain_id=ic.id,
                        source="rule",
                        status="applied",
                        confidence=0.95,
                        reason="行业代码匹配",
                    )
                )
            else:
                m = ChainMembership(
                    enterprise_id=e.id,
                    node_id=vnodes[2].id,
                    chain_id=vision.id,
                    source="model",
                    status="suggested",
                    confidence=0.6 + i / 200,
                    reason=f"主要产品含“{vnodes[2].name}”",
                )
                s.add(m)
                s.flush()
                suggestions.append(m.id)
            if i < 5:
                s.add(
                    Qualification(
                        enterprise_id=e.id,
                        tier="zjtx_provincial",
                        granted_on=dt.date(2022, 6, 1),
                        expires_on=dt.date(2025, 6, 1),
                    )
                )
            elif i < 10:
                s.add(Qualification(enterprise_id=e.id, tier="innovative_sme", granted_on=dt.date(2022, 6, 1)))
        bump(s, "enterprises", "financials", "memberships", "qualifications")
        add_user(s, "admin", "admin", PASSWORDS["admin"])
        add_user(s, "office", "office", PASSWORDS["office"])
        add_user(s, "leader", "leader", PASSWORDS["leader"], chains=[VISION])
        add_user(s, "viewer", "viewer", PASSWORDS["viewer"])
        return Seeded(vision.id, ic.id, [n.id for n in vnodes], suggestions, usccs)
