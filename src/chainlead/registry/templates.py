"""Blank import templates (导入模板): a header row (Chinese + English) and one example row."""

from __future__ import annotations

import csv
from pathlib import Path

from chainlead.registry.formats import FORMATS, FileFormat
from chainlead.registry.readers import FileProblem

EXAMPLES: dict[str, dict[str, object]] = {
    "enterprises": {
        "uscc": "91330108MA2H0AAA1N",
        "name": "杭州示例智能科技有限公司",
        "district_code": "330108",
        "industry_code": "3921",
        "founded_on": "2016-03-18",
        "business_scope": "智能摄像机、视频监控设备的研发、生产和销售",
        "main_products": "网络摄像机:0.6;视频存储设备:0.4",
        "is_above_scale": "是",
        "is_listed": "否",
        "is_high_tech": "是",
    },
    "financials": {
        "uscc": "91330108MA2H0AAA1N",
        "year": 2023,
        "revenue_wan": 52000,
        "output_value_wan": 48000,
        "main_business_revenue_wan": 50500,
        "rd_expense_wan": 3100,
        "employees": 420,
        "rd_employees": 96,
        "invention_patents": 18,
        "ip_total": 75,
        "total_assets_wan": 61000,
        "total_liabilities_wan": 27000,
        "profit_wan": 4300,
        "tax_wan": 2100,
        "export_wan": 8800,
        "equity_financing_wan": 0,
    },
    "qualifications": {
        "uscc": "91330108MA2H0AAA1N",
        "tier": "zjtx_provincial",
        "granted_on": "2022-05-31",
        "expires_on": "2025-05-30",
    },
    "memberships": {"uscc": "91330108MA2H0AAA1N", "chain": "视觉智能", "node": "前端摄像机", "is_primary": "是"},
    "facts": {
        "uscc": "91330108MA2H0AAA1N",
        "year": 2023,
        "niche_since_year": 2016,
        "leading_product_count": 2,
        "leading_product_in_sei": "是",
        "rd_institution_level": "provincial",
        "digital_level": 3,
        "qms_certified": "是",
        "own_brand": "是",
        "national_market_share_pct": "8.5%",
        "bank_credit_ok": "是",
        "on_abnormal_list": "否",
        "on_dishonesty_list": "否",
        "major_incident_3y": "否",
    },
}


def header_cell(fmt: FileFormat, name: str) -> str:
    col = fmt.column(name)
    star = "*" if col.required else ""
    return f"{star}{col.zh}\n{col.name}"


def write_template(kind: str, path: str | Path) -> Path:
    """Write the template for `kind` to `path` (.xlsx or .csv)."""
    if kind not in FORMATS:
        raise FileProblem(
            f"未知的模板：{kind}（可用：{', '.join(FORMATS)}）",
            f"unknown template: {kind} (one of {', '.join(FORMATS)})",
        )
    fmt = FORMATS[kind]
    path = Path(path)
    example = EXAMPLES.get(kind, {})
    headers = [header_cell(fmt, c.name) for c in fmt.columns]
    row = [example.get(c.name, "") for c in fmt.columns]
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow([h.replace("\n", " ") for h in headers])
            writer.writerow(row)
        return path
    if path.suffix.lower() != ".xlsx":
        raise FileProblem("模板文件名应以 .xlsx 或 .csv 结尾", "the template file name must end in .xlsx or .csv")
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet(fmt.zh)
    head = book.add_format({"bold": True, "text_wrap": True, "bg_color": "#DDEBF7", "border": 1, "valign": "top"})
    text = book.add_format({"num_format": "@"})
    for col, (title, spec) in enumerate(zip(headers, fmt.columns, strict=True)):
        sheet.write_string(0, col, title, head)
        width = max(12, min(40, len(spec.zh) * 2 + 4, len(spec.name) + 4))
        sheet.set_column(col, col, width, text if spec.type in ("str", "date") else None)
        value = row[col]
        if isinstance(value, int | float):
            sheet.write_number(1, col, value)
        else:
            sheet.write_string(1, col, str(value))
        note = spec.description or _type_note(spec.type, spec.choices, spec.name)
        if note:
            sheet.write_comment(0, col, note)
    sheet.set_row(0, 36)
    sheet.freeze_panes(1, 0)
    book.close()
    return path


def _type_note(kind: str, choices: tuple[str, ...], name: str) -> str:
    if kind == "money" or name.endswith("_wan"):
        return "金额，默认单位万元（导入时可用 --unit 指定元/万元/亿元）"
    if kind == "date":
        return "日期，如 2022-05-31"
    if kind == "bool":
        return "是/否"
    if kind == "enum":
        return "可选：" + "、".join(choices)
    if kind == "year":
        return "年度，如 2023"
    return ""
