"""Evaluates a worksheet over a whole table of returns at once (``engine.evaluate_batch``).

The columns of a pandas DataFrame or an Arrow table are the worksheet's inputs; the result has one
column per output, in the same row order. Numeric columns go through ``engine.run.column`` (numpy,
exact scaled integers, no Python loop per row). A row goes through the scalar path instead
(``engine.run.scalar``, the same code as ``engine.evaluate``) when its values cannot be taken over
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
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np

from engine.batch import arrow, columns, texts
from engine.errors import (
    BatchInputError,
    BatchUnsupportedError,
    CtaxError,
    EvaluationError,
    InputError,
    RowError,
    UnknownInputError,
    did_you_mean,
)
from engine.lang.arithmetic import in_engine_context
from engine.lang.dates_column import MAX_DAY, MIN_DAY, Dates, civil_days, day_number
from engine.lang.fixed import INPUT_SCALE, LIMIT, NUMBER_SCALE, Bool, Cat, ColumnUnsupported, Num, decimals, scaled
from engine.model.inputs import MAX_AMOUNT, Fill, InputSpec
from engine.model.status import FILING_STATUSES, canonical_status
from engine.model.worksheet import Worksheet
from engine.run import column as column_evaluator
from engine.run import scalar
from engine.run.column import Listed

FLOAT_EXACT_LIMIT = 10 ** 13  # below this a float with at most two decimals is read exactly as cents


# ---------------------------------------------------------------- columns in


def _numeric_column(column: Any, spec: InputSpec, n: int, slow: np.ndarray) -> tuple[Num, np.ndarray]:
    """Whole cents (millionths for numbers, whole units for integers) as int64; rows that need the
    scalar path are marked."""
    scale = column_evaluator.input_static(spec).scale
    unit = 10 ** scale
    missing = columns.missing(column)
    words = columns.text(column)
    numbers = None if words is not None else columns.numbers(column)
    if words is not None:
        values = _parse_text(words, scale)
    elif numbers is not None:
        values = numbers
    else:
        values = columns.objects(column)
    out = np.zeros(n, dtype=np.int64)
    limit = min(int(MAX_AMOUNT), LIMIT // unit)  # larger values cannot be scaled inside int64
    if values.dtype.kind in "iu":
        big = (values > limit) | (values < -limit)  # too large to scale safely (compared exactly, in integers)
        ok = ~big
        out = (np.where(ok, values, 0) if big.any() else values).astype(np.int64)
        if unit != 1:
            out *= unit
    elif values.dtype.kind == "f":
        finite = np.isfinite(values)
        small = finite & (np.abs(values) <= min(FLOAT_EXACT_LIMIT, 2 ** 52 // unit))
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
    low = max(-MAX_AMOUNT, spec.minimum if spec.minimum is not None else -MAX_AMOUNT)
    high = min(MAX_AMOUNT, spec.maximum if spec.maximum is not None else MAX_AMOUNT)
    ok &= (out >= max(int(low * unit), -LIMIT)) & (out <= min(int(high * unit), LIMIT))
    slow |= ~ok & ~missing
    return Num(out, scale, column_evaluator.input_static(spec).bound), missing


# Plain numbers written with at most two decimals (integers: none; numbers: six, and at most 9 digits
# before the point) and at most 13 digits before the point: read exactly through float64 (see
# FLOAT_EXACT_LIMIT). Anything else ("$1,234", "1e3", "0.125" for money, "") goes to the scalar path,
# which reads it with Decimal or reports it.
_PLAIN = {0: r"^\s*-?[0-9]{1,13}\s*$", INPUT_SCALE: r"^\s*-?[0-9]{1,13}(\.[0-9]{1,2})?\s*$",
          NUMBER_SCALE: r"^\s*-?[0-9]{1,9}(\.[0-9]{1,6})?\s*$"}


def _parse_text(text: Any, scale: int) -> np.ndarray:
    """Floats for the plain numbers, NaN for everything else (those rows take the scalar path)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    matched = pc.match_substring_regex(text, _PLAIN[scale])
    plain = pc.and_kleene(matched, matched.is_valid())  # null (no text) is not a plain number
    values = np.full(len(text), np.nan)
    values[np.flatnonzero(arrow.to_numpy(plain))] = arrow.to_numpy(
        pc.cast(pc.utf8_trim_whitespace(pc.filter(text, plain)), pa.float64()))
    return values


