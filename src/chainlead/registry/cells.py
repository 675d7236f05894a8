"""Cell parsing (单元格解析): numbers, money with units, booleans, dates, years, tiers.

Every parser takes the raw cell (str, int, float, bool, date or None) and returns the typed
value, or None for an empty cell (unknown), or raises CellError with a bilingual reason.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from chainlead.errors import BilingualError
from chainlead.registry.formats import TIER_CHOICES, TIER_LABELS_ZH

UNITS = {"元": -1e4, "万元": 1.0, "亿元": 1e4}
"""Factor that turns an amount in the unit into 万元 (negative: divide, which rounds exactly)."""

_CELL_UNITS = (("亿元", 1e4), ("万元", 1.0), ("亿", 1e4), ("万", 1.0), ("元", -1e4))


def _scale(number: float, factor: float) -> float:
    return number / -factor if factor < 0 else number * factor


_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋％", "0123456789.,-+%")
_EMPTY = {"", "-", "--", "—", "——", "/", "无数据", "n/a", "na", "null", "none", "nan", "#n/a"}
_TRUE = {"true", "t", "yes", "y", "1", "是", "对", "√", "有", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "否", "不是", "×", "无", "0.0"}
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YEAR_RE = re.compile(r"^(\d{4})\s*年?(?:度)?$")
_THOUSANDS_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


class CellError(BilingualError, ValueError):
    """A cell that cannot be read; `zh` and `en` say why."""


def clean(value: object) -> str | None:
    """The cell as stripped text, or None when empty."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    text = str(value).strip().replace("\u3000", "").replace("\xa0", "")
    if text.lower() in _EMPTY:
        return None
    return text


def parse_number(value: object, *, percent: bool = False) -> float | None:
    """A plain number: `1,234.5`, full-width digits, `12.5%` when percent is allowed."""
    if isinstance(value, bool):
        raise CellError("应为数字，实为逻辑值", "expected a number, got a boolean")
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return None
        return _finite(float(value), value)
    text = clean(value)
    if text is None:
        return None
    try:
        return _finite(float(text), text)
    except ValueError:
        pass
    text = text.translate(_FULLWIDTH).replace(" ", "")
    if percent and text.endswith("%"):
        text = text[:-1]
    if "," in text:
        if not _THOUSANDS_RE.match(text):
            raise CellError(f"数字格式不对：{value!r}", f"not a number: {value!r}")
        text = text.replace(",", "")
    try:
        return _finite(float(text), value)
    except ValueError:
        raise CellError(f"应为数字：{value!r}", f"expected a number: {value!r}") from None


def _finite(number: float, raw: object) -> float:
    if math.isnan(number) or math.isinf(number):
        raise CellError(f"不是有限数字：{raw!r}", f"not a finite number: {raw!r}")
    return number


def parse_money(value: object, unit: str = "万元") -> float | None:
    """An amount converted to 万元. `unit` is the declared unit of a bare number; a unit
    written in the cell (`12.5万`, `3亿`, `1200元`) wins over it."""
    factor = UNITS[unit]
    if type(value) is str:
        try:
            number = float(value)
        except ValueError:
            pass
        else:
            if math.isnan(number):
                return None
            return _scale(_finite(number, value), factor)
    if isinstance(value, int | float) and not isinstance(value, bool):
        parsed = parse_number(value)
        return None if parsed is None else _scale(parsed, factor)
    text = clean(value)
    if text is None:
        return None
    text = text.translate(_FULLWIDTH).replace(" ", "")
    for suffix, cell_factor in _CELL_UNITS:
        if text.endswith(suffix):
            text, factor = text[: -len(suffix)], cell_factor
            break
    if text.startswith(("￥", "¥")):
        text = text[1:]
    amount = parse_number(text)
    if amount is None:
        raise CellError(f"金额缺少数字：{value!r}", f"amount without a number: {value!r}")
    return _scale(amount, factor)


def parse_int(value: object) -> int | None:
    """A whole count (staff, patents): `1,200`, `1200人`, `12.0`."""
    if type(value) is str:
        try:
            return int(value)
        except ValueError:
            pass
    if isinstance(value, str):
        value = value.strip().rstrip("人个件项家")
    number = parse_number(value)
    if number is None:
        return None
    if number != int(number):
        raise CellError(f"应为整数：{value!r}", f"expected a whole number: {value!r}")
    return int(number)


