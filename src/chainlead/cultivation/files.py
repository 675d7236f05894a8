"""Reading interchange files for screening without a database (文件筛查).

CSV (UTF-8 or GB18030) or XLSX with canonical or Chinese headers (registry/formats.py). Amounts
are in 万元. An empty cell is unknown. A bad cell raises FileProblem naming the file, row and field.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from chainlead.errors import BilingualError
from chainlead.reference.uscc import InvalidUSCC, normalize_uscc
from chainlead.registry.formats import TIER_LABELS_ZH, Column, FileFormat, normalize_header

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


class FileProblem(BilingualError, ValueError):
    """A file that cannot be used; `zh` and `en` name the file, row and field."""


def read_raw(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise FileProblem(f"文件不存在：{path}", f"file not found: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            return pd.read_excel(path, dtype=object, engine="calamine")
        if suffix in (".csv", ".txt"):
            try:
                return pd.read_csv(path, dtype=object, keep_default_na=False, encoding="utf-8-sig")
            except UnicodeDecodeError:
                return pd.read_csv(path, dtype=object, keep_default_na=False, encoding="gb18030")
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise FileProblem(f"无法读取文件 {path.name}：{exc}", f"cannot read {path.name}: {exc}") from exc
    raise FileProblem(
        f"不支持的文件类型 {suffix}（请用 .csv 或 .xlsx）", f"unsupported file type {suffix} (use .csv or .xlsx)"
    )


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


def read_file(path: Path, fmt: FileFormat) -> pd.DataFrame:
    """The file as a DataFrame with canonical columns and typed values (None = unknown)."""
    raw = read_raw(path)
    hmap = fmt.header_map()
    rename: dict[str, str] = {}
    for col in raw.columns:
        canon = hmap.get(normalize_header(str(col)))
        if canon is not None and canon not in rename.values():
            rename[col] = canon
    df = raw[list(rename)].rename(columns=rename)
    missing = [c for c in fmt.columns if c.required and c.name not in df.columns]
    if missing:
        names = "、".join(f"{c.zh}（{c.name}）" for c in missing)
        raise FileProblem(
            f"{path.name}：缺少必填列 {names}（{fmt.zh}）",
            f"{path.name}: required column(s) missing: {', '.join(c.name for c in missing)} ({fmt.kind})",
        )
    out = {name: _parse_column(df[name].to_numpy(dtype=object), fmt.column(name), path) for name in df.columns}
    return pd.DataFrame(out, columns=list(df.columns))


def _problem(path: Path, col: Column, row: int, v: object, exc: ValueError) -> FileProblem:
    zh, _, en = str(exc).partition("|")
    return FileProblem(
        f"{path.name} 第 {row} 行“{col.zh}”（{col.name}）：{v!s} — {zh}",
        f"{path.name} row {row}, field {col.name}: {v!s} — {en or zh}",
    )


def _parse_column(raw: np.ndarray, col: Column, path: Path) -> np.ndarray:
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
                raise _problem(path, col, i + 2, v, exc) from None
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
    else:
        out = np.empty(n, dtype=object)
        for i in range(n):
            out[i] = one(i)
    if col.required:
        empty = np.array([v is None or (isinstance(v, float) and math.isnan(v)) for v in out], dtype=bool)
        if empty.any():
            row = int(np.flatnonzero(empty)[0]) + 2
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
