"""Evaluates a worksheet over a whole table of returns at once (``engine.evaluate_batch``).

The columns of a pandas DataFrame or an Arrow table are the worksheet's inputs; the result has one
column per output, in the same row order. Numeric columns go through ``engine.run.column`` (numpy,
exact scaled integers, no Python loop per row). A row goes through the scalar path instead
(``Worksheet.run``, the same code as ``engine.evaluate``) when its values cannot be taken over
exactly as whole cents: text such as "$1,234", a float with more than two decimals or larger than
$10,000,000,000,000, a missing value, a value outside the input's bounds or an unknown filing
status. That way every row gets exactly the scalar result, or the scalar path's own error.

Rows whose inputs are wrong are never dropped silently: with ``errors="raise"`` (the default) a
``BatchInputError`` lists every bad row by 0-based row number and field; with ``errors="report"``
their outputs are null and the columns ``error_field`` and ``error`` say why.

A worksheet that has no exact column form (for example a line that divides) raises
``BatchUnsupportedError`` naming the line, unless ``fallback=True``, which evaluates every row with
the scalar path (correct, but about as slow as calling ``engine.evaluate`` per row).
"""
from __future__ import annotations

import os
from decimal import Decimal
from typing import Any, Callable

import numpy as np

from engine.run import scalar
from engine.run import column
from engine.lang.arithmetic import in_engine_context
from engine.errors import (BatchInputError, BatchUnsupportedError, CtaxError, InputError, RowError, UnknownInputError,
                     did_you_mean)
from engine.model.inputs import MAX_AMOUNT, InputSpec
from engine.model.status import FILING_STATUSES, canonical_status
from engine.lang.fixed import INPUT_SCALE, Bool, Cat, ColumnUnsupported, Num, decimals, scaled
from engine.model.worksheet import Worksheet

FLOAT_EXACT_LIMIT = 10 ** 13  # below this a float with at most two decimals is read exactly as cents
_CENTS = 10 ** INPUT_SCALE


# ---------------------------------------------------------------- columns in


def _columns(table: Any) -> tuple[str, int, dict[str, Any], Any]:
    """(kind, row count, name -> column as numpy/pandas, index) of a DataFrame or Arrow table."""
    module = type(table).__module__
    if module.startswith("pyarrow"):
        names = [str(n) for n in table.column_names]
        _refuse_repeated(names)
        return "arrow", table.num_rows, {n: table.column(i).to_pandas() for i, n in enumerate(names)}, None
    if module.startswith("pandas") and hasattr(table, "columns"):
        names = [str(n) for n in table.columns]  # 1 and "1" are the same input name
        _refuse_repeated(names)
        return "pandas", len(table), {n: table.iloc[:, i] for i, n in enumerate(names)}, table.index
    raise CtaxError(f"evaluate_batch needs a pandas DataFrame or a pyarrow Table, not {type(table).__name__}")


