"""Table models (range, brackets, stepped formula, scalar), their lookups and their structural checks.

A lookup returns the value and a ``Match`` saying which printed row (or which formula step)
produced it, so the trace can show the row with its bounds and citation.
"""
from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import daterule
from .datevalue import parse_date
from .errors import Problem
from .loader import Document

FILING_STATUSES = (
    "single",
    "married_filing_jointly",
    "married_filing_separately",
    "head_of_household",
    "qualifying_surviving_spouse",
)

# Other spellings of the five statuses, as written by people and peer tools: the IRS/PolicyEngine
# enum names (JOINT, SEPARATE, SURVIVING_SPOUSE) and the IRS abbreviations (MFJ, MFS, HOH, QSS).
# Keys are normalised as by ``normalise_status`` (lower case, words joined by "_").
FILING_STATUS_ALIASES = {
    "joint": "married_filing_jointly",
    "mfj": "married_filing_jointly",
    "separate": "married_filing_separately",
    "mfs": "married_filing_separately",
    "hoh": "head_of_household",
    "surviving_spouse": "qualifying_surviving_spouse",
    "qss": "qualifying_surviving_spouse",
}


def normalise_status(text: str) -> str:
    """``text`` in lower case with spaces and hyphens as "_": "Head of Household" -> "head_of_household"."""
    return "_".join(text.strip().lower().replace("-", " ").split())


def canonical_status(text: Any) -> str | None:
    """The one of FILING_STATUSES that ``text`` spells (any case, or an alias), or None."""
    if not isinstance(text, str):
        return None
    key = normalise_status(text)
    return key if key in FILING_STATUSES else FILING_STATUS_ALIASES.get(key)

MORE_THAN = "more_than"  # rows read "more than lo, less than or equal to hi"
AT_LEAST = "at_least"  # rows read "at least lo, less than hi"


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return value
    return Decimal(value)


def money_text(value: Any) -> str:
    """A figure as the publication prints it: $28,000 or $1,234.50; other values as text."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return f"${value:,.0f}" if value >= 0 else f"-${-value:,.0f}"
        return f"${value:,.2f}" if value >= 0 else f"-${-value:,.2f}"
    return str(value)


def plain_text(value: Any) -> str:
    """A figure without a dollar sign or thousands separators (2813, 0.0525); other values as text."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value != value.to_integral_value() else f"{value:.0f}"
    return str(value)


def value_text(value: Any, unit: str | None) -> str:
    """A figure in its unit: money_text for dollars, plain_text for anything else."""
    return money_text(value) if unit == "dollars" else plain_text(value)


@dataclass(frozen=True)
class Source:
    """A citation: document, section and page, with the law's words and a maintainer's note."""

    document: str
    section: str
    page: Any = None
    text: str | None = None
    note: str | None = None

    @classmethod
    def from_data(cls, data: dict | None) -> Source | None:
        if not data:
            return None
        return cls(data["document"], data["section"], data.get("page"), data.get("text"), data.get("note"))

    def cite(self) -> str:
        page = f", p. {self.page}" if self.page is not None else ""
        return f"{self.document}, {self.section}{page}"

    def to_dict(self) -> dict:
        return {k: v for k, v in {"document": self.document, "section": self.section,
                                  "page": self.page, "note": self.note}.items() if v is not None}


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


@dataclass(frozen=True)
class Component:
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
    start: Decimal
    components: tuple[Component, ...]

    def value(self, amount: Decimal) -> Decimal:
        total = self.start
        for component in self.components:
            part = component.value(amount)
            total = total - part if component.subtract else total + part
        return total

    def breakpoints(self) -> set[Decimal]:
        points = set()
        for c in self.components:
            count = int(c.up_to / c.amount) + 2 if c.amount > 0 else 2
            points.update(c.over + k * c.for_each for k in range(min(count, 100_000)))
        return points

    def describe(self, amount: Decimal) -> str:
        parts = [f"start {money_text(self.start)}"] if self.start else []
        for c in self.components:
            parts.append(f"{c.describe()} ({c.steps(amount)} step(s): {money_text(c.value(amount))})")
        return "; ".join(parts)


