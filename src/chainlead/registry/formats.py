"""The interchange format (交换格式): the CSV/XLSX files the demo writes and import reads.

Canonical English headers; the Chinese headers are accepted as aliases. See docs/data-format.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["str", "int", "money", "float", "date", "bool", "enum", "year"]


@dataclass(frozen=True)
class Column:
    """One column of an interchange file."""

    name: str
    zh: str
    type: ColumnType = "str"
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    description: str = ""

    @property
    def header_names(self) -> tuple[str, ...]:
        return (self.name, self.zh, *self.aliases)


@dataclass(frozen=True)
class FileFormat:
    """An interchange file kind, e.g. `financials`."""

    kind: str
    zh: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    description: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def header_map(self) -> dict[str, str]:
        """Every accepted header spelling (case- and space-insensitive) → canonical name."""
        out: dict[str, str] = {}
        for col in self.columns:
            for alias in col.header_names:
                out[normalize_header(alias)] = col.name
        return out


def normalize_header(text: str) -> str:
    return "".join(str(text).split()).lower().replace("（", "(").replace("）", ")")


TIER_CHOICES = (
    "innovative_sme",
    "zjtx_provincial",
    "hidden_champion_provincial",
    "little_giant_national",
    "single_champion_national",
    "high_tech",
)

TIER_LABELS_ZH = {
    "innovative_sme": "创新型中小企业",
    "zjtx_provincial": "省级专精特新中小企业",
    "hidden_champion_provincial": "浙江省隐形冠军",
    "little_giant_national": "国家级专精特新小巨人",
    "single_champion_national": "国家级制造业单项冠军",
    "high_tech": "高新技术企业",
}

_USCC = Column("uscc", "统一社会信用代码", "str", True, ("信用代码", "社会信用代码", "credit_code"))

ENTERPRISES = FileFormat(
    "enterprises",
    "企业名录",
    (
        _USCC,
        Column("name", "企业名称", "str", True, ("名称", "单位名称", "企业")),
        Column("district_code", "区县代码", "str", False, ("行政区划代码", "区县")),
        Column("industry_code", "行业代码", "str", False, ("国民经济行业代码", "行业小类代码")),
        Column("founded_on", "成立日期", "date", False, ("成立时间", "注册日期")),
        Column("business_scope", "经营范围", "str"),
        Column("main_products", "主营产品", "str", False, ("主要产品",), description="名称:占比;… 或 名称;…"),
        Column("is_above_scale", "是否规上", "bool", False, ("规上企业", "规模以上")),
        Column("is_listed", "是否上市", "bool", False, ("上市企业",)),
        Column("is_high_tech", "是否高新技术企业", "bool", False, ("高新技术企业", "是否高新")),
    ),
    key=("uscc",),
)

FINANCIALS = FileFormat(
    "financials",
    "年度经营数据",
    (
        _USCC,
        Column("year", "年度", "year", True, ("年份", "统计年度")),
        Column("revenue_wan", "营业收入", "money", False, ("营业收入(万元)", "营收")),
        Column("output_value_wan", "工业总产值", "money", False, ("工业总产值(万元)", "总产值")),
        Column("main_business_revenue_wan", "主营业务收入", "money", False, ("主营业务收入(万元)",)),
        Column("rd_expense_wan", "研发费用", "money", False, ("研发费用(万元)", "研发投入")),
        Column("employees", "从业人员", "int", False, ("从业人员数", "职工人数", "员工人数")),
        Column("rd_employees", "研发人员", "int", False, ("研发人员数",)),
        Column("invention_patents", "发明专利", "int", False, ("有效发明专利", "发明专利数")),
        Column("ip_total", "知识产权总数", "int", False, ("知识产权数",)),
        Column("total_assets_wan", "资产总额", "money", False, ("资产总计", "资产总额(万元)")),
        Column("total_liabilities_wan", "负债总额", "money", False, ("负债合计", "负债总额(万元)")),
        Column("profit_wan", "利润总额", "money", False, ("利润总额(万元)",)),
        Column("tax_wan", "税收", "money", False, ("税收(万元)", "纳税额", "实缴税金")),
        Column("export_wan", "出口额", "money", False, ("出口额(万元)", "出口交货值")),
        Column("equity_financing_wan", "股权融资额", "money", False, ("股权融资额(万元)", "股权融资")),
    ),
    key=("uscc", "year"),
)

QUALIFICATIONS = FileFormat(
    "qualifications",
    "资质称号",
    (
        _USCC,
        Column("tier", "称号", "enum", True, ("资质", "梯度", "层级"), TIER_CHOICES),
        Column("granted_on", "认定日期", "date", True, ("认定时间", "获评日期")),
        Column("expires_on", "有效期至", "date", False, ("到期日期", "有效期截止")),
    ),
    key=("uscc", "tier", "granted_on"),
)

MEMBERSHIPS = FileFormat(
    "memberships",
    "挂链关系",
    (
        _USCC,
        Column("chain", "产业链", "str", True, ("所属产业链", "链")),
        Column("node", "链节点", "str", True, ("节点", "环节")),
        Column("is_primary", "是否主链", "bool", False, ("主链", "主要")),
    ),
    key=("uscc", "chain", "node"),
)

FORMATS: dict[str, FileFormat] = {f.kind: f for f in (ENTERPRISES, FINANCIALS, QUALIFICATIONS, MEMBERSHIPS)}


def register_format(fmt: FileFormat) -> None:
    """Add a file kind defined by another package (e.g. cultivation's `facts`)."""
    FORMATS[fmt.kind] = fmt
