"""Build chunks in worker processes, hand them back in order (演示数据并行生成).

Chunks are independent given the pass-1 context (each draws from its own seeded stream), so
they can be built in forked workers while the main process writes; results come back in chunk
order and at most `workers + 1` are in flight, so memory stays bounded and the output is the
same as a single-process run.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from chainlead.demo.chunks import Context, build_chunk
from chainlead.demo.tables import HEADERS, chunk_tables, csv_bytes

_CTX: Context | None = None


def default_workers() -> int:
    """CHAINLEAD_DEMO_WORKERS, else up to 2 (1 where fork is unavailable)."""
    env = os.environ.get("CHAINLEAD_DEMO_WORKERS", "").strip()
    if env.isdigit() and int(env) >= 1:
        return int(env)
    if "fork" not in mp.get_all_start_methods():
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def chunk_job(number: int) -> Any:
    assert _CTX is not None
    return build_chunk(_CTX, number)


def csv_job(number: int) -> dict[str, bytes]:
    """A chunk straight to CSV bytes per file kind (for `--out` without `--db`)."""
    assert _CTX is not None
    tables = chunk_tables(build_chunk(_CTX, number), _CTX.plan)
    return {k: csv_bytes(t.select(list(HEADERS[k]))) for k, t in tables.items() if t.num_rows}


def ordered(
    ctx: Context, job: Callable[[int], Any], total: int, workers: int, in_flight: int | None = None
) -> Iterator[Any]:
    """job(0), job(1), … job(total-1), computed by `workers` processes, yielded in order.

    At most `in_flight` jobs (default workers + 1) are submitted or waiting to be consumed; a slow
    consumer (a database) should pass a small number so finished chunks do not pile up.
    """
    limit = max(1, in_flight or workers + 1)
    global _CTX
    _CTX = ctx
    try:
        if workers <= 1 or total <= 1 or "fork" not in mp.get_all_start_methods():
            for number in range(total):
                yield job(number)
            return
        with mp.get_context("fork").Pool(workers) as pool:
            pending: deque[Any] = deque()
            submitted = 0
            while submitted < total and len(pending) < limit:
                pending.append(pool.apply_async(job, (submitted,)))
                submitted += 1
            while pending:
                result = pending.popleft().get()
                if submitted < total:
                    pending.append(pool.apply_async(job, (submitted,)))
                    submitted += 1
                yield result
    finally:
        _CTX = None
