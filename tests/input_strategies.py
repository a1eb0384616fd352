"""Hypothesis strategies that draw worksheet inputs from the public input specs and the year's tables.

Used by the differential test (tests/test_column_scalar_agreement.py). Everything here reads only the
public model: a worksheet's ``inputs`` (InputSpec: type, minimum, maximum, choices, has_default,
default, required_if) and the year's ``tables``. The table attributes are read with ``getattr`` and
a default, so that a rename in the model weakens the edges drawn (fewer amounts near the printed
bounds) instead of breaking the test; ``test_the_edges_reach_every_kind_of_table`` in the test file
notices when that happens.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

import engine

OMIT = object()  # a drawn "no value": the key is left out of the row (a null cell in the table)

CENT = Decimal("0.01")
HUGE = Decimal(10) ** 12  # "huge" where an input sets no maximum
# The largest amount the scalar path accepts (a quadrillion dollars, engine.inputs.MAX_AMOUNT) and
# just beyond it: where the column path's 64-bit scaled integers are tightest.
LIMIT = Decimal(10) ** 15
SMALL = [Decimal(v) for v in ("0", "0.01", "0.49", "0.5", "0.99", "1", "2", "10", "99.99", "100")]
# Fractions a share-like "number" input (0..1) takes, and amounts with more than two decimals,
# which the column path cannot take over as whole cents (those rows go through the scalar path).
FRACTIONS = [Decimal(v) for v in ("0.25", "0.333333", "0.5", "0.75", "0.999", "0.125", "60000.499", "0.001")]


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return None
    number = Decimal(value)
    return number if number.is_finite() else None


def table_edges(ruleset: Any) -> tuple[list[Decimal], list[dt.date]]:
    """Every amount and date printed in the year's tables: row and bracket bounds, formula steps, scalars."""
    amounts: set[Decimal] = set()
    dates: set[dt.date] = set()

    def add(*values: Any) -> None:
        for value in values:
            if isinstance(value, dt.date):
                dates.add(value if not isinstance(value, dt.datetime) else value.date())
            elif (number := _number(value)) is not None:
                amounts.add(number)

    for table in (getattr(ruleset, "tables", None) or {}).values():
        for column in (getattr(table, "columns", None) or {}).values():
            for row in getattr(column, "rows", None) or ():
                add(getattr(row, "lo", None), getattr(row, "hi", None))
            for bracket in getattr(column, "brackets", None) or ():
                add(getattr(bracket, "lo", None), getattr(bracket, "hi", None), getattr(bracket, "excess_over", None))
            formula = getattr(column, "formula", None)
            if formula is not None:
                add(getattr(formula, "start", None))
                for component in getattr(formula, "components", None) or ():
                    add(*_formula_steps(component))
        for value in (getattr(table, "scalar", None) or {}).values():  # thresholds and due dates
            add(value)
    return sorted(amounts), sorted(dates)


MAX_FORMULA_STEPS = 60


def _formula_steps(component: Any) -> list[Decimal]:
    """Where a "for each $5,000 or fraction thereof over $105,000, up to $250" component changes:
    ``over`` and each step above it until ``amount`` times the steps reaches ``up_to``."""
    over = _number(getattr(component, "over", None))
    step = _number(getattr(component, "for_each", None))
    amount = _number(getattr(component, "amount", None))
    up_to = _number(getattr(component, "up_to", None))
    if over is None:
        return []
    if not step:
        return [over]
    count = MAX_FORMULA_STEPS
    if amount and up_to is not None:
        count = min(count, int(up_to / amount) + 1)
    return [over + k * step for k in range(count + 1)]


def near(edges: Iterable[Decimal]) -> list[Decimal]:
    """Each edge, one dollar and one cent either side of it."""
    points: set[Decimal] = set()
    for edge in edges:
        points.update(edge + delta for delta in (Decimal(0), Decimal(1), -Decimal(1), CENT, -CENT))
    return sorted(points)


def _in_range(spec: Any, value: Decimal) -> bool:
    low, high = getattr(spec, "minimum", None), getattr(spec, "maximum", None)
    return (low is None or value >= low) and (high is None or value <= high) and abs(value) <= LIMIT