def _category_column(column: Any, choices: tuple[str, ...], slow: np.ndarray,
                     respell: Callable[[Any], str | None] | None = None) -> tuple[Cat, np.ndarray]:
    missing = columns.missing(column)
    codes = columns.codes(column, choices)
    if respell is not None:
        codes = _respelt(column, codes, missing, choices, respell)
    slow |= (codes < 0) & ~missing
    return Cat(codes, choices), missing


def _respelt(column: Any, codes: np.ndarray, missing: np.ndarray, choices: tuple[str, ...],
             respell: Callable[[Any], str | None]) -> np.ndarray:
    """``codes`` with the rows not spelt as a choice ("SINGLE", "JOINT") looked up by ``respell``, once per text."""
    unmatched = np.flatnonzero((codes < 0) & ~missing)
    if not len(unmatched):
        return codes
    found: dict[str, int] = {}
    texts = columns.objects(column, unmatched)
    for text in texts:
        if isinstance(text, str) and text not in found:
            choice = respell(text)
            found[text] = choices.index(choice) if choice in choices else -1
    codes = codes.copy()
    codes[unmatched] = np.fromiter((found.get(t, -1) if isinstance(t, str) else -1 for t in texts), dtype=np.int64,
                                   count=len(texts))
    return codes


_ISO_DATE = r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*$"  # YYYY-MM-DD: read in Arrow; other text as the scalar path reads it


def _date_column(column: Any, spec: InputSpec, slow: np.ndarray) -> tuple[Dates, np.ndarray]:
    """Day numbers (days since 1970-01-01) of a date column: Arrow dates and ISO text in Arrow, anything
    else value by value as the scalar path reads it; rows it refuses are marked for it."""
    missing = columns.missing(column)
    n = len(missing)
    days = np.zeros(n, dtype=np.int64)
    ok = np.zeros(n, dtype=bool)
    words = columns.text(column)
    arrow_days = columns.days(column)
    if arrow_days is not None:
        days, ok = arrow_days, ~missing
    elif words is not None:
        import pyarrow.compute as pc

        matched = pc.match_substring_regex(words, _ISO_DATE)
        plain = arrow.to_numpy(pc.and_kleene(matched, matched.is_valid()).fill_null(False))
        at = np.flatnonzero(plain)
        iso = pc.filter(pc.utf8_trim_whitespace(words), arrow.from_numpy(plain))
        parts = [arrow.to_numpy(pc.cast(pc.utf8_slice_codeunits(iso, a, b), "int64"))
                 for a, b in ((0, 4), (5, 7), (8, 10))]
        days[at], ok[at] = civil_days(*parts)
        others = np.flatnonzero(~plain & ~missing)
        _read_dates(columns.objects(column, others) if len(others) else [], others, spec, days, ok)
    else:
        rows = np.flatnonzero(~missing)
        _read_dates(columns.objects(column, rows), rows, spec, days, ok)
    ok &= (days >= MIN_DAY) & (days <= MAX_DAY)
    slow |= ~ok & ~missing
    return Dates(np.where(ok, days, 0)), missing


def _read_dates(values: Any, rows: np.ndarray, spec: InputSpec, days: np.ndarray, ok: np.ndarray) -> None:
    """Dates read one by one as the scalar path reads them (spec.coerce); the rows it refuses stay not ok."""
    for row, value in zip(rows, values):
        try:
            days[row] = day_number(spec.coerce(value))
        except CtaxError:
            continue  # the scalar path reports it
        ok[row] = True


def _boolean_column(column: Any, spec: InputSpec, slow: np.ndarray) -> tuple[Bool, np.ndarray]:
    missing = columns.missing(column)
    values = columns.booleans(column)
    if values is not None:
        return Bool(values), missing
    values = columns.objects(column)
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
    run, static = column_evaluator.constant(spec.default, spec)
    value = run({}, None)  # a constant: it reads nothing
    if static.kind == "num":
        return Num(np.full(n, value, dtype=np.int64), static.scale, static.bound)
    if static.kind == "bool":
        return Bool(np.full(n, bool(value)))
    if static.kind == "date":
        return Dates(np.full(n, value, dtype=np.int64))
    return Cat(np.full(n, value, dtype=np.int64), static.choices)


