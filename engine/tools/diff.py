"""What changed between two tax years (``ctax diff``): every figure, and one case line by line.

Figures are compared table by table, filing status by filing status, row by row (by position:
"row 3" of 2013 against "row 3" of 2014), and a change shared by several statuses is shown once.
With a case, the same inputs are evaluated in both years, every line (including the lines of
worksheets run as steps) is shown with both values and the difference, and each changed line
lists the changed figures of the tables it read ("why did my tax change").
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from engine import api
from engine.errors import CtaxError
from engine.model.ruleset import RuleSet
from engine.model.status import FILING_STATUSES
from engine.model.tables import Column, Table
from engine.model.text import plain_text
from engine.run.result import LineTrace, Result
from engine.tools.cases import load_cases, read_yaml


@dataclass(frozen=True)
class Change:
    """One figure of one table that differs between the two years."""

    table: str
    title: str
    statuses: tuple[str, ...]
    figure: str
    old: Any
    new: Any
    old_source: str
    new_source: str

    def describe(self) -> str:
        who = f"{', '.join(self.statuses)}: " if self.statuses else ""
        return f"{who}{self.figure}: {_show(self.old)} -> {_show(self.new)}"


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return plain_text(value)
    return str(value)


def _column_figures(column: Column) -> Iterator[tuple[str, Any]]:
    if column.rows:
        yield "at or below the first row", column.at_or_below_floor
        for i, row in enumerate(column.rows, 1):
            yield f"row {i} lower bound", row.lo
            yield f"row {i} upper bound", "and up" if row.hi is None else row.hi
            yield f"row {i} value", row.value
    for i, bracket in enumerate(column.brackets, 1):
        yield f"bracket {i} more than", bracket.lo
        yield f"bracket {i} less than or equal to", "and up" if bracket.hi is None else bracket.hi
        yield f"bracket {i} base tax", bracket.base_tax
        yield f"bracket {i} rate", bracket.rate
        yield f"bracket {i} excess over", bracket.excess_over
    if column.formula is not None:
        yield "formula start", column.formula.start
        for j, c in enumerate(column.formula.components, 1):
            yield from ((f"formula step {j} {name}", value) for name, value in (
                ("amount", c.amount), ("for each", c.for_each), ("or fraction thereof", c.or_fraction_thereof),
                ("over", c.over), ("up to", c.up_to), ("effect", "subtract" if c.subtract else "add")))


def figures(table: Table) -> dict[str | None, dict[str, tuple[Any, str]]]:
    """Every figure of a table by filing status (None: not by status), with its citation."""
    out: dict[str | None, dict[str, tuple[Any, str]]] = {}
    cite = table.source.cite()
    for status, value in table.scalar.items():
        out[status] = {"value": (value, cite)}
    for status, column in table.columns.items():
        column_cite = column.source.cite() if column.source else cite
        out[status] = {name: (value, column_cite) for name, value in _column_figures(column)}
    return out


def table_changes(old: Table | None, new: Table | None) -> list[Change]:
    """The figures that differ between two versions of one table, merged across statuses."""
    either = new or old
    assert either is not None, "a table changes between two versions, at least one of which exists"
    name, title = either.name, either.title
    old_figures = figures(old) if old else {}
    new_figures = figures(new) if new else {}
    merged: dict[tuple, list[str]] = {}
    order: list[tuple] = []
    for status in sorted(set(old_figures) | set(new_figures), key=lambda s: (s is not None, str(s))):
        a, b = old_figures.get(status, {}), new_figures.get(status, {})
        for figure in list(a) + [f for f in b if f not in a]:
            (old_value, old_cite), (new_value, new_cite) = a.get(figure, (None, "")), b.get(figure, (None, ""))
            if old_value == new_value and type(old_value) is type(new_value):
                continue
            key = (figure, _show(old_value), _show(new_value), old_cite, new_cite)
            if key not in merged:
                merged[key] = []
                order.append(key)
            if status is not None:
                merged[key].append(status)
    return [Change(name, title, tuple(merged[k]), k[0], *_unshow(k, old_figures, new_figures), k[3], k[4])
            for k in order]


def _unshow(key: tuple, old: dict, new: dict) -> tuple[Any, Any]:
    figure = key[0]
    for status in old.keys() | new.keys():
        a = old.get(status, {}).get(figure, (None,))[0]
        b = new.get(status, {}).get(figure, (None,))[0]
        if (_show(a), _show(b)) == (key[1], key[2]):
            return a, b
    return key[1], key[2]


def year_changes(old: RuleSet, new: RuleSet) -> dict[str, list[Change]]:
    """Changed figures grouped by table name (tables in only one year show every figure)."""
    result = {}
    for name in sorted(set(old.tables) | set(new.tables)):
        changes = table_changes(old.tables.get(name), new.tables.get(name))
        if changes:
            result[name] = changes
    return result


def format_year_diff(old: RuleSet, new: RuleSet, grouped: dict[str, list[Change]]) -> str:
    if not grouped:
        return f"No figure changed from {old.year} to {new.year}.\n"
    out = [f"Figures changed from {old.year} to {new.year}, by table:"]
    for name, changes in grouped.items():
        presence = "" if name in old.tables and name in new.tables else \
            f" (only in {old.year})" if name in old.tables else f" (only in {new.year})"
        out += ["", f"{name}: {changes[0].title}{presence}"]
        for change in changes:
            out.append(f"  {change.describe()}")
            out.append(f"      {old.year}: {change.old_source or '(none)'}")
            out.append(f"      {new.year}: {change.new_source or '(none)'}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- one case in both years


def _flatten(result: Result, prefix: str = "") -> Iterator[tuple[str, LineTrace]]:
    for line in result.lines:
        yield prefix + line.id, line
        if line.step is not None:
            yield from _flatten(line.step, f"{prefix}{line.step.worksheet}.")


def _read_case_file(path: str) -> list[tuple[str, str, dict]]:
    """(name, worksheet, inputs) of each case in FILE: a case file, or one ``worksheet:`` + ``inputs:``."""
    data = read_yaml(path).data
    if isinstance(data, dict) and "cases" in data:
        return [(c.name, c.worksheet, c.inputs) for c in load_cases(path)]
    if isinstance(data, dict) and isinstance(data.get("worksheet"), str) and isinstance(data.get("inputs"), dict):
        return [(Path(path).stem, data["worksheet"], data["inputs"])]
    raise CtaxError(f"{path}: a case file has 'worksheet' and 'inputs' (or a 'cases' list)")


@dataclass(frozen=True)
class LineChange:
    """One line of a case in two years: both values, the change, and the changed figures it read."""

    key: str  # the line's id, prefixed by the step worksheets it sits in ("modifications.ct_agi")
    line: LineTrace
    old_value: Any
    change: str  # "+120", "-35", "changed" or "" when the value is the same
    because: tuple[Change, ...]


def compare_lines(old_set: RuleSet, new_set: RuleSet, a: Result, b: Result,
                  grouped: dict[str, list[Change]]) -> list[LineChange]:
    """Every line of ``b`` against the same line of ``a``, with the changed figures behind each change:
    only the rows, brackets or formulas that the case's own lookups read in either year."""
    status = next((v for v in b.inputs.values() if isinstance(v, str) and v in FILING_STATUSES), None)
    old_lines = dict(_flatten(a))
    out = []
    for key, new_line in _flatten(b):
        old_line = old_lines.get(key)
        old_value = old_line.value if old_line else None
        change = ""
        if isinstance(old_value, Decimal) and isinstance(new_line.value, Decimal):
            delta = new_line.value - old_value
            change = "" if delta == 0 else f"{'+' if delta > 0 else ''}{plain_text(delta)}"
        elif _show(old_value) != _show(new_line.value):
            change = "changed"
        because: list[Change] = []
        if change:
            used: dict[str, set[str]] = {}
            for ruleset, line in ((old_set, old_line), (new_set, new_line)):
                for m in (line.matches if line else []):
                    used.setdefault(m.table, set()).update(_figures_used(ruleset.tables.get(m.table), m, status))
            for table, prefixes in used.items():
                because += [c for c in grouped.get(table, [])
                            if (status is None or not c.statuses or status in c.statuses)
                            and any(c.figure.startswith(p) for p in prefixes)]
        out.append(LineChange(key, new_line, old_value, change, tuple(because)))
    return out


