"""Reference tables shipped as package data: GB/T 4754-2017 industry codes (国民经济行业分类),
GB/T 2260 district codes (行政区划代码) and USCC validation (统一社会信用代码)."""

from chainlead.reference.districts import DISTRICTS, District, district_name, is_known_district
from chainlead.reference.industry import IndustryCode, industry, industry_name, is_industry_class
from chainlead.reference.uscc import InvalidUSCC, normalize_uscc, uscc_check_char

__all__ = [
    "DISTRICTS",
    "District",
    "IndustryCode",
    "InvalidUSCC",
    "district_name",
    "industry",
    "industry_name",
    "is_industry_class",
    "is_known_district",
    "normalize_uscc",
    "uscc_check_char",
]