def _fill(value: Any, default: Any, missing: np.ndarray) -> Any:
    if isinstance(value, Num):
        return Num(np.where(missing, default.arr, value.arr), value.scale, max(value.bound, default.bound))
    if isinstance(value, Bool):
        return Bool(np.where(missing, default.arr, value.arr))
    if isinstance(value, Dates):
        return Dates(np.where(missing, default.days, value.days))
    return Cat(np.where(missing, default.codes, value.codes), value.choices)


def _input_env(sheet: Worksheet, given: dict[str, Any], n: int) -> tuple[dict, np.ndarray]:
    """The input columns as column values with the missing masks of optional inputs and the absent
    masks of inputs with a ``required_if`` (engine.run.column decides those rows), and which rows must
    take the scalar path (a value the columns cannot read exactly, a required input missing)."""
    slow = np.zeros(n, dtype=bool)
    env: dict[str, Any] = {}
    for name, spec in sheet.inputs.items():
        fill = spec.fill
        if spec.required_if is not None:
            absent = columns.missing(given[name]) if name in given else np.ones(n, dtype=bool)
            env[column_evaluator.absent_key(name)] = absent
        if name not in given:
            if fill is Fill.DEFAULT:
                env[name] = _default_column(spec, n)
                continue
            env[name] = _empty_like(spec, n)
            if fill is Fill.OPTIONAL:  # not given in any row: "name == None" holds everywhere
                env[column_evaluator.missing_key(name)] = np.ones(n, dtype=bool)
            else:
                slow[:] = True  # every row lacks it: the scalar path raises MissingInputError
            continue
        values = given[name]
        value: Num | Bool | Cat | Dates
        if spec.type in ("money", "number", "integer"):
            value, missing = _numeric_column(values, spec, n, slow)
        elif spec.type == "filing_status":
            value, missing = _category_column(values, FILING_STATUSES, slow, canonical_status)
        elif spec.type == "choice":
            value, missing = _category_column(values, spec.choices, slow)
        elif spec.type == "boolean":
            value, missing = _boolean_column(values, spec, slow)
        elif spec.type == "date":
            value, missing = _date_column(values, spec, slow)
        else:
            raise ColumnUnsupported(f"input '{name}' of type {spec.type} has no column form")
        if fill is Fill.DEFAULT:
            value = _fill(value, _default_column(spec, n), missing)
        elif fill is Fill.OPTIONAL:
            env[column_evaluator.missing_key(name)] = missing
        else:
            slow |= missing  # the scalar path raises MissingInputError
        env[name] = value
    return env, slow


def _empty_like(spec: InputSpec, n: int) -> Any:
    static = column_evaluator.input_static(spec)
    if static.kind == "num":
        return Num(np.zeros(n, dtype=np.int64), static.scale, static.bound)
    if static.kind == "bool":
        return Bool(np.zeros(n, dtype=bool))
    if static.kind == "date":
        return Dates(np.zeros(n, dtype=np.int64))
    return Cat(np.zeros(n, dtype=np.int64), static.choices)


# ---------------------------------------------------------------- rows the scalar path takes


def _scalar_rows(sheet: Worksheet, given: dict[str, Any], rows: np.ndarray) -> tuple[dict, list[RowError]]:
    """The scalar path's outputs for ``rows`` (by row number), and their errors."""
    results: dict[int, dict[str, Any]] = {}
    errors: list[RowError] = []
    if not len(rows):
        return results, errors
    # one conversion per column, of the rows needed only
    values = {name: columns.objects(column, rows) for name, column in given.items()}
    for i, row in enumerate(rows):
        inputs = {}
        for name, column in values.items():
            value = column[i]
            if not columns.is_blank(value):
                inputs[name] = value.item() if isinstance(value, np.generic) else value
        try:
            results[int(row)] = scalar.evaluate(sheet, inputs, trace=False).outputs
        except InputError as error:
            errors.append(RowError(int(row), error.field, str(error)))
        except CtaxError as error:
            errors.append(RowError(int(row), "", str(error)))
    return results, errors


# ---------------------------------------------------------------- columns out

_INT64_LIMIT = 2 ** 63
RESULT_COLUMNS = ("error_field", "error")
# Rows evaluated at a time (``chunk_rows``); small enough that the temporaries of a worksheet stay in
# a few tens of MB, large enough that numpy's cost per call is spread over many rows.
DEFAULT_CHUNK_ROWS = 1 << 16
CHUNK_ROWS_VARIABLE = "CTAX_BATCH_CHUNK_ROWS"