def case_diff(year_a: str, year_b: str, path: str, grouped: dict[str, list[Change]],
              rules: str | os.PathLike | None = None) -> str:
    """Each case of FILE evaluated in both years, line by line, with the figures behind each change."""
    out = []
    old_set, new_set = api.load(year_a, rules), api.load(year_b, rules)
    for name, worksheet, inputs in _read_case_file(path):
        a = api.evaluate(year_a, worksheet, inputs, rules=rules)
        b = api.evaluate(year_b, worksheet, inputs, rules=rules)
        out += [f"Case {name}: {worksheet}, {a.year} -> {b.year}",
                f"  {'line':>6}  {'id':<40} {a.year!s:>12} {b.year!s:>12} {'change':>10}"]
        for row in compare_lines(old_set, new_set, a, b, grouped):
            out.append(f"  {row.line.line:>6}  {row.key:<40} {_show(row.old_value):>12} {_show(row.line.value):>12} "
                       f"{row.change:>10}")
            for c in row.because:
                out.append(f"          because {c.table} {c.describe()}  [{c.old_source} | {c.new_source}]")
        out.append("")
    return "\n".join(out)


def _figures_used(table: Table | None, match: Any, status: str | None) -> set[str]:
    """The figure names (as ``figures`` spells them, up to the row) that a lookup's match read."""
    if table is None:
        return set()
    if table.scalar:
        return {"value"}
    columns = [table.columns[status]] if status in table.columns else \
        [c for c in table.distinct_columns() if c.label == match.column]
    used: set[str] = set()
    for column in columns:
        if column.rows and match.lower is None and match.upper == column.floor:
            used.add("at or below the first row")
        used.update(f"row {i} " for i, r in enumerate(column.rows, 1) if (r.lo, r.hi) == (match.lower, match.upper))
        used.update(f"bracket {i} " for i, b in enumerate(column.brackets, 1)
                    if (b.lo, b.hi) == (match.lower, match.upper) or (i == 1 and match.lower is None))
        if column.formula is not None and not (column.rows or column.brackets):
            used.add("formula ")  # with printed rows, the formula is only their cross-check
    return used
