"""Table models (range, brackets, stepped formula, scalar) and their lookups.

A lookup returns the value and a ``Match`` saying which printed row (or which formula step)
produced it, so the trace can show the row with its bounds and citation.
"""
from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from engine.lang.arithmetic import in_engine_context
from engine.model.source import Source
from engine.model.text import money_text, plain_text, value_text

MORE_THAN = "more_than"  # rows read "more than lo, less than or equal to hi"
AT_LEAST = "at_least"  # rows read "at least lo, less than hi"


@dataclass(frozen=True)
class Match:
    """What a table lookup used: the table, the column, the row's bounds and its value."""

    table: str
    column: str | None
    description: str
    lower: Decimal | None
    upper: Decimal | None
    value: Any
    source: Source | None
    # the column's maintainer note, and the statute's words for a formula lookup: for readers of the
    # trace in Python and the docs; not part of the result format (to_dict), so results keep their keys
    note: str | None = None
    formula_text: str | None = None

    def to_dict(self) -> dict:
        return {
            "table": self.table,
            "column": self.column,
            "row": self.description,
            "lower": None if self.lower is None else str(self.lower),
            "upper": None if self.upper is None else str(self.upper),
            "value": str(self.value) if isinstance(self.value, (Decimal, dt.date)) else self.value,
            "source": self.source.cite() if self.source else None,
        }


@dataclass(frozen=True)
class Row:
    """One printed row: the amounts it covers (its bounds and convention) and its value."""

    lo: Decimal
    hi: Decimal | None  # None: "and up"
    value: Any
    convention: str

    def describe(self, money: bool = True, unit: str = "") -> str:
        fmt = money_text if money else plain_text
        suffix = f" {unit}" if unit else ""
        if self.convention == MORE_THAN:
            upper = "and up" if self.hi is None else f"less than or equal to {fmt(self.hi)}"
            return f"more than {fmt(self.lo)}, {upper}{suffix}"
        upper = "and up" if self.hi is None else f"less than {fmt(self.hi)}"
        return f"at least {fmt(self.lo)}, {upper}{suffix}"


@dataclass(frozen=True)
class Bracket:
    """One bracket of a tax table: base tax plus a rate times the excess over an amount."""

    lo: Decimal
    hi: Decimal | None
    base_tax: Decimal
    rate: Decimal
    excess_over: Decimal

    def tax(self, amount: Decimal) -> Decimal:
        return self.base_tax + self.rate * (amount - self.excess_over)

    def describe(self) -> str:
        upper = "and up" if self.hi is None else f"less than or equal to {money_text(self.hi)}"
        rate = plain_text(self.rate * 100)
        return (f"more than {money_text(self.lo)}, {upper}: {money_text(self.base_tax)} plus {rate}% "
                f"of the excess over {money_text(self.excess_over)}")


# A stepped formula is compared with the printed rows at every step; these bound that work (the
# shipped tables have at most 3 components and 55 steps).
MAX_FORMULA_COMPONENTS = 20
MAX_FORMULA_STEPS = 10_000


@dataclass(frozen=True)
class Component:
    """One part of a stepped formula: an amount for each step, or fraction, over a threshold, up to a cap."""

    amount: Decimal
    for_each: Decimal
    or_fraction_thereof: bool
    over: Decimal
    up_to: Decimal
    subtract: bool

    def steps(self, amount: Decimal) -> int:
        if amount <= self.over:
            return 0
        quotient = (amount - self.over) / self.for_each
        return math.ceil(quotient) if self.or_fraction_thereof else math.floor(quotient)

    def value(self, amount: Decimal) -> Decimal:
        return min(self.amount * self.steps(amount), self.up_to)

    def describe(self) -> str:
        fraction = ", or fraction thereof," if self.or_fraction_thereof else ""
        verb = "less " if self.subtract else ""
        return (f"{verb}{money_text(self.amount)} for each {money_text(self.for_each)}{fraction} "
                f"over {money_text(self.over)}, up to {money_text(self.up_to)}")


@dataclass(frozen=True)
class Formula:
    """A stepped formula (the statute's prose above a printed column): a start and its components."""

    start: Decimal
    components: tuple[Component, ...]
    text: str | None = None  # the statute's wording, when the file gives it

    def value(self, amount: Decimal) -> Decimal:
        total = self.start
        for component in self.components:
            part = component.value(amount)
            total = total - part if component.subtract else total + part
        return total

    def step_count(self) -> int:
        """How many steps the components take before their caps (each counted at least twice)."""
        total = 0
        for c in self.components:
            if c.amount > 0 and c.up_to / c.amount > MAX_FORMULA_STEPS:
                return MAX_FORMULA_STEPS + 1  # no need to build a huge int to know it is too many
            total += int(c.up_to / c.amount) + 2 if c.amount > 0 else 2
        return total

    def breakpoints(self) -> set[Decimal]:
        """The amounts where a step may start, at most MAX_FORMULA_STEPS of them in all."""
        points: set[Decimal] = set()
        for c in self.components:
            count = int(min(c.up_to / c.amount, Decimal(MAX_FORMULA_STEPS))) + 2 if c.amount > 0 else 2
            points.update(c.over + k * c.for_each for k in range(min(count, MAX_FORMULA_STEPS + 1 - len(points))))
            if len(points) > MAX_FORMULA_STEPS:
                break
        return points

    def describe(self, amount: Decimal) -> str:
        parts = [f"start {money_text(self.start)}"] if self.start else []
        for c in self.components:
            parts.append(f"{c.describe()} ({c.steps(amount)} step(s): {money_text(c.value(amount))})")
        return "; ".join(parts)