class _Output:
    """One output column of ``n`` rows, filled chunk by chunk in place: its buffer is allocated once,
    when the first chunk says what the output is, and each chunk writes its values into its own
    slice, so no per-chunk pieces are concatenated and no full-length temporary is made. ``array()``
    hands the buffer to Arrow as it is (exact decimals: the buffer already holds their 128-bit
    unscaled digits).

    An amount's buffer is allocated by Arrow (its system pool: plain malloc), which owns the result's
    buffers anyway. Not numpy: numpy advises huge pages for large arrays, and on this kind of machine
    faulting those in (2 MB zeroed, and compacted for, at a time) was most of a 10M-row call's
    system time, while the huge page at each output's write frontier counted as working memory
    (measured: 10M rows, system time 0.8 s against 0.45 s with plain pages)."""

    def __init__(self, n: int):
        self.n = n
        self.value: Num | Bool | Cat | Dates | Listed | None = None  # the first chunk's value: what the column is
        self.buffer: np.ndarray | None = None
        self.pooled: Any = None  # the Arrow buffer under ``buffer`` (amounts)
        self.valid: np.ndarray | None = None  # allocated when a row first turns out to be null
        self.texts: list[Any] = []  # a list output: each chunk's rows as text (built when written)

    def _allocate(self, value: Num | Bool | Cat | Dates | Listed) -> np.ndarray:
        self.value = value
        if isinstance(value, Listed):
            return np.empty(0, dtype=np.int64)  # its text is kept per chunk
        if isinstance(value, Num):
            import pyarrow as pa

            # scale 0: whole units as int64; otherwise decimal128's two little-endian 64-bit words per row
            words = 2 if value.scale else 1
            self.pooled = pa.allocate_buffer(8 * words * self.n, memory_pool=pa.system_memory_pool())
            buffer = np.frombuffer(self.pooled, dtype=np.int64)
            return buffer.reshape(self.n, 2) if value.scale else buffer
        if isinstance(value, Bool):
            return np.empty(self.n, dtype=bool)
        return np.empty(self.n, dtype=np.int64)

    def put(self, rows: slice, value: Num | Bool | Cat | Dates | Listed, valid: np.ndarray | None = None,
            overrides: dict[int, Any] | None = None) -> None:
        """Write one chunk: ``value`` (a column or one value for every row) over ``rows``; where
        ``valid`` is false the row is null; ``overrides`` (row within the chunk -> scalar result)
        replace the column's value for the rows the scalar path took. A value's None rows, and a
        scalar result None, are null (as the row-by-row path writes None)."""
        buffer = self.buffer if self.buffer is not None else self._allocate(value)
        self.buffer = buffer
        start = rows.start or 0
        valid, overrides = _without_nones(value, rows, valid, overrides or {})
        if isinstance(value, Listed):
            self.texts.append(_texts_with(texts.listed(value.shape, value.value, rows.stop - start),
                                          {row: str(result) for row, result in overrides.items()}))
        elif isinstance(value, Dates):
            part = buffer[rows]
            part[...] = value.days
            for row, result in overrides.items():
                part[row] = day_number(result)
        elif isinstance(value, Num):
            if not isinstance(self.value, Num) or value.scale != self.value.scale:  # fixed by the typed form
                raise EvaluationError("internal: an output changed its decimal places between chunks")
            digits = buffer[rows, 0] if value.scale else buffer[rows]
            digits[...] = value.arr
            for row, result in overrides.items():
                digits[row] = scaled(result, value.scale)
            if value.scale:
                np.right_shift(digits, 63, out=buffer[rows, 1])  # the sign word of the 128-bit integer
        elif isinstance(value, Bool):
            part = buffer[rows]
            part[...] = value.arr
            for row, result in overrides.items():
                part[row] = bool(result)
        else:
            part = buffer[rows]
            part[...] = value.codes
            choices = value.choices
            for row, result in overrides.items():
                part[row] = choices.index(result)
            np.clip(part, 0, len(choices) - 1, out=part)  # a null row's code may be -1
        if valid is not None and not valid.all():
            if self.valid is None:
                self.valid = np.ones(self.n, dtype=bool)
            self.valid[start:start + len(valid)] = valid

    def array(self) -> Any:
        """The column as one Arrow array (int64, decimal128, bool or string: text, dates as ISO text, lists)."""
        import pyarrow as pa

        value, buffer, valid = self.value, self.buffer, self.valid
        assert value is not None and buffer is not None  # every output gets at least one (maybe empty) chunk
        if isinstance(value, Listed):
            import pyarrow.compute as pc

            text = pa.concat_arrays(self.texts)
            return text if valid is None else pc.if_else(arrow.from_numpy(valid), text, None)
        if isinstance(value, Dates):
            return texts.dates(buffer, self.n, valid if valid is not None else np.ones(self.n, dtype=bool))
        if isinstance(value, Num):
            validity = arrow.from_numpy(valid).buffers()[1] if valid is not None and not valid.all() else None
            nulls = 0 if validity is None or valid is None else int(self.n - np.count_nonzero(valid))
            kind = pa.decimal128(38, value.scale) if value.scale else pa.int64()
            return pa.Array.from_buffers(kind, self.n, [validity, self.pooled], null_count=nulls)
        if isinstance(value, Cat):
            return arrow.strings(value.choices).take(arrow.from_numpy(buffer, valid))
        return arrow.from_numpy(buffer, valid)


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

    The columns are read once into Arrow arrays (``engine.batch.columns``; pandas is imported only
    for a DataFrame in or out) and evaluated ``chunk_rows()`` rows at a time, so the working memory
    is that of one chunk; the result does not depend on the chunk size.
    """
    from engine import api

    if errors not in ("raise", "report"):
        raise CtaxError(f"errors must be 'raise' or 'report', not {errors!r}")
    ruleset = api.load(year, rules)
    api.warn_if_draft(ruleset)
    sheet = ruleset.worksheet(worksheet)
    kind, n, given, index = columns.table_columns(table)
    for name in given:
        if name not in sheet.inputs:
            raise UnknownInputError(name, f"unknown input column '{name}' for worksheet '{sheet.name}'"
                                          f"{did_you_mean(name, sheet.inputs)}; "
                                          f"inputs: {', '.join(sheet.inputs)}")
    size = chunk_rows()
    try:
        column_evaluator.program(sheet)
        parts, row_errors = _by_columns(sheet, given, n, size, errors)
    except ColumnUnsupported as problem:
        if not fallback:
            raise BatchUnsupportedError(f"{problem}; it has no exact column form. Pass fallback=True "
                                        f"(ctax batch does) to evaluate it row by row with the scalar path") from None
        parts, row_errors = _row_by_row(sheet, given, n, size)
    if row_errors and errors == "raise":
        raise BatchInputError(row_errors)
    import pyarrow as pa

    out = dict(parts)
    if errors == "report":
        out.update(zip(RESULT_COLUMNS, _error_columns(row_errors, n)))
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


def chunk_rows() -> int:
    """Rows evaluated at a time: working memory grows with this, not with the table's length."""
    text = os.environ.get(CHUNK_ROWS_VARIABLE, "").strip()
    if not text:
        return DEFAULT_CHUNK_ROWS
    if not text.isdigit() or int(text) < 1:
        raise CtaxError(f"{CHUNK_ROWS_VARIABLE} must be a whole number of rows, 1 or more; got {text!r}")
    return int(text)


