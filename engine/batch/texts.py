"""Output columns written as text, exactly as the row-by-row path writes the scalar values: dates as
ISO text (``str(date)``), lists as ``str(list)`` of the scalar path's list (``values_where``'s texts,
``due_schedule``'s ``{'due_date': datetime.date(...), 'amount': Decimal('...')}``), built here from
the columns (engine.lang.dates_column's list shapes) only when the output is written.
"""
from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.batch import arrow
from engine.lang.dates_column import Schedule, Where, civil, from_day_number


def dates(days: Any, n: int, valid: np.ndarray) -> Any:
    """Day numbers as ISO text, as ``str(datetime.date)`` writes it ('2025-04-15', '0005-01-01'): ten
    bytes a row, digits computed in numpy; null where not ``valid`` (years 1 to 9999: the columns send
    any other date to the scalar path)."""
    days = np.broadcast_to(np.asarray(days, dtype=np.int64), (n,))
    year, month, day = civil(np.where(valid, days, 0))
    text = np.empty((n, 10), dtype=np.uint8)
    for column, (number, width) in enumerate(((year, 4), (month, 2), (day, 2))):
        start = (0, 5, 8)[column]
        for place in range(width):
            text[:, start + place] = ord("0") + number // 10 ** (width - 1 - place) % 10
    text[:, 4] = text[:, 7] = ord("-")
    offsets = np.arange(0, 10 * n + 1, 10, dtype=np.int32)
    validity, nulls = None, 0
    if not valid.all():
        validity, nulls = arrow.from_numpy(valid).buffers()[1], int(n - np.count_nonzero(valid))
    return pa.Array.from_buffers(pa.string(), n, [validity, pa.py_buffer(offsets), pa.py_buffer(text)],
                                 null_count=nulls)


MAX_SPAN = 1 << 16  # values spread over at most this many: texts made for the whole span, no sort


def _by_unique(values: Any, text: Any, span_texts: Any = None) -> Any:
    """``text(value)`` of each row's value, computed once per distinct value (an Arrow string array);
    ``span_texts(low, high)``, when given, is the Arrow array of the texts of ``low``..``high``."""
    values = np.asarray(values, dtype=np.int64).reshape(-1)
    if not len(values):
        return pa.array([], pa.string())
    low, high = int(values.min()), int(values.max())
    if high - low < MAX_SPAN:  # dates of a few years, a few bits: every value of the span, then one take
        table = span_texts(low, high) if span_texts else arrow.strings(tuple(text(v) for v in range(low, high + 1)))
        return table.take(arrow.from_numpy(values - low))
    unique, inverse = np.unique(values, return_inverse=True)
    return arrow.strings(tuple(text(v) for v in unique)).take(arrow.from_numpy(inverse.reshape(-1).astype(np.int64)))


def listed(shape: Any, value: Any, n: int) -> Any:
    """Each row's list as ``str(list)`` would write the scalar path's list."""
    if isinstance(shape, Where):
        bits = np.broadcast_to(np.asarray(value, dtype=np.int64), (n,))
        return _by_unique(bits, lambda b: str([t for i, t in enumerate(shape.texts) if int(b) >> i & 1]))
    assert isinstance(shape, Schedule)
    which, pairs_by_shape = value
    which = np.broadcast_to(np.asarray(which, dtype=np.int64), (n,))
    parts, order = [], []
    for number, pairs in enumerate(pairs_by_shape):
        rows = np.flatnonzero(which == number)
        if not len(rows):
            continue
        order.append(rows)
        # "[{'due_date': datetime.date(2025, 4, 15), 'amount': Decimal('250')}, {...}]": the text around
        # each amount is folded into the date's text, made once per day of the dates' span
        pieces: list[Any] = []
        digits: dict[int, Any] = {}  # one amount column is often every pair's (each installment alike)
        for place, (days, amount) in enumerate(pairs):
            lead = "[" if place == 0 else "')}, "
            pieces.append(_by_unique(np.broadcast_to(np.asarray(days, dtype=np.int64), (n,))[rows],
                                     functools.partial(_pair_head, lead), functools.partial(_pair_heads, lead)))
            # whole dollars never negative (dates_column._due_schedule): Decimal's digits are the integer's
            if id(amount) not in digits:
                digits[id(amount)] = pc.cast(arrow.from_numpy(
                    np.broadcast_to(np.asarray(amount, dtype=np.int64), (n,))[rows]), pa.string())
            pieces.append(digits[id(amount)])
        pieces.append("')}]" if pairs else "[]")
        parts.append(_join(pieces, len(rows)))
    if not parts:
        return pa.nulls(n, pa.string())
    text = pa.concat_arrays(parts)
    if len(parts) == 1 and len(order[0]) == n:
        return text
    position = np.empty(n, dtype=np.int64)
    position[np.concatenate(order)] = np.arange(n)
    return text.take(arrow.from_numpy(position))


@functools.lru_cache(maxsize=1 << 14)
def _pair_head(lead: str, day: int) -> str:
    """The text of a ``due_schedule`` pair before its amount's digits (kept: chunks share their days)."""
    return f"{lead}{{'due_date': {from_day_number(int(day))!r}, 'amount': Decimal('"


@functools.lru_cache(maxsize=8)  # a span of MAX_SPAN days is a few MB of text: keep a few
def _pair_heads(lead: str, low: int, high: int) -> Any:
    """``_pair_head`` of each day ``low``..``high`` as an Arrow array (kept: the chunks' spans are alike)."""
    return arrow.strings(tuple(_pair_head(lead, day) for day in range(low, high + 1)))


def _join(pieces: list[Any], n: int) -> Any:
    """Text pieces (Arrow string arrays of ``n`` rows, or plain text) joined row by row."""
    if all(isinstance(p, str) for p in pieces):
        return arrow.strings(("".join(pieces),)).take(arrow.from_numpy(np.zeros(n, dtype=np.int64)))
    return pc.binary_join_element_wise(*(pa.scalar(p, pa.string()) if isinstance(p, str) else p for p in pieces), "")