@dataclass
class Column:
    """One printed column of a table, shared by one or more filing statuses."""

    label: str | None
    rows: tuple[Row, ...] = ()
    brackets: tuple[Bracket, ...] = ()
    formula: Formula | None = None
    at_or_below_floor: Any = None
    source: Source | None = None
    lookup_unit: str = "dollars"  # what rows are looked up by: dollars, days or a count

    def __post_init__(self) -> None:
        self._uppers = [r.hi for r in (self.rows or self.brackets)][:-1]
        self._convention = self.rows[0].convention if self.rows else MORE_THAN
        self.floor = (self.rows or self.brackets)[0].lo if (self.rows or self.brackets) else None

    def _index(self, amount: Decimal) -> int:
        if self._convention == MORE_THAN:
            return bisect_left(self._uppers, amount)
        return bisect_right(self._uppers, amount)

    def _below_floor(self, amount: Decimal) -> bool:
        return amount <= self.floor if self._convention == MORE_THAN else amount < self.floor

    def row_index(self, amount: Decimal) -> int:
        """The index of the printed row holding ``amount``; -1 when it is below the first row."""
        if self._below_floor(amount):
            return -1
        return self._index(amount)

    def lookup(self, amount: Decimal) -> tuple[Any, tuple]:
        """The value for ``amount`` and the pieces of its Match (description, lower, upper)."""
        if self.rows:
            if self._below_floor(amount):
                word = "at or below" if self._convention == MORE_THAN else "below"
                floor = value_text(self.floor, self.lookup_unit)
                return self.at_or_below_floor, (f"{word} the first row ({floor})", None, self.floor)
            row = self.rows[self._index(amount)]
            money = self.lookup_unit == "dollars"
            return row.value, (row.describe(money, "days" if self.lookup_unit == "days" else ""), row.lo, row.hi)
        if self.brackets:
            bracket = self.brackets[0] if amount <= self.floor else self.brackets[self._index(amount)]
            return bracket.tax(max(amount, bracket.lo)), (bracket.describe(), bracket.lo, bracket.hi)
        return self.formula.value(amount), (self.formula.describe(amount), None, None)


@dataclass
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

    @property
    def by_status(self) -> bool:
        return None not in self.columns and None not in self.scalar

    @property
    def arity(self) -> int:
        """How many arguments an expression passes: (status?) + (amount?)."""
        return int(self.by_status) + int(self.kind != "scalar")

    def distinct_columns(self) -> list[Column]:
        seen: dict[int, Column] = {}
        for column in self.columns.values():
            seen.setdefault(id(column), column)
        return list(seen.values())

    def __post_init__(self) -> None:
        self._fast: dict[int, tuple] | None = None

    def _prepare(self) -> dict[int, tuple]:
        """Per column: the Match of every printed row (and of 'below the first row'), built once.

        A range row's Match never changes, and a bracket's differs only in its value, so lookups
        reuse them instead of formatting descriptions on every call.
        """
        fast: dict[int, tuple] = {}
        for column in self.distinct_columns():
            source = column.source or self.source
            if column.rows:
                matches = []
                # each row's Match is made by Column.lookup itself at an amount inside the row, so
                # it reads exactly as an unprepared lookup would; the last entry is 'below the first row'
                probes = [(r.lo if r.convention == AT_LEAST else (r.hi if r.hi is not None else r.lo + 1))
                          for r in column.rows] + [column.floor]
                for probe in probes:
                    value, (description, lower, upper) = column.lookup(probe)
                    matches.append((value, Match(self.name, column.label, description, lower, upper, value, source)))
                fast[id(column)] = ("rows", column, tuple(matches))
            elif column.brackets:
                fast[id(column)] = ("brackets", column, tuple(b.describe() for b in column.brackets), source)
        self._fast = fast
        return fast

    def lookup(self, status: str | None, amount: Decimal | None) -> tuple[Any, Match]:
        """The value for this filing status (None: not by status) and amount, and the Match behind it."""
        if self.kind == "scalar":
            value = self.scalar[status]
            return value, Match(self.name, status, f"{self.title}: {value_text(value, self.unit)}", None, None, value,
                                self.source)
        fast = self._fast if self._fast is not None else self._prepare()
        column = self.columns[status]
        entry = fast.get(id(column))
        if entry is None:  # a stepped formula: its description names the steps taken at this amount
            value, (description, lower, upper) = column.lookup(amount)
            return value, Match(self.name, column.label, description, lower, upper, value, column.source or self.source)
        if entry[0] == "rows":
            # index -1 is the 'at or below the first row' entry
            return entry[2][column.row_index(amount)]
        index = 0 if amount <= column.floor else column._index(amount)
        bracket = column.brackets[index]
        value = bracket.tax(max(amount, bracket.lo))
        return value, Match(self.name, column.label, entry[2][index], bracket.lo, bracket.hi, value, entry[3])


# ---------------------------------------------------------------- building and checking


def _rows(doc: Document, path: tuple, data: list, problems: list[Problem]) -> tuple[Row, ...]:
    rows = []
    for i, item in enumerate(data):
        convention = MORE_THAN if MORE_THAN in item else AT_LEAST
        lo = _number(item[convention])
        hi_key = "less_than_or_equal_to" if convention == MORE_THAN else "less_than"
        hi = None if item.get("and_up") else _number(item[hi_key])
        rows.append(Row(lo, hi, _number(item["value"]), convention))
    _check_sequence(doc, path, [(r.lo, r.hi, r.convention) for r in rows], problems)
    return tuple(rows)


