"""Output columns written as text, exactly as the row-by-row path writes the scalar values: dates as
ISO text (``str(date)``), lists as ``str(list)`` of the scalar path's list (``values_where``'s texts,
``due_schedule``'s ``{'due_date': datetime.date(...), 'amount': Decimal('...')}``), built here from
the columns (engine.lang.dates_column's list shapes) only when the output is written.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.batch import arrow
from engine.lang.dates_column import Schedule, Where, from_day_number


def dates(days: Any, n: int, valid: np.ndarray) -> Any:
    """Day numbers as ISO text (Arrow's date32 cast to text, as ``str(datetime.date)``); null where not valid."""
    days = np.broadcast_to(np.asarray(days, dtype=np.int64), (n,))
    return pc.cast(arrow.from_numpy(days.astype(np.int32), valid).cast(pa.date32()), pa.string())


def _by_unique(values: Any, text: Any) -> Any:
    """``text(value)`` of each row's value, computed once per distinct value (an Arrow string array)."""
    unique, inverse = np.unique(np.asarray(values), return_inverse=True)
    return arrow.strings(tuple(text(v) for v in unique)).take(arrow.from_numpy(inverse.reshape(-1).astype(np.int64)))


def listed(shape: Any, value: Any, n: int) -> Any:
    """Each row's list as ``str(list)`` would write the scalar path's list."""
    if isinstance(shape, Where):
        bits = np.broadcast_to(np.asarray(value, dtype=np.int64), (n,))
        return _by_unique(bits, lambda b: str([t for i, t in enumerate(shape.texts) if int(b) >> i & 1]))
    assert isinstance(shape, Schedule)
    which, pairs_by_shape = value
    which = np.broadcast_to(np.asarray(which, dtype=np.int64), (n,))
    result: Any = None
    for number, pairs in enumerate(pairs_by_shape):
        rows = np.flatnonzero(which == number)
        if not len(rows):
            continue
        take = arrow.from_numpy(rows.astype(np.int64))
        pieces = []
        for days, amount in pairs:
            date_text = _by_unique(np.broadcast_to(np.asarray(days, dtype=np.int64), (n,)),
                                   lambda d: repr(from_day_number(int(d)))).take(take)
            amounts = np.broadcast_to(np.asarray(amount, dtype=np.int64), (n,))[rows]
            amount_text = pc.cast(arrow.from_numpy(amounts), pa.string())  # whole dollars: Decimal's own digits
            pieces += ["{'due_date': ", date_text, ", 'amount': Decimal('", amount_text, "')}"]
        texts = _join(["[", *_commas(pieces), "]"], len(rows))
        part = pc.replace_with_mask(result if result is not None else pa.nulls(n, pa.string()),
                                    arrow.from_numpy(which == number), texts)
        result = part
    return result if result is not None else pa.nulls(n, pa.string())


def _commas(pieces: list[Any]) -> list[Any]:
    """The item pieces (five per item) with ", " between items."""
    out: list[Any] = []
    for start in range(0, len(pieces), 5):
        if start:
            out.append(", ")
        out += pieces[start:start + 5]
    return out


def _join(pieces: list[Any], n: int) -> Any:
    """Text pieces (Arrow string arrays of ``n`` rows, or plain text) joined row by row."""
    if all(isinstance(p, str) for p in pieces):
        return arrow.strings(("".join(pieces),)).take(arrow.from_numpy(np.zeros(n, dtype=np.int64)))
    return pc.binary_join_element_wise(*(pa.scalar(p, pa.string()) if isinstance(p, str) else p for p in pieces), "")
