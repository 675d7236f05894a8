"""Unified social credit code (统一社会信用代码, GB 32100-2015), via python-stdnum."""

from __future__ import annotations

from stdnum import exceptions as stdnum_exc
from stdnum.cn import uscc as _uscc


class InvalidUSCC(ValueError):
    """A code that is not a valid USCC; `reason_zh` / `reason_en` say why."""

    def __init__(self, value: str, reason_zh: str, reason_en: str) -> None:
        super().__init__(f"{reason_zh} / {reason_en}: {value!r}")
        self.value = value
        self.reason_zh = reason_zh
        self.reason_en = reason_en


_FULLWIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ"}


def normalize_uscc(value: str) -> str:
    """Return the canonical 18-character code or raise InvalidUSCC.

    Spaces, hyphens, full-width characters and lower case are repaired (they are typing
    accidents, not different codes); a wrong length, character or check digit is an error.
    """
    raw = value if isinstance(value, str) else str(value)
    cleaned = raw.translate(_FULLWIDTH).replace(" ", "").replace("-", "").replace("\u3000", "")
    cleaned = cleaned.strip().upper()
    if not cleaned:
        raise InvalidUSCC(raw, "统一社会信用代码为空", "the USCC is empty")
    if len(cleaned) != 18:
        raise InvalidUSCC(
            raw,
            f"统一社会信用代码应为18位，实为{len(cleaned)}位",
            f"a USCC has 18 characters, this has {len(cleaned)}",
        )
    try:
        return str(_uscc.validate(cleaned))
    except stdnum_exc.InvalidChecksum:
        raise InvalidUSCC(
            raw,
            f"统一社会信用代码校验位错误（应为 {uscc_check_char(cleaned[:17])}）",
            f"wrong check character (expected {uscc_check_char(cleaned[:17])})",
        ) from None
    except stdnum_exc.ValidationError:
        if not cleaned[:8].isdigit():
            raise InvalidUSCC(
                raw,
                "统一社会信用代码前8位（登记管理部门、机构类别、行政区划码）应为数字",
                "the first 8 characters (authority, type, region code) must be digits",
            ) from None
        raise InvalidUSCC(
            raw,
            "统一社会信用代码含有不允许的字符（不得含 I、O、S、V、Z）",
            "the USCC contains characters that are not allowed (no I, O, S, V, Z)",
        ) from None


def uscc_check_char(first17: str) -> str:
    """The check character for the first 17 characters (GB 32100-2015)."""
    try:
        return str(_uscc.calc_check_digit(first17))
    except (KeyError, ValueError, IndexError):
        return "?"


def is_valid_uscc(value: str) -> bool:
    try:
        normalize_uscc(value)
    except InvalidUSCC:
        return False
    return True
