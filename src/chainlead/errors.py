"""Errors whose message is in Chinese and English (中英文错误信息)."""

from __future__ import annotations


class BilingualError(Exception):
    """`zh` and `en` say what went wrong and why; `str()` is both. Mixed in before a builtin
    (`class ProgressError(BilingualError, ValueError)`) so callers can still catch ValueError."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en
