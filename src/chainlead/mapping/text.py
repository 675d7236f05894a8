"""Enterprise text for chain mapping (挂链文本): normalising, main products, legal-form suffixes.

`main_products` comes as `名称:占比;名称:占比;…` (revenue share as a fraction or a percentage)
or as `名称;名称;…` (no shares: earlier products weigh more). Separators may be full-width.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_SPLIT = re.compile(r"[;；\n|｜]+")
_SHARE = re.compile(r"^(.*?)[:：]\s*([0-9]+(?:\.[0-9]+)?)\s*(%?)\s*$")
_LEADING = re.compile(r"^[\s.、·\-—_]+")
# Legal forms and generic words that say nothing about the business.
_NAME_NOISE = re.compile(
    r"(股份有限公司|有限责任公司|有限公司|股份公司|集团|控股|（集团）|\(集团\)|公司|分公司|总公司)"
)
# Product names that are accounting lines, not products.
GENERIC_PRODUCTS = frozenset(
    {
        "平衡项目",
        "调整项目",
        "其他",
        "其它",
        "其他业务",
        "其他收入",
        "合计",
        "小计",
        "主营业务",
        "非主营业务",
        "内部抵消",
        "分部间抵消",
        "抵消",
        "营业",
        "销售",
        "服务",
        "商品",
        "产品",
        "业务",
    }
)


def normalize(text: str | None) -> str:
    """Full-width → half-width (NFKC), lower case, collapsed white space."""
    if not text:
        return ""
    return " ".join(unicodedata.normalize("NFKC", str(text)).lower().split())


@dataclass(frozen=True, slots=True)
class Product:
    """One main product (主营产品) with its weight in [0, 1]."""

    name: str
    weight: float
    share: float | None = None


def parse_products(text: str | None) -> list[Product]:
    """Parse `名称:占比;…` or `名称;…` into products with weights.

    With shares: weight = share (percentages are divided by 100), clamped to [0.02, 1]; products
    are kept in the given order. Without shares: weight 1.0, 0.7, 0.55, 0.45, … by position.
    Accounting lines (平衡项目, 调整项目, 其他, …) are dropped.
    """
    out: list[Product] = []
    for rank, raw in enumerate(_SPLIT.split(normalize(text))):
        part = _LEADING.sub("", raw).strip()
        if not part:
            continue
        share: float | None = None
        m = _SHARE.match(part)
        if m:
            part = m.group(1).strip()
            value = float(m.group(2))
            share = value / 100.0 if (m.group(3) or value > 1.5) else value
        if not part or part in GENERIC_PRODUCTS:
            continue
        weight = min(1.0, max(0.02, share)) if share is not None else 1.0 / (1.0 + 0.45 * rank)
        out.append(Product(part, weight, share))
    return out


def core_name(name: str | None) -> str:
    """The name without legal-form words (股份有限公司, 集团, …)."""
    return _NAME_NOISE.sub(" ", normalize(name)).strip()


@dataclass(slots=True)
class EnterpriseText:
    """What mapping reads about one enterprise."""

    name: str = ""
    main_products: str = ""
    business_scope: str = ""
    industry_code: str = ""
    products: list[Product] = field(default_factory=list)

    @classmethod
    def of(
        cls,
        name: str | None = None,
        main_products: str | None = None,
        business_scope: str | None = None,
        industry_code: str | None = None,
    ) -> EnterpriseText:
        code = normalize(industry_code).replace(" ", "")
        if code.endswith(".0"):
            code = code[:-2]
        return cls(
            name=normalize(name),
            main_products=main_products or "",
            business_scope=normalize(business_scope),
            industry_code=code,
            products=parse_products(main_products),
        )
