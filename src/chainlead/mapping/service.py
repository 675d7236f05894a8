"""Mapping services (挂链服务) the CLI and the web app call: map all, review, confirm, reject.

Rules of `map_all`:
- every enterprise in the database is mapped against the active program;
- earlier automatic rows (source rule|model, status applied|suggested) are replaced;
- rows from people (source manual|import, any status) are never changed, and a node a person
  confirmed or rejected is never suggested again for that enterprise; a chain in which the
  enterprise already has a confirmed membership gets no automatic row;
- confidence ≥ `apply` → status applied; ≥ `suggest` → status suggested (review queue);
- the `memberships` data version is bumped in the same transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainlead.db.models import ChainNodeRow, ChainRow, ProgramRow
from chainlead.db.versions import bump
from chainlead.mapping import batch
from chainlead.mapping.errors import MappingError
from chainlead.mapping.model import MAX_TRAIN, MappingModel
from chainlead.mapping.predict import Mapper, Suggestion, Thresholds
from chainlead.mapping.relations import relations_from_env
from chainlead.mapping.review import decide_by_id, decide_many, review_queue
from chainlead.mapping.rules import RuleIndex
from chainlead.mapping.store import MIN_TRAINING, active_program_or_fail, load_model, save_model, training_set
from chainlead.mapping.text import EnterpriseText


@dataclass
class MapReport:
    """What a mapping run did."""

    enterprises: int = 0
    applied: int = 0
    suggested: int = 0
    none: int = 0
    skipped_decided: int = 0
    model: str = "rules"  # rules | stored model | retrained model
    model_examples: int = 0
    train_seconds: float = 0.0
    seconds: float = 0.0
    per_chain: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Enterprises per second of mapping (training, when there was any, not counted)."""
        mapping = self.seconds - self.train_seconds
        return self.enterprises / mapping if mapping > 0 else 0.0


def _node_ids(session: Session, program_id: int) -> dict[tuple[str, str], tuple[int, int]]:
    rows = session.execute(
        select(ChainRow.name, ChainRow.id, ChainNodeRow.name, ChainNodeRow.id)
        .join(ChainNodeRow, ChainNodeRow.chain_id == ChainRow.id)
        .where(ChainRow.program_id == program_id)
    ).all()
    return {(c, n): (cid, nid) for c, cid, n, nid in rows}


def prepare_mapper(
    session: Session,
    retrain: bool = False,
    thresholds: Thresholds | None = None,
    tokenizer: str = "char",
) -> tuple[ProgramRow, Mapper, MapReport]:
    """The mapper for the active program: the stored model, a new one, or rules alone."""
    prow, program = active_program_or_fail(session)
    index = RuleIndex(program)
    report = MapReport()
    loaded = None if retrain else load_model(session, prow.id)
    model: MappingModel | None = loaded.model if loaded else None
    if loaded:
        report.model, report.model_examples = "stored model", int(loaded.meta.get("examples", 0))
    if model is None:
        started = time.perf_counter()
        data = training_set(session, prow.id, limit=MAX_TRAIN)
        if len(data.texts) >= MIN_TRAINING and len(set(data.chains)) >= 2:
            relations = relations_from_env()  # optional (CHAINLEAD_PRODUCT_RELATIONS), read for training only
            model = MappingModel(index, tokenizer=tokenizer, relations=relations)
            model.fit(data.texts, data.chains, data.nodes)
            save_model(session, prow.id, model)
            report.model, report.model_examples = "retrained model", len(data.texts)
            report.train_seconds = time.perf_counter() - started
    return prow, Mapper(index, model, thresholds), report


def map_all(
    session: Session,
    retrain: bool = False,
    thresholds: Thresholds | None = None,
    user: str = "",
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> MapReport:
    """Map every enterprise; see the module docstring for what is kept and what is replaced."""
    started = time.perf_counter()
    prow, mapper, report = prepare_mapper(session, retrain, thresholds)
    batch.run(session, mapper, _node_ids(session, prow.id), report, user, workers, progress)
    bump(session, "memberships")
    report.seconds = time.perf_counter() - started
    return report


def suggest_for(session: Session, ents: list[EnterpriseText]) -> list[list[Suggestion]]:
    """Suggestions for enterprises that are not (yet) in the database, e.g. a web form."""
    _, mapper, _ = prepare_mapper(session)
    return mapper.map(ents)


# ---------------------------------------------------------------- review (the web app calls these)
# review_queue (imported above from mapping/review.py) lists the queue; these decide.


def decide(session: Session, membership_ids: list[int], status: str, user: str = "", note: str = "") -> int:
    """Confirm or reject review-queue rows by id; `status` is confirmed|confirm or rejected|reject."""
    if status not in ("confirmed", "confirm", "rejected", "reject"):
        raise MappingError(f"未知操作 {status!r}", f"unknown decision {status!r}")
    return decide_by_id(session, list(membership_ids), status.startswith("confirm"), user, note)


def confirm(session: Session, items: list[tuple[str, str]], user: str = "", note: str = "") -> int:
    """Confirm (USCC, node) pairs — node as `chain/node` or a unique node name."""
    return len(decide_many(session, items, True, user, note))


def reject(session: Session, items: list[tuple[str, str]], user: str = "", note: str = "") -> int:
    """Reject (USCC, node) pairs; a rejected node is never suggested again for that enterprise."""
    return len(decide_many(session, items, False, user, note))


__all__ = ["MapReport", "confirm", "decide", "map_all", "prepare_mapper", "reject", "review_queue", "suggest_for"]