@dataclass(frozen=True)
class Column:
    """One printed column of a table, shared by one or more filing statuses."""

    label: str | None
    rows: tuple[Row, ...] = ()
    brackets: tuple[Bracket, ...] = ()
    formula: Formula | None = None
    at_or_below_floor: Any = None
    source: Source | None = None
    lookup_unit: str = "dollars"  # what rows are looked up by: dollars, days or a count
    note: str | None = None  # the maintainer's note on a judgement call (such as the value below the floor)

    # The lookup's position data, derived from the rows once (cached_property stores the value on the
    # frozen instance). Both evaluators find an amount's row from these, and only from these: the
    # scalar one with bisect, the column one with numpy.searchsorted over the same bounds and side.
    @cached_property
    def convention(self) -> str:
        """MORE_THAN or AT_LEAST: which row an amount equal to a bound belongs to."""
        return self.rows[0].convention if self.rows else MORE_THAN

    @cached_property
    def floor(self) -> Decimal | None:
        """The first row's lower bound (None for a stepped formula)."""
        return (self.rows or self.brackets)[0].lo if (self.rows or self.brackets) else None

    @cached_property
    def bounds(self) -> list[Decimal]:
        """Where a lookup moves to the next position, ascending. Range rows: the floor, then every row's
        upper bound but the last's (position 0 is at or below the floor, position k is row k). Brackets:
        every upper bound but the last's (position k is bracket k; an amount at or below the first
        bracket's lower bound is taxed as at it). Only the last row may end 'and up' (the loader
        refuses a table with another), so the filter drops nothing a lookup needs."""
        uppers = [r.hi for r in (self.rows or self.brackets)[:-1] if r.hi is not None]
        return [self.rows[0].lo, *uppers] if self.rows else uppers

    @cached_property
    def side(self) -> str:
        """Which side of an equal bound an amount falls, as bisect and numpy.searchsorted name it:
        'left' for "more than lo, less than or equal to hi" (an amount equal to hi stays in its row),
        'right' for "at least lo, less than hi"."""
        return "left" if self.convention == MORE_THAN else "right"

    @cached_property
    def find(self) -> Callable[[list[Decimal], Decimal], int]:
        """bisect_left or bisect_right, by ``side``."""
        return bisect_left if self.side == "left" else bisect_right

    def position(self, amount: Decimal) -> int:
        """The position of ``amount`` in ``bounds`` (see there)."""
        return self.find(self.bounds, amount)

    def row_index(self, amount: Decimal) -> int:
        """The index of the printed row holding ``amount``; -1 when it is below the first row."""
        return self.position(amount) - 1

    def lookup(self, amount: Decimal) -> tuple[Any, tuple]:
        """The value for ``amount`` and the pieces of its Match (description, lower, upper)."""
        if self.rows:
            index = self.row_index(amount)
            if index < 0:
                word = "at or below" if self.convention == MORE_THAN else "below"
                floor = value_text(self.floor, self.lookup_unit)
                return self.at_or_below_floor, (f"{word} the first row ({floor})", None, self.floor)
            row = self.rows[index]
            money = self.lookup_unit == "dollars"
            return row.value, (row.describe(money, "days" if self.lookup_unit == "days" else ""), row.lo, row.hi)
        if self.brackets:
            bracket = self.brackets[self.position(amount)]
            return bracket.tax(max(amount, bracket.lo)), (bracket.describe(), bracket.lo, bracket.hi)
        assert self.formula is not None  # a column without rows or brackets is a stepped one, with its formula
        return self.formula.value(amount), (self.formula.describe(amount), None, None)