def _amount_pool(spec: Any, edges: list[Decimal], whole: bool) -> list[Decimal]:
    """Valid amounts for a money, number or integer input: near table edges, small, huge, its own bounds."""
    low, high = getattr(spec, "minimum", None), getattr(spec, "maximum", None)
    candidates = set(near(edges)) | set(SMALL) | {HUGE, LIMIT, -HUGE, -LIMIT, Decimal("12345.67"), Decimal("-0.01")}
    candidates.update(v for v in (low, high) if v is not None)
    if high is not None:
        candidates.update({high - 1, high - CENT})
    if low is not None:
        candidates.update({low + 1, low + CENT})
    if not whole:
        candidates.update(FRACTIONS)
    return sorted(v for v in candidates if _in_range(spec, v) and (not whole or v == v.to_integral_value()))


def value_pool(spec: Any, edges: tuple[list[Decimal], list[dt.date]]) -> list[Any]:
    """The valid values worth trying for an input, as Python objects (how they are written is chosen
    per column): for amounts the table edges and the rest (_amount_pool), for dates every due date
    in the tables and the day either side, for a filing status each one also in capitals and padded."""
    amounts, dates = edges
    kind = getattr(spec, "type", None)
    if kind in ("money", "number", "integer"):
        return _amount_pool(spec, amounts, whole=kind == "integer")
    if kind == "boolean":  # and the spellings the scalar path accepts as text
        return [True, False, True, False, "yes", "no", " Y ", "n", "1", "0", "true", "FALSE"]
    if kind == "filing_status":  # the scalar path accepts other spellings, and so must the batch
        return [spelling for s in engine.FILING_STATUSES for spelling in (s, s, s, s.upper(), f" {s} ")]
    if kind == "choice":
        return list(spec.choices)
    if kind == "date":
        return sorted({d + dt.timedelta(days=k) for d in dates for k in (-1, 0, 1)})
    return ["abc"]  # a type this module does not know: still compared, as text


def anywhere(spec: Any) -> st.SearchStrategy[Any] | None:
    """Valid values anywhere in the input's range (cents included), beside the pool's chosen points."""
    kind = getattr(spec, "type", None)
    if kind in ("money", "number", "integer"):
        low, high = getattr(spec, "minimum", None), getattr(spec, "maximum", None)
        low = low if low is not None else -HUGE
        high = high if high is not None else HUGE
        if kind == "integer":
            return st.integers(int(low), int(high)).map(Decimal)
        return st.decimals(low, high, places=2 if kind == "money" else 6, allow_nan=False, allow_infinity=False)
    if kind == "date":
        return st.dates(dt.date(2010, 1, 1), dt.date(2030, 12, 31))
    return None


def invalid_values(spec: Any) -> st.SearchStrategy[Any]:
    """Values the scalar path is expected to refuse (the test only needs both paths to agree on them)."""
    kind = getattr(spec, "type", None)
    junk: list[Any] = ["abc", "", "1,2e4"]
    if kind in ("money", "number", "integer"):
        low, high = getattr(spec, "minimum", None), getattr(spec, "maximum", None)
        junk += ["nan", "inf", True, LIMIT + 1, "1e16", -(LIMIT + 1)]
        if low is not None:
            junk += [low - 1, low - CENT]
        if high is not None:
            junk += [high + 1, high + CENT]
        if kind == "integer":
            junk += [Decimal("1.5"), "2.25"]
    elif kind == "filing_status":
        junk += ["singel", "married", 3]
    elif kind == "choice":
        junk += ["martian", 1]
    elif kind == "boolean":
        junk += ["maybe", 2, "abc"]
    elif kind == "date":
        junk += ["2024-13-45", "15/04/2024", 20240415]
    return st.sampled_from(junk)


def may_be_omitted(spec: Any) -> bool:
    """Inputs a caller may leave out: those with a default (None included) and the required_if ones."""
    return bool(getattr(spec, "has_default", False)) or getattr(spec, "required_if", None) is not None


