"""Judgement-call checks of a valid rule set (``ctax lint``): each finding is a located warning.

What is checked, and how:

- **rate over 1**: a bracket ``rate``, or a value of a table whose ``unit`` is ``rate``, above 1
  (5 written for 0.05).
- **bracket base out of line**: in a marginal bracket schedule, a bracket's ``base_tax`` that is not
  the previous bracket's ``base_tax`` plus its rate times its width (a rate changed without the
  printed bases below it, or a typo in a base).
- **stepped cap**: a formula component whose cap ``up_to`` is not a whole number of steps
  (``up_to / amount`` not an integer), so the last step is cut short.
- **tax falls as income rises**: for each worksheet whose required inputs are one filing status
  and one amount, and whose last output is a tax (its id ends in ``tax``), that output is
  evaluated for every filing status at every table bound of the year (the bound, one dollar
  below and above) and on a $1,000 grid up to 20% past the highest bound (at most $10,000,000); any point where the
  tax is lower than at a smaller income is reported (first such point per status). Range tables
  on their own are not required to be monotone: exemptions and credits legitimately fall.
- **citation without a page**: a ``source`` with no ``page``, unless ruleset.yaml lists its document
  as ``paginated: false`` (a statute or a web page: the section is the pin cite).
- **unused table**: a table no worksheet line, step, check or ``required_if`` calls.
- **review marker**: a ``review:`` key (left by ``ctax new-year``) not yet removed.
- **another year's publication**: a rule file of year Y citing a publication of another year (the
  first year written in the source's id, else in its title, in ruleset.yaml), when no ``note:``
  says why: neither on the citation, nor on the table row, line or file holding it, nor on the
  ruleset.yaml source itself naming year Y. Reported once per file, at its first such citation.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeGuard

from engine.errors import CtaxError, Problem
from engine.lang.arithmetic import in_engine_context
from engine.loading.documents import Document, citations
from engine.loading.review_markers import markers
from engine.model.ruleset import RuleSet
from engine.model.status import FILING_STATUSES
from engine.model.tables import Bracket, Row
from engine.model.text import money_text, plain_text
from engine.run import scalar

GRID_STEP = Decimal(1000)
MAX_GRID_POINTS = 10_000  # the $1,000 grid stops at $10,000,000 (the shipped tables end below $1,100,000)


def _warn(doc: Document, path: tuple, message: str, *, key: bool = False) -> Problem:
    return doc.problem(path, message, key=key, severity="warning")


def _walk(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every (path, value) pair of a document, depth first."""
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _walk(value, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _walk(value, path + (i,))


def _is_number(value: Any) -> TypeGuard[int | Decimal]:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def _rates(doc: Document) -> list[Problem]:
    found = []
    rate_table = isinstance(doc.data, dict) and doc.data.get("unit") == "rate"
    for path, value in _walk(doc.data):
        if not path or not _is_number(value) or value <= 1:
            continue
        if path[-1] == "rate" or (rate_table and path[-1] == "value") or \
                (rate_table and len(path) == 2 and path[0] == "by_filing_status"):
            found.append(_warn(doc, path, f"rate {plain_text(Decimal(value))} is over 1; a rate is written as a "
                                          f"fraction (0.05 for 5%)"))
    return found


def _bracket_bases(doc: Document) -> list[Problem]:
    found = []
    for path, value in _walk(doc.data):
        if not path or path[-1] != "brackets" or not isinstance(value, list):
            continue
        for i in range(1, len(value)):
            before, here = value[i - 1], value[i]
            excess_over = before.get("excess_over", before.get("more_than"))  # omitted: the lower bound
            if not all(_is_number(v) for v in (before.get("base_tax"), before.get("rate"), excess_over,
                                               before.get("less_than_or_equal_to"))):
                continue
            expected = Decimal(before["base_tax"]) + Decimal(before["rate"]) * (
                Decimal(before["less_than_or_equal_to"]) - Decimal(excess_over))
            if _is_number(here.get("base_tax")) and Decimal(here["base_tax"]) != expected:
                found.append(_warn(doc, path + (i, "base_tax"), f"base tax {money_text(Decimal(here['base_tax']))} "
                                   f"is not the tax at the top of the bracket below ({money_text(expected)})"))
    return found


def _caps(doc: Document) -> list[Problem]:
    found = []
    for path, value in _walk(doc.data):
        if len(path) >= 2 and path[-2] == "components" and isinstance(value, dict):
            amount, cap = value.get("amount"), value.get("up_to")
            if _is_number(amount) and _is_number(cap) and amount > 0 and Decimal(cap) % Decimal(amount) != 0:
                steps = Decimal(cap) / Decimal(amount)
                found.append(_warn(doc, path + ("up_to",), f"cap {money_text(Decimal(cap))} is not a whole number of "
                                   f"{money_text(Decimal(amount))} steps ({steps:.2f}); the last step is cut short"))
    return found


def _pages(doc: Document, unpaginated: set[str]) -> list[Problem]:
    return [_warn(doc, path, f"citation '{value.get('document')}, {value.get('section')}' has no page", key=True)
            for path, value in citations(doc.data)
            if value.get("page") in (None, "") and value.get("document") not in unpaginated]


REVIEW_MESSAGE = "marked for review: "


def _reviews(doc: Document) -> list[Problem]:
    return [_warn(doc, path, f"{REVIEW_MESSAGE}{value}", key=True) for path, value in markers(doc.data)]


_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


def publication_year(key: str, source: dict) -> int | None:
    """The year a publication is of: the first year in its id, else in its title (None: undated, a statute)."""
    for text in (key, str(source.get("title", ""))):
        found = _YEAR.search(text)
        if found:
            return int(found.group(0))
    return None


def _other_year_citations(ruleset: RuleSet, documents: Mapping[str, Document]) -> list[Problem]:
    year = ruleset.year
    foreign = {}
    for key, source in ruleset.sources.items():
        published = publication_year(key, source)
        explained = str(year) in str(source.get("note", ""))  # the source entry says why it serves this year
        if published is not None and published != year and not explained:
            foreign[key] = published
    found = []
    for name, doc in sorted(documents.items()):
        if Path(name).name == "ruleset.yaml":
            continue
        uncovered = []
        for path, citation in citations(doc.data):
            if citation.get("document") not in foreign or "note" in citation:
                continue
            owner = doc.data
            for step in path[:-1]:
                owner = owner[step]
            if isinstance(owner, dict) and "note" in owner:
                continue
            uncovered.append((path, citation["document"]))
        if uncovered:
            path, document = uncovered[0]
            more = f" ({len(uncovered)} citations in this file)" if len(uncovered) > 1 else ""
            found.append(_warn(doc, path + ("document",), f"a {year} rule file cites '{document}', a "
                               f"{foreign[document]} publication, with no note: saying why{more}; add a note: "
                               f"here or on the source in ruleset.yaml (naming {year})"))
    return found


def _unused_tables(ruleset: RuleSet, documents: Mapping[str, Document]) -> list[Problem]:
    used: set[str] = set()
    for sheet in ruleset.worksheets.values():
        compiled = [line.expression for line in sheet.lines if line.expression is not None]
        compiled += [c for line in sheet.lines for c in line.step_inputs.values()]
        compiled += [check.expression for check in sheet.checks]
        compiled += [spec.required_if for spec in sheet.inputs.values() if spec.required_if is not None]
        for item in compiled:
            used.update(item.tables)
    found = []
    for name, table in sorted(ruleset.tables.items()):
        if name not in used and table.file in documents:
            found.append(_warn(documents[table.file], ("table",),
                               f"table '{name}' is not used by any worksheet"))
    return found


def _bounds(ruleset: RuleSet) -> set[Decimal]:
    points: set[Decimal] = set()
    for table in ruleset.tables.values():
        for column in table.distinct_columns():
            bounds: tuple[Row | Bracket, ...] = (*column.rows, *column.brackets)
            for row in bounds:
                points.update(b for b in (row.lo, row.hi) if b is not None)
            if column.formula is not None:
                points.update(p for p in column.formula.breakpoints() if p < Decimal("1e8"))
    return points


def probe_amounts(ruleset: RuleSet) -> list[Decimal]:
    """The incomes the phase-out check evaluates: every bound +-1 and a $1,000 grid, whole dollars."""
    bounds = _bounds(ruleset)
    top = (max(bounds) if bounds else Decimal(500_000)) * Decimal("1.2")
    top = min(top, GRID_STEP * MAX_GRID_POINTS)  # a row ending at $1e12 must not ask for a billion points
    points = {b + d for b in bounds for d in (-1, 0, 1)}
    points |= {GRID_STEP * k for k in range(int(top / GRID_STEP) + 2)}
    return sorted(p.to_integral_value() for p in points if p >= 0)


def _tax_falls(ruleset: RuleSet, documents: Mapping[str, Document]) -> list[Problem]:
    found = []
    amounts = None
    for _name, sheet in sorted(ruleset.worksheets.items()):
        required = {n: spec for n, spec in sheet.inputs.items() if not spec.has_default}
        statuses = [n for n, s in required.items() if s.type == "filing_status"]
        money = [n for n, s in required.items() if s.type == "money"]
        outputs = sheet.outputs
        if len(required) != 2 or len(statuses) != 1 or len(money) != 1 or not outputs or \
                not outputs[-1].endswith("tax"):
            continue
        output = outputs[-1]
        index = next(i for i, line in enumerate(sheet.lines) if line.id == output)
        amounts = amounts or probe_amounts(ruleset)
        for status in FILING_STATUSES:
            previous = None
            for amount in amounts:
                try:
                    value = scalar.evaluate(sheet, {statuses[0]: status, money[0]: amount}, trace=False).outputs[output]
                except CtaxError:
                    continue
                if previous is not None and isinstance(value, Decimal) and value < previous[1]:
                    found.append(_warn(documents[sheet.file], ("lines", index),
                                       f"{output} falls as income rises ({status}): "
                                       f"{money_text(previous[1])} at {money[0]} {money_text(previous[0])} but "
                                       f"{money_text(value)} at {money_text(amount)}"))
                    break
                previous = (amount, value)
    return found


@in_engine_context
def lint_ruleset(ruleset: RuleSet, documents: Mapping[str, Document]) -> list[Problem]:
    """Every warning for one year's valid rule set, sorted by file and line. Lint's subject is the
    files as written, so it reads their ``documents`` (engine.loading.ruleset.check_files) beside the model."""
    problems: list[Problem] = []
    unpaginated = {key for key, source in ruleset.sources.items() if source.get("paginated") is False}
    for doc in documents.values():
        problems += _rates(doc) + _bracket_bases(doc) + _caps(doc) + _pages(doc, unpaginated) + _reviews(doc)
    problems += _unused_tables(ruleset, documents)
    problems += _other_year_citations(ruleset, documents)
    problems += _tax_falls(ruleset, documents)
    return sorted(problems)