def _chunks(n: int, size: int) -> range:
    """The first row of each chunk (one empty chunk for an empty table, so every column gets its type)."""
    return range(0, max(n, 1), size)


def _by_columns(sheet: Worksheet, given: dict[str, Any], n: int, size: int,
                errors: str) -> tuple[dict[str, Any], list[RowError]]:
    """Every output, chunk by chunk, as columns (rows the columns cannot take exactly go through the
    scalar path): (name -> Arrow array, the bad rows)."""
    outputs = {name: _Output(n) for name in sheet.outputs}
    row_errors: list[RowError] = []
    for start in _chunks(n, size):
        stop = min(n, start + size)
        part = {name: columns.rows(column, start, stop) for name, column in given.items()}
        env, slow = _input_env(sheet, part, stop - start)
        env, undecided = column_evaluator.run(sheet, env, stop - start)
        slow |= undecided
        results, bad = _scalar_rows(sheet, part, np.flatnonzero(slow))
        row_errors.extend(RowError(start + e.row, e.field, e.message) for e in bad)
        if row_errors and errors == "raise":
            continue  # no output: BatchInputError lists every bad row, so the later chunks are still read
        valid = None
        if bad:
            valid = np.ones(stop - start, dtype=bool)
            valid[[e.row for e in bad]] = False
        rows = slice(start, stop)
        for name, output in outputs.items():
            output.put(rows, env[name], valid, {row: values[name] for row, values in results.items()})
    if row_errors and errors == "raise":
        return {}, row_errors
    return {name: output.array() for name, output in outputs.items()}, row_errors


