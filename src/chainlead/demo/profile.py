"""Calibration choices for the demo population (演示数据参数): weights, growth, tier batches.

Every number here is a modelling choice, explained in docs/demo-data.md. Chain and ecosystem
names are those of the built-in hangzhou-2022 plan; a chain not listed here gets neutral
defaults, so the generator also works for other programs.
"""

from __future__ import annotations

import datetime as dt

YEARS = (2019, 2020, 2021, 2022, 2023, 2024)
BASE_YEAR = 2021
BASELINE_DATE = dt.date(2022, 5, 31)

HANGZHOU = "330100"
# GB/T 2260 codes of Hangzhou's 13 current county-level divisions, in this order everywhere.
DISTRICT_CODES = (
    "330102",  # 上城区
    "330105",  # 拱墅区
    "330106",  # 西湖区
    "330108",  # 滨江区
    "330109",  # 萧山区
    "330110",  # 余杭区
    "330111",  # 富阳区
    "330112",  # 临安区
    "330113",  # 临平区
    "330114",  # 钱塘区
    "330122",  # 桐庐县
    "330127",  # 淳安县
    "330182",  # 建德市
)

# Relative weights per chain over DISTRICT_CODES (same order). See docs/demo-data.md for reasons.
#                       上城 拱墅 西湖 滨江 萧山 余杭 富阳 临安 临平 钱塘 桐庐 淳安 建德
DISTRICT_WEIGHTS: dict[str, tuple[float, ...]] = {
    "视觉智能": (3, 3, 8, 40, 10, 14, 4, 3, 4, 7, 2, 0.5, 1.5),
    "云计算大数据": (5, 5, 22, 18, 6, 30, 2, 2, 3, 4, 1, 0.5, 1),
    "集成电路": (2, 2, 6, 28, 12, 8, 3, 3, 4, 28, 1, 0.5, 1.5),
    "高端软件和人工智能": (10, 8, 20, 25, 7, 20, 2, 1.5, 2.5, 3, 0.5, 0.3, 0.5),
    "智能仪表": (3, 4, 8, 22, 12, 12, 8, 8, 6, 10, 3, 0.5, 3.5),
    "网络通信": (4, 4, 10, 30, 8, 10, 14, 4, 4, 8, 2, 0.5, 1.5),
    "药品": (3, 3, 5, 8, 10, 10, 6, 4, 8, 32, 4, 1, 6),
    "医药流通": (16, 18, 12, 6, 10, 9, 6, 4, 6, 6, 3, 2, 2),
    "医疗及康养服务": (15, 15, 14, 7, 12, 10, 6, 5, 6, 5, 2.5, 1.5, 2),
    "医疗器械": (2, 3, 6, 12, 10, 14, 5, 4, 6, 24, 10, 0.5, 3.5),
    "智能装备": (2, 3, 4, 6, 22, 12, 10, 8, 10, 14, 4, 0.5, 4.5),
    "汽车及零部件": (1, 1, 2, 6, 30, 8, 6, 6, 8, 24, 3, 0.5, 4.5),
    "膜材料": (1, 1.5, 3, 4, 24, 12, 10, 18, 8, 12, 3, 0.5, 3),
    "金属材料": (0.5, 1, 1, 2, 22, 8, 22, 8, 10, 8, 7, 1.5, 9),
    "微纳材料": (1, 2, 8, 8, 10, 22, 6, 18, 6, 14, 2, 0.5, 2.5),
    "生物材料": (1, 2, 6, 6, 10, 16, 6, 10, 8, 30, 2, 1, 2),
    "半导体材料": (1, 1, 3, 8, 14, 16, 5, 12, 8, 28, 1, 0.5, 2.5),
    "储能": (2, 2, 4, 10, 18, 12, 8, 6, 10, 20, 3, 1, 4),
    "风电": (2, 2, 3, 4, 24, 8, 12, 6, 12, 16, 3, 1, 7),
    "光伏": (2, 2, 4, 8, 16, 14, 8, 14, 10, 14, 3, 1, 4),
    "节能环保": (6, 8, 10, 10, 14, 10, 9, 7, 7, 8, 4, 2, 5),
}
# Roughly the spread of all registered enterprises, for chains not listed above.
DEFAULT_DISTRICT_WEIGHTS = (9, 9, 10, 10, 14, 12, 7, 5, 7, 9, 3, 1.5, 3.5)

