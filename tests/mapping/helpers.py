"""A small hand-made program and enterprises for mapping tests."""

from __future__ import annotations

from chainlead.db.models import Enterprise
from chainlead.program import parse_program
from chainlead.reference.uscc import uscc_check_char

SMALL = """
[program]
name = "small"
region_code = "330100"
base_year = 2021
target_year = 2025

[[ecosystems]]
name = "绿色低碳"

[[ecosystems.chains]]
name = "光伏"
[[ecosystems.chains.nodes]]
name = "光伏组件"
position = "中游"
industry_codes = ["3825"]
keywords = ["光伏", "太阳能"]
products = ["光伏组件", "太阳能电池片"]
[[ecosystems.chains.nodes]]
name = "光伏电站运维"
position = "下游"
keywords = ["电站运维"]
products = ["光伏电站运维服务"]

[[ecosystems.chains]]
name = "储能"
[[ecosystems.chains.nodes]]
name = "储能电池"
position = "中游"
industry_codes = ["3841"]
partial_codes = ["3849"]
keywords = ["储能", "锂电"]
products = ["储能电池", "锂离子电池", "储能系统"]

[[ecosystems]]
name = "生物医药"

[[ecosystems.chains]]
name = "药品"
[[ecosystems.chains.nodes]]
name = "化学药"
position = "中游"
industry_codes = ["2720"]
keywords = ["制剂", "原料药"]
products = ["片剂", "注射液", "原料药"]
[[ecosystems.chains.nodes]]
name = "中药"
position = "中游"
industry_codes = ["2740"]
keywords = ["中药", "中成药"]
products = ["中药饮片", "中成药"]
"""


def small_program():  # type: ignore[no-untyped-def]
    return parse_program(SMALL, "small.toml")


def uscc(n: int) -> str:
    first = f"91330100MA{n:07d}"
    return first + uscc_check_char(first)


# (name, main_products, business_scope, industry_code) and the chain a person would say.
ENTERPRISES = [
    ("杭州晶科光伏科技有限公司", "光伏组件:0.85;太阳能电池片:0.15", "光伏组件的研发、制造、销售", "3825", "光伏"),
    ("杭州阳光电站服务有限公司", "光伏电站运维服务", "光伏电站运维；技术服务", "", "光伏"),
    ("杭州储能科技股份有限公司", "储能电池:0.7;储能系统:0.3", "储能设备制造", "3841", "储能"),
    ("杭州锂享新能源有限公司", "锂离子电池;电池管理系统", "锂电池研发", "3849", "储能"),
    ("杭州康华药业有限公司", "注射液:0.6;片剂:0.4", "化学药品制剂制造", "2720", "药品"),
    ("杭州百草中药饮片有限公司", "中药饮片:0.9;中成药:0.1", "中药饮片加工", "2740", "药品"),
    ("杭州好味餐饮管理有限公司", "餐饮服务:1.0", "餐饮服务；食品销售", "6210", "none"),
    ("杭州宏图房地产开发有限公司", "商品房销售", "房地产开发经营", "7010", "none"),
    ("杭州百汇贸易有限公司", "日用百货:0.65;锂离子电池:0.35", "日用百货销售", "", "储能"),
]


def add_enterprises(session, rows=ENTERPRISES, start: int = 1) -> list[str]:  # type: ignore[no-untyped-def]
    codes = []
    for k, (name, products, scope, code, _chain) in enumerate(rows, start=start):
        code_ = uscc(k)
        session.add(
            Enterprise(uscc=code_, name=name, main_products=products, business_scope=scope, industry_code=code or None)
        )
        codes.append(code_)
    session.flush()
    return codes