@dataclass(frozen=True, eq=False)
class Table:
    """A table as the rule file gives it; ``columns`` maps each filing status (or None) to a Column."""

    name: str
    title: str
    kind: str
    source: Source
    unit: str | None
    value_label: str | None
    columns: dict[str | None, Column]
    scalar: dict[str | None, Any]
    file: str = ""
    lookup_label: str = "Amount"  # what the rows are looked up by, as the table's heading says

    @property
    def by_status(self) -> bool:
        return None not in self.columns and None not in self.scalar

    @property
    def arity(self) -> int:
        """How many arguments an expression passes: (status?) + (amount?)."""
        return int(self.by_status) + int(self.kind != "scalar")

    @property
    def value_kind(self) -> str | None:
        """The kind of value a lookup gives (engine.lang.typed.KINDS): number, date, or None when mixed."""
        values: list[Any] = list(self.scalar.values())
        for column in self.distinct_columns():
            if column.brackets or column.formula is not None:
                values.append(Decimal(0))
            values.extend(row.value for row in column.rows)
            if column.rows:
                values.append(column.at_or_below_floor)
        if all(isinstance(v, (int, Decimal)) and not isinstance(v, bool) for v in values):
            return "number"
        if all(isinstance(v, dt.date) for v in values):
            return "date"
        if all(isinstance(v, bool) for v in values):
            return "boolean"
        return None

    def distinct_columns(self) -> list[Column]:
        seen: dict[int, Column] = {}
        for column in self.columns.values():
            seen.setdefault(id(column), column)
        return list(seen.values())

    @cached_property
    @in_engine_context  # r.lo + 1 is arithmetic: computed in a caller's context, it would be kept for good
    def _prepared(self) -> dict[str | None, tuple]:
        """Per lookup key (a filing status, or None): the column's position data and the Match of every
        position, built once. A range row's Match never changes, and a bracket's differs only in its
        value, so lookups reuse them instead of formatting descriptions on every call. A stepped
        formula has no entry: its description names the steps taken at each amount."""
        by_column: dict[int, tuple] = {}
        for column in self.distinct_columns():
            source = column.source or self.source
            if column.rows:
                # each position's Match is made by Column.lookup itself at an amount inside it, so it reads
                # exactly as an unprepared lookup would: position 0 is at or below the floor, k is row k
                probes = [column.rows[0].lo] + [(r.lo if r.convention == AT_LEAST else
                                                 (r.hi if r.hi is not None else r.lo + 1)) for r in column.rows]
                matches = []
                for probe in probes:
                    value, (description, lower, upper) = column.lookup(probe)
                    matches.append((value, Match(self.name, column.label, description, lower, upper, value, source,
                                                 column.note)))
                by_column[id(column)] = (True, column.find, column.bounds, tuple(matches))
            elif column.brackets:
                by_column[id(column)] = (False, column.find, column.bounds,
                                         (column, tuple(b.describe() for b in column.brackets), source))
        return {status: by_column[id(column)] for status, column in self.columns.items() if id(column) in by_column}

    @cached_property
    def row_values(self) -> dict[str | None, tuple[Callable[[list[Decimal], Decimal], int], list[Decimal],
                                                   tuple[Any, ...]]]:
        """Per lookup key (a filing status, or None) of a column with range rows: its ``find`` and ``bounds``
        and the value at each position (see Column.bounds), so a row's value is one index away."""
        return {status: (find, bounds, tuple(value for value, _ in matches))
                for status, (rows, find, bounds, matches) in self._prepared.items() if rows}

    @cached_property
    def bracket_terms(self) -> dict[str | None, tuple[Callable[[list[Decimal], Decimal], int], list[Decimal],
                                                      tuple[tuple[Decimal, Decimal, Decimal, Decimal], ...]]]:
        """Per lookup key of a column with brackets: its ``find`` and ``bounds`` and each bracket's lower
        bound, base tax, rate and excess-over amount, so a bracket's tax is one index and three operations
        away (Bracket.tax, without its call)."""
        return {status: (find, bounds, tuple((b.lo, b.base_tax, b.rate, b.excess_over) for b in column.brackets))
                for status, (rows, find, bounds, (column, *_)) in self._prepared.items() if not rows}

    def value(self, status: str | None, amount: Decimal | None) -> Any:
        """``lookup(status, amount)``'s value alone: what an evaluation computes with, the Match (a trace's)
        not made. A bracket's Match is new at every amount, and making it costs more than the lookup."""
        if amount is None:
            return self.lookup(status, amount)[0]
        found = self.row_values.get(status)
        if found is not None:
            find, bounds, values = found
            return values[find(bounds, amount)]
        taxed = self.bracket_terms.get(status)
        if taxed is None:
            return self.lookup(status, amount)[0]
        find, bounds, terms = taxed
        lower, base, rate, excess = terms[find(bounds, amount)]
        return base + rate * ((lower if lower > amount else amount) - excess)  # Bracket.tax at max(amount, lower)

    def lookup(self, status: str | None, amount: Decimal | None) -> tuple[Any, Match]:
        """The value for this filing status (None: not by status) and amount, and the Match behind it."""
        entry = self._prepared.get(status) if amount is not None else None
        if entry is not None:
            rows, find, bounds, data = entry
            position = find(bounds, amount)
            if rows:
                return data[position]
            column, descriptions, source = data
            bracket = column.brackets[position]
            value = bracket.tax(max(amount, bracket.lo))
            return value, Match(self.name, column.label, descriptions[position], bracket.lo, bracket.hi, value, source,
                                column.note)
        if self.kind == "scalar":
            value = self.scalar[status]
            return value, Match(self.name, status, f"{self.title}: {value_text(value, self.unit)}", None, None, value,
                                self.source)
        assert amount is not None  # only a scalar table is looked up without an amount
        column = self.columns[status]
        value, (description, lower, upper) = column.lookup(amount)
        return value, Match(self.name, column.label, description, lower, upper, value, column.source or self.source,
                            column.note, column.formula.text if column.formula is not None else None)