# Share of the enterprise count per chain (relative). Many small software and service firms,
# fewer but larger vehicle and material makers.
CHAIN_COUNT_WEIGHTS: dict[str, float] = {
    "视觉智能": 5,
    "云计算大数据": 6,
    "集成电路": 3,
    "高端软件和人工智能": 14,
    "智能仪表": 4,
    "网络通信": 4,
    "药品": 4,
    "医药流通": 5,
    "医疗及康养服务": 6,
    "医疗器械": 5,
    "智能装备": 14,
    "汽车及零部件": 7,
    "膜材料": 2.5,
    "金属材料": 3.5,
    "微纳材料": 2,
    "生物材料": 2,
    "半导体材料": 1.5,
    "储能": 2.5,
    "风电": 1,
    "光伏": 2.5,
    "节能环保": 6,
}
DEFAULT_CHAIN_COUNT_WEIGHT = 3.0

# Yearly revenue growth of each ecosystem (2020..2024; 2019 is the start of the index).
# From program-facts.md "Demo calibration": 智能物联 7100 (2021) → 7800 (2022) → 9400 (2024).
GROWTH: dict[str, tuple[float, ...]] = {
    "智能物联": (0.085, 0.095, 0.099, 0.097, 0.098),
    "生物医药": (0.12, 0.12, 0.125, -0.09, 0.08),
    "高端装备": (0.04, 0.07, 0.06, 0.06, 0.055),
    "新材料": (0.06, 0.09, 0.08, 0.08, 0.08),
    "绿色低碳": (0.10, 0.12, 0.13, 0.12, 0.11),
}
DEFAULT_GROWTH = (0.06, 0.07, 0.07, 0.07, 0.07)

# Chains that plausibly share an enterprise (a firm in the first is also in the second).
CHAIN_AFFINITY: dict[str, tuple[str, ...]] = {
    "视觉智能": ("集成电路", "高端软件和人工智能", "汽车及零部件"),
    "云计算大数据": ("高端软件和人工智能", "网络通信"),
    "集成电路": ("半导体材料", "视觉智能", "网络通信"),
    "高端软件和人工智能": ("云计算大数据", "视觉智能", "智能装备"),
    "智能仪表": ("节能环保", "智能装备"),
    "网络通信": ("云计算大数据", "集成电路"),
    "药品": ("医药流通", "生物材料"),
    "医药流通": ("药品", "医疗器械"),
    "医疗及康养服务": ("医疗器械", "医药流通"),
    "医疗器械": ("生物材料", "医疗及康养服务"),
    "智能装备": ("高端软件和人工智能", "风电", "汽车及零部件"),
    "汽车及零部件": ("储能", "金属材料", "智能装备"),
    "膜材料": ("光伏", "节能环保", "生物材料"),
    "金属材料": ("汽车及零部件", "智能装备"),
    "微纳材料": ("半导体材料", "储能"),
    "生物材料": ("医疗器械", "药品"),
    "半导体材料": ("集成电路", "光伏"),
    "储能": ("汽车及零部件", "光伏"),
    "风电": ("智能装备", "储能"),
    "光伏": ("储能", "膜材料"),
    "节能环保": ("智能仪表", "智能装备"),
}
SECOND_CHAIN_SHARE = 0.04  # enterprises that sit in two chains

# Chain masters (链主) per chain and the share of the chain's revenue each carries.
MASTERS_PER_CHAIN = 2
MASTER_SHARE = (0.10, 0.22)

# A-share listed enterprises: at most this many (Hangzhou had roughly 200 in 2021, not all in
# the five ecosystems), and never more than this share of the population.
LISTED_MAX = 150
LISTED_SHARE = 0.005

