"""Numbers the Chinese way (数字格式): 亿元 for aggregates, 万元 for one enterprise, 同比, %.

English pages show the same figures in CNY with bn/m. A missing value is shown as "—".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DASH = "—"


def _missing(value: object) -> bool:
    """None, NaN, infinities and anything that is not a number (e.g. a missing key) show as —."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return True
    return math.isnan(value) or math.isinf(value)


@dataclass(frozen=True)
class Formatter:
    """Formatting for one language ("zh" or "en")."""

    lang: str = "zh"

    def t(self, zh: str, en: str | None = None) -> str:
        """The text in the page language (中文 by default); `en` may be "" on purpose (e.g. 年)."""
        return en if (self.lang == "en" and en is not None) else zh

    def num(self, value: float | None, digits: int = 0) -> str:
        if _missing(value):
            return DASH
        return f"{value:,.{digits}f}"

    def yi(self, yi_value: float | None, digits: int = 1) -> str:
        """An aggregate already in 亿元."""
        if _missing(yi_value):
            return DASH
        if self.lang == "en":
            return f"CNY {yi_value / 10:,.{max(digits, 1)}f} bn"
        return f"{yi_value:,.{digits}f} 亿元"

    def yi_from_wan(self, wan_value: float | None, digits: int = 1) -> str:
        return DASH if _missing(wan_value) else self.yi(wan_value / 10000.0, digits)

    def wan(self, wan_value: float | None, digits: int = 0) -> str:
        """One enterprise's amount in 万元."""
        if _missing(wan_value):
            return DASH
        if self.lang == "en":
            return f"CNY {wan_value / 100:,.2f} m"
        return f"{wan_value:,.{digits}f} 万元"

    def pct(self, ratio: float | None, digits: int = 1, signed: bool = False) -> str:
        """A ratio (0.123) as a percentage (12.3%)."""
        if _missing(ratio):
            return DASH
        sign = "+" if signed and ratio > 0 else ""
        return f"{sign}{ratio * 100:.{digits}f}%"

    def yoy(self, ratio: float | None) -> str:
        """Year-on-year growth (同比)."""
        if _missing(ratio):
            return DASH
        return f"{self.t('同比', 'YoY')} {self.pct(ratio, signed=True)}"


STATUS_TEXT = {
    "on_track": ("达标", "on track"),
    "at_risk": ("关注", "at risk"),
    "off_track": ("落后", "off track"),
    "no_data": ("无数据", "no data"),
    "达标": ("达标", "on track"),
    "关注": ("关注", "at risk"),
    "落后": ("落后", "off track"),
}

STATUS_CLASS = {"on_track": "ok", "达标": "ok", "at_risk": "warn", "关注": "warn", "off_track": "bad", "落后": "bad"}

TIER_TEXT = {
    "innovative_sme": ("创新型中小企业", "innovative SME"),
    "zjtx_provincial": ("省级专精特新中小企业", "provincial specialised SME (专精特新)"),
    "hidden_champion_provincial": ("省级隐形冠军", "provincial hidden champion"),
    "little_giant_national": ("国家级专精特新“小巨人”", "national little giant"),
    "single_champion_national": ("制造业单项冠军", "national single champion"),
    "high_tech": ("高新技术企业", "high-tech enterprise"),
}

POSITION_TEXT = {"上游": ("上游", "upstream"), "中游": ("中游", "midstream"), "下游": ("下游", "downstream")}

MEMBERSHIP_STATUS_TEXT = {
    "suggested": ("待审核", "suggested"),
    "applied": ("自动挂链", "applied"),
    "confirmed": ("已确认", "confirmed"),
    "rejected": ("已驳回", "rejected"),
}
