"""Row validation (逐行校验): parse every cell by its column type, then check the rules.

A row gives a record (canonical name → typed value, None = empty/unknown) or errors; both
may come with warnings. Errors reject the row; warnings are listed in the report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import cast

from chainlead.reference import InvalidUSCC, is_industry_class, normalize_uscc
from chainlead.reference.districts import DISTRICTS
from chainlead.registry import cells as C
from chainlead.registry.columns import fast_column
from chainlead.registry.formats import FileFormat
from chainlead.registry.readers import Header

MIN_YEAR = 1990
HUGE_WAN = 1e8  # 1 万亿元: more than any single enterprise's figure
SIGNED_MONEY = {"profit_wan"}
WARN_NEGATIVE = {"tax_wan"}


@dataclass(slots=True)
class Issue:
    """A problem with one row (and field) of the file."""

    row: int
    field: str
    zh: str
    en: str
    value: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "field": self.field, "zh": self.zh, "en": self.en, "value": self.value}


@dataclass
class ChainIndex:
    """Chains and nodes of the active program, for membership rows."""

    program: str
    chains: dict[str, tuple[int, str]] = field(default_factory=dict)  # name or alias → (chain id, name)
    nodes: dict[tuple[int, str], int] = field(default_factory=dict)  # (chain id, node name) → node id
    node_names: dict[int, list[str]] = field(default_factory=dict)


Parser = Callable[[object], object]


def _parser_for(fmt: FileFormat, name: str, unit: str) -> Parser:
    col = fmt.column(name)
    if name == "uscc":
        return _parse_uscc
    if col.type == "money":
        return lambda v: C.parse_money(v, unit)
    if col.type == "int":
        return C.parse_int
    if col.type == "float":
        pct = name.endswith("_pct")
        return lambda v: C.parse_number(v, percent=pct)
    if col.type == "date":
        return C.parse_date
    if col.type == "bool":
        return C.parse_bool
    if col.type == "year":
        return C.parse_year
    if col.type == "enum":
        choices = col.choices
        return lambda v: C.parse_enum(v, choices)
    return C.parse_text


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_CHARS)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _fast_uscc(text: str) -> bool:
    """The common case (an already clean, valid code) without python-stdnum's overhead;
    anything else goes through reference.normalize_uscc for the full checks and messages."""
    if len(text) != 18 or not text[:8].isdigit():
        return False
    try:
        total = sum(_USCC_VALUE[c] * w for c, w in zip(text[:17], _USCC_WEIGHTS, strict=True))
        return _USCC_CHARS[(31 - total % 31) % 31] == text[17] and text[17] in _USCC_VALUE
    except KeyError:
        return False


@lru_cache(maxsize=1 << 16)
def _parse_uscc(value: object) -> str | None:
    if type(value) is str and _fast_uscc(value):
        return value
    text = C.clean(value)
    if text is None:
        return None
    try:
        return normalize_uscc(text)
    except InvalidUSCC as exc:
        raise C.CellError(exc.reason_zh, exc.reason_en) from None


class RowValidator:
    """Turns raw cells into a checked record for one file kind."""

    def __init__(
        self,
        fmt: FileFormat,
        header: Header,
        unit: str = "万元",
        chains: ChainIndex | None = None,
        today: dt.date | None = None,
    ) -> None:
        self.fmt = fmt
        self.chains = chains
        self.today = today or dt.date.today()
        self.specs = [
            (name, pos, _parser_for(fmt, name, header.units.get(name, unit))) for name, pos in header.columns.items()
        ]
        self.fast = {
            name: (
                fmt.column(name).type,
                C.UNITS[header.units.get(name, unit)] if fmt.column(name).type == "money" else 1.0,
            )
            for name in header.columns
            if fmt.column(name).type in ("money", "int", "year", "date")
            or (fmt.column(name).type == "float" and not name.endswith("_pct"))
        }
        self.numeric = [
            (c.name, c.zh, c.type) for c in fmt.columns if c.name in header.columns and c.type in ("money", "int")
        ]
        self.required = [c.name for c in fmt.columns if c.required]
        self.labels = {c.name: c.zh for c in fmt.columns}
        has = set(header.columns)
        self.check_codes = bool({"industry_code", "district_code"} & has)
        self.check_dates = bool({"founded_on", "granted_on", "expires_on"} & has)
        self.check_cross = bool({"employees", "total_assets_wan", "revenue_wan", "rd_expense_wan"} & has)

    def __call__(self, number: int, cells: list[object]) -> tuple[dict | None, list[Issue], list[Issue]]:
        record: dict[str, object] = {}
        errors: list[Issue] = []
        width = len(cells)
        for name, pos, parse in self.specs:
            raw = cells[pos] if pos < width else None
            try:
                record[name] = parse(raw)
            except C.CellError as exc:
                errors.append(
                    Issue(number, name, _labelled(self.labels[name], exc.zh), f"{name}: {exc.en}", _show(raw))
                )
        return self._finish(number, record, errors)

    def chunk(self, rows: list[tuple[int, list[object]]]) -> list[tuple[dict | None, list[Issue], list[Issue]]]:
        """Validate many rows at once: every column is parsed as a whole (plain numeric and date
        columns by pyarrow), records are built with zip, and the row rules run only where a
        column-wise pre-check says they could find something."""
        if not rows:
            return []
        cells = [c for _, c in rows]
        width = len(cells[0])
        size = len(rows)
        transposed = list(zip(*cells, strict=True)) if all(len(c) == width for c in cells) else None
        columns: list[list[object]] = []
        errors: dict[int, list[Issue]] = {}
        quiet: set[str] = set()
        for name, pos, parse in self.specs:
            if transposed is not None:
                raw = list(transposed[pos]) if pos < width else [None] * size
            else:
                raw = [c[pos] if pos < len(c) else None for c in cells]
            spec = self.fast.get(name)
            values = fast_column(spec[0], raw, spec[1]) if spec is not None else None
            if values is not None:
                columns.append(values)
                if not _outside(values):
                    quiet.add(name)
                continue
            out_col = []
            for i, value in enumerate(raw):
                try:
                    out_col.append(parse(value))
                except C.CellError as exc:
                    out_col.append(None)
                    errors.setdefault(i, []).append(
                        Issue(rows[i][0], name, _labelled(self.labels[name], exc.zh), f"{name}: {exc.en}", _show(value))
                    )
            columns.append(out_col)
        names = [name for name, _, _ in self.specs]
        records = [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
        all_numeric = self.numeric
        self.numeric = [spec for spec in all_numeric if spec[0] not in quiet]
        try:
            return [self._finish(rows[i][0], record, errors.get(i, [])) for i, record in enumerate(records)]
        finally:
            self.numeric = all_numeric

    def _finish(self, number: int, record: dict, errors: list[Issue]) -> tuple[dict | None, list[Issue], list[Issue]]:
        for name in self.required:
            if record.get(name) is None and not any(e.field == name for e in errors):
                errors.append(Issue(number, name, f"{self.labels[name]}为必填项，不能为空", f"{name} is required"))
        warnings: list[Issue] = []
        if not errors:
            self._rules(number, record, errors, warnings)
        return (None if errors else record), errors, warnings

    # ------------------------------------------------------------ rules

    def _rules(self, n: int, r: dict, errors: list[Issue], warnings: list[Issue]) -> None:
        if self.check_codes:
            code = r.get("industry_code")
            if code is not None and not is_industry_class(str(code)):
                errors.append(
                    Issue(
                        n,
                        "industry_code",
                        f"行业代码 {code} 不是 GB/T 4754-2017 的四位小类",
                        f"industry code {code} is not a 4-digit class of GB/T 4754-2017",
                        str(code),
                    )
                )
            district = r.get("district_code")
            if district is not None:
                found = DISTRICTS.get(str(district))
                if found is None:
                    errors.append(
                        Issue(
                            n,
                            "district_code",
                            f"区县代码 {district} 不是已知的杭州区县代码（GB/T 2260）",
                            f"district code {district} is not a known Hangzhou district (GB/T 2260)",
                            str(district),
                        )
                    )
                elif not found.current:
                    succ = DISTRICTS[found.successor]
                    warnings.append(
                        Issue(
                            n,
                            "district_code",
                            f"区县代码 {district}（{found.name}）已于2021年撤销，"
                            f"现属 {succ.code} {succ.name}；按原值保存",
                            f"district {district} ({found.name}) was abolished in 2021, now {succ.code} {succ.name}; "
                            "kept as given",
                            str(district),
                        )
                    )
        if self.check_dates:
            founded = r.get("founded_on")
            if isinstance(founded, dt.date) and founded > self.today:
                errors.append(
                    Issue(n, "founded_on", f"成立日期 {founded} 晚于今天", f"founded_on {founded} is in the future")
                )
            granted, expires = r.get("granted_on"), r.get("expires_on")
            if isinstance(granted, dt.date) and isinstance(expires, dt.date) and expires < granted:
                errors.append(
                    Issue(
                        n,
                        "expires_on",
                        f"有效期至 {expires} 早于认定日期 {granted}",
                        f"expires_on {expires} is before granted_on {granted}",
                    )
                )
            if isinstance(granted, dt.date) and granted > self.today:
                errors.append(
                    Issue(n, "granted_on", f"认定日期 {granted} 晚于今天", f"granted_on {granted} is in the future")
                )
        year = r.get("year")
        if year is not None and not MIN_YEAR <= int(year) <= self.today.year:  # type: ignore[call-overload]
            errors.append(
                Issue(
                    n,
                    "year",
                    f"年度 {year} 超出范围（{MIN_YEAR}–{self.today.year}）",
                    f"year {year} out of range ({MIN_YEAR}–{self.today.year})",
                    str(year),
                )
            )
        self._numbers(n, r, errors, warnings)
        if self.chains is not None and "chain" in r:
            self._membership(n, r, errors)

    def _numbers(self, n: int, r: dict, errors: list[Issue], warnings: list[Issue]) -> None:
        for name, zh, kind in self.numeric:
            value = r[name]
            if value is None or 0 <= value <= HUGE_WAN:
                continue
            if value < 0 and name not in SIGNED_MONEY:
                issue = Issue(n, name, f"{zh}不能为负数：{value}", f"{name} cannot be negative: {value}", str(value))
                (warnings if name in WARN_NEGATIVE else errors).append(issue)
            if kind == "money" and abs(value) > HUGE_WAN:
                warnings.append(
                    Issue(
                        n,
                        name,
                        f"{zh} {value:,.0f} 万元 超过 1 万亿元，不合常理；单位是否应为元？",
                        f"{name} {value:,.0f} 万元 exceeds 1e12 yuan; was it given in 元?",
                        str(value),
                    )
                )
        if not self.check_cross:
            return
        emp, rd = r.get("employees"), r.get("rd_employees")
        if emp is not None and rd is not None and rd > emp:
            errors.append(
                Issue(
                    n,
                    "rd_employees",
                    f"研发人员 {rd} 多于从业人员 {emp}",
                    f"rd_employees {rd} exceeds employees {emp}",
                    str(rd),
                )
            )
        assets, debts = r.get("total_assets_wan"), r.get("total_liabilities_wan")
        if assets is not None and debts is not None and debts > 3 * assets and debts > 0:
            warnings.append(
                Issue(
                    n,
                    "total_liabilities_wan",
                    f"负债总额 {debts:,.1f} 超过资产总额 {assets:,.1f} 的3倍，请核实",
                    f"liabilities {debts:,.1f} exceed 3× assets {assets:,.1f}; please check",
                )
            )
        revenue = r.get("revenue_wan")
        if revenue is not None and emp and revenue > 1e5 and revenue / emp > 1e4:
            warnings.append(
                Issue(
                    n,
                    "revenue_wan",
                    f"营业收入 {revenue:,.0f} 万元 对 {emp} 名从业人员偏大（人均超 1 亿元）；单位是否应为元？",
                    f"revenue {revenue:,.0f} 万元 is implausible for {emp} employees (>100M yuan each); given in 元?",
                    str(revenue),
                )
            )
        rd_exp = r.get("rd_expense_wan")
        if revenue is not None and rd_exp is not None and revenue > 0 and rd_exp > revenue:
            warnings.append(
                Issue(
                    n,
                    "rd_expense_wan",
                    f"研发费用 {rd_exp:,.1f} 高于营业收入 {revenue:,.1f}",
                    f"R&D expense {rd_exp:,.1f} exceeds revenue {revenue:,.1f}",
                )
            )

    def _membership(self, n: int, r: dict, errors: list[Issue]) -> None:
        assert self.chains is not None
        chain_name = str(r["chain"])
        found = self.chains.chains.get(chain_name)
        if found is None:
            errors.append(
                Issue(
                    n,
                    "chain",
                    f"产业链 “{chain_name}” 不在当前方案 {self.chains.program} 中（名称或别名）",
                    f"chain {chain_name!r} is not in the active program {self.chains.program} (name or alias)",
                    chain_name,
                )
            )
            return
        chain_id, canonical = found
        node_id = self.chains.nodes.get((chain_id, str(r["node"])))
        if node_id is None:
            some = "、".join(self.chains.node_names.get(chain_id, [])[:8])
            errors.append(
                Issue(
                    n,
                    "node",
                    f"链节点 “{r['node']}” 不在产业链 {canonical} 中（可用：{some}…）",
                    f"node {r['node']!r} is not in chain {canonical}",
                    str(r["node"]),
                )
            )
            return
        r["chain"] = canonical
        r["chain_id"] = chain_id
        r["node_id"] = node_id


def _outside(values: list[object]) -> bool:
    """True when some value of a parsed column is negative or implausibly large."""
    present = [v for v in values if v is not None]
    if not present or not isinstance(present[0], int | float):
        return bool(present)
    numbers = cast(list[float], present)
    return min(numbers) < 0 or max(numbers) > HUGE_WAN


def _show(raw: object) -> str:
    text = "" if raw is None else str(raw)
    return text if len(text) <= 60 else text[:57] + "…"


def _labelled(label: str, reason: str) -> str:
    """`营业收入：应为数字…`, without repeating a label the reason already starts with."""
    return reason if reason.startswith(label) else f"{label}：{reason}"
