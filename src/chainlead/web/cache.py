"""In-process memo of expensive page data (页面缓存), keyed by the data versions it was built from.

Every write bumps a data-version counter (db/versions.py) in the same transaction, so an entry
whose versions string no longer matches is never served: a stale figure cannot appear after an
import, a mapping decision or a program change.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from chainlead.db.versions import versions

T = TypeVar("T")


class ResultMemo:
    def __init__(self, max_entries: int = 256) -> None:
        self._data: OrderedDict[tuple[Any, ...], tuple[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0

    def get(self, session: Session, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        current = session.info.get("data_versions")
        if current is None:  # one look-up per request (a request is one session)
            current = session.info["data_versions"] = versions(session)
        with self._lock:
            found = self._data.get(key)
            if found is not None and found[0] == current:
                self._data.move_to_end(key)
                self.hits += 1
                return found[1]  # type: ignore[no-any-return]
        value = build()
        with self._lock:
            self.misses += 1
            self._data[key] = (current, value)
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)
        return value

    def peek(self, key: tuple[Any, ...], versions: str) -> Any | None:
        """The value stored under `key` if it was built from exactly `versions`, else None (no build)."""
        with self._lock:
            found = self._data.get(key)
            if found is None or found[0] != versions:
                return None
            self.hits += 1
            return found[1]


def memo(session: Session, request_app: Any, key: tuple[Any, ...], build: Callable[[], T]) -> T:
    return request_app.state.memo.get(session, key, build)  # type: ignore[no-any-return]