def parse_bool(value: object) -> bool | None:
    """是/否, true/false, Y/N, 1/0; empty means unknown."""
    if isinstance(value, bool):
        return value
    text = clean(value)
    if text is None:
        return None
    low = text.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise CellError(f"应为 是/否：{value!r}", f"expected yes/no (是/否, true/false, 1/0, Y/N): {value!r}")


def parse_date(value: object) -> dt.date | None:
    """YYYY-MM-DD, YYYY/M/D, 2022年5月31日, 20220531, Excel serial numbers, datetime cells."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellError("应为日期，实为逻辑值", "expected a date, got a boolean")
    if isinstance(value, int | float):
        return _from_serial(float(value), value)
    text = clean(value)
    if text is None:
        return None
    text = text.translate(_FULLWIDTH)
    match = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise CellError(f"日期不存在：{value!r}", f"no such date: {value!r}") from None
    try:
        serial = float(text)
    except ValueError:
        raise CellError(
            f"无法识别的日期：{value!r}（请用 2022-05-31）", f"unrecognised date: {value!r} (use 2022-05-31)"
        ) from None
    return _from_serial(serial, value)


def _from_serial(serial: float, raw: object) -> dt.date:
    """Excel's day number (1900 date system): 44712 = 2022-05-31."""
    if not 1 <= serial < 2958466 or serial != int(serial):
        raise CellError(f"无法识别的日期：{raw!r}", f"unrecognised date: {raw!r}")
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def parse_year(value: object) -> int | None:
    """A year: 2023, `2023年`, `2023年度`, 2023.0."""
    if isinstance(value, dt.date):
        return value.year
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = parse_number(value)
        if number is None:
            return None
        if number != int(number):
            raise CellError(f"年度应为整数：{value!r}", f"the year must be a whole number: {value!r}")
        return int(number)
    text = clean(value)
    if text is None:
        return None
    match = _YEAR_RE.match(text.translate(_FULLWIDTH))
    if not match:
        raise CellError(f"年度格式不对：{value!r}（请用 2023）", f"not a year: {value!r} (use 2023)")
    return int(match.group(1))


_TIER_LOOKUP: dict[str, str] = {}
for _key in TIER_CHOICES:
    _TIER_LOOKUP[_key] = _key
    _TIER_LOOKUP[TIER_LABELS_ZH[_key]] = _key
_TIER_LOOKUP.update(
    {
        "专精特新": "zjtx_provincial",
        "省专精特新": "zjtx_provincial",
        "省级专精特新": "zjtx_provincial",
        "专精特新中小企业": "zjtx_provincial",
        "隐形冠军": "hidden_champion_provincial",
        "省隐形冠军": "hidden_champion_provincial",
        "小巨人": "little_giant_national",
        "专精特新小巨人": "little_giant_national",
        "国家级小巨人": "little_giant_national",
        "单项冠军": "single_champion_national",
        "制造业单项冠军": "single_champion_national",
        "创新型中小企业": "innovative_sme",
        "高新技术企业": "high_tech",
        "国家高新技术企业": "high_tech",
        "高企": "high_tech",
    }
)


def parse_enum(value: object, choices: tuple[str, ...]) -> str | None:
    """One of `choices`; tiers also accept their Chinese labels (省级专精特新中小企业 …)."""
    if isinstance(value, str) and value.strip().lower() in choices:
        return value.strip().lower()  # e.g. `none` is a real choice here, not an empty cell
    text = clean(value)
    if text is None:
        return None
    key = text.lower().replace(" ", "")
    if key in choices:
        return key
    tier = _TIER_LOOKUP.get(text.replace(" ", ""))
    if tier is not None and tier in choices:
        return tier
    shown = "、".join(choices)
    raise CellError(
        f"取值不在允许范围：{value!r}（可用：{shown}）", f"not an allowed value: {value!r} (allowed: {shown})"
    )


def parse_text(value: object) -> str | None:
    if isinstance(value, float) and value == int(value) and not math.isinf(value):
        return str(int(value))  # codes typed as numbers in Excel: 3399.0 → "3399"
    return clean(value)