def _row_by_row(sheet: Worksheet, given: dict[str, Any], n: int,
                size: int) -> tuple[dict[str, Any], list[RowError]]:
    """Every row through the scalar path (a worksheet with no column form), read chunk by chunk."""
    results: dict[int, dict] = {}
    row_errors: list[RowError] = []
    for start in _chunks(n, size):
        stop = min(n, start + size)
        part = {name: columns.rows(column, start, stop) for name, column in given.items()}
        chunk_results, bad = _scalar_rows(sheet, part, np.arange(stop - start))
        results.update((start + row, outputs) for row, outputs in chunk_results.items())
        row_errors.extend(RowError(start + e.row, e.field, e.message) for e in bad)
    valid = np.ones(n, dtype=bool)
    valid[[e.row for e in row_errors]] = False
    parts = {name: _arrow_from_values({row: outputs[name] for row, outputs in results.items()}, n, valid)
             for name in sheet.outputs}
    return parts, row_errors


def _without_nones(value: Any, rows: slice, valid: np.ndarray | None,
                   overrides: dict[int, Any]) -> tuple[np.ndarray | None, dict[int, Any]]:
    """``valid`` with the rows whose value is None (the column's none mask, a scalar result None)
    made null, and the overrides that are not None."""
    n = rows.stop - (rows.start or 0)
    none = getattr(value, "none", None)
    nulls = [row for row, result in overrides.items() if result is None]
    if none is None and not nulls:
        return valid, overrides
    valid = np.ones(n, dtype=bool) if valid is None else valid.copy()
    given = {row: result for row, result in overrides.items() if result is not None}
    if none is not None:  # the columns' None rows; a row the scalar path took has its own result
        valid &= ~np.broadcast_to(np.asarray(none, dtype=bool), (n,))
        valid[list(given)] = True
    valid[nulls] = False
    return valid, given


def _texts_with(base: Any, overrides: dict[int, str]) -> Any:
    """A text column with the scalar rows' texts put in."""
    import pyarrow.compute as pc

    if not overrides:
        return base
    rows = np.zeros(len(base), dtype=bool)
    rows[list(overrides)] = True
    return pc.replace_with_mask(base, arrow.from_numpy(rows), arrow.strings([overrides[r] for r in sorted(overrides)]))


def _error_columns(bad: list[RowError], n: int) -> tuple[Any, Any]:
    """The ``error_field`` and ``error`` columns of ``n`` rows (null for good rows)."""
    import pyarrow as pa

    if not bad:
        nulls = pa.nulls(n, pa.string())
        return nulls, nulls
    field, message = np.full(n, None, dtype=object), np.full(n, None, dtype=object)
    for error in bad:
        field[error.row], message[error.row] = error.field, error.message
    return arrow.objects_to_strings(field), arrow.objects_to_strings(message)


def output_metadata(year: int, worksheet: str, draft: bool) -> dict[bytes, bytes]:
    """What a batch output says about itself (Arrow schema metadata, DataFrame ``attrs``, Parquet footer)."""
    return {b"ctax.year": str(year).encode(), b"ctax.worksheet": worksheet.encode(),
            b"ctax.draft": b"true" if draft else b"false"}


def _arrow_from_values(values: dict[int, Any], n: int, valid: np.ndarray) -> Any:
    """A column from scalar results (the row-by-row fallback): exact decimals, booleans or text."""
    sample = [v for v in values.values() if v is not None]
    if sample and all(isinstance(v, Decimal) for v in sample):
        scale = max(decimals(v) for v in sample)
        if all(abs(v.scaleb(scale)) < _INT64_LIMIT for v in sample):
            output = _Output(n)
            output.put(slice(0, n), Num(np.int64(0), scale, 0), valid, values)
            return output.array()
        # more than 64 bits at the common scale (1e20, or 1/3 to 28 digits beside $1e12): exact text instead
    if sample and all(isinstance(v, bool) for v in sample):
        flags = np.fromiter((bool(values.get(i)) for i in range(n)), dtype=bool, count=n)
        return arrow.from_numpy(flags, np.fromiter((values.get(i) is not None for i in range(n)), dtype=bool, count=n))
    return arrow.objects_to_strings(np.fromiter((None if values.get(i) is None else str(values.get(i))
                                                 for i in range(n)), dtype=object, count=n))
