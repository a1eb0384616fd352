"""Builds table models from schema-valid rule documents and checks their structure (row order,
gaps and overlaps, formulas against printed rows, dates); every problem is located in the file."""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from engine.errors import Problem
from engine.lang.datevalue import parse_date
from engine.loading import daterule
from engine.loading.documents import Document
from engine.model.source import Source
from engine.model.status import FILING_STATUSES
from engine.model.tables import (
    AT_LEAST,
    MAX_FORMULA_COMPONENTS,
    MAX_FORMULA_STEPS,
    MORE_THAN,
    Bracket,
    Column,
    Component,
    Formula,
    Row,
    Table,
)
from engine.model.text import money_text, plain_text


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return value
    return Decimal(value)


def _rows(doc: Document, path: tuple, data: list, problems: list[Problem]) -> tuple[Row, ...]:
    rows = []
    for item in data:
        convention = MORE_THAN if MORE_THAN in item else AT_LEAST
        lo = _number(item[convention])
        hi_key = "less_than_or_equal_to" if convention == MORE_THAN else "less_than"
        hi = None if item.get("and_up") else _number(item[hi_key])
        rows.append(Row(lo, hi, _number(item["value"]), convention))
    _check_sequence(doc, path, [(r.lo, r.hi, r.convention) for r in rows], problems)
    return tuple(rows)


def _brackets(doc: Document, path: tuple, data: list, problems: list[Problem]) -> tuple[Bracket, ...]:
    # "$X plus Y% of the excess over $Z": Z is the bracket's lower bound unless the file says otherwise
    brackets = tuple(
        Bracket(_number(b["more_than"]), None if b.get("and_up") else _number(b["less_than_or_equal_to"]),
                _number(b["base_tax"]), _number(b["rate"]), _number(b.get("excess_over", b["more_than"])))
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
        data.get("text"),
    )


def _check_formula_against_rows(doc: Document, path: tuple, column: Column, problems: list[Problem]) -> None:
    """The printed rows and the statute's formula must give the same value for every amount.

    Both are step functions whose steps can change only at a row bound or a formula step, so
    comparing at each such point, just above it, and between neighbours covers every amount.
    """
    formula = column.formula
    assert formula is not None  # the caller compares only a column that has both rows and a formula
    points = {r.lo for r in column.rows} | {r.hi for r in column.rows if r.hi is not None}
    points |= formula.breakpoints()
    ordered = sorted(points)
    probes = set(ordered) | {p + Decimal("0.01") for p in ordered} | {ordered[0] - 1, ordered[-1] + 1}
    probes |= {(a + b) / 2 for a, b in itertools.pairwise(ordered)}
    for amount in sorted(probes):
        printed, (row, _, _) = column.lookup(amount)
        statute = formula.value(amount)
        if printed != statute:
            problems.append(doc.problem(path, f"printed rows and formula disagree at {money_text(amount)}: "
                                              f"the row ({row}) gives {plain_text(printed)}, the formula gives "
                                              f"{plain_text(statute)}"))
            return