def _brackets(doc: Document, path: tuple, data: list, problems: list[Problem]) -> tuple[Bracket, ...]:
    brackets = tuple(
        Bracket(_number(b["more_than"]), None if b.get("and_up") else _number(b["less_than_or_equal_to"]),
                _number(b["base_tax"]), _number(b["rate"]), _number(b["excess_over"]))
        for b in data
    )
    _check_sequence(doc, path, [(b.lo, b.hi, MORE_THAN) for b in brackets], problems)
    return brackets


def _check_sequence(doc: Document, path: tuple, spans: list[tuple], problems: list[Problem]) -> None:
    """Rows ascending and contiguous, one boundary convention, only the last 'and up'."""
    fmt = money_text
    disordered = [i for i in range(1, len(spans)) if spans[i][0] < spans[i - 1][0]]
    for i in disordered:
        problems.append(doc.problem(path + (i,), f"rows out of order: row {i + 1} starts at {fmt(spans[i][0])}, "
                                                 f"below row {i} which starts at {fmt(spans[i - 1][0])}"))
    for i, (lo, hi, convention) in enumerate(spans):
        here = path + (i,)
        if convention != spans[0][2]:
            problems.append(doc.problem(here, f"row {i + 1} uses '{convention}' bounds but the first row uses "
                                              f"'{spans[0][2]}'; a table keeps one boundary convention"))
        if hi is not None and lo >= hi:
            problems.append(doc.problem(here, f"row {i + 1}: lower bound {fmt(lo)} is not below upper bound {fmt(hi)}"))
        if hi is None and i != len(spans) - 1:
            problems.append(doc.problem(here, f"row {i + 1} ends 'and up' but is not the last row"))
        if i == len(spans) - 1 and hi is not None:
            problems.append(doc.problem(here, f"the last row ends at {fmt(hi)}; the last row must end 'and up'"))
        if i == 0:
            continue
        prev_hi = spans[i - 1][1]
        if prev_hi is None:
            continue
        if disordered:
            continue  # gaps and overlaps are noise until the rows are in order
        if lo > prev_hi:
            problems.append(doc.problem(here, f"gap: row {i} ends at {fmt(prev_hi)} but row {i + 1} starts at "
                                              f"{fmt(lo)}; amounts in between match no row"))
        elif lo < prev_hi:
            problems.append(doc.problem(here, f"overlap: row {i + 1} starts at {fmt(lo)}, before row {i} ends at "
                                              f"{fmt(prev_hi)}"))


def _formula(data: dict) -> Formula:
    return Formula(
        _number(data.get("start", 0)),
        tuple(Component(_number(c["amount"]), _number(c["for_each"]), c["or_fraction_thereof"], _number(c["over"]),
                        _number(c["up_to"]), c.get("effect") == "subtract") for c in data["components"]),
    )


def _check_formula_against_rows(doc: Document, path: tuple, column: Column, problems: list[Problem]) -> None:
    """The printed rows and the statute's formula must give the same value for every amount.

    Both are step functions whose steps can change only at a row bound or a formula step, so
    comparing at each such point, just above it, and between neighbours covers every amount.
    """
    points = {r.lo for r in column.rows} | {r.hi for r in column.rows if r.hi is not None}
    points |= column.formula.breakpoints()
    ordered = sorted(points)
    probes = set(ordered) | {p + Decimal("0.01") for p in ordered} | {ordered[0] - 1, ordered[-1] + 1}
    probes |= {(a + b) / 2 for a, b in zip(ordered, ordered[1:])}
    for amount in sorted(probes):
        printed, (row, _, _) = column.lookup(amount)
        statute = column.formula.value(amount)
        if printed != statute:
            problems.append(doc.problem(path, f"printed rows and formula disagree at {money_text(amount)}: "
                                              f"the row ({row}) gives {plain_text(printed)}, the formula gives "
                                              f"{plain_text(statute)}"))
            return