def _refuse_repeated(names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError(name, f"the table has more than one column named '{name}'")
        seen.add(name)


def _blank(value: Any) -> bool:
    """None, NaN, NaT or pandas' NA: a value that was not given."""
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and value != value


def _missing(series: Any) -> np.ndarray:
    try:
        return np.asarray(series.isna(), dtype=bool)
    except (ArithmeticError, TypeError, ValueError):  # e.g. Decimal('sNaN') refuses to be tested
        return np.fromiter((_blank(v) for v in series.to_numpy(dtype=object)), dtype=bool, count=len(series))


def _numeric_column(series: Any, spec: InputSpec, n: int, slow: np.ndarray) -> tuple[Num, np.ndarray]:
    """Whole cents (or whole units for integers) as int64; rows that need the scalar path are marked."""
    import pandas as pd

    scale = 0 if spec.type == "integer" else INPUT_SCALE
    unit = 10 ** scale
    missing = _missing(series)
    text = _as_text(series)
    if text is not None:
        values = _parse_text(text, scale)
    elif isinstance(series.dtype, pd.ArrowDtype):
        values = series.to_numpy(dtype=object)
    else:
        values = series.to_numpy()
    out = np.zeros(n, dtype=np.int64)
    limit = int(MAX_AMOUNT)
    if values.dtype.kind in "iu":
        big = np.abs(values.astype(np.float64)) > limit  # marks values too large to scale safely
        ok = ~big
        out = np.where(ok, values, 0).astype(np.int64) * unit
    elif values.dtype.kind == "f":
        finite = np.isfinite(values)
        small = finite & (np.abs(values) <= FLOAT_EXACT_LIMIT)
        units = np.rint(np.where(small, values, 0.0) * unit)
        ok = small & (units / unit == values)
        out = units.astype(np.int64)
    else:
        # text, Decimal or mixed objects: read each with the scalar rules, then keep exact whole units
        ok = np.zeros(n, dtype=bool)
        for i, value in enumerate(values):
            if missing[i]:
                continue
            try:
                number = spec.coerce(value)
            except CtaxError:
                continue  # the scalar path reports it
            units_value = number.scaleb(scale)
            if units_value == units_value.to_integral_value():
                out[i] = int(units_value)
                ok[i] = True
    ok &= ~missing
    if spec.type != "integer":
        low = spec.minimum if spec.minimum is not None else -MAX_AMOUNT
        high = spec.maximum if spec.maximum is not None else MAX_AMOUNT
        ok &= (out >= int(low * unit)) & (out <= int(high * unit))
    else:
        low = max(-MAX_AMOUNT, spec.minimum if spec.minimum is not None else -MAX_AMOUNT)
        high = min(MAX_AMOUNT, spec.maximum if spec.maximum is not None else MAX_AMOUNT)
        ok &= (out >= int(low)) & (out <= int(high))
    slow |= ~ok & ~missing
    return Num(out, scale, column.input_static(spec).bound), missing


# Plain numbers written with at most two decimals (integers: none) and at most 13 digits before the
# point: read exactly through float64 (see FLOAT_EXACT_LIMIT). Anything else ("$1,234", "1e3",
# "0.125", "") goes to the scalar path, which reads it with Decimal or reports it.
_PLAIN = {0: r"^\s*-?[0-9]{1,13}\s*$", INPUT_SCALE: r"^\s*-?[0-9]{1,13}(\.[0-9]{1,2})?\s*$"}


def _as_text(series: Any) -> Any:
    """The column as an Arrow string array when it holds only text (and nulls), else None."""
    import pyarrow as pa

    if series.dtype.kind in "iufb":
        return None
    try:
        text = pa.array(series, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError, OverflowError, ArithmeticError):
        return None  # mixed objects: read one by one
    if pa.types.is_string(text.type) or pa.types.is_large_string(text.type):
        return text
    return None


def _parse_text(text: Any, scale: int) -> np.ndarray:
    """Floats for the plain numbers, NaN for everything else (those rows take the scalar path)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    plain = pc.fill_null(pc.match_substring_regex(text, _PLAIN[scale]), False)
    numbers = pc.cast(pc.utf8_trim_whitespace(pc.if_else(plain, text, pa.scalar("0", text.type))), pa.float64())
    return np.where(plain.to_numpy(zero_copy_only=False), numbers.to_numpy(zero_copy_only=False), np.nan)


def _category_column(series: Any, choices: tuple[str, ...], slow: np.ndarray,
                     respell: Callable[[Any], str | None] | None = None) -> tuple[Cat, np.ndarray]:
    import pandas as pd

    import pyarrow as pa
    import pyarrow.compute as pc

    missing = _missing(series)
    try:
        text = pa.array(series, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError, OverflowError, ArithmeticError):
        text = None  # mixed objects: compare them one by one below
    if text is not None and (pa.types.is_string(text.type) or pa.types.is_large_string(text.type)):
        # hashing in Arrow: much faster than going through Python strings
        codes = pc.index_in(text, value_set=pa.array(list(choices), type=text.type)).fill_null(-1)
        codes = codes.to_numpy(zero_copy_only=False).astype(np.int64)
    else:
        values = series.astype(object).to_numpy()
        # only text can be a choice (and unhashable objects must not reach the hash table)
        is_text = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values))
        codes = pd.Index(list(choices)).get_indexer(np.where(is_text, values, None))
        codes = np.where(is_text, codes, -1).astype(np.int64)
    if respell is not None:
        codes = _respelt(series, codes, missing, choices, respell)
    slow |= (codes < 0) & ~missing
    return Cat(codes, choices), missing


def _respelt(series: Any, codes: np.ndarray, missing: np.ndarray, choices: tuple[str, ...],
             respell: Callable[[Any], str | None]) -> np.ndarray:
    """``codes`` with the rows not spelt as a choice ("SINGLE", "JOINT") looked up by ``respell``, once per text."""
    unmatched = np.flatnonzero((codes < 0) & ~missing)
    if not len(unmatched):
        return codes
    found: dict[str, int] = {}
    texts = series.astype(object).to_numpy()[unmatched]
    for text in texts:
        if isinstance(text, str) and text not in found:
            choice = respell(text)
            found[text] = choices.index(choice) if choice in choices else -1
    codes = codes.copy()
    codes[unmatched] = np.fromiter((found.get(t, -1) if isinstance(t, str) else -1 for t in texts), dtype=np.int64,
                                   count=len(texts))
    return codes


def _boolean_column(series: Any, spec: InputSpec, slow: np.ndarray) -> tuple[Bool, np.ndarray]:
    missing = _missing(series)
    values = series.to_numpy()
    if values.dtype == bool:
        return Bool(values), missing
    result = np.zeros(len(values), dtype=bool)
    for i, value in enumerate(values):
        if missing[i]:
            continue
        try:
            result[i] = spec.coerce(value)
        except CtaxError:
            slow[i] = True
    return Bool(result), missing


def _default_column(spec: InputSpec, n: int) -> Any:
    run, static = column.constant(spec.default, spec)
    value = run(None, None)
    if static.kind == "num":
        return Num(np.full(n, value, dtype=np.int64), static.scale, static.bound)
    if static.kind == "bool":
        return Bool(np.full(n, bool(value)))
    return Cat(np.full(n, value, dtype=np.int64), static.choices)


def _fill(value: Any, default: Any, missing: np.ndarray) -> Any:
    if isinstance(value, Num):
        return Num(np.where(missing, default.arr, value.arr), value.scale, max(value.bound, default.bound))
    if isinstance(value, Bool):
        return Bool(np.where(missing, default.arr, value.arr))
    return Cat(np.where(missing, default.codes, value.codes), value.choices)


def _input_env(sheet: Worksheet, columns: dict[str, Any], n: int) -> tuple[dict, np.ndarray]:
    """The input columns as column values with the missing masks of optional inputs, and which rows
    must take the scalar path (a value the columns cannot read exactly, a required input missing)."""
    slow = np.zeros(n, dtype=bool)
    env: dict[str, Any] = {}
    for name, spec in sheet.inputs.items():
        optional = spec.has_default and spec.default is None
        if spec.required_if is not None:
            env[column.absent_key(name)] = _missing(columns[name]) if name in columns else np.ones(n, dtype=bool)
        if name not in columns and optional:  # not given in any row: "name == None" holds everywhere
            env[name] = _empty_like(spec, n)
            env[column.missing_key(name)] = np.ones(n, dtype=bool)
            continue
        if name not in columns:
            if not spec.has_default:
                slow[:] = True  # every row lacks it: the scalar path raises MissingInputError
                env[name] = _empty_like(spec, n)
                continue
            env[name] = _default_column(spec, n)
            continue
        series = columns[name]
        if spec.type in ("money", "number", "integer"):
            value, missing = _numeric_column(series, spec, n, slow)
        elif spec.type == "filing_status":
            value, missing = _category_column(series, FILING_STATUSES, slow, canonical_status)
        elif spec.type == "choice":
            value, missing = _category_column(series, spec.choices, slow)
        elif spec.type == "boolean":
            value, missing = _boolean_column(series, spec, slow)
        else:
            raise ColumnUnsupported(f"input '{name}' of type {spec.type} has no column form")
        if spec.has_default and spec.default is not None:
            value = _fill(value, _default_column(spec, n), missing)
        elif optional:
            env[column.missing_key(name)] = missing
        else:
            slow |= missing  # the scalar path raises MissingInputError
        env[name] = value
    return env, slow


def _empty_like(spec: InputSpec, n: int) -> Any:
    static = column.input_static(spec)
    if static.kind == "num":
        return Num(np.zeros(n, dtype=np.int64), static.scale, static.bound)
    if static.kind == "bool":
        return Bool(np.zeros(n, dtype=bool))
    return Cat(np.zeros(n, dtype=np.int64), static.choices)


# ---------------------------------------------------------------- rows the scalar path takes


def _row_inputs(columns: dict[str, Any], row: int) -> dict[str, Any]:
    given = {}
    for name, values in columns.items():
        value = values[row]
        if _blank(value):
            continue
        if isinstance(value, np.generic):
            value = value.item()
        given[name] = value
    return given


def _scalar_rows(sheet: Worksheet, columns: dict[str, Any], rows: np.ndarray) -> tuple[dict, list[RowError]]:
    results, errors = {}, []
    if len(rows):
        # one conversion per column, not a pandas lookup per cell
        columns = {name: series.to_numpy(dtype=object) for name, series in columns.items()}
    for row in rows:
        try:
            results[row] = scalar.evaluate(sheet, _row_inputs(columns, int(row)), trace=False).outputs
        except InputError as error:
            errors.append(RowError(int(row), error.field, str(error)))
        except CtaxError as error:
            errors.append(RowError(int(row), "", str(error)))
    return results, errors


# ---------------------------------------------------------------- columns out

_INT64_LIMIT = 2 ** 63


def _arrow_column(value: Any, n: int, valid: np.ndarray, overrides: dict[int, Any]) -> Any:
    import pyarrow as pa

    if isinstance(value, Num):
        arr = np.broadcast_to(np.asarray(value.arr, dtype=np.int64), (n,)).copy()
        for row, result in overrides.items():
            arr[row] = scaled(result, value.scale)
        if value.scale == 0:
            return pa.array(arr, type=pa.int64(), mask=~valid)
        # exact decimals: the scaled integers are the decimal's unscaled digits (128-bit, little endian)
        pairs = np.empty((n, 2), dtype=np.int64)
        pairs[:, 0] = arr
        pairs[:, 1] = arr >> 63
        validity = pa.array(valid, type=pa.bool_()).buffers()[1] if not valid.all() else None
        return pa.Array.from_buffers(pa.decimal128(38, value.scale), n, [validity, pa.py_buffer(pairs.tobytes())],
                                     null_count=int((~valid).sum()))
    if isinstance(value, Bool):
        arr = np.broadcast_to(np.asarray(value.arr, dtype=bool), (n,)).copy()
        for row, result in overrides.items():
            arr[row] = bool(result)
        return pa.array(arr, type=pa.bool_(), mask=~valid)
    codes = np.broadcast_to(np.asarray(value.codes), (n,)).copy()
    for row, result in overrides.items():
        codes[row] = value.choices.index(result)
    text = np.array(value.choices, dtype=object)[np.clip(codes, 0, len(value.choices) - 1)]
    return pa.array(text, type=pa.string(), mask=~valid)


# ---------------------------------------------------------------- the entry point


@in_engine_context
def evaluate_batch(year: int | str, worksheet: str, table: Any, *, errors: str = "raise",
                   fallback: bool = False, rules: str | os.PathLike | None = None) -> Any:
    """Evaluate ``worksheet`` of tax ``year`` for every row of ``table``; outputs as columns.

    ``table`` is a pandas DataFrame (the result is a DataFrame with the same index, Arrow-backed
    exact columns: int64 for whole dollars, decimal128 for fractions) or a pyarrow Table (the
    result is a Table). ``errors``: "raise" (BatchInputError listing every bad row) or "report"
    (null outputs and ``error_field``/``error`` columns). ``fallback``: evaluate row by row when
    the worksheet has no exact column form instead of raising BatchUnsupportedError.
    """
    from engine import api

    if errors not in ("raise", "report"):
        raise CtaxError(f"errors must be 'raise' or 'report', not {errors!r}")
    ruleset = api.load(year, rules)
    api.warn_if_draft(ruleset)
    sheet = ruleset.worksheet(worksheet)
    kind, n, columns, index = _columns(table)
    for name in columns:
        if name not in sheet.inputs:
            raise UnknownInputError(name, f"unknown input column '{name}' for worksheet '{sheet.name}'"
                                          f"{did_you_mean(name, sheet.inputs)}; "
                                          f"inputs: {', '.join(sheet.inputs)}")
    try:
        column.program(sheet)
        env, slow = _input_env(sheet, columns, n)
        env, undecided = column.run(sheet, env, n)
        slow |= undecided
    except ColumnUnsupported as problem:
        if not fallback:
            raise BatchUnsupportedError(f"{problem}; it has no exact column form. Pass fallback=True "
                                        f"(ctax batch does) to evaluate it row by row with the scalar path") from None
        env, slow = None, np.ones(n, dtype=bool)
    slow_rows = np.flatnonzero(slow)
    results, row_errors = _scalar_rows(sheet, columns, slow_rows)
    if row_errors and errors == "raise":
        raise BatchInputError(row_errors)
    valid = np.ones(n, dtype=bool)
    for error in row_errors:
        valid[error.row] = False
    import pyarrow as pa

    out = {}
    for name in sheet.outputs:
        overrides = {row: outputs[name] for row, outputs in results.items()}
        if env is None:
            out[name] = _arrow_from_values(overrides, n, valid)
        else:
            out[name] = _arrow_column(env[name], n, valid, overrides)
    if errors == "report":
        field_of = {e.row: e.field for e in row_errors}
        message_of = {e.row: e.message for e in row_errors}
        out["error_field"] = pa.array([field_of.get(i) for i in range(n)] if row_errors else [None] * n, pa.string())
        out["error"] = pa.array([message_of.get(i) for i in range(n)] if row_errors else [None] * n, pa.string())
    result = pa.table(out) if out else pa.table({})
    result = result.replace_schema_metadata(output_metadata(ruleset.year, sheet.name, ruleset.draft))
    if kind == "arrow":
        return result
    import pandas as pd

    frame = result.to_pandas(types_mapper=pd.ArrowDtype)
    frame.attrs.update({key.decode(): value.decode() for key, value in result.schema.metadata.items()})
    if index is not None:
        frame.index = index
    return frame


def output_metadata(year: int, worksheet: str, draft: bool) -> dict[bytes, bytes]:
    """What a batch output says about itself (Arrow schema metadata, DataFrame ``attrs``, Parquet footer)."""
    return {b"ctax.year": str(year).encode(), b"ctax.worksheet": worksheet.encode(),
            b"ctax.draft": b"true" if draft else b"false"}


def _arrow_from_values(values: dict[int, Any], n: int, valid: np.ndarray) -> Any:
    """A column from scalar results (the row-by-row fallback): exact decimals, booleans or text."""
    import pyarrow as pa

    sample = [v for v in values.values() if v is not None]
    if sample and all(isinstance(v, Decimal) for v in sample):
        scale = max(decimals(v) for v in sample)
        if all(abs(v.scaleb(scale)) < _INT64_LIMIT for v in sample):
            value = Num(np.zeros(n, dtype=np.int64), scale, 0)
            return _arrow_column(value, n, valid, values)
        # more than 64 bits at the common scale (1e20, or 1/3 to 28 digits beside $1e12): exact text instead
    if sample and all(isinstance(v, bool) for v in sample):
        return pa.array([values.get(i) for i in range(n)], type=pa.bool_())
    return pa.array([None if values.get(i) is None else str(values.get(i)) for i in range(n)], type=pa.string())
