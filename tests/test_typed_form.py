"""The typed form (issue 12): kinds are checked when the rules load, run-time errors and trace lines
point at the rule's file:line:column, and the column evaluator answers exactly as the scalar one
where the scalar one refuses (a check that rejects the inputs, a missing optional input)."""
from __future__ import annotations

import re

import pandas as pd
import pytest
from test_bounded_work import _expression_line, _ruleset, _sheet

import engine
from engine.errors import EvaluationError, InvalidInputError
from engine.loading.ruleset import check_ruleset

INPUTS = ("  x: {type: money, label: An amount}\n  filing_status: {type: filing_status, label: Status}\n"
          "  day: {type: date, label: A day}\n  flag: {type: boolean, label: A flag}\n")


def _errors(year) -> list[str]:
    _, problems = check_ruleset(year)
    return [str(p) for p in problems if p.severity == "error"]


@pytest.mark.parametrize("expression,message", [
    # the review's example: a text branch would reach the addition only for incomes above $10,000,000
    ("rates(x) + (filing_status if x > 10000000 else 0)", "give different kinds of value"),
    ("x + day", "a date cannot be used in arithmetic"),
    ("flag * 5", "a true/false value cannot be used in arithmetic"),
    ("filing_status > 3", "cannot be compared with"),
    ("day == 5", "cannot be compared with"),
    ("max(x, day)", "max() needs all numbers or all dates"),
    ("round_dollars(filing_status)", "round_dollars() needs a number"),
    ("year_of(x)", "year_of() needs a date"),
    ("rates(filing_status)", "table 'rates' (an amount) needs a number"),
    ("exemption(x, x)", "table 'exemption' (a filing status) needs text"),
    ("x in 5", "'in' needs a list"),
    ("-filing_status", "'-' needs a number"),
])
def test_a_kind_error_is_refused_when_the_rules_load_at_its_line(tmp_path, expression, message):
    year = _ruleset(tmp_path, {"kinds": _sheet("kinds", [_expression_line("y", expression)], INPUTS)})
    errors = _errors(year)
    assert len(errors) == 1, errors
    # _sheet writes 3 header lines, "inputs:", 4 inputs, "lines:", then the line's id, number and label:
    # its expression is the value on line 13, at column 17
    assert re.match(r".*worksheets/kinds\.yaml:13:17: line 1 \(y\): ", errors[0]), errors[0]
    assert message in errors[0]


@pytest.mark.parametrize("expression", [
    "max(day, day)", "x if day == None else 0", "filing_status in ('single', 'head_of_household')",
    "rates(x) + exemption(filing_status, x)", "day if flag else day", "year_of(day) * 2"])
def test_well_kinded_expressions_load(tmp_path, expression):
    year = _ruleset(tmp_path, {"kinds": _sheet("kinds", [_expression_line("y", expression)], INPUTS)})
    assert _errors(year) == []


def test_the_cli_validate_reports_a_kind_error_with_file_line_column(tmp_path, capsys):
    from engine.cli import main

    _ruleset(tmp_path, {"kinds": _sheet("kinds", [_expression_line("y", "x + flag")], INPUTS)})
    assert main(["validate", "--rules", str(tmp_path / "rules")]) == 1
    assert re.search(r"worksheets/kinds\.yaml:13:17: .*a true/false value cannot be used in arithmetic",
                     capsys.readouterr().out + capsys.readouterr().err)


def test_a_run_time_error_and_the_trace_name_the_rules_file_line_and_column(tmp_path):
    lines = [_expression_line("zero", "x - x", 1, output=False), _expression_line("y", "x / zero", 2)]
    _ruleset(tmp_path, {"divide": _sheet("divide", lines)})
    with pytest.raises(EvaluationError) as error:
        engine.evaluate(2013, "divide", {"x": 5}, rules=tmp_path / "rules")
    # 3 header lines, "inputs:", 1 input, "lines:", line 1 in lines 7-11, line 2's id, number, label:
    # its expression is on line 15 of the file, at column 17
    assert "line 2 (y): division by zero in 'x / zero'" in str(error.value)
    assert str(error.value).endswith("(rule at rules/2013/worksheets/divide.yaml:15:17)")
    result = engine.evaluate(2013, "tax", {"filing_status": "single", "agi": 20000}, rules=tmp_path / "rules")
    # tests/fixtures/minimal/2013/worksheets/tax.yaml writes the three expressions on lines 12, 17 and 23
    assert [line.position for line in result.lines] == [
        "rules/2013/worksheets/tax.yaml:12:17", "rules/2013/worksheets/tax.yaml:17:17",
        "rules/2013/worksheets/tax.yaml:23:17"]


CHECKED = """worksheet: checked
title: checked
source: {document: Test Doc, section: Schedule, page: 3}
inputs:
  x: {type: money, label: An amount}
  y: {type: money, label: Another amount, default: null}
lines:
  - id: guarded
    line: "1"
    label: Line 1
    expression: x if y == None else x + y
    source: {document: Test Doc, section: Schedule, page: 3}
    output: true
  - id: unguarded
    line: "2"
    label: Line 2
    expression: "x + y if x > 100 else x"
    source: {document: Test Doc, section: Schedule, page: 3}
    output: true
checks:
  - id: at_most_a_million
    label: The amount is at most $1,000,000.
    expression: x <= 1000000
    rejects_inputs: true
    source: {document: Test Doc, section: Schedule, page: 3}
"""


def test_the_column_path_refuses_what_the_scalar_path_refuses(tmp_path):
    _ruleset(tmp_path, {"checked": CHECKED})
    rules = tmp_path / "rules"
    rows = pd.DataFrame({"x": [50, 500, 2_000_000, 500], "y": [None, None, None, 7]})
    out = engine.evaluate_batch(2013, "checked", rows, errors="report", rules=rules)  # runs as columns
    # row 0: y missing, x <= 100: both lines are x (the scalar path never reads y)
    assert engine.evaluate(2013, "checked", {"x": 50}, rules=rules).outputs == {"guarded": 50, "unguarded": 50}
    assert out["guarded"][0] == 50 and out["unguarded"][0] == 50
    # row 1: y missing but read by line 2 (x > 100): the scalar path's error, not 500 + 0
    with pytest.raises(EvaluationError, match=r"line 2 \(unguarded\)"):
        engine.evaluate(2013, "checked", {"x": 500}, rules=rules)
    assert pd.isna(out["unguarded"][1]) and "line 2 (unguarded)" in out["error"][1]
    # row 2: the check rejects the inputs in both paths, naming x
    with pytest.raises(InvalidInputError) as refused:
        engine.evaluate(2013, "checked", {"x": 2_000_000}, rules=rules)
    assert refused.value.field == "x"
    assert out["error_field"][2] == "x" and out["error"][2] == str(refused.value)
    # row 3: both given: 500 + 7
    assert out["guarded"][3] == 507 and out["unguarded"][3] == 507