def _column(doc: Document, path: tuple, data: dict, table: dict, problems: list[Problem],
            year: int | None, verified: bool = False) -> Column:
    """The Column of one printed column (``data``) of ``table``, built whole from its parts."""
    table_kind = table["kind"]
    problems_before = len(problems)
    rows: tuple[Row, ...] = ()
    brackets: tuple[Bracket, ...] = ()
    formula = None
    at_or_below_floor = None
    if table_kind == "range":
        if "rows" in data:
            rows = _rows(doc, path + ("rows",), data["rows"], problems)
            if "at_or_below_floor" not in data:
                problems.append(doc.problem(path, "'at_or_below_floor' is missing: say what value applies at or "
                                                  "below the first row's lower bound"))
            at_or_below_floor = _number(data.get("at_or_below_floor"))
            if "formula" in data:
                formula = _formula(data["formula"])
        else:
            problems.append(doc.problem(path, "range table column has no 'rows'"))
    elif table_kind == "brackets":
        if "brackets" in data:
            brackets = _brackets(doc, path + ("brackets",), data["brackets"], problems)
        else:
            problems.append(doc.problem(path, "brackets table column has no 'brackets'"))
    elif table_kind == "stepped":
        if "formula" in data:
            formula = _formula(data["formula"])
        else:
            problems.append(doc.problem(path, "stepped table column has no 'formula'"))
    if table.get("unit") == "date":
        rows, at_or_below_floor = _dated_rows(doc, rows, at_or_below_floor, problems)
    column = Column(data.get("label"), rows, brackets, formula, at_or_below_floor, Source.from_data(data.get("source")),
                    table.get("lookup_unit", "dollars"), data.get("note"))
    if "floor" in data and column.floor is not None and _number(data["floor"]) != column.floor:
        problems.append(doc.problem(path + ("floor",), f"the first row starts at {money_text(column.floor)}, not at "
                                                       f"the table's floor {money_text(_number(data['floor']))}"))
    if column.formula is not None:
        if len(column.formula.components) > MAX_FORMULA_COMPONENTS:
            problems.append(doc.problem(path + ("formula", "components"), f"the formula has "
                                        f"{len(column.formula.components)} components; "
                                        f"at most {MAX_FORMULA_COMPONENTS}"))
        elif column.rows and column.formula.step_count() > MAX_FORMULA_STEPS:
            problems.append(doc.problem(path + ("formula", "components"), f"the formula takes more than "
                                        f"{MAX_FORMULA_STEPS:,} steps, too many to check against the printed rows"))
    if column.rows and column.formula and len(problems) == problems_before and not verified:
        _check_formula_against_rows(doc, path + ("formula",), column, problems)
    return column


def build_table(doc: Document, year: int | None = None, *,
                verified: bool = False) -> tuple[Table | None, list[Problem]]:
    """A Table from a schema-valid document, with every structural problem found. ``verified``: the
    document built without a problem before (a cached year), so the costly comparison of each
    formula with its printed rows is not made again.

    ``year`` is the rule set's tax year, against which dates written as rules are resolved (engine/loading/daterule.py).
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
            column = _column(doc, ("columns", i), column_data, data, problems, year, verified)
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
        columns[None] = _column(doc, (), data, data, problems, year)
    if data.get("unit") == "date":
        scalar = _dated_scalars(doc, scalar, problems, year)
    elif any(daterule.is_rule(v) for v in scalar.values()):
        problems.append(doc.problem(("value",), "a date rule (month, day, of) belongs in a table of unit 'date'"))
    table = Table(data["table"], data["title"], kind, Source.required(data["source"]), data.get("unit"),
                  data.get("value_label"), columns, scalar, doc.file, data.get("lookup", "Amount"))
    return table, problems


def _as_date(value: Any) -> dt.date:
    date = parse_date(value)
    if date is None:
        raise ValueError(value)
    return date


_NOT_A_DATE = "a table of unit 'date' holds ISO dates such as '2014-01-31'; {!r} is not one"


def _dated_scalars(doc: Document, scalar: dict, problems: list[Problem], year: int | None) -> dict:
    """A scalar table of unit 'date': ISO dates ('2014-01-31') or date rules resolved against the tax
    year (engine/loading/daterule.py), each turned into a datetime.date."""
    dated: dict = {}
    for key, value in scalar.items():
        if daterule.is_rule(value):
            path = ("value",) if key is None else ("by_filing_status", key)
            try:
                if year is None:
                    raise daterule.DateRuleError("a date rule needs the rule set's year (ruleset.yaml)")
                dated[key] = daterule.resolve(value, year)
            except daterule.DateRuleError as error:
                problems.append(doc.problem(path, str(error)))
                dated[key] = None
            continue
        try:
            dated[key] = _as_date(value)
        except ValueError as error:
            problems.append(doc.problem((), _NOT_A_DATE.format(error.args[0])))
            return dated
    return dated


def _dated_rows(doc: Document, rows: tuple[Row, ...], floor_value: Any,
                problems: list[Problem]) -> tuple[tuple[Row, ...], Any]:
    """The rows of a table of unit 'date' with their values (and the one below the floor) as datetime.date."""
    try:
        dated = tuple(Row(r.lo, r.hi, _as_date(r.value), r.convention) for r in rows)
        return dated, (None if floor_value is None else _as_date(floor_value))
    except ValueError as error:
        problems.append(doc.problem((), _NOT_A_DATE.format(error.args[0])))
        return rows, floor_value
