"""Which printed table rows the tests reach (``ctax coverage``), and which none does.

Two kinds of evidence count:

- the YAML cases in ``tests/cases/<year>/*.yaml``, each evaluated with a trace; every table row
  its lines (and the lines of worksheets run as steps) matched is reached;
- golden files anywhere under ``tests/`` (``*.json``, ``*.yml``, ``*.yaml``) that hold a saved
  result (``"format": "ctax.result/1"``, i.e. ``Result.to_dict()``); their ``table_rows`` count.

- with ``--record FILE`` (or ``--run-tests``, which runs the test suite to make one), every
  evaluation the test suite made, traced or not: the grid and property tests too. The pytest plugin
  engine/tools/pytest_plugin.py writes that record when ``CTAX_COVERAGE_FILE`` is set.

A row is identified by its table, its column and its bounds, exactly as the trace's ``Match``
reports them. "At or below the first row" counts as a row of its own, since a lookup can land
there; a stepped formula counts as one row; a scalar counts one row per filing status.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from engine import api
from engine.errors import CtaxError
from engine.loading.resources import checkout_root
from engine.model.tables import Table
from engine.model.text import money_text
from engine.run.result import RESULT_FORMAT, Result
from engine.tools.cases import CaseFileError, case_files, load_cases

TESTS_DIR = checkout_root() / "tests"

RowKey = tuple[str, Any, Any, Any]  # table, column label (or status for scalars), lower, upper


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@dataclass
class YearCoverage:
    """For one year: every row of every table, and the ones the tests reach."""

    year: int
    rows: dict[str, list[tuple[RowKey, str]]]  # table -> [(key, description)]
    reached: set[RowKey] = field(default_factory=set)
    cases: int = 0
    golden: int = 0
    evaluations: int = 0  # worksheet runs the test suite made (from a record), 0 without one

    def missing(self, table: str) -> list[str]:
        return [text for key, text in self.rows[table] if key not in self.reached]

    @property
    def total(self) -> int:
        return sum(len(rows) for rows in self.rows.values())

    @property
    def hit(self) -> int:
        return sum(1 for rows in self.rows.values() for key, _ in rows if key in self.reached)


def table_rows(table: Table) -> list[tuple[RowKey, str]]:
    """Every row a lookup of ``table`` can land on, with a description for the report."""
    out: list[tuple[RowKey, str]] = []
    for status, value in table.scalar.items():
        out.append(((table.name, status, None, None), f"{status or 'all filers'}: {value}"))
    for column in table.distinct_columns():
        prefix = f"[{column.label}] " if column.label else ""
        if column.rows:
            out.append(((table.name, column.label, None, column.floor),
                        f"{prefix}at or below the first row ({money_text(column.floor)})"))
            out += [((table.name, column.label, r.lo, r.hi), prefix + r.describe()) for r in column.rows]
        elif column.brackets:
            out += [((table.name, column.label, b.lo, b.hi), prefix + b.describe().split(":")[0])
                    for b in column.brackets]
        elif column.formula is not None:
            out.append(((table.name, column.label, None, None), f"{prefix}formula"))
    return out


def _match_keys(lines: list[dict]) -> Iterator[RowKey]:
    for line in lines:
        for row in line.get("table_rows", []):
            yield row["table"], row["column"], _decimal(row["lower"]), _decimal(row["upper"])
        if isinstance(line.get("step"), dict):
            yield from _match_keys(line["step"].get("lines", []))


def _result_keys(result: Result) -> Iterator[RowKey]:
    yield from _match_keys(result.to_dict()["lines"])


def _golden_results(directory: Path) -> Iterator[dict]:
    for path in sorted(directory.rglob("*")):
        if path.suffix not in (".json", ".yml", ".yaml") or not path.is_file() or "cases" in path.parts:
            continue
        try:
            text = path.read_text(encoding="utf-8")
            if RESULT_FORMAT not in text:
                continue
            data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        except (OSError, ValueError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and data.get("format") == RESULT_FORMAT:
            yield data


def read_record(path: Path) -> dict:
    """A record the pytest plugin wrote; CtaxError if it is not one."""
    from engine.tools.pytest_plugin import RECORD_FORMAT

    try:
        if path.stat().st_size > 200 * 1024 * 1024:
            raise CtaxError(f"{path}: too large for a coverage record")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CtaxError(f"cannot read coverage record {path}: {error}") from None
    if not isinstance(data, dict) or data.get("format") != RECORD_FORMAT or not isinstance(data.get("rows"), list):
        raise CtaxError(f"{path} is not a ctax coverage record (\"format\": \"{RECORD_FORMAT}\")")
    return data


def run_tests(tests: Path, record: Path) -> tuple[int, list[str]]:
    """Run the test suite in ``tests`` with the coverage plugin on: pytest's exit status and the tests that failed."""
    import subprocess
    import sys

    if os.environ.get("CTAX_COVERAGE_FILE"):
        raise CtaxError("already inside a test run that counts coverage (CTAX_COVERAGE_FILE is set)")
    # the tests import this very engine (not another installed copy), which holds the plugin
    here = str(Path(__file__).resolve().parent.parent)
    path = os.pathsep.join([here, os.environ["PYTHONPATH"]]) if os.environ.get("PYTHONPATH") else here
    env = {**os.environ, "CTAX_COVERAGE_FILE": str(record), "PYTHONPATH": path}
    command = [sys.executable, "-m", "pytest", "-q", "-rfE", "-p", "no:cacheprovider", str(tests)]
    done = subprocess.run(command, env=env, cwd=tests.parent, stdout=subprocess.PIPE, text=True, errors="replace",
                          check=False)
    failed = [line for line in done.stdout.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    return done.returncode, failed


def measure(cases_dir: Path | None = None, golden_dir: Path | None = None,
            rules: str | os.PathLike | None = None, record: dict | None = None) -> list[YearCoverage]:
    """Coverage of every year's tables by the cases, the golden files and a test-suite record."""
    cases_dir = cases_dir or TESTS_DIR / "cases"
    golden_dir = golden_dir or TESTS_DIR
    report: dict[int, YearCoverage] = {}
    for year in api.years(rules):
        try:
            ruleset = api.load(year, rules)
        except CtaxError:
            continue  # an invalid year has no coverage to speak of; validate reports it
        report[year] = YearCoverage(year, {name: table_rows(t) for name, t in sorted(ruleset.tables.items())})
    if cases_dir.is_dir():
        for path in case_files(cases_dir):
            try:
                cases = load_cases(path)
            except CaseFileError:
                continue
            for case in cases:
                if case.year not in report:
                    continue
                try:
                    result = api.evaluate(case.year, case.worksheet, case.inputs, rules=rules)
                except CtaxError:
                    continue
                report[case.year].reached.update(_result_keys(result))
                report[case.year].cases += 1
    if golden_dir.is_dir():
        for data in _golden_results(golden_dir):
            golden_year = data.get("year")
            if golden_year in report:
                report[golden_year].reached.update(_match_keys(data.get("lines", [])))
                report[golden_year].golden += 1
    if record is not None:
        counts = record.get("evaluations")
        for year_text, count in (counts.items() if isinstance(counts, dict) else ()):
            if isinstance(year_text, str) and year_text.isdigit() and int(year_text) in report and \
                    isinstance(count, int):
                report[int(year_text)].evaluations += count
        for row in record["rows"]:
            if isinstance(row, list) and len(row) == 5 and row[0] in report:
                report[row[0]].reached.add((row[1], row[2], _decimal(row[3]), _decimal(row[4])))
    return list(report.values())


def format_report(report: list[YearCoverage]) -> str:
    out = []
    for year in report:
        suite = f", {year.evaluations} evaluation(s) by the test suite" if year.evaluations else ""
        out.append(f"{year.year}: {year.hit} of {year.total} table rows reached "
                   f"({year.cases} case(s), {year.golden} golden file(s){suite})")
        for table, rows in year.rows.items():
            missing = year.missing(table)
            out.append(f"  {table}: {len(rows) - len(missing)} of {len(rows)} rows reached")
            out += [f"    not reached: {text}" for text in missing]
    return "\n".join(out) + "\n"