# Tier grants (梯度培育): (tier, granted_on, count). Counts before BASELINE_DATE are exact and sum
# to the program's baselines; later batches are Hangzhou's published batch sizes
# (sme-criteria.md §6), scaled by min(1, N / LATER_GRANTS_FULL_AT).
LATER_GRANTS_FULL_AT = 30_000
BASELINE_GRANTS: tuple[tuple[str, dt.date, int], ...] = (
    ("little_giant_national", dt.date(2019, 6, 13), 6),
    ("little_giant_national", dt.date(2020, 12, 10), 17),
    ("little_giant_national", dt.date(2021, 8, 12), 30),
    ("hidden_champion_provincial", dt.date(2019, 12, 20), 10),
    ("hidden_champion_provincial", dt.date(2020, 12, 18), 12),
    ("hidden_champion_provincial", dt.date(2021, 12, 17), 14),
    ("zjtx_provincial", dt.date(2022, 1, 20), 310),
)
LATER_GRANTS: tuple[tuple[str, dt.date, int], ...] = (
    ("zjtx_provincial", dt.date(2022, 8, 25), 92),
    ("little_giant_national", dt.date(2022, 8, 10), 155),
    ("hidden_champion_provincial", dt.date(2022, 12, 16), 12),
    ("zjtx_provincial", dt.date(2023, 1, 20), 505),
    ("zjtx_provincial", dt.date(2023, 5, 19), 676),
    ("little_giant_national", dt.date(2023, 7, 14), 117),
    ("zjtx_provincial", dt.date(2023, 12, 20), 1030),
    ("hidden_champion_provincial", dt.date(2023, 12, 15), 14),
    ("zjtx_provincial", dt.date(2024, 6, 20), 621),
    ("little_giant_national", dt.date(2024, 8, 15), 157),
    ("zjtx_provincial", dt.date(2024, 12, 20), 345),
    ("hidden_champion_provincial", dt.date(2024, 12, 13), 15),
)
# Titles last 3 years, then a review (复核): (tier, cohort granted_on, review date, pass share).
REVIEWS: tuple[tuple[str, dt.date, dt.date, float], ...] = (
    ("little_giant_national", dt.date(2019, 6, 13), dt.date(2022, 7, 20), 0.85),
    ("little_giant_national", dt.date(2020, 12, 10), dt.date(2023, 12, 8), 0.85),
    ("little_giant_national", dt.date(2021, 8, 12), dt.date(2024, 8, 9), 0.85),
    ("hidden_champion_provincial", dt.date(2019, 12, 20), dt.date(2022, 12, 16), 0.8),
    ("hidden_champion_provincial", dt.date(2020, 12, 18), dt.date(2023, 12, 15), 0.8),
    ("hidden_champion_provincial", dt.date(2021, 12, 17), dt.date(2024, 12, 13), 0.8),
)
# National manufacturing single champions (单项冠军): 22 in Hangzhou in early 2022.
SINGLE_CHAMPION_GRANTS: tuple[tuple[dt.date, int], ...] = (
    (dt.date(2019, 11, 22), 6),
    (dt.date(2020, 11, 27), 7),
    (dt.date(2021, 11, 26), 9),
)
# 创新型中小企业 batches from the 2022 rules on, as a share of the population.
INNOVATIVE_BATCHES: tuple[tuple[dt.date, float], ...] = (
    (dt.date(2022, 9, 30), 0.010),
    (dt.date(2023, 6, 30), 0.012),
    (dt.date(2023, 12, 29), 0.012),
    (dt.date(2024, 6, 28), 0.012),
    (dt.date(2024, 12, 27), 0.010),
)
VALIDITY_YEARS = 3

# Share of high-tech enterprises (高新技术企业) by chain type.
HIGH_TECH_SHARE_TECH = 0.30
HIGH_TECH_SHARE_OTHER = 0.10
SERVICE_CHAINS = frozenset({"医药流通", "医疗及康养服务"})
