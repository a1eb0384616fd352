"""The input columns of ``engine.evaluate_batch`` in one internal form, and what is read from them.

A pyarrow Table keeps its Arrow columns. A pandas DataFrame is turned column by column into Arrow
arrays (numbers, text, categories, booleans, nulls), once, at the start; a column Arrow cannot hold
(mixed objects such as 60000 beside "$1,234") stays a numpy array of its Python objects. Everything
after works on those two forms, so pandas is imported only when the caller passed a DataFrame (or
one of its missing-value markers sits in an object column).
"""
from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.batch import arrow
from engine.errors import CtaxError, InputError

# What pa.array raises on a column it cannot hold as one Arrow type.
_NOT_ARROW = (pa.ArrowException, TypeError, ValueError, OverflowError, ArithmeticError)


def table_columns(table: Any) -> tuple[str, int, dict[str, Any], Any]:
    """(kind, row count, name -> column, pandas index or None) of a DataFrame or an Arrow table."""
    module = type(table).__module__
    if module.startswith("pyarrow") and hasattr(table, "column_names"):
        names = [str(n) for n in table.column_names]
        _refuse_repeated(names)
        return "arrow", table.num_rows, {n: table.column(i) for i, n in enumerate(names)}, None
    if module.startswith("pandas") and hasattr(table, "columns"):
        names = [str(n) for n in table.columns]  # 1 and "1" are the same input name
        _refuse_repeated(names)
        return "pandas", len(table), {n: _from_pandas(table.iloc[:, i]) for i, n in enumerate(names)}, table.index
    raise CtaxError(f"evaluate_batch needs a pandas DataFrame or a pyarrow Table, not {type(table).__name__}")


def _refuse_repeated(names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError(name, f"the table has more than one column named '{name}'")
        seen.add(name)


def _from_pandas(series: Any) -> Any:
    """A pandas column as an Arrow array (NaN, None, NaT and pd.NA become nulls), else its objects.

    A column of Python objects becomes Arrow only when it holds nothing but text: Arrow would read
    other mixtures by the first value's type (an int beside a date becomes a date), and the scalar
    path must see each value as it was given."""
    objects = series.dtype == object
    try:
        array = pa.array(series, from_pandas=True)
    except _NOT_ARROW:
        return series.to_numpy(dtype=object)
    if objects and not (_is_text_type(array.type) or pa.types.is_null(array.type)):
        return series.to_numpy(dtype=object)
    return array


def rows(column: Any, start: int, stop: int) -> Any:
    """Rows ``start`` to ``stop`` of a column, as one Arrow array (copied only if it spans chunks) or numpy."""
    if isinstance(column, np.ndarray):
        return column[start:stop]
    part = column.slice(start, stop - start)
    if isinstance(part, pa.ChunkedArray):
        chunks = part.chunks
        if len(chunks) == 1:
            return chunks[0]
        return pa.concat_arrays(chunks) if chunks else pa.nulls(0, part.type)
    return part


def is_blank(value: Any) -> bool:
    """None, NaN, or pandas' NA or NaT: a value that was not given."""
    if value is None or (isinstance(value, float) and value != value):
        return True
    if "pandas" in sys.modules and type(value).__module__.startswith("pandas"):
        import pandas as pd  # already imported: the value came from it

        return value is pd.NA or value is pd.NaT
    return False


def missing(column: Any) -> np.ndarray:
    """True where a row has no value (null, or NaN in a float column)."""
    if isinstance(column, np.ndarray):
        return np.fromiter((is_blank(v) for v in column), dtype=bool, count=len(column))
    return arrow.to_numpy(column.is_null(nan_is_null=pa.types.is_floating(column.type)))


def objects(column: Any, at: np.ndarray | None = None) -> np.ndarray:
    """The values (all, or those of the rows ``at``) as Python objects; nulls are None."""
    if isinstance(column, np.ndarray):
        return column if at is None else column[at]
    picked = column if at is None else column.take(arrow.from_numpy(np.asarray(at, dtype=np.int64)))
    try:
        values = picked.to_pylist()
    except (OverflowError, ValueError):  # a date past year 9999 (date32 holds them) has no Python date
        values = _dates_as_far_as_python_goes(picked)
    return np.fromiter(values, dtype=object, count=len(values))


def _dates_as_far_as_python_goes(column: Any) -> list[Any]:
    """A date column's values; a day Python's calendar cannot hold is given as text, which the scalar
    path refuses naming the input (day 3,000,000 after 1970-01-01 is no date it can read)."""
    days = (column.cast(pa.int32()).to_pylist() if pa.types.is_date32(column.type)
            else [None] * len(column))
    values = []
    for cell, day in zip(column, days):
        try:
            values.append(cell.as_py())
        except (OverflowError, ValueError):
            values.append(f"day {day} after 1970-01-01" if day is not None else "a value out of range")
    return values


def text(column: Any) -> Any:
    """The column as an Arrow string array when it holds only text (and nulls), else None."""
    if isinstance(column, np.ndarray):
        return None
    kind = column.type
    if pa.types.is_dictionary(kind) and _is_text_type(kind.value_type):
        return pc.cast(column, kind.value_type)
    if _is_text_type(kind):
        return column
    if getattr(pa.types, "is_string_view", lambda _: False)(kind):
        return pc.cast(column, pa.large_string())
    return None


def _is_text_type(kind: Any) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def numbers(column: Any) -> np.ndarray | None:
    """An integer or float column as numpy (any value where null: see ``missing``), else None."""
    if isinstance(column, np.ndarray):
        return None
    kind = column.type
    if pa.types.is_dictionary(kind):
        return numbers(pc.cast(column, kind.value_type))
    if pa.types.is_integer(kind):
        return arrow.to_numpy(column)
    if pa.types.is_floating(kind):
        values = arrow.to_numpy(pc.cast(column, pa.float64()))
        return np.where(np.isfinite(values), values, 0.0) if column.null_count else values
    return None


def days(column: Any) -> np.ndarray | None:
    """An Arrow date32 column as int64 day numbers since 1970-01-01 (any value where null), else None."""
    if isinstance(column, np.ndarray) or not pa.types.is_date32(column.type):
        return None
    return arrow.to_numpy(column.cast(pa.int32()).fill_null(0)).astype(np.int64)


def booleans(column: Any) -> np.ndarray | None:
    """A boolean column as numpy (any value where null: see ``missing``), else None."""
    if isinstance(column, np.ndarray) or not pa.types.is_boolean(column.type):
        return None
    return arrow.to_numpy(column)


def codes(column: Any, choices: tuple[str, ...]) -> np.ndarray:
    """The index of each row's value in ``choices``, -1 where it is none of them (or not text)."""
    words = text(column)
    if words is not None:  # hashing in Arrow: much faster than going through Python strings
        found = pc.index_in(words, value_set=arrow.strings(choices).cast(words.type))
        if not found.null_count:  # every row is one of the choices: no mask to apply
            return arrow.to_numpy(found).astype(np.int64)
        return np.where(arrow.to_numpy(found.is_valid()), arrow.to_numpy(found), -1).astype(np.int64)
    index = {choice: i for i, choice in enumerate(choices)}
    values = objects(column)  # only text can be a choice (and unhashable objects must not reach the dict)
    return np.fromiter((index.get(v, -1) if isinstance(v, str) else -1 for v in values), dtype=np.int64,
                       count=len(values))
