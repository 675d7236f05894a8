"""Mapping errors (挂链错误) a user can act on."""

from __future__ import annotations

from chainlead.errors import BilingualError


class MappingError(BilingualError, ValueError):
    """A user-caused problem; `zh` / `en` say what and why."""
