"""Codes and Chinese labels of the evaluator's inputs (输入字段): yearly figures, facts, enums."""

from __future__ import annotations

# Ordinal codes of the fact enums (higher = better).
ENUM_CODES: dict[str, dict[str, int]] = {
    "rd_institution_level": {"none": 0, "below_municipal": 1, "municipal": 2, "provincial": 3, "national": 4},
    "leading_product_field_level": {"none": 0, "six_basics": 1, "chain_breakthrough": 2},
    "leading_product_priority_field": {"none": 0, "six_basics": 1, "manufacturing_power_10": 1, "network_power": 1},
    "sci_tech_award": {"none": 0, "provincial": 1, "provincial_top3": 2, "national_top5": 3, "national_top3": 4},
    "maker_china": {"none": 0, "top500": 1, "top50": 2},
}

FIN_FIELDS = (
    "revenue_wan",
    "main_business_revenue_wan",
    "rd_expense_wan",
    "employees",
    "rd_employees",
    "total_assets_wan",
    "total_liabilities_wan",
    "profit_wan",
    "equity_financing_wan",
)
FIN_ZH = {
    "revenue_wan": "营业收入",
    "main_business_revenue_wan": "主营业务收入",
    "rd_expense_wan": "研发费用",
    "employees": "从业人员",
    "rd_employees": "研发人员",
    "total_assets_wan": "资产总额",
    "total_liabilities_wan": "负债总额",
    "profit_wan": "利润总额",
    "equity_financing_wan": "股权融资额",
}
FACT_ZH = {
    "niche_since_year": "从事细分市场起始年份",
    "leading_product_count": "主导产品数量",
    "leading_product_in_sei": "主导产品属于战略性新兴产业",
    "leading_product_field_level": "主导产品所属领域层级",
    "leading_product_priority_field": "主导产品所属重点领域",
    "ip_class1_high_value": "Ⅰ类高价值知识产权数",
    "ip_class1_self_developed": "自主研发Ⅰ类知识产权数",
    "ip_class1": "Ⅰ类知识产权数",
    "ip_class2": "Ⅱ类知识产权数",
    "ip_class1_applied": "已应用并产生效益的Ⅰ类知识产权数",
    "invention_patents_related": "与主导产品相关的发明专利数",
    "rd_institution_level": "研发机构级别",
    "digital_level": "数字化水平等级",
    "quality_award_provincial": "省级以上质量奖",
    "qms_certified": "质量管理体系认证",
    "own_brand": "自有品牌",
    "standards_count": "主导或参与制定标准数",
    "intl_certifications": "国际认证数",
    "core_business_on_info_system": "核心业务采用信息系统",
    "national_market_share_pct": "全国细分市场占有率",
    "national_niche_rank": "全国细分市场排名",
    "global_niche_rank": "全球细分市场排名",
    "sci_tech_award": "近三年科技奖励",
    "maker_china": "创客中国名次",
    "bank_credit_ok": "银行信用A级以上或征信无不良",
    "on_abnormal_list": "列入经营异常名录",
    "on_dishonesty_list": "列入严重失信主体名单",
    "major_incident_3y": "近三年重大事故",
}
OTHER_ZH = {
    "founded_frac": "成立日期",
    "is_manufacturing": "行业代码",
    "encouraged_sector": "行业代码",
    "in_zhejiang": "注册地（区县代码）",
    "holds_zjtx_provincial": "省级专精特新资质（资质表）",
    "holds_honour": "高新技术企业等荣誉（资质表）",
}


def input_label(col: str, year: int) -> str:
    """Chinese label of an input column, with the fiscal year for yearly figures."""
    if col[-2:] in ("_1", "_2", "_3") and col[:-2] in FIN_ZH:
        return f"{FIN_ZH[col[:-2]]}（{year - int(col[-1])}年）"
    return FACT_ZH.get(col) or OTHER_ZH.get(col, col)
