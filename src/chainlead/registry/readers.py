"""Reading interchange files (读取文件): CSV in UTF-8 / UTF-8-BOM / GBK / GB18030, and Excel.

Rows are streamed: a CSV is decoded incrementally and never held in memory whole. The
header row is the first row (within the first 30) that names enough known columns, so title
rows above it (merged or not) are skipped.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from chainlead.errors import BilingualError
from chainlead.registry.formats import FileFormat, normalize_header

SNIFF_BYTES = 1 << 20
HEADER_SCAN_ROWS = 30
SUPPORTED_ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "gbk")
_HEADER_UNIT = re.compile(r"[(（]\s*(元|万元|亿元)\s*[)）]")
_SPLIT = re.compile(r"[\s/|()（）\\]+")
csv.field_size_limit(1 << 24)


class FileProblem(BilingualError, ValueError):
    """The file as a whole cannot be imported; `zh` / `en` say why and what to do."""


@dataclass
class Header:
    """Where the header is and which column holds which field."""

    row_number: int
    cells: list[str]
    columns: dict[str, int]  # canonical name → position
    units: dict[str, str] = field(default_factory=dict)  # unit written in a header, e.g. 营业收入(元)
    ignored: list[str] = field(default_factory=list)


@dataclass
class Source:
    """An opened file: its header and an iterator of (row number, cells)."""

    kind: str  # csv | excel
    encoding: str | None
    sheet: str | None
    header: Header
    rows: Iterator[tuple[int, list[object]]]
    notices: list[tuple[str, str]] = field(default_factory=list)


def match_header(cell: object, lookup: dict[str, str]) -> str | None:
    """The canonical column a header cell names (also `营业收入(万元)`, `营业收入\\nrevenue_wan`)."""
    if cell is None:
        return None
    text = str(cell).strip()
    if not text:
        return None
    key = normalize_header(text)
    if key in lookup:
        return lookup[key]
    stripped = normalize_header(_HEADER_UNIT.sub("", text)).lstrip("*")
    if stripped in lookup:
        return lookup[stripped]
    for part in _SPLIT.split(text):
        part_key = normalize_header(part).lstrip("*")
        if part_key and part_key in lookup:
            return lookup[part_key]
    return None


def find_header(rows: list[tuple[int, list[object]]], fmt: FileFormat) -> Header | None:
    lookup = fmt.header_map()
    required = [c.name for c in fmt.columns if c.required]
    need = min(2, len(fmt.columns))
    for number, cells in rows:
        columns: dict[str, int] = {}
        units: dict[str, str] = {}
        ignored: list[str] = []
        for pos, cell in enumerate(cells):
            name = match_header(cell, lookup)
            if name is None or name in columns:
                if cell is not None and str(cell).strip():
                    ignored.append(str(cell).strip())
                continue
            columns[name] = pos
            unit = _HEADER_UNIT.search(str(cell))
            if unit and name.endswith("_wan"):
                units[name] = unit.group(1)
        if len(columns) >= need and (required[0] in columns if required else True):
            texts = ["" if c is None else str(c).strip() for c in cells]
            return Header(number, texts, columns, units, ignored)
    return None


def open_source(path: Path, fmt: FileFormat, *, sheet: str | None = None, encoding: str | None = None) -> Source:
    """Open a CSV or Excel file and locate its header; raise FileProblem when it cannot be read."""
    if not path.exists():
        raise FileProblem(f"文件不存在：{path}", f"no such file: {path}")
    with path.open("rb") as f:
        head = f.read(8)
    if not head:
        raise FileProblem(f"文件为空：{path.name}", f"the file is empty: {path.name}")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return _open_excel(path, fmt, sheet)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
        raise FileProblem(
            f"文件 {path.name} 不是有效的 Excel 文件（可能已损坏），请在 Excel 中重新另存为 .xlsx",
            f"{path.name} is not a valid Excel file (it may be corrupt); save it again as .xlsx",
        )
    return _open_csv(path, fmt, encoding)


# ---------------------------------------------------------------- CSV


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or GB18030 (a superset of GBK); anything else is an error."""
    with path.open("rb") as f:
        sample = f.read(SNIFF_BYTES)
        more = bool(f.read(1))
    if b"\x00" in sample[:4096]:
        if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise FileProblem(
                "文件是 UTF-16 编码，请另存为 “CSV UTF-8（逗号分隔）” 或 .xlsx",
                "the file is UTF-16; save it as 'CSV UTF-8 (comma delimited)' or .xlsx",
            )
        raise FileProblem(
            "文件不是文本（含二进制内容），请提供 CSV 或 .xlsx 文件",
            "the file is not text (binary content); give a CSV or .xlsx file",
        )
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if more:
        sample = _cut_at_newline(sample)
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = sample.decode("gb18030")
    except UnicodeDecodeError:
        raise FileProblem(_undecodable_zh(sample), _undecodable_en(sample)) from None
    if looks_like_mojibake(text):
        raise FileProblem(_undecodable_zh(sample), _undecodable_en(sample))
    return "gb18030"


