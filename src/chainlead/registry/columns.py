"""Column-wise fast path (按列快速解析): parse a whole column of a chunk with pyarrow when
every cell is plain (e.g. `1234.5`, `2023`, `2022-05-31` or empty); otherwise the caller
falls back to the cell parsers, which accept everything else and explain what they don't.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

_EMPTY = pa.scalar(None, pa.string())
_TARGET = {"money": pa.float64(), "float": pa.float64(), "int": pa.int64(), "year": pa.int64(), "date": pa.date32()}


def fast_column(kind: str, raw: list[object], factor: float = 1.0) -> list[object] | None:
    """Typed values for a column of text cells, or None when any cell needs the slow path."""
    target = _TARGET.get(kind)
    if target is None:
        return None
    try:
        arr = pa.array(raw, type=pa.string())
        arr = pc.utf8_trim_whitespace(arr)
        arr = pc.if_else(pc.equal(arr, ""), _EMPTY, arr)
        typed = pc.cast(arr, target)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
        return None
    if target == pa.float64():
        if pc.all(pc.is_finite(typed), skip_nulls=True).as_py() is False:
            return None
        if factor != 1.0:
            typed = pc.divide(typed, -factor) if factor < 0 else pc.multiply(typed, factor)
    if kind == "date" and pc.any(pc.less(typed, pa.scalar(0, pa.int32()).cast(pa.date32())), skip_nulls=True).as_py():
        return None
    return typed.to_pylist()
