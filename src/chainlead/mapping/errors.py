"""Mapping errors (挂链错误) a user can act on."""

from __future__ import annotations


class MappingError(ValueError):
    """A user-caused problem; `zh` / `en` say what and why."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en
