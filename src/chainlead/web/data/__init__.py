"""What the pages and the API show (页面数据): one function per question, shared by both.

Each module calls the domain package's service function where it exists (progress, mapping,
cultivation, registry) and otherwise answers from the tables directly (db/models.py).
"""

import math
from typing import Any


def json_safe(value: Any) -> Any:
    """NaN and infinities become None (JSON has no NaN); containers are copied recursively."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value
