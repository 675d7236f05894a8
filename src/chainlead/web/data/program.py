"""The active program as the pages see it (当前方案): ecosystems, chains, nodes, years."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chainlead.db.models import (
    COUNTED_MEMBERSHIP_STATUSES,
    ChainNodeRow,
    ChainRow,
    EcosystemRow,
    EnterpriseFinancial,
    ProgramRow,
)
from chainlead.program.store import active_program_row

COUNTED = COUNTED_MEMBERSHIP_STATUSES


@dataclass
class ChainInfo:
    id: int
    name: str
    ecosystem_id: int
    ecosystem: str
    leader: str
    lead_department: str
    chain_masters: list[str]
    leading_firms: list[str]


@dataclass
class EcosystemInfo:
    id: int
    name: str
    targets: dict[str, float]
    baseline: dict | None  # type: ignore[type-arg]
    chains: list[ChainInfo] = field(default_factory=list)


@dataclass
class ProgramInfo:
    id: int
    name: str
    title: str
    base_year: int
    target_year: int
    scale_metric: str
    ecosystems: list[EcosystemInfo]

    def chain(self, chain_id: int) -> ChainInfo | None:
        return next((c for e in self.ecosystems for c in e.chains if c.id == chain_id), None)

    def chain_by_name(self, name: str) -> ChainInfo | None:
        return next((c for e in self.ecosystems for c in e.chains if c.name == name), None)

    def ecosystem(self, eco_id: int) -> EcosystemInfo | None:
        return next((e for e in self.ecosystems if e.id == eco_id), None)

    @property
    def chains(self) -> list[ChainInfo]:
        return [c for e in self.ecosystems for c in e.chains]


def program_info(session: Session) -> ProgramInfo | None:
    """The active program with its ecosystems and chains, or None when none is loaded."""
    row: ProgramRow | None = active_program_row(session)
    if row is None:
        return None
    ecos = list(
        session.scalars(select(EcosystemRow).where(EcosystemRow.program_id == row.id).order_by(EcosystemRow.sort))
    )
    chains = list(session.scalars(select(ChainRow).where(ChainRow.program_id == row.id).order_by(ChainRow.sort)))
    infos = [EcosystemInfo(e.id, e.name, dict(e.targets or {}), e.baseline) for e in ecos]
    by_id = {e.id: e for e in infos}
    for c in chains:
        eco = by_id[c.ecosystem_id]
        eco.chains.append(
            ChainInfo(
                c.id,
                c.name,
                c.ecosystem_id,
                eco.name,
                c.leader or "",
                c.lead_department or "",
                list(c.chain_masters or []),
                list(c.leading_firms or []),
            )
        )
    return ProgramInfo(row.id, row.name, row.title or row.name, row.base_year, row.target_year, row.scale_metric, infos)


def chain_nodes(session: Session, chain_id: int) -> list[ChainNodeRow]:
    return list(
        session.scalars(select(ChainNodeRow).where(ChainNodeRow.chain_id == chain_id).order_by(ChainNodeRow.sort))
    )


def data_years(session: Session) -> list[int]:
    """Years with enterprise figures, oldest first."""
    return [
        y for (y,) in session.execute(select(EnterpriseFinancial.year).distinct().order_by(EnterpriseFinancial.year))
    ]


def latest_year(session: Session) -> int | None:
    return session.scalar(select(func.max(EnterpriseFinancial.year)))
