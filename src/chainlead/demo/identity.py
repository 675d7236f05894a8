"""Identities of demo enterprises: USCC codes and company names (统一社会信用代码、企业名称).

USCC (GB 32100-2015): registration authority 9 (market regulation) + entity type 1 (enterprise)
+ the 6-digit code of the enterprise's district + a 9-character organisation code (GB 11714:
8 body characters and their own check character) + the USCC check character. Bodies are
unique by construction: an affine bijection of each enterprise's rank among enterprises of
its kind (8 digits for firms founded before 2016; "MA" + 6 characters for later ones, as in
real codes issued since the USCC reform). Everything is vectorised over a chunk.
"""

from __future__ import annotations

import math

import numpy as np

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_ASCII = np.frombuffer(USCC_ALPHABET.encode(), dtype=np.uint8)
_USCC_VALUE = np.full(128, -1, dtype=np.int64)
_USCC_VALUE[_ASCII] = np.arange(31)
# GB 11714 values: digits 0-9, letters A=10 … Z=35.
_ORG_VALUE = np.full(128, -1, dtype=np.int64)
_ORG_VALUE[48:58] = np.arange(10)
_ORG_VALUE[65:91] = np.arange(10, 36)

OLD_SPACE = 10**8
NEW_SPACE = 31**6


def affine_bijection(rank: np.ndarray, space: int, salt: int) -> np.ndarray:
    """Map 0..space-1 onto itself one-to-one, scrambled (a·r + b mod space)."""
    a = 1_103_515_245 + 2 * salt
    while math.gcd(a, space) != 1:
        a += 1
    b = (salt * 2_654_435_761) % space
    return (rank.astype(np.int64) * (a % space) % space + b) % space