def _column(doc: Document, path: tuple, data: dict, table_kind: str, problems: list[Problem]) -> Column:
    label = data.get("label")
    problems_before = len(problems)
    column = Column(label=label, source=Source.from_data(data.get("source")))
    if table_kind == "range":
        if "rows" not in data:
            problems.append(doc.problem(path, "range table column has no 'rows'"))
            return column
        column.rows = _rows(doc, path + ("rows",), data["rows"], problems)
        if "at_or_below_floor" not in data:
            problems.append(doc.problem(path, "'at_or_below_floor' is missing: say what value applies at or below "
                                              "the first row's lower bound"))
        column.at_or_below_floor = _number(data.get("at_or_below_floor"))
        if "formula" in data:
            column.formula = _formula(data["formula"])
    elif table_kind == "brackets":
        if "brackets" not in data:
            problems.append(doc.problem(path, "brackets table column has no 'brackets'"))
            return column
        column.brackets = _brackets(doc, path + ("brackets",), data["brackets"], problems)
    elif table_kind == "stepped":
        if "formula" not in data:
            problems.append(doc.problem(path, "stepped table column has no 'formula'"))
            return column
        column.formula = _formula(data["formula"])
    extra = {"rows", "brackets", "formula"} & set(data) - {"range": {"rows", "formula"}, "brackets": {"brackets"},
                                                           "stepped": {"formula"}}[table_kind]
    for key in sorted(extra):
        problems.append(doc.problem(path + (key,), f"'{key}' does not belong in a {table_kind} table", key=True))
    column.__post_init__()
    if "floor" in data and column.floor is not None and _number(data["floor"]) != column.floor:
        problems.append(doc.problem(path + ("floor",), f"the first row starts at {money_text(column.floor)}, not at "
                                                       f"the table's floor {money_text(_number(data['floor']))}"))
    if column.rows and column.formula and len(problems) == problems_before:
        _check_formula_against_rows(doc, path + ("formula",), column, problems)
    return column


def build_table(doc: Document, year: int | None = None) -> tuple[Table | None, list[Problem]]:
    """A Table from a schema-valid document, with every structural problem found.

    ``year`` is the rule set's tax year, against which dates written as rules are resolved (engine/daterule.py).
    """
    data = doc.data
    problems: list[Problem] = []
    kind = data["kind"]
    columns: dict[str | None, Column] = {}
    scalar: dict[str | None, Any] = {}
    if kind == "scalar":
        if "value" in data:
            scalar[None] = _number(data["value"])
        else:
            scalar.update({s: _number(v) for s, v in data["by_filing_status"].items()})
    elif "columns" in data:
        for i, column_data in enumerate(data["columns"]):
            column = _column(doc, ("columns", i), column_data, kind, problems)
            for status in column_data["filing_statuses"]:
                if status in columns:
                    problems.append(doc.problem(("columns", i, "filing_statuses"),
                                                f"filing status '{status}' appears in more than one column"))
                columns[status] = column
        missing = [s for s in FILING_STATUSES if s not in columns]
        if missing:
            problems.append(doc.problem(("columns",), f"no column for filing status {', '.join(missing)}; "
                                                      f"every table by filing status covers all five"))
    else:
        columns[None] = _column(doc, (), data, kind, problems)
    for column in {id(c): c for c in columns.values()}.values():
        column.lookup_unit = data.get("lookup_unit", "dollars")
    if data.get("unit") == "date":
        _dates_in(doc, columns, scalar, problems, year)
    elif any(daterule.is_rule(v) for v in scalar.values()):
        problems.append(doc.problem(("value",), "a date rule (month, day, of) belongs in a table of unit 'date'"))
    table = Table(data["table"], data["title"], kind, Source.from_data(data["source"]), data.get("unit"),
                  data.get("value_label"), columns, scalar, doc.file)
    return table, problems


def _as_date(value: Any) -> dt.date:
    date = parse_date(value)
    if date is None:
        raise ValueError(value)
    return date


def _dates_in(doc: Document, columns: dict, scalar: dict, problems: list[Problem], year: int | None) -> None:
    """A table of unit 'date' holds ISO dates ('2014-01-31') or, as a scalar, a date rule resolved against
    the tax year (engine/daterule.py); turn each value into a datetime.date."""
    try:
        for key, value in scalar.items():
            if daterule.is_rule(value):
                path = ("value",) if key is None else ("by_filing_status", key)
                try:
                    if year is None:
                        raise daterule.DateRuleError("a date rule needs the rule set's year (ruleset.yaml)")
                    scalar[key] = daterule.resolve(value, year)
                except daterule.DateRuleError as error:
                    problems.append(doc.problem(path, str(error)))
                    scalar[key] = None
                continue
            scalar[key] = _as_date(value)
        for column in {id(c): c for c in columns.values()}.values():
            column.rows = tuple(Row(r.lo, r.hi, _as_date(r.value), r.convention) for r in column.rows)
            if column.at_or_below_floor is not None:
                column.at_or_below_floor = _as_date(column.at_or_below_floor)
    except ValueError as error:
        problems.append(doc.problem((), f"a table of unit 'date' holds ISO dates such as '2014-01-31'; "
                                        f"{error.args[0]!r} is not one"))
