"""The map-all pipeline (批量挂链): read enterprises in chunks, map them (on several processes
for large runs), write the automatic rows — never touching rows people decided.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from chainlead.db.models import ChainMembership, Enterprise, table_of, utcnow
from chainlead.mapping.predict import Mapper
from chainlead.mapping.text import EnterpriseText

CHUNK = 20_000
PARALLEL_FROM = 50_000  # enterprises; smaller runs stay in one process
AUTOMATIC = ("rule", "model")
HUMAN = ("manual", "import")

Compact = list[list[tuple[str, str, float, str, str, bool]]]
_MAPPER: Mapper | None = None


def _map_rows(rows: list[tuple[Any, ...]]) -> Compact:
    """Worker: (id, name, products, scope, code) rows → compact suggestions per row."""
    assert _MAPPER is not None
    texts = [EnterpriseText.of(r[1], r[2], r[3], r[4]) for r in rows]
    return [
        [(s.chain, s.node, s.confidence, s.source, s.reason, s.is_primary) for s in sugg] for sugg in _MAPPER.map(texts)
    ]


def default_workers(total: int) -> int:
    if total < PARALLEL_FROM:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def run(
    session: Session,
    mapper: Mapper,
    node_ids: dict[tuple[str, str], tuple[int, int]],
    report: Any,
    user: str = "",
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Map every enterprise and write the results chunk by chunk (see service.map_all)."""
    global _MAPPER
    _MAPPER = mapper
    chain_ids = sorted({cid for cid, _ in node_ids.values()})
    if workers is None:
        total = session.scalar(select(Enterprise.id).order_by(Enterprise.id.desc()).limit(1)) or 0
        workers = default_workers(total)
    pool = None
    if workers > 1:
        # Workers are forked after the mapper is set, so it is not pickled for each chunk.
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    pending: deque[tuple[list[tuple[Any, ...]], Future[Compact] | Compact]] = deque()
    last_id = 0
    try:
        while True:
            batch: list[tuple[Any, ...]] = [
                tuple(r)
                for r in session.execute(
                    select(
                        Enterprise.id,
                        Enterprise.name,
                        Enterprise.main_products,
                        Enterprise.business_scope,
                        Enterprise.industry_code,
                    )
                    .where(Enterprise.id > last_id)
                    .order_by(Enterprise.id)
                    .limit(CHUNK)
                )
            ]
            if batch:
                last_id = batch[-1][0]
                pending.append((batch, pool.submit(_map_rows, batch) if pool else _map_rows(batch)))
            while pending and (not batch or len(pending) > workers or pool is None):
                rows, result = pending.popleft()
                got = result.result() if isinstance(result, Future) else result
                _write(session, rows, got, node_ids, chain_ids, mapper.thresholds.apply, report, user)
                if progress:
                    progress(report.enterprises)
            if not batch:
                break
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        _MAPPER = None


def _write(
    session: Session,
    batch: list[tuple[Any, ...]],
    results: Compact,
    node_ids: dict[tuple[str, str], tuple[int, int]],
    chain_ids: list[int],
    apply_at: float,
    report: Any,
    user: str,
) -> None:
    lo, hi = batch[0][0], batch[-1][0]
    # One range query on enterprise_id, filtered here: with the chain filter in SQL, SQLite picks
    # the (chain_id, status) index and scans every membership of the chain for each chunk.
    chains = set(chain_ids)
    automatic: list[int] = []
    decided_nodes: set[tuple[int, int]] = set()
    decided_chains: set[tuple[int, int]] = set()
    for mid, ent_id, node_id, chain_id, source, status in session.execute(
        select(
            ChainMembership.id,
            ChainMembership.enterprise_id,
            ChainMembership.node_id,
            ChainMembership.chain_id,
            ChainMembership.source,
            ChainMembership.status,
        ).where(ChainMembership.enterprise_id.between(lo, hi))
    ):
        if chain_id not in chains:
            continue
        if source in AUTOMATIC:
            automatic.append(mid)
        elif source in HUMAN:
            decided_nodes.add((ent_id, node_id))
            if status == "confirmed":
                decided_chains.add((ent_id, chain_id))
    for start in range(0, len(automatic), 5000):
        session.execute(
            delete(ChainMembership)
            .where(ChainMembership.id.in_(automatic[start : start + 5000]))
            .execution_options(synchronize_session=False)
        )
    rows = []
    now = utcnow()
    for r, suggestions in zip(batch, results, strict=True):
        if not suggestions:
            report.none += 1
        for chain, node, conf, source, reason, primary in suggestions:
            target = node_ids.get((chain, node))
            if target is None:
                continue
            cid, nid = target
            if (r[0], nid) in decided_nodes or (r[0], cid) in decided_chains:
                report.skipped_decided += 1
                continue
            status = "applied" if conf >= apply_at else "suggested"
            if status == "applied":
                report.applied += 1
                report.per_chain[chain] = report.per_chain.get(chain, 0) + 1
            else:
                report.suggested += 1
            rows.append(
                {
                    "enterprise_id": r[0],
                    "node_id": nid,
                    "chain_id": cid,
                    "source": source,
                    "confidence": conf,
                    "status": status,
                    "is_primary": primary,
                    "reason": reason[:1000],
                    "decided_by": user or f"chainlead map ({source})",
                    "decided_at": now,
                }
            )
    if rows:
        session.connection().execute(insert(table_of(ChainMembership)), rows)  # Core: no ORM bookkeeping
    report.enterprises += len(batch)
