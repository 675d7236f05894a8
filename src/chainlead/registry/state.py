"""Import state (导入过程状态): counts, the in-file duplicate index, the pending chunk."""

from __future__ import annotations

from operator import itemgetter

from chainlead.registry.apply import KEPT, NEW, REJECTED, UNCHANGED, UPDATED, Applier
from chainlead.registry.report import ImportReport, RejectsWriter
from chainlead.registry.validate import Issue, RowValidator

_MASK = (1 << 64) - 1


class State:
    """Counts, duplicates within the file, pending chunk."""

    def __init__(
        self, report: ImportReport, applier: Applier, rejects: RejectsWriter | None, strict: bool, chunk: int
    ) -> None:
        self.chunk = chunk
        self.report = report
        self.applier = applier
        self.rejects = rejects
        self.strict = strict
        self.seen: dict[int, int] = {}  # hash(key) → first row << 64 | hash(values)
        self.poisoned: dict[int, int] = {}  # hash(key) → first row, for keys with conflicting duplicates
        self.identical: list[tuple[int, int]] = []  # (row, hash(key)) of identical duplicates
        self.outcome = bytearray()  # per row number: NEW/UPDATED/… of applied rows
        self.pending: list[tuple[int, dict, int, list[object]]] = []
        self.key_fields = applier.target.key if applier.target.kind != "memberships" else ("uscc", "chain", "node")
        self.key_of = itemgetter(*self.key_fields)
        self.validate: RowValidator | None = None

    def row(
        self, number: int, cells: list[object], record: dict | None, errors: list[Issue], warnings: list[Issue]
    ) -> None:
        report = self.report
        report.rows_read += 1
        if warnings:
            for w in warnings:
                report.warn(w)
        if record is None:
            self.reject(number, cells, errors)
            return
        kh = hash(self.key_of(record))
        fp = hash(tuple(record.values())) & _MASK
        packed = self.seen.get(kh)
        if packed is None:
            self.seen[kh] = (number << 64) | fp  # one int per key keeps a million keys small
            self.pending.append((number, record, kh, cells))
            if len(self.pending) >= self.chunk:
                self.flush()
            return
        first = (packed >> 64, packed & _MASK)
        if first[1] == fp and kh not in self.poisoned:
            self.identical.append((number, kh))
            report.rows_unchanged += 1
            report.warn(
                Issue(
                    number,
                    "uscc",
                    f"与第 {first[0]} 行完全重复，只导入一次",
                    f"exact duplicate of row {first[0]}; applied once",
                )
            )
            return
        self.poisoned.setdefault(kh, first[0])
        keys = "、".join(self.key_fields)
        self.reject(
            number,
            cells,
            [
                Issue(
                    number,
                    self.key_fields[0],
                    f"与第 {first[0]} 行的键（{keys}）相同但取值不同，两行都不导入",
                    f"same key ({keys}) as row {first[0]} with different values; both rows rejected",
                    str(record.get("uscc", "")),
                )
            ],
        )

    def reject(self, number: int, cells: list[object], issues: list[Issue]) -> None:
        self.report.rows_rejected += 1
        for issue in issues:
            self.report.reject(issue)
        if self.rejects is not None:
            self.rejects.write(number, cells, issues)
        if self.strict:
            self.applier.write = False  # keep validating, stop writing: it will all roll back

    def flush(self) -> None:
        if not self.pending:
            return
        items = []
        raw: dict[int, list[object]] = {}
        for number, record, kh, cells in self.pending:
            if kh in self.poisoned:
                self._mark(number, REJECTED)
                self.reject(number, cells, [dup_issue(number, self.key_fields)])
            else:
                items.append((number, record))
                raw[number] = cells
        self.pending = []
        results = self.applier.apply(items)
        if results:
            self._mark(max(r[0] for r in results), 0)  # grow the outcome array once
        outcome_of = self.outcome
        counts = {NEW: 0, UPDATED: 0, UNCHANGED: 0, KEPT: 0}
        for number, outcome, issue in results:
            outcome_of[number] = outcome
            if outcome == REJECTED:
                self.reject(number, raw[number], [issue])  # type: ignore[list-item]
                continue
            if issue is not None:
                self.report.warn(issue)
            counts[outcome] += 1
        self.report.rows_new += counts[NEW]
        self.report.rows_updated += counts[UPDATED]
        self.report.rows_unchanged += counts[UNCHANGED] + counts[KEPT]

    def _mark(self, number: int, outcome: int) -> None:
        if number >= len(self.outcome):
            self.outcome.extend(b"\0" * max(number + 1 - len(self.outcome), 65536))
        self.outcome[number] = outcome


COUNTERS = {NEW: "rows_new", UPDATED: "rows_updated", UNCHANGED: "rows_unchanged", KEPT: "rows_unchanged"}


def dup_issue(number: int, key_fields: tuple[str, ...]) -> Issue:
    keys = "、".join(key_fields)
    return Issue(
        number,
        key_fields[0],
        f"后面有键（{keys}）相同但取值不同的行，两行都不导入",
        f"a later row has the same key ({keys}) with different values; both rows rejected",
    )
