"""Test cases written in YAML (``tests/cases/<year>/*.yaml``): read them and check one against the engine.

A case file holds one worksheet's cases of one year::

    worksheet: tax_calculation          # default for every case in the file
    year: 2013                          # optional; defaults to the folder name
    cases:
      - name: single_60000
        inputs: {filing_status: single, ct_agi: 60000}
        expected: {ct_income_tax: 2813}
        tolerance: 0                    # optional, in dollars (default 0: exact)

A case may override ``worksheet`` and ``year``. Expected values are compared exactly as
Decimals (or as booleans / text), unless a tolerance is given.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from engine import api
from engine.errors import CtaxError, did_you_mean
from engine.loading.documents import Document
from engine.loading.ruleset import is_year_folder_name
from engine.loading.yaml_reader import load_file
from engine.run.result import Result

CASE_KEYS = {"name", "worksheet", "year", "inputs", "expected", "tolerance", "note"}
FILE_KEYS = {"worksheet", "year", "cases", "description", "tolerance"}


class CaseFileError(CtaxError):
    """A case file is malformed; the message names the file, line and column."""


@dataclass
class Case:
    """One case: a worksheet of a year, its inputs and the outputs it must give."""

    file: str
    line: int
    name: str
    year: int
    worksheet: str
    inputs: dict[str, Any]
    expected: dict[str, Any]
    tolerance: Decimal = Decimal(0)
    note: str | None = None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Outcome:
    """The result of running a case: the engine's result and every mismatch found."""

    case: Case
    result: Result | None
    mismatches: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.mismatches


def _year_from_path(path: Path) -> int | None:
    name = path.parent.name
    return int(name) if is_year_folder_name(name) else None


def read_yaml(path: str | os.PathLike, display: str | None = None) -> Document:
    """A case or inputs file, read with the rule files' safe YAML loader; CaseFileError names the problem.

    A file that cannot be opened is named without a line and column: there is no position in it to show.
    """
    display = display or str(path)
    try:
        if Path(path).is_dir():
            raise CaseFileError(f"cannot read {display}: it is a folder, not a file")
        Path(path).stat()
    except FileNotFoundError:
        raise CaseFileError(f"cannot read {display}: no such file") from None
    except OSError as error:
        raise CaseFileError(f"cannot read {display}: {error.strerror or error}") from None
    doc, problems = load_file(Path(path), display)
    if problems or doc is None:
        raise CaseFileError("; ".join(map(str, problems)))
    return doc


def load_cases(path: str | os.PathLike, display: str | None = None) -> list[Case]:
    """Every case of one case file; raises CaseFileError naming the file and line of a mistake."""
    path = Path(path)
    display = display or str(path)
    doc = read_yaml(path, display)

    def fail(where: tuple, message: str, key: bool = False) -> CaseFileError:
        return CaseFileError(str(doc.problem(where, message, key=key)))

    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list) or not data["cases"]:
        raise fail((), "a case file is a mapping with a non-empty 'cases' list")
    for key in data:
        if key not in FILE_KEYS:
            raise fail((key,), f"unknown key '{key}' (allowed: {', '.join(sorted(FILE_KEYS))})", key=True)
    cases = []
    for index, entry in enumerate(data["cases"]):
        here = ("cases", index)
        if not isinstance(entry, dict):
            raise fail(here, "each case is a mapping with name, inputs and expected")
        for key in entry:
            if key not in CASE_KEYS:
                raise fail(here + (key,), f"unknown key '{key}' in a case (allowed: {', '.join(sorted(CASE_KEYS))})",
                           key=True)
        for key in ("name", "inputs", "expected"):
            if key not in entry:
                raise fail(here, f"case {index + 1} has no '{key}'")
        if not isinstance(entry["inputs"], dict) or not isinstance(entry["expected"], dict) or not entry["expected"]:
            raise fail(here, f"case '{entry['name']}': 'inputs' and 'expected' must be mappings ('expected' not empty)")
        year = entry.get("year", data.get("year", _year_from_path(path)))
        worksheet = entry.get("worksheet", data.get("worksheet"))
        if year is None or worksheet is None:
            raise fail(here, f"case '{entry['name']}' says neither its year nor its worksheet")
        tolerance = entry.get("tolerance", data.get("tolerance", 0))
        try:
            tolerance = Decimal(str(tolerance))
        except InvalidOperation:
            raise fail(here + ("tolerance",), f"tolerance must be a number, not {tolerance!r}") from None
        line, _ = doc.where(here)
        cases.append(Case(display, line, str(entry["name"]), int(year), str(worksheet), dict(entry["inputs"]),
                          dict(entry["expected"]), tolerance, entry.get("note")))
    return cases


def _same(expected: Any, actual: Any, tolerance: Decimal) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual or (isinstance(expected, str) and str(actual).lower() == expected.lower())
    if isinstance(actual, Decimal):
        try:
            wanted = Decimal(str(expected))
        except InvalidOperation:
            return False
        return abs(actual - wanted) <= tolerance
    return str(expected) == str(actual)


@dataclass(frozen=True)
class Comparison:
    """One expected output of a case beside what the engine gave."""

    name: str
    expected: Any
    got: Any
    ok: bool
    problem: str | None = None  # why there is nothing to compare ('not an output or line')


def compare(case: Case, result: Result) -> list[Comparison]:
    """Each expected output of the case, in the file's order, with the value the result gives."""
    rows = []
    for name, expected in case.expected.items():
        if name in result.outputs:
            actual = result.outputs[name]
        else:
            try:
                actual = result.line(name).value
            except KeyError:
                rows.append(Comparison(name, expected, None, False,
                                       f"'{name}' is neither an output nor a line of {case.worksheet}"))
                continue
        rows.append(Comparison(name, expected, actual, _same(expected, actual, case.tolerance)))
    return rows


def run_case(case: Case, rules: str | os.PathLike | None = None) -> Outcome:
    """Evaluate the case; the outcome lists each expected output that differs (or the error raised)."""
    try:
        result = api.evaluate(case.year, case.worksheet, case.inputs, rules=rules)
    except CtaxError as error:
        return Outcome(case, None, [f"evaluation failed: {error}"])
    mismatches = []
    for row in compare(case, result):
        if row.problem:
            mismatches.append(row.problem)
        elif not row.ok:
            allowed = f" (tolerance {case.tolerance})" if case.tolerance else ""
            mismatches.append(f"{row.name}: expected {row.expected}, got {row.got}{allowed}")
    return Outcome(case, result, mismatches)


def find_case(path: str | os.PathLike, name: str) -> Case:
    """The case called ``name`` in a case file; CaseFileError lists the names there are."""
    cases = load_cases(path)
    for case in cases:
        if case.name == name:
            return case
    names = [c.name for c in cases]
    raise CaseFileError(f"{path}: no case named '{name}'{did_you_mean(name, names)}; cases: {', '.join(names)}")


def case_files(directory: str | os.PathLike) -> list[Path]:
    """Every ``*.yaml`` case file under ``directory`` (``<year>/*.yaml``), sorted."""
    return sorted(Path(directory).glob("*/*.yaml"))
