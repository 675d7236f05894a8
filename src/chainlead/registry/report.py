"""The import report (导入报告) and the rejects file (拒绝行文件)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chainlead.registry.validate import Issue

KEEP_ISSUES = 1000
"""Rejected rows and warnings kept in the report itself; the rejects file has all of them."""

REJECT_COLUMNS = ("行号 row", "字段 field", "原因 reason_zh", "reason_en")


@dataclass
class ImportReport:
    """What an import read, applied, rejected and warned about."""

    kind: str
    file_name: str
    file_hash: str = ""
    unit: str = "万元"
    mode: str = "strict"
    dry_run: bool = False
    user: str = ""
    status: str = "running"  # applied | failed | dry_run
    batch_id: int | None = None
    encoding: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    columns: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_new: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    rows_rejected: int = 0
    warnings_count: int = 0
    rejected: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    notices: list[tuple[str, str]] = field(default_factory=list)
    error: tuple[str, str] | None = None
    rejects_file: str | None = None
    seconds: float = 0.0

    @property
    def rows_applied(self) -> int:
        return self.rows_new + self.rows_updated + self.rows_unchanged

    @property
    def ok(self) -> bool:
        return self.status in ("applied", "dry_run") and self.error is None

    def reject(self, issue: Issue) -> None:
        if len(self.rejected) < KEEP_ISSUES:
            self.rejected.append(issue)

    def warn(self, issue: Issue) -> None:
        self.warnings_count += 1
        if len(self.warnings) < KEEP_ISSUES:
            self.warnings.append(issue)

    def summary_zh(self) -> str:
        return (
            f"读取 {self.rows_read} 行，应用 {self.rows_applied} 行（新增 {self.rows_new}，更新 {self.rows_updated}，"
            f"未变 {self.rows_unchanged}），拒绝 {self.rows_rejected} 行，警告 {self.warnings_count} 条"
        )

    def summary_en(self) -> str:
        return (
            f"read {self.rows_read}, applied {self.rows_applied} (new {self.rows_new}, updated {self.rows_updated}, "
            f"unchanged {self.rows_unchanged}), rejected {self.rows_rejected}, warnings {self.warnings_count}"
        )

    def summary(self) -> str:
        return f"{self.summary_zh()} / {self.summary_en()}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file_name": self.file_name,
            "file_hash": self.file_hash,
            "unit": self.unit,
            "mode": self.mode,
            "dry_run": self.dry_run,
            "user": self.user,
            "status": self.status,
            "batch_id": self.batch_id,
            "encoding": self.encoding,
            "sheet": self.sheet,
            "header_row": self.header_row,
            "columns": self.columns,
            "rows_read": self.rows_read,
            "rows_applied": self.rows_applied,
            "rows_new": self.rows_new,
            "rows_updated": self.rows_updated,
            "rows_unchanged": self.rows_unchanged,
            "rows_rejected": self.rows_rejected,
            "warnings_count": self.warnings_count,
            "summary_zh": self.summary_zh(),
            "summary_en": self.summary_en(),
            "error": {"zh": self.error[0], "en": self.error[1]} if self.error else None,
            "notices": [{"zh": zh, "en": en} for zh, en in self.notices],
            "rejected": [i.as_dict() for i in self.rejected],
            "warnings": [i.as_dict() for i in self.warnings],
            "rejects_file": self.rejects_file,
            "seconds": round(self.seconds, 3),
        }


class RejectsWriter:
    """Writes rejected rows as they come: original cells + row number + field + reasons.

    CSV (UTF-8 with BOM, so Excel opens it) or XLSX by the file's extension. The extra
    columns are not interchange headers, so the fixed file can be imported again as is.
    """

    def __init__(self, path: Path, header: list[str]) -> None:
        self.path = path
        self.header = header
        self.count = 0
        self._xlsx = path.suffix.lower() in (".xlsx", ".xlsm")
        path.parent.mkdir(parents=True, exist_ok=True)
        if self._xlsx:
            import xlsxwriter

            self._book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
            self._sheet = self._book.add_worksheet("拒绝行 rejected")
            self._row = 0
            self._emit([*header, *REJECT_COLUMNS])
        else:
            self._file = path.open("w", encoding="utf-8-sig", newline="")
            self._csv = csv.writer(self._file)
            self._csv.writerow([*header, *REJECT_COLUMNS])

    def _emit(self, values: list[object]) -> None:
        for col, value in enumerate(values):
            self._sheet.write(self._row, col, "" if value is None else value)
        self._row += 1

    def write(self, number: int, cells: list[object], issues: list[Issue]) -> None:
        width = len(self.header)
        original = ["" if c is None else c for c in list(cells)[:width]]
        original += [""] * (width - len(original))
        fields = "; ".join(dict.fromkeys(i.field for i in issues))
        row = [*original, number, fields, "；".join(i.zh for i in issues), "; ".join(i.en for i in issues)]
        if self._xlsx:
            self._emit([str(v) if not isinstance(v, int | float | str) else v for v in row])
        else:
            self._csv.writerow(row)
        self.count += 1

    def close(self) -> None:
        if self._xlsx:
            self._book.close()
        else:
            self._file.close()