def org_bodies(ranks: np.ndarray, new_style: np.ndarray, salt: int) -> np.ndarray:
    """8-character organisation-code bodies as a (m, 8) uint8 ASCII array."""
    m = ranks.size
    out = np.zeros((m, 8), dtype=np.uint8)
    old = ~new_style
    if old.any():
        v = affine_bijection(ranks[old], OLD_SPACE, salt)
        digits = np.stack([(v // 10 ** (7 - i)) % 10 for i in range(8)], axis=1)
        out[old] = (digits + 48).astype(np.uint8)
    if new_style.any():
        v = affine_bijection(ranks[new_style], NEW_SPACE, salt + 1)
        chars = np.stack([(v // 31 ** (5 - i)) % 31 for i in range(6)], axis=1)
        block = np.empty((int(new_style.sum()), 8), dtype=np.uint8)
        block[:, 0] = ord("M")
        block[:, 1] = ord("A")
        block[:, 2:] = _ASCII[chars]
        out[new_style] = block
    return out


def make_uscc(district_codes: np.ndarray, bodies: np.ndarray) -> np.ndarray:
    """Full 18-character codes (numpy unicode array) from district codes and org bodies."""
    m = bodies.shape[0]
    chars = np.zeros((m, 18), dtype=np.uint8)
    chars[:, 0] = ord("9")
    chars[:, 1] = ord("1")
    chars[:, 2:8] = np.frombuffer(np.asarray(district_codes, dtype="S6").tobytes(), dtype=np.uint8).reshape(m, 6)
    chars[:, 8:16] = bodies
    total = (_ORG_VALUE[bodies] * _ORG_WEIGHTS).sum(axis=1)
    c9 = 11 - total % 11
    chars[:, 16] = np.where(c9 == 10, ord("X"), np.where(c9 == 11, ord("0"), c9 + 48))
    total = (_USCC_VALUE[chars[:, :17]] * _USCC_WEIGHTS).sum(axis=1)
    chars[:, 17] = _ASCII[(31 - total % 31) % 31]
    return np.frombuffer(chars.tobytes(), dtype="S18").astype("U18")


# ---------------------------------------------------------------- names

_FIRST = "华中海恒新天东瑞金鑫泰安康宏德信诚达丰盛隆远博科创智蓝青星光明晨宇航辰凯恩英杰聚合汇通联众源正嘉振富祥"
_SECOND = "兴欣益美元和平昌润泽耀晟锐辉腾鼎川阳峰亚川越迅捷捷霖琪璟瀚韬朗睿铭澜沐屹誉朴钧拓策灵"
_THIRD = "达通科源信德和泰盛昌创联顺祥佳发宏海星光维纳微云力丰威美嘉汇捷拓奥迪凯能特森"
_SECOND = "".join(dict.fromkeys(_SECOND))
_THIRD = "".join(dict.fromkeys(_THIRD))
# Trade names (字号) of well-known real companies are never produced.
_BLOCKED_TEXT = (
    "海康 大华 宇视 士兰 华东 贝达 九洲 华海 吉利 福斯 科百 五星 华光 华正 中控 威星 "
    "恒生 紫光 新华 泰格 康恩 万向 正泰 传化 海正 民生 英特 华立 中恒 聚光 远方 创业 "
    "安恒 信雅 华三 杭氧 杭锅 杭叉 老板 娃哈 网易 阿里 蚂蚁 万事 鼎龙 大立 先临 中天 "
    "华策 思创 新安 东方 华润 天堂 宏华 康德 金科 亚太 和达 泰隆 凯恩 华鑫 信达 东华 "
    "元和 博创 中源 恒达 天科 海兴 永兴 润泽 华峰 博拓 宏昌 新和 正元 祥和 "
)
BLOCKED = frozenset(_BLOCKED_TEXT.split())
PAIRS = [a + b for a in _FIRST for b in _SECOND if a != b and a + b not in BLOCKED]


def trade_names(ranks: np.ndarray, salt: int, n_total: int) -> list[str]:
    """Unique 字号 per rank: two characters while they last, then three."""
    perm = affine_bijection(ranks, max(n_total, 1), salt) if n_total > 1 else ranks.astype(np.int64)
    n_pairs = len(PAIRS)
    out: list[str] = []
    third = _THIRD
    for k in perm.tolist():
        if k < n_pairs:
            out.append(PAIRS[k])
        else:
            k -= n_pairs
            pair, rest = PAIRS[k % n_pairs], k // n_pairs
            tail = third[rest % len(third)]
            if rest >= len(third):
                tail += third[(rest // len(third)) % len(third)]
            out.append(pair + tail)
    return out


# Industry words (行业词) by GB/T 4754 division (大类); a few variants each.
INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "01": ("中药材种植", "农业开发"),
    "14": ("生物科技", "健康食品"),
    "26": ("新材料科技", "化工"),
    "27": ("医药", "制药", "生物医药", "药业"),
    "28": ("生物材料", "纤维新材料"),
    "29": ("新材料", "塑胶科技", "膜科技"),
    "30": ("新材料科技", "特种陶瓷", "玻璃科技"),
    "31": ("金属材料", "特钢"),
    "32": ("金属材料", "合金材料", "铜业"),
    "33": ("金属制品", "精密锻造"),
    "34": ("机械", "智能装备", "机电科技", "动力设备"),
    "35": ("医疗器械", "医疗科技", "精密机械", "环保设备"),
    "36": ("汽车零部件", "汽车科技", "车业"),
    "37": ("轨道交通装备", "航空科技"),
    "38": ("电气", "新能源科技", "电源科技", "电池"),
    "39": ("电子科技", "智能科技", "微电子", "光电科技"),
    "40": ("仪器仪表", "测控技术", "仪表科技"),
    "42": ("再生资源", "资源循环科技"),
    "44": ("新能源", "能源科技", "电力"),
    "46": ("水务", "环境科技"),
    "48": ("通信工程", "网络工程"),
    "51": ("医药", "医疗器械", "医药贸易"),
    "52": ("大药房", "医药连锁", "医疗器械"),
    "59": ("医药物流", "仓储"),
    "63": ("通信技术", "通信"),
    "64": ("网络科技", "数据科技", "云计算"),
    "65": ("信息技术", "软件", "智能科技", "数字科技"),
    "72": ("安防科技", "安全技术"),
    "73": ("技术研究", "研发科技"),
    "74": ("环境检测", "检测技术"),
    "75": ("科技", "生物技术", "节能科技"),
    "77": ("环保科技", "环境工程", "生态环境"),
    "80": ("健康管理", "养生"),
    "84": ("医院", "门诊部", "健康管理", "医疗"),
    "85": ("养老服务", "护理院", "康养"),
}
DEFAULT_WORDS = ("科技", "实业")


def company_names(
    trade: list[str], divisions: list[str], variants: np.ndarray, joint_stock: np.ndarray, city: str = "杭州"
) -> list[str]:
    """City (杭州) + 字号 + 行业词 + 有限公司/股份有限公司."""
    out = []
    for t, d, v, js in zip(trade, divisions, variants.tolist(), joint_stock.tolist(), strict=True):
        words = INDUSTRY_WORDS.get(d, DEFAULT_WORDS)
        out.append(f"{city}{t}{words[v % len(words)]}{'股份有限公司' if js else '有限公司'}")
    return out
