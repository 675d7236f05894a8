"""Classify enterprises in a file (文件挂链): CSV/XLSX in, the same rows plus a suggestion out.

INPUT needs `name` (企业名称) and any of `main_products` (主营产品), `business_scope` (经营范围),
`industry_code` (行业代码); other columns are kept as they are. OUTPUT adds `ecosystem`, `chain`,
`node`, `confidence`, `reason` (an empty chain means none). A column of INPUT with one of these
names is overwritten in place. LABELLED has INPUT's columns plus `chain` (empty = outside every
chain) and optionally `node`; it trains a model for this run only.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from chainlead.mapping.errors import MappingError
from chainlead.mapping.model import NONE, MappingModel
from chainlead.mapping.predict import Mapper, Thresholds
from chainlead.mapping.relations import load_relations, relations_from_env
from chainlead.mapping.rules import RuleIndex
from chainlead.mapping.text import EnterpriseText
from chainlead.program.model import Program
from chainlead.registry.formats import Column, FileFormat
from chainlead.registry.readers import FileProblem, open_source

OUTPUT_COLUMNS = ("ecosystem", "chain", "node", "confidence", "reason")
CLASSIFY = FileFormat(
    "classify",
    "挂链分类",
    (
        Column("name", "企业名称", "str", True, ("名称", "单位名称", "企业", "full_name", "公司名称")),
        Column("uscc", "统一社会信用代码", "str", False, ("信用代码", "社会信用代码")),
        Column("main_products", "主营产品", "str", False, ("主要产品", "产品")),
        Column("business_scope", "经营范围", "str", False, ()),
        Column("industry_code", "行业代码", "str", False, ("国民经济行业代码", "行业小类代码")),
        Column("chain", "产业链", "str", False, ("所属产业链", "链")),
        Column("node", "链节点", "str", False, ("节点", "环节")),
        Column("ecosystem", "生态圈", "str", False, ()),
        Column("confidence", "置信度", "str", False, ()),
        Column("reason", "依据", "str", False, ("理由",)),
    ),
    key=("name",),
)


@dataclass
class Table:
    header: list[str]
    columns: dict[str, int]
    rows: list[tuple[int, list[object]]]


def read_table(path: Path) -> Table:
    try:
        src = open_source(path, CLASSIFY)
    except FileProblem as exc:
        raise MappingError(exc.zh, exc.en) from exc
    rows = [(n, list(cells)) for n, cells in src.rows if any(c not in (None, "") for c in cells)]
    return Table(src.header.cells, src.header.columns, rows)


def _cell(row: list[object], pos: int | None) -> str:
    if pos is None or pos >= len(row) or row[pos] is None:
        return ""
    value = row[pos]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def texts_of(table: Table) -> list[EnterpriseText]:
    col = table.columns.get
    return [
        EnterpriseText.of(
            _cell(r, col("name")),
            _cell(r, col("main_products")),
            _cell(r, col("business_scope")),
            _cell(r, col("industry_code")),
        )
        for _, r in table.rows
    ]


def train_from_file(index: RuleIndex, program: Program, path: Path, relations_path: Path | None = None) -> MappingModel:
    table = read_table(path)
    if "chain" not in table.columns:
        raise MappingError(
            f"训练文件 {path.name} 缺少「产业链」(chain) 列", f"the training file {path.name} has no `chain` column"
        )
    chains: list[str] = []
    nodes: list[str | None] = []
    for number, row in table.rows:
        name = _cell(row, table.columns["chain"])
        if not name or name.lower() == NONE:
            chains.append(NONE)
            nodes.append(None)
            continue
        found = program.find_chain(name)
        if found is None:
            raise MappingError(
                f"训练文件 {path.name} 第 {number} 行：方案中没有产业链「{name}」",
                f"training file {path.name} row {number}: no chain {name!r} in the program",
            )
        chains.append(found[1].name)
        nodes.append(_cell(row, table.columns.get("node")) or None)
    if len(set(chains)) < 2:
        raise MappingError(
            f"训练文件 {path.name} 至少要有两类标签（两条产业链，或一条产业链和空）",
            f"the training file {path.name} needs at least two labels (two chains, or a chain and empty)",
        )
    relations = (
        load_relations(relations_path) if relations_path else relations_from_env()
    )  # RelationsError is a MappingError
    model = MappingModel(index, relations=relations)
    model.fit(texts_of(table), chains, nodes)
    return model


def classify_file(
    program: Program,
    input_path: Path,
    output_path: Path,
    train_path: Path | None = None,
    thresholds: Thresholds | None = None,
    progress: Callable[[int], None] | None = None,
    relations_path: Path | None = None,
) -> dict[str, int]:
    """Classify every row of `input_path` into `output_path`; returns counts per chain."""
    if output_path.suffix.lower() not in (".csv", ".xlsx"):
        raise MappingError(
            f"输出文件须为 .csv 或 .xlsx：{output_path.name}", f"the output must be .csv or .xlsx: {output_path.name}"
        )
    index = RuleIndex(program)
    model = train_from_file(index, program, train_path, relations_path) if train_path else None
    mapper = Mapper(index, model, thresholds)
    table = read_table(input_path)
    header = list(table.header)
    out_pos: dict[str, int] = {}
    for name in OUTPUT_COLUMNS:
        if name in table.columns:
            out_pos[name] = table.columns[name]
        else:
            out_pos[name] = len(header)
            header.append(name)
    counts: dict[str, int] = {}
    out_rows: list[list[object]] = []
    texts = texts_of(table)
    for start in range(0, len(texts), 5000):
        for (_, row), sugg in zip(
            table.rows[start : start + 5000], mapper.map(texts[start : start + 5000]), strict=True
        ):
            cells = list(row) + [None] * (len(header) - len(row))
            top = sugg[0] if sugg and sugg[0].is_primary else None
            values = {
                "ecosystem": top.ecosystem if top else "",
                "chain": top.chain if top else "",
                "node": top.node if top else "",
                "confidence": round(top.confidence, 3) if top else "",
                "reason": top.reason if top else _none_reason(sugg),
            }
            for name, value in values.items():
                cells[out_pos[name]] = value
            counts[top.chain if top else ""] = counts.get(top.chain if top else "", 0) + 1
            out_rows.append(cells)
        if progress:
            progress(min(start + 5000, len(texts)))
    _write(output_path, header, out_rows)
    return counts


def _none_reason(sugg: list) -> str:  # type: ignore[type-arg]
    if not sugg:
        return "无匹配依据（不属于任何产业链）"
    return "无主链；可能：" + "；".join(f"{s.key} {s.confidence:.2f}" for s in sugg)


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(["" if v is None else v for v in r] for r in rows)
        return
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("挂链结果")
    for c, name in enumerate(header):
        sheet.write_string(0, c, str(name))
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))
    book.close()