def _cut_at_newline(sample: bytes) -> bytes:
    cut = sample.rfind(b"\n")
    return sample[: cut + 1] if cut > 0 else sample


def _guess(sample: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(sample[:200_000]).best()
    return best.encoding if best is not None else "未知 unknown"


def _undecodable_zh(sample: bytes) -> str:
    return (
        f"无法识别文件编码：按 UTF-8 和 GBK/GB18030 解码均失败或得到乱码（检测结果可能为 {_guess(sample)}）。"
        "请在 Excel 中另存为 “CSV UTF-8（逗号分隔）” 或 .xlsx"
    )


def _undecodable_en(sample: bytes) -> str:
    return (
        f"cannot read the file's encoding: neither UTF-8 nor GBK/GB18030 gives clean text "
        f"(detector's guess: {_guess(sample)}); save it as 'CSV UTF-8 (comma delimited)' or .xlsx"
    )


def looks_like_mojibake(text: str) -> bool:
    """GB18030 decodes many foreign byte streams (Big5, Shift-JIS, Latin-1) without error into
    rare characters; real Chinese business data is almost all in GB2312's common set."""
    cjk = rare = 0
    for ch in text:
        if ch > "\u2e7f":
            cjk += 1
            try:
                ch.encode("gb2312")
            except UnicodeEncodeError:
                rare += 1
    return cjk >= 10 and rare / cjk > 0.15


def _open_csv(path: Path, fmt: FileFormat, encoding: str | None) -> Source:
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise FileProblem(f"未知的编码：{encoding}", f"unknown encoding: {encoding}") from None
        if codec == "utf-8":
            codec = "utf-8-sig"
    else:
        codec = detect_encoding(path)
    stream = path.open("rb")
    rows = _csv_rows(stream, path, codec)
    try:
        sample = _take(rows, HEADER_SCAN_ROWS)
    except FileProblem:
        stream.close()
        raise
    header = find_header(sample, fmt)
    if header is None:
        stream.close()
        raise _no_header(path, fmt, sample, codec)
    if looks_like_mojibake("".join(header.cells)):
        stream.close()
        raise FileProblem(
            f"按 {codec} 解码后表头是乱码，编码可能判断错误。请另存为 UTF-8 CSV 或 .xlsx，或用 --encoding 指定",
            f"the header is garbled when decoded as {codec}; save as UTF-8 CSV or .xlsx, or pass --encoding",
        )
    rest = (r for r in sample if r[0] > header.row_number)
    return Source("csv", codec, None, header, _chain(rest, rows, stream))


def _decoded_lines(stream: BinaryIO, codec: str) -> Iterator[str]:
    """Decode line by line (a newline byte never occurs inside a UTF-8 or GB18030 character),
    so that a bad byte is reported with its exact line."""
    first = True
    for line_number, raw in enumerate(stream, 1):
        try:
            yield raw.decode("utf-8-sig" if first and codec.startswith("utf-8") else codec)
        except UnicodeDecodeError as exc:
            raise FileProblem(
                f"第 {line_number} 行无法按 {codec} 解码（该行第 {exc.start + 1} 个字节）：文件编码不一致或判断错误。"
                "请另存为 UTF-8 CSV，或用 --encoding 指定编码",
                f"line {line_number}: cannot decode as {codec} (byte {exc.start + 1} of the line); the file's "
                "encoding is mixed or was guessed wrong — save as UTF-8 CSV, or pass --encoding",
            ) from None
        first = False


def _csv_rows(stream: BinaryIO, path: Path, codec: str) -> Iterator[tuple[int, list[object]]]:
    reader = csv.reader(_decoded_lines(stream, codec))
    number = 0
    try:
        for cells in reader:
            number += 1
            yield number, cells  # type: ignore[misc]
    except csv.Error as exc:
        raise FileProblem(
            f"第 {number + 1} 行 CSV 格式错误：{exc}", f"row {number + 1}: malformed CSV: {exc}"
        ) from None


def _take(rows: Iterator[tuple[int, list[Any]]], n: int) -> list[tuple[int, list[Any]]]:
    out = []
    for row in rows:
        out.append(row)
        if len(out) >= n:
            break
    return out


def _chain(first, rest, closer) -> Iterator[tuple[int, list[object]]]:  # type: ignore[no-untyped-def]
    try:
        yield from first
        yield from rest
    finally:
        closer.close()


def _no_header(path: Path, fmt: FileFormat, sample: list[tuple[int, list[object]]], codec: str | None) -> FileProblem:
    expected = "、".join(f"{c.zh}({c.name})" for c in fmt.columns if c.required)
    nonempty = [r for r in sample if any(c not in (None, "") for c in r[1])]
    if not nonempty:
        return FileProblem(f"文件 {path.name} 没有内容", f"{path.name} has no content")
    seen = ", ".join(str(c) for c in nonempty[0][1][:8] if c not in (None, ""))
    how = f"（按 {codec} 解码）" if codec else ""
    how_en = f" (decoded as {codec})" if codec else ""
    return FileProblem(
        f"在前 {HEADER_SCAN_ROWS} 行中找不到 {fmt.kind}（{fmt.zh}）的表头{how}；至少需要列：{expected}。"
        f"首个非空行是：{seen}。请用 `chainlead template {fmt.kind}` 下载模板核对",
        f"no {fmt.kind} header found in the first {HEADER_SCAN_ROWS} rows{how_en}; required columns: "
        f"{', '.join(c.name for c in fmt.columns if c.required)}. First non-empty row: {seen}. "
        f"Compare with `chainlead template {fmt.kind}`",
    )


# ---------------------------------------------------------------- Excel


def _open_excel(path: Path, fmt: FileFormat, sheet: str | None) -> Source:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for corrupt files
        if zipfile.is_zipfile(path) and path.suffix.lower() in (".xlsx", ".xlsm"):
            return _open_openpyxl(path, fmt, sheet, exc)
        raise FileProblem(
            f"无法读取 Excel 文件 {path.name}（文件损坏或不是 Excel 格式）：{exc}",
            f"cannot read the Excel file {path.name} (corrupt or not an Excel file): {exc}",
        ) from None
    names = book.sheet_names
    notices: list[tuple[str, str]] = []
    if sheet is not None and sheet not in names:
        raise FileProblem(
            f"工作表 “{sheet}” 不存在；文件中的工作表：{'、'.join(names)}",
            f"no sheet named {sheet!r}; the sheets are: {', '.join(names)}",
        )
    candidates = [sheet] if sheet else names
    for name in candidates:
        ws = book.get_sheet_by_name(name)
        rows = ((i + 1, list(cells)) for i, cells in enumerate(ws.iter_rows()))
        sample = _take(rows, HEADER_SCAN_ROWS)
        header = find_header(sample, fmt)
        if header is None:
            if sheet:
                raise _no_header(path, fmt, sample, None)
            continue
        if not sheet and len(names) > 1:
            notices.append(
                (
                    f"读取工作表 “{name}”（可用 --sheet 指定其他工作表）",
                    f"reading sheet {name!r} (choose another with --sheet)",
                )
            )
        rest = (r for r in sample if r[0] > header.row_number)
        return Source("excel", None, name, header, _excel_values(_chain(rest, rows, _Noop())), notices)
    ws0 = book.get_sheet_by_name(names[0]) if names else None
    sample = _take(((i + 1, list(c)) for i, c in enumerate(ws0.iter_rows())), HEADER_SCAN_ROWS) if ws0 else []
    raise _no_header(path, fmt, sample, None)


class _Noop:
    def close(self) -> None:
        return None


def _excel_values(rows: Iterator[tuple[int, list[object]]]) -> Iterator[tuple[int, list[object]]]:
    """Calamine gives datetimes for date-formatted cells and floats for numbers."""
    for number, cells in rows:
        yield number, [c.date() if isinstance(c, dt.datetime) and c.time() == dt.time() else c for c in cells]


def _open_openpyxl(path: Path, fmt: FileFormat, sheet: str | None, first_error: Exception) -> Source:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise FileProblem(
            f"无法读取 Excel 文件 {path.name}（文件损坏）：{first_error}",
            f"cannot read the Excel file {path.name} (corrupt): {exc}",
        ) from None
    if sheet is not None and sheet not in book.sheetnames:
        raise FileProblem(f"工作表 “{sheet}” 不存在", f"no sheet named {sheet!r}")
    ws = book[sheet] if sheet else book.worksheets[0]
    rows = ((i + 1, list(c)) for i, c in enumerate(ws.iter_rows(values_only=True)))
    sample = _take(rows, HEADER_SCAN_ROWS)
    header = find_header(sample, fmt)
    if header is None:
        raise _no_header(path, fmt, sample, None)
    rest = (r for r in sample if r[0] > header.row_number)
    return Source("excel", None, ws.title, header, _excel_values(_chain(rest, rows, book)))
