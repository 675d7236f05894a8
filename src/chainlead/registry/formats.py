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


# ---------------------------------------------------------------- facts (培育评价事实), used by cultivation/

FIELD_LEVELS = ("chain_breakthrough", "six_basics", "none")
PRIORITY_FIELDS = ("six_basics", "manufacturing_power_10", "network_power", "none")
RD_INSTITUTION_LEVELS = ("national", "provincial", "municipal", "below_municipal", "none")
SCI_TECH_AWARDS = ("national_top3", "national_top5", "provincial_top3", "provincial", "none")
MAKER_CHINA = ("top50", "top500", "none")

FACTS = FileFormat(
    "facts",
    "培育评价事实",
    (
        _USCC,
        Column("year", "年度", "year", True, ("年份", "财年", "统计年度")),
        Column("niche_since_year", "从事细分市场起始年份", "year", False, ("细分市场起始年份", "进入细分市场年份")),
        Column("leading_product_count", "主导产品数量", "int", False, ("主导产品个数",)),
        Column("leading_product_in_sei", "主导产品属于战略性新兴产业", "bool", False, ("属于战略性新兴产业",)),
        Column(
            "leading_product_field_level",
            "主导产品所属领域层级",
            "enum",
            False,
            ("主导产品所属领域",),
            FIELD_LEVELS,
            "chain_breakthrough=补短板/锻长板/填空白; six_basics=六基/老字号/龙头配套; none",
        ),
        Column(
            "leading_product_priority_field",
            "主导产品所属重点领域",
            "enum",
            False,
            ("重点领域",),
            PRIORITY_FIELDS,
            "六基 / 制造强国十大重点产业 / 网络强国 / none",
        ),
        Column(
            "ip_class1_high_value", "Ⅰ类高价值知识产权数", "int", False, ("I类高价值知识产权数", "高价值知识产权数")
        ),
        Column("ip_class1_self_developed", "自主研发Ⅰ类知识产权数", "int", False, ("自主研发I类知识产权数",)),
        Column("ip_class1", "Ⅰ类知识产权数", "int", False, ("I类知识产权数", "一类知识产权数")),
        Column("ip_class2", "Ⅱ类知识产权数", "int", False, ("II类知识产权数", "二类知识产权数")),
        Column(
            "ip_class1_applied", "已应用Ⅰ类知识产权数", "int", False, ("已应用I类知识产权数", "产生效益的Ⅰ类知识产权数")
        ),
        Column("invention_patents_related", "主导产品相关发明专利数", "int", False, ("相关发明专利数",)),
        Column("rd_institution_level", "研发机构级别", "enum", False, ("研发机构",), RD_INSTITUTION_LEVELS),
        Column("digital_level", "数字化水平等级", "int", False, ("数字化水平", "数字化等级"), description="1–4"),
        Column("quality_award_provincial", "省级以上质量奖", "bool", False, ("质量奖",)),
        Column("qms_certified", "质量管理体系认证", "bool", False, ("ISO9001", "质量体系认证")),
        Column("own_brand", "自主品牌", "bool", False, ("自有品牌",)),
        Column("standards_count", "主导或参与制定标准数", "int", False, ("标准数", "参与制定标准数")),
        Column("intl_certifications", "国际认证数", "int", False, ("国际认证",)),
        Column("core_business_on_info_system", "核心业务采用信息系统", "bool", False, ("核心业务信息化",)),
        Column("national_market_share_pct", "全国细分市场占有率", "float", False, ("全国市场占有率", "市场占有率(%)")),
        Column("national_niche_rank", "全国细分市场排名", "int", False, ("全国排名",)),
        Column("global_niche_rank", "全球细分市场排名", "int", False, ("全球排名",)),
        Column("sci_tech_award", "近三年科技奖励", "enum", False, ("科技奖励",), SCI_TECH_AWARDS),
        Column("maker_china", "创客中国名次", "enum", False, ("创客中国",), MAKER_CHINA),
        Column("bank_credit_ok", "银行信用良好", "bool", False, ("信用A级以上", "征信无不良")),
        Column("on_abnormal_list", "列入经营异常名录", "bool", False, ("经营异常",)),
        Column("on_dishonesty_list", "列入严重失信名单", "bool", False, ("严重失信",)),
        Column("major_incident_3y", "近三年重大事故", "bool", False, ("重大事故",)),
    ),
    key=("uscc", "year"),
    description="梯度培育评价所需的年度事实；空单元格表示未知（不是“否”）/ an empty cell means unknown, never false",
)

register_format(FACTS)
