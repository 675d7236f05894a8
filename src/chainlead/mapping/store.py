"""Mapping data in the database (挂链数据): training labels and the stored model.

The trained model lives in the `stored_model` table (name `mapping`, one row per training, the
latest three kept per program), pickled with a format version; it is never written to the
repository.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from chainlead.db.models import ChainMembership, ChainNodeRow, ChainRow, Enterprise, ProgramRow, StoredModel, utcnow
from chainlead.mapping.errors import MappingError
from chainlead.mapping.model import FORMAT_VERSION, NONE, MappingModel, subsample
from chainlead.mapping.text import EnterpriseText
from chainlead.program.model import Program
from chainlead.program.store import active_program

MODEL_NAME = "mapping"
KEEP_MODELS = 3
MIN_TRAINING = 20  # fewer labelled enterprises than this: rules only


def active_program_or_fail(session: Session) -> tuple[ProgramRow, Program]:
    """The active program (生效方案), or a MappingError telling how to load one."""
    found = active_program(session)
    if found is None:
        raise MappingError(
            "数据库中没有生效的方案，请先运行 chainlead program load",
            "no active program in the database; run `chainlead program load` first",
        )
    return found


@dataclass
class TrainingSet:
    texts: list[EnterpriseText]
    chains: list[str]
    nodes: list[str | None]


def training_set(session: Session, program_id: int, limit: int | None = None, seed: int = 0) -> TrainingSet:
    """Labels from decisions people made: confirmed memberships from imports and manual review.

    An enterprise's label is the chain of its primary confirmed membership (else its first); an
    enterprise whose only decisions are manual rejections is an example of `none`. With `limit`,
    a larger set is subsampled per label *before* the texts are read (as training would anyway).
    """
    rows = session.execute(
        select(
            ChainMembership.enterprise_id,
            ChainMembership.status,
            ChainMembership.is_primary,
            ChainRow.name,
            ChainNodeRow.name,
        )
        .join(ChainRow, ChainMembership.chain_id == ChainRow.id)
        .join(ChainNodeRow, ChainMembership.node_id == ChainNodeRow.id)
        .where(
            ChainRow.program_id == program_id,
            ChainMembership.source.in_(("manual", "import")),
            ChainMembership.status.in_(("confirmed", "rejected")),
        )
        .order_by(ChainMembership.enterprise_id, ChainMembership.is_primary.desc(), ChainMembership.id)
    ).all()
    label: dict[int, tuple[str, str | None]] = {}
    rejected_only: set[int] = set()
    for ent_id, status, _primary, chain, node in rows:
        if status == "confirmed":
            rejected_only.discard(ent_id)
            label.setdefault(ent_id, (chain, node))
        elif ent_id not in label:
            rejected_only.add(ent_id)
    for ent_id in rejected_only:
        label[ent_id] = (NONE, None)
    texts: list[EnterpriseText] = []
    chains: list[str] = []
    nodes: list[str | None] = []
    ids = sorted(label)
    if limit is not None:
        ids = [ids[k] for k in subsample(list(range(len(ids))), [label[i][0] for i in ids], limit, seed)]
    for start in range(0, len(ids), 5000):
        part = ids[start : start + 5000]
        for ent in session.execute(
            select(
                Enterprise.id,
                Enterprise.name,
                Enterprise.main_products,
                Enterprise.business_scope,
                Enterprise.industry_code,
            ).where(Enterprise.id.in_(part))
        ):
            texts.append(EnterpriseText.of(ent.name, ent.main_products, ent.business_scope, ent.industry_code))
            ent_chain, ent_node = label[ent.id]
            chains.append(ent_chain)
            nodes.append(ent_node)
    return TrainingSet(texts, chains, nodes)


def save_model(session: Session, program_id: int, model: MappingModel) -> StoredModel:
    report = model.report
    meta = {
        "format_version": FORMAT_VERSION,
        "examples": report.examples if report else 0,
        "classes": report.classes if report else {},
        "node_examples": report.node_examples if report else 0,
        "tokenizer": model.features.tokenizer,
        "temperature": model.temperature,
    }
    row = StoredModel(name=MODEL_NAME, program_id=program_id, meta=meta, blob=model.to_bytes(), trained_at=utcnow())
    session.add(row)
    session.flush()
    old = session.scalars(
        select(StoredModel.id)
        .where(StoredModel.name == MODEL_NAME, StoredModel.program_id == program_id)
        .order_by(StoredModel.trained_at.desc(), StoredModel.id.desc())
        .offset(KEEP_MODELS)
    ).all()
    if old:
        session.execute(delete(StoredModel).where(StoredModel.id.in_(old)))
    return row


@dataclass
class LoadedModel:
    model: MappingModel
    trained_at: dt.datetime
    meta: dict


def load_model(session: Session, program_id: int) -> LoadedModel | None:
    """The latest stored model for the program, or None (also when its format is outdated)."""
    row = session.scalars(
        select(StoredModel)
        .where(StoredModel.name == MODEL_NAME, StoredModel.program_id == program_id)
        .order_by(StoredModel.trained_at.desc(), StoredModel.id.desc())
    ).first()
    if row is None or (row.meta or {}).get("format_version") != FORMAT_VERSION:
        return None
    try:
        model = MappingModel.from_bytes(row.blob)
    except Exception:  # an unreadable blob (format, renamed classes, truncated): retrain
        return None
    return LoadedModel(model, row.trained_at, dict(row.meta or {}))