# How the values of one column are written: as the natural Python object (int for whole amounts,
# float otherwise: an int64 or float64 column), as Decimal, as text ("1234.56", "$1,234.56"), or a
# mixture.
WRITINGS = ("native", "decimal", "text", "mixed")


# How a column is stored in the DataFrame: dtype inferred by pandas (int64, float64, bool or object),
# object, pandas' nullable dtypes (Int64, Float64, boolean, string) or Arrow-backed (what a Parquet
# file gives: decimal128, date32, string...). Where a column cannot be stored so, it stays object.
STORAGES = ("inferred", "object", "nullable", "arrow")


def write(value: Any, writing: str, choice: int) -> Any:
    """``value`` written in the column's ``writing`` (``choice`` picks the variant where there are several)."""
    if value is OMIT or not isinstance(value, Decimal):
        if isinstance(value, dt.date) and writing in ("text", "mixed") and choice % 2:
            return value.isoformat()
        return value
    if writing == "mixed":
        writing = WRITINGS[choice % 3]
    if writing == "decimal":
        return value
    if writing == "text":
        if choice == 5 and value:
            return f"{value.normalize():E}"  # an exponent: "6E+4", "1.2345E+4"
        return f"${value:,}" if choice % 2 and value >= 0 else str(value)
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def batches(inputs: dict[str, Any], edges: tuple[list[Decimal], list[dt.date]], min_rows: int = 5,
            max_rows: int = 30, max_cells: int = 160) -> st.SearchStrategy[tuple[dict[str, list[Any]], dict[str, str]]]:
    """Batches of rows: (name -> the column's values, OMIT where a cell is empty; name -> dtype choice).

    Each cell is one draw from the input's value pool, plus a few values drawn anywhere in its range
    per column, and, for an input a caller may leave out, OMIT about one time in three. Then a few
    cells, about one row in five, are spoilt: an invalid value, or a required input left out, so
    that rejections are compared as well. At most ``max_rows`` rows and, for a worksheet with many
    inputs, fewer: about ``max_cells`` cells (drawing is most of the test's time).
    """
    names = list(inputs)
    pools = {name: value_pool(spec, edges) for name, spec in inputs.items()}
    for name, spec in inputs.items():
        if may_be_omitted(spec):
            pools[name] += [OMIT] * max(1, len(pools[name]) // 2)
    wide = {name: anywhere(spec) for name, spec in inputs.items()}
    most = max(min_rows, min(max_rows, max_cells // max(1, len(names))))

    @st.composite
    def draw_batch(draw: Any) -> tuple[dict[str, list[Any]], dict[str, str]]:
        n = draw(st.integers(min_rows, most))
        cells_of: dict[str, list[Any]] = {}
        writings: dict[str, str] = {}
        for name in names:
            writings[name] = draw(st.sampled_from(WRITINGS))
            pool = pools[name]
            if wide[name] is not None:
                pool = pool + draw(st.lists(wide[name], min_size=1, max_size=2)) * max(1, len(pool) // 8)
            cells_of[name] = draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n))
        if names:
            spoilt = draw(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(names), st.integers(0, 9)),
                                   max_size=max(1, n // 5)))
            for row, name, how in spoilt:
                cells_of[name][row] = OMIT if how == 0 else draw(invalid_values(inputs[name]))
        columns: dict[str, list[Any]] = {}
        storage: dict[str, str] = {}
        for name in names:
            # which variant of the writing each cell takes ($ and thousands separators or not; in a mixed
            # column int/float, Decimal or text): one draw per cell only where there is a choice
            varied = writings[name] == "mixed" or (writings[name] == "text" and inputs[name].type != "date")
            choices = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)) if varied else [0] * n
            written = zip(cells_of[name], choices, strict=True)
            cells = [write(value, writings[name], choice) for value, choice in written]
            if all(cell is OMIT for cell in cells) and draw(st.booleans()):
                continue  # the column is left out of the table altogether
            columns[name] = cells
            storage[name] = draw(st.sampled_from(STORAGES))
        return columns, storage

    return draw_batch()
