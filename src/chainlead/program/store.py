"""Programs in the database: several programs and revisions side by side.

A program row is versioned by its file's hash. Loading a new revision never deletes the old
one, so memberships mapped under it stay; `carry_memberships` copies confirmed memberships to
the new revision where the chain (by name or alias) and node name still exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from chainlead.db.models import (
    ChainMembership,
    ChainNodeRow,
    ChainRow,
    EcosystemRow,
    ProgramRow,
    TierGoalRow,
)
from chainlead.db.versions import bump
from chainlead.program.model import Program
from chainlead.program.validate import LoadedProgram, parse_program


def save_program(session: Session, loaded: LoadedProgram, activate: bool = True) -> ProgramRow:
    """Store a validated program (idempotent by name + file hash) and make it active."""
    prog = loaded.program
    existing = session.scalars(
        select(ProgramRow).where(ProgramRow.name == prog.name, ProgramRow.file_hash == loaded.file_hash)
    ).first()
    row = existing or _insert(session, loaded)
    if activate and not row.is_active:
        session.execute(update(ProgramRow).where(ProgramRow.name == prog.name).values(is_active=False))
        row.is_active = True
        previous = session.scalars(
            select(ProgramRow)
            .where(ProgramRow.name == prog.name, ProgramRow.id != row.id)
            .order_by(ProgramRow.loaded_at.desc(), ProgramRow.id.desc())
        ).first()
        if previous is not None and existing is None:
            carry_memberships(session, previous, row)
    session.flush()
    bump(session, "program")
    return row


def _insert(session: Session, loaded: LoadedProgram) -> ProgramRow:
    prog = loaded.program
    head = prog.program
    row = ProgramRow(
        name=head.name,
        title=head.title,
        revision=head.revision,
        region_code=head.region_code,
        base_year=head.base_year,
        target_year=head.target_year,
        effective_on=head.effective_on,
        scale_metric=head.scale_metric,
        file_hash=loaded.file_hash,
        source_toml=loaded.text,
        is_active=False,
    )
    session.add(row)
    session.flush()
    for ei, eco in enumerate(prog.ecosystems):
        erow = EcosystemRow(
            program_id=row.id,
            name=eco.name,
            aliases=list(eco.aliases),
            targets={k: float(v) for k, v in eco.targets.items()},
            target_is_floor=eco.target_is_floor,
            baseline=eco.baseline.model_dump() if eco.baseline else None,
            sort=ei,
        )
        session.add(erow)
        session.flush()
        for ci, chain in enumerate(eco.chains):
            crow = ChainRow(
                program_id=row.id,
                ecosystem_id=erow.id,
                name=chain.name,
                aliases=list(chain.aliases),
                leader=chain.leader,
                lead_department=chain.lead_department,
                chain_masters=list(chain.chain_masters),
                leading_firms=list(chain.leading_firms),
                sort=ci,
            )
            session.add(crow)
            session.flush()
            by_name: dict[str, ChainNodeRow] = {}
            for ni, node in enumerate(chain.nodes):
                nrow = ChainNodeRow(
                    chain_id=crow.id,
                    name=node.name,
                    position=node.position.value,
                    industry_codes=list(node.industry_codes),
                    partial_codes=list(node.partial_codes),
                    keywords=list(node.keywords),
                    products=list(node.products),
                    sort=ni,
                )
                session.add(nrow)
                by_name[node.name] = nrow
            session.flush()
            for node in chain.nodes:
                if node.parent:
                    by_name[node.name].parent_id = by_name[node.parent].id
    for kind, goal in (("target", prog.tier_targets), ("baseline", prog.tier_baselines)):
        for tier, count in goal.counts().items():
            session.add(
                TierGoalRow(program_id=row.id, kind=kind, tier=tier, count=count, year=goal.year, as_of=goal.as_of)
            )
    session.flush()
    return row


def carry_memberships(session: Session, old: ProgramRow, new: ProgramRow) -> int:
    """Copy non-automatic memberships from `old` to `new` where chain and node still match."""
    new_prog = parse_program(new.source_toml, new.name).program
    new_nodes: dict[tuple[str, str], tuple[int, int]] = {}
    for crow in session.scalars(select(ChainRow).where(ChainRow.program_id == new.id)):
        for nrow in crow.nodes:
            new_nodes[(crow.name, nrow.name)] = (crow.id, nrow.id)
    rows = session.execute(
        select(ChainMembership, ChainRow.name, ChainNodeRow.name)
        .join(ChainNodeRow, ChainMembership.node_id == ChainNodeRow.id)
        .join(ChainRow, ChainMembership.chain_id == ChainRow.id)
        .where(ChainRow.program_id == old.id, ChainMembership.source.in_(("manual", "import")))
    ).all()
    copied = 0
    for member, chain_name, node_name in rows:
        found = new_prog.find_chain(chain_name)
        if found is None:
            continue
        target = new_nodes.get((found[1].name, node_name))
        if target is None:
            continue
        session.add(
            ChainMembership(
                enterprise_id=member.enterprise_id,
                chain_id=target[0],
                node_id=target[1],
                source=member.source,
                confidence=member.confidence,
                status=member.status,
                is_primary=member.is_primary,
                reason=(member.reason or "") + f"（沿用自 {old.name} 修订 {old.file_hash[:8]}）",
                decided_by=member.decided_by,
                decided_at=member.decided_at,
            )
        )
        copied += 1
    session.flush()
    return copied


def active_program_row(session: Session, name: str | None = None) -> ProgramRow | None:
    """The active revision of `name`, or of the most recently loaded program."""
    query = select(ProgramRow).where(ProgramRow.is_active.is_(True))
    if name:
        query = query.where(ProgramRow.name == name)
    return session.scalars(query.order_by(ProgramRow.loaded_at.desc(), ProgramRow.id.desc())).first()


def active_program(session: Session, name: str | None = None) -> tuple[ProgramRow, Program] | None:
    row = active_program_row(session, name)
    if row is None:
        return None
    return row, parse_program(row.source_toml, f"db:{row.name}").program


def list_programs(session: Session) -> list[ProgramRow]:
    return list(session.scalars(select(ProgramRow).order_by(ProgramRow.name, ProgramRow.loaded_at)))


def program_as_json(program: Program) -> dict[str, Any]:
    """The stable JSON shape of `chainlead program show --json`."""
    head = program.program

    def date(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "name": head.name,
        "title": head.title,
        "revision": head.revision,
        "region_code": head.region_code,
        "region_name": head.region_name,
        "base_year": head.base_year,
        "target_year": head.target_year,
        "effective_on": date(head.effective_on),
        "scale_metric": head.scale_metric,
        "scale_unit": "亿元",
        "status_rules": program.status_rules.model_dump(),
        "tier_targets": program.tier_targets.counts(),
        "tier_target_year": program.tier_targets.year,
        "tier_baselines": program.tier_baselines.counts(),
        "tier_baseline_as_of": date(program.tier_baselines.as_of),
        "ecosystems": [
            {
                "name": eco.name,
                "aliases": list(eco.aliases),
                "targets": {k: float(v) for k, v in eco.targets.items()},
                "target_is_floor": eco.target_is_floor,
                "baseline": eco.baseline.model_dump() if eco.baseline else None,
                "chains": [
                    {
                        "name": chain.name,
                        "aliases": list(chain.aliases),
                        "leader": chain.leader,
                        "lead_department": chain.lead_department,
                        "chain_masters": list(chain.chain_masters),
                        "leading_firms": list(chain.leading_firms),
                        "nodes": [
                            {
                                "name": node.name,
                                "position": node.position.value,
                                "parent": node.parent or None,
                                "industry_codes": list(node.industry_codes),
                                "partial_codes": list(node.partial_codes),
                                "keywords": list(node.keywords),
                                "products": list(node.products),
                            }
                            for node in chain.nodes
                        ],
                    }
                    for chain in eco.chains
                ],
            }
            for eco in program.ecosystems
        ],
    }
