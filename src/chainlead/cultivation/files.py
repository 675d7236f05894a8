"""Reading interchange files for screening without a database (文件筛查).

The file itself is opened by the registry's reader (`chainlead import` reads the same files):
CSV in UTF-8 / GBK / GB18030 or Excel, canonical or Chinese headers (registry/formats.py), the header
row found within the first 30 rows. Here each cell is checked against its field: amounts are in 万元
(or in the unit the header states), an empty cell is unknown, and a bad cell raises FileProblem naming
the file, the spreadsheet row and the field.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import re
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

import numpy as np
import pandas as pd

from chainlead.reference.uscc import InvalidUSCC, normalize_uscc
from chainlead.registry.formats import TIER_LABELS_ZH, Column, FileFormat
from chainlead.registry.readers import FileProblem, open_source

__all__ = ["FileProblem", "RawTable", "parse_cell", "read_file", "read_raw"]

_TRUE = {"true", "t", "yes", "y", "1", "1.0", "是", "有", "√"}
_FALSE = {"false", "f", "no", "n", "0", "0.0", "否", "无", "×"}
_EMPTY = {"", "-", "--", "—", "/", "nan", "none", "null", "n/a"}
ENUM_ZH = {
    "国家级": "national",
    "省级": "provincial",
    "市级": "municipal",
    "市级以下": "below_municipal",
    "无": "none",
    "国家级前三": "national_top3",
    "国家级前五": "national_top5",
    "省级前三": "provincial_top3",
    "50强": "top50",
    "500强": "top500",
    "补短板/锻长板/填空白": "chain_breakthrough",
    "补短板": "chain_breakthrough",
    "六基": "six_basics",
    "制造强国": "manufacturing_power_10",
    "网络强国": "network_power",
    **{zh: code for code, zh in TIER_LABELS_ZH.items()},
}
_NUM_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm", ".xls")
_UNIT_FACTOR = {"元": 1e-4, "万元": 1.0, "亿元": 1e4}  # a unit written in a money header → 万元


@dataclass
class RawTable:
    """The recognised columns of a file as cells (text or Excel values), with spreadsheet row numbers."""

    cells: dict[str, list[object]]
    rows: list[int]
    units: dict[str, str]
    notices: list[tuple[str, str]]


def read_raw(path: Path, fmt: FileFormat) -> RawTable:
    """Open the file with the registry's reader (registry/readers.py: encoding detection, header row
    found within the first 30 rows, Excel via calamine) and keep the columns of `fmt`.

    Rows whose recognised cells are all empty are skipped. Problems with the file as a whole raise
    FileProblem naming the file.
    """
    if path.exists() and path.suffix.lower() not in SUFFIXES:
        raise FileProblem(
            f"不支持的文件类型 {path.suffix}（请用 .csv 或 .xlsx）：{path.name}",
            f"unsupported file type {path.suffix} (use .csv or .xlsx): {path.name}",
        )
    try:
        src = open_source(path, fmt)
        header = src.header
        names = list(header.columns)
        positions = [header.columns[n] for n in names]
        width = max(positions) + 1
        pick = itemgetter(*positions)
        picked: list[tuple[object, ...]] = []
        rows: list[int] = []
        gc_was_on = gc.isenabled()
        gc.disable()  # many short-lived rows and no reference cycles (as in registry/importer.py)
        try:
            for number, row in src.rows:
                if len(row) < width:
                    row = [*row, *[None] * (width - len(row))]
                values = pick(row) if len(positions) > 1 else (row[positions[0]],)
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    continue
                rows.append(number)
                picked.append(values)
        finally:
            if gc_was_on:
                gc.enable()
        cells = [list(c) for c in zip(*picked, strict=True)] if picked else [[] for _ in names]
    except FileProblem as exc:
        if path.name in exc.zh:
            raise
        raise FileProblem(f"{path.name}：{exc.zh}", f"{path.name}: {exc.en}") from None
    notices = [(f"{path.name}：{zh}", f"{path.name}: {en}") for zh, en in src.notices]
    if header.ignored:
        shown = "、".join(header.ignored[:20])
        notices.append(
            (
                f"{path.name}：以下列不属于{fmt.zh}格式，已忽略：{shown}",
                f"{path.name}: columns ignored (not in the {fmt.kind} format): {', '.join(header.ignored[:20])}",
            )
        )
    units = {n: u for n, u in header.units.items() if u != "万元"}
    for name, unit in units.items():
        notices.append(
            (
                f"{path.name}：列“{fmt.column(name).zh}”的表头写明单位 {unit}，已换算为万元",
                f"{path.name}: column {name} states its unit {unit} in the header; converted to 万元",
            )
        )
    return RawTable(dict(zip(names, cells, strict=True)), rows, units, notices)


def _text(v: object) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    t = str(v).strip().replace("\u3000", "")
    return None if t.lower() in _EMPTY else t


def parse_cell(v: object, ctype: str, choices: tuple[str, ...]) -> object:
    """Typed value or None (unknown); raises ValueError(zh|en) on a bad cell."""
    if isinstance(v, bool) and ctype == "bool":
        return v
    if ctype == "enum" and isinstance(v, str) and v.strip().lower() in choices:
        return v.strip().lower()  # e.g. "none" is a value here, not an empty cell
    t = _text(v)
    if t is None:
        return None
    if ctype == "bool":
        low = t.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ValueError("应为 是/否、true/false 或 1/0|expected 是/否, true/false or 1/0")
    if ctype in ("int", "year", "money", "float"):
        s = t.replace(",", "").replace("，", "").rstrip("%")
        if not _NUM_RE.match(s):
            raise ValueError("应为数字|expected a number")
        x = float(s)
        if ctype in ("int", "year"):
            if x != int(x):
                raise ValueError("应为整数|expected a whole number")
            if ctype == "year" and not 1900 <= x <= 2100:
                raise ValueError("年份应在 1900–2100|year must be within 1900–2100")
            if ctype == "int" and x < 0:
                raise ValueError("不能为负数|must not be negative")
            return int(x)
        return x
    if ctype == "enum":
        code = ENUM_ZH.get(t, t.lower())
        if code not in choices:
            raise ValueError(f"应为 {' / '.join(choices)} 之一|expected one of {', '.join(choices)}")
        return code
    if ctype == "date":
        if isinstance(v, dt.datetime | pd.Timestamp):
            return v.date() if hasattr(v, "date") else v
        if isinstance(v, dt.date):
            return v
        m = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", t)
        try:
            if not m:
                raise ValueError
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise ValueError("应为日期，如 2022-05-31|expected a date such as 2022-05-31") from None
    return t


def read_file(path: Path, fmt: FileFormat, notices: list[tuple[str, str]] | None = None) -> pd.DataFrame:
    """The file as a DataFrame with canonical columns and typed values (None = unknown).

    Notices (columns ignored, units converted, sheet chosen) are appended to `notices` as (zh, en).
    """
    raw = read_raw(path, fmt)
    if notices is not None:
        notices.extend(raw.notices)
    missing = [c for c in fmt.columns if c.required and c.name not in raw.cells]
    if missing:
        names = "、".join(f"{c.zh}（{c.name}）" for c in missing)
        raise FileProblem(
            f"{path.name}：缺少必填列 {names}（{fmt.zh}）",
            f"{path.name}: required column(s) missing: {', '.join(c.name for c in missing)} ({fmt.kind})",
        )
    rows = np.asarray(raw.rows, dtype=np.int64)
    out = {}
    for name, cells in raw.cells.items():
        values = np.empty(len(cells), dtype=object)
        values[:] = cells
        out[name] = _parse_column(values, fmt.column(name), path, rows)
        if name in raw.units:
            out[name] = _scaled(out[name], _UNIT_FACTOR[raw.units[name]])
    return pd.DataFrame(out, columns=list(raw.cells))


def _scaled(values: np.ndarray, factor: float) -> np.ndarray:
    """Amounts in 元 or 亿元 (stated in the header) → 万元; unknown stays unknown."""
    out = values.copy()
    for i, v in enumerate(values):
        if isinstance(v, float) and not math.isnan(v):
            out[i] = v / 1e4 if factor < 1 else v * factor
    return out


def _problem(path: Path, col: Column, row: int, v: object, exc: ValueError) -> FileProblem:
    zh, _, en = str(exc).partition("|")
    return FileProblem(
        f"{path.name} 第 {row} 行“{col.zh}”（{col.name}）：{v!s} — {zh}",
        f"{path.name} row {row}, field {col.name}: {v!s} — {en or zh}",
    )


def _parse_column(raw: np.ndarray, col: Column, path: Path, rows: np.ndarray) -> np.ndarray:
    """One column, typed; numbers take a vectorised path and only odd cells are parsed one by one."""
    n = len(raw)
    cache: dict[object, object] = {}

    def one(i: int) -> object:
        v = raw[i]
        key = (type(v), v) if not (isinstance(v, float) and math.isnan(v)) else "nan"
        if key not in cache:
            try:
                val = parse_cell(v, col.type, col.choices)
                cache[key] = _uscc(val) if col.name == "uscc" and val is not None else val
            except ValueError as exc:
                raise _problem(path, col, int(rows[i]), v, exc) from None
        return cache[key]

    if col.type in ("money", "float", "int", "year"):
        num = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce").to_numpy(float)
        odd = ~np.isfinite(num)
        if col.type in ("int", "year"):
            whole = num == np.floor(num)
            odd |= ~whole | ((num < 1900) | (num > 2100) if col.type == "year" else num < 0)
        out = num.astype(object)
        for odd_i in np.flatnonzero(odd):
            out[odd_i] = one(int(odd_i))
    elif pd.api.types.infer_dtype(raw, skipna=True) in ("string", "empty"):
        # text cells only (CSV): each distinct value parsed once, in order of first appearance, so
        # the first bad value found is the one on the first bad row
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        seen, first = np.unique(codes, return_index=True)
        parsed = np.empty(len(uniques) + 1, dtype=object)  # the last slot is for empty (None/NaN)
        for k, i in enumerate(first[seen >= 0].tolist()):
            parsed[k] = one(i)
        parsed[-1] = None
        out = parsed[codes]
    else:
        out = np.empty(n, dtype=object)
        for i in range(n):
            out[i] = one(i)
    if col.required:
        empty = np.array([v is None or (isinstance(v, float) and math.isnan(v)) for v in out], dtype=bool)
        if empty.any():
            row = int(rows[np.flatnonzero(empty)[0]])
            raise FileProblem(
                f"{path.name} 第 {row} 行“{col.zh}”（{col.name}）为空，必填",
                f"{path.name} row {row}, field {col.name} is empty but required",
            )
    return out


def _uscc(val: object) -> str:
    try:
        return normalize_uscc(str(val))
    except InvalidUSCC as exc:
        raise ValueError(f"{exc.reason_zh}|{exc.reason_en}") from None
