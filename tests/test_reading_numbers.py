"""Issue 11: numbers are read exactly, or refused with the package's error naming where.

YAML 1.1 number forms (octal ``060000``, base-60 ``1:20``, ``0x``/``0b``, ``1_000``) in rule files and
input/case files; amount text with commas that are not thousands separators; the caller's decimal
context; amounts and rule figures of absurd size; NumPy numbers.
"""
from __future__ import annotations

import decimal
import re
import threading
import time
from decimal import Decimal

import pytest
from cli_helpers import copy_2013, run

import engine
from engine.errors import InvalidAmountError
from engine.loading.ruleset import check_ruleset
from engine.model.inputs import to_decimal
from engine.tools.cases import CaseFileError, load_cases, read_yaml

SINGLE = {"filing_status": "single"}
TABLE_B_ROW = "- {more_than: 0, less_than_or_equal_to: 10000, base_tax: 0, rate: 0.03}"


@pytest.fixture
def rules(tmp_path, monkeypatch):
    monkeypatch.setenv("CTAX_CACHE_DIR", "off")
    return copy_2013(tmp_path)


def _table_b_errors(rules, old: str, new: str) -> list[str]:
    table = rules / "2013" / "tables" / "table_b.yaml"
    text = table.read_text(encoding="utf-8")
    assert old in text
    table.write_text(text.replace(old, new, 1), encoding="utf-8")
    _, problems = check_ruleset(rules / "2013")
    return [str(p) for p in problems if p.severity == "error" and p.file.endswith("table_b.yaml")]


# ---------------------------------------------------------------- YAML 1.1 number forms

def test_a_leading_zero_rule_figure_is_refused_not_read_as_octal(rules):
    # the issue: 'a rule figure 075000 validates and lints clean while meaning 31232' (0o75000 = 31232)
    errors = _table_b_errors(rules, "less_than_or_equal_to: 10000,", "less_than_or_equal_to: 010000,")
    assert len(errors) == 1
    assert errors[0].startswith("rules/2013/tables/table_b.yaml:")
    assert "number '010000' has a leading zero, which YAML 1.1 tools read as octal" in errors[0]


@pytest.mark.parametrize("form", ["1:20", "0x2710", "0b10011100010000", "10_000", "0o23420"])
def test_other_yaml_11_number_forms_are_text_and_so_refused_as_figures(rules, form):
    # YAML 1.1 reads 1:20 as 80 (base 60), 0x2710 as 10000, 10_000 as 10000; YAML 1.2 reads them as text
    errors = _table_b_errors(rules, "less_than_or_equal_to: 10000,", f"less_than_or_equal_to: {form},")
    assert errors and all("table_b.yaml:" in e for e in errors)
    assert any(f"'{form}' is not of type 'number'" in e or f"'{form}' is not valid under" in e for e in errors), errors


@pytest.mark.parametrize("written, message", [
    ("ct_agi: 060000", "number '060000' has a leading zero"),  # YAML 1.1: 24576
    ("ct_agi: 1:20", "input 'ct_agi' must be a number; got '1:20'"),  # YAML 1.1: 80
    ("ct_agi: 0x10", "input 'ct_agi' must be a number; got '0x10'"),
    ("ct_agi: 0b101", "input 'ct_agi' must be a number; got '0b101'"),
    ("ct_agi: 60_000", "input 'ct_agi' must be a number; got '60_000'"),
])
def test_yaml_11_number_forms_in_an_inputs_file_are_refused(capsys, tmp_path, written, message):
    inputs = tmp_path / "inputs.yaml"
    inputs.write_text(f"filing_status: single\n{written}\n", encoding="utf-8")
    status, out, err = run(capsys, "evaluate", "2013", "tax_calculation", "--input", str(inputs))
    assert status == 1 and out == ""
    assert message in err


def test_a_leading_zero_in_a_case_file_is_located(tmp_path):
    case = tmp_path / "2013" / "cases.yaml"
    case.parent.mkdir()
    case.write_text("worksheet: tax_calculation\ncases:\n  - name: octal\n    inputs: {filing_status: single, "
                    "ct_agi: 060000}\n    expected: {ct_income_tax: 2813}\n", encoding="utf-8")
    with pytest.raises(CaseFileError, match=r"cases.yaml:4:45: number '060000' has a leading zero"):
        load_cases(case)


def test_yaml_12_decimal_forms_still_read_exactly(tmp_path):
    path = tmp_path / "inputs.yaml"
    path.write_text("a: 60000\nb: 60000.50\nc: 6.00005e4\nd: -0.5\ne: 0\nf: 0.25\n", encoding="utf-8")
    assert read_yaml(path).data == {"a": 60000, "b": Decimal("60000.50"), "c": Decimal("60000.5"),
                                    "d": Decimal("-0.5"), "e": 0, "f": Decimal("0.25")}


# ---------------------------------------------------------------- rule figures are bounded

@pytest.mark.parametrize("figure, message", [
    ("1.0e+999999999", "number '1.0e+999999999' is out of range"),  # the issue: passed, then 11.7 s a run
    ("1" * 4300, "is longer than 40 characters"),                      # the issue: ValueError in validate
    ("1e21", "number '1e21' is out of range"),
    ("1e-21", "number '1e-21' is out of range"),
])
def test_huge_or_tiny_rule_figures_are_refused_at_validation(rules, figure, message):
    errors = _table_b_errors(rules, "base_tax: 0,", f"base_tax: {figure},")
    assert len(errors) == 1 and errors[0].startswith("rules/2013/tables/table_b.yaml:") and message in errors[0]


# ---------------------------------------------------------------- amount text

@pytest.mark.parametrize("text", ["60000,50", "1.234,56", "1,2e4", "1,23", "12,3456", ",123", "1,,234",
                                  "1_000", "$-$5", "-+5", "1,234e3", "\u0663", "60000.5.0"])
def test_amount_text_with_commas_that_are_not_thousands_separators_is_refused(text):
    # the issue: "60000,50" became 6000050, "1.234,56" 1.23456, "1,2e4" 120000
    with pytest.raises(InvalidAmountError, match=re.escape(f"input 'ct_agi' must be a number; got {text!r}")) as caught:
        to_decimal("ct_agi", text)
    assert caught.value.field == "ct_agi"


@pytest.mark.parametrize("text, value", [
    ("60,000.50", "60000.50"), ("$1,234,567.89", "1234567.89"), ("-$1,234", "-1234"), ("$-1,234", "-1234"),
    (" 60000 ", "60000"), ("1.5e4", "15000"), ("+5", "5"), (".5", "0.5"), ("-0", "0"),
])
def test_amount_text_with_thousands_separators_is_read_exactly(text, value):
    assert to_decimal("ct_agi", text) == Decimal(value)


def test_the_cli_names_the_input_of_a_refused_amount(capsys):
    status, _, err = run(capsys, "evaluate", "2024", "tax_calculation", "filing_status=single", "ct_agi=60000,50")
    assert status == 1 and "input 'ct_agi' must be a number; got '60000,50'" in err


# ---------------------------------------------------------------- the engine's own decimal context

def _tax_2024(agi) -> Decimal:
    return engine.evaluate(2024, "tax_calculation", {**SINGLE, "ct_agi": agi})["ct_income_tax"]


def test_the_callers_decimal_context_does_not_change_the_tax():
    # the issue: with decimal.getcontext().prec = 5 the 2024 tax on 60000.50 came out as 2317, not 2343
    expected = _tax_2024("60000.50")
    assert expected == 2343  # the figure the issue gives for the default context
    with decimal.localcontext() as context:
        context.prec = 5
        assert _tax_2024("60000.50") == expected
        context.rounding = decimal.ROUND_FLOOR
        assert _tax_2024("60000.50") == expected
        for trap in (decimal.Inexact, decimal.Rounded, decimal.Subnormal, decimal.Clamped):
            context.traps[trap] = True  # these used to raise raw decimal exceptions
        assert _tax_2024("60000.50") == expected
        assert to_decimal("ct_agi", "60000.50") == Decimal("60000.50")


def test_a_thread_with_its_own_context_gets_the_same_answer():
    seen = []

    def worker() -> None:
        decimal.getcontext().prec = 3
        decimal.getcontext().traps[decimal.Inexact] = True
        seen.append(_tax_2024("60000.50"))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [_tax_2024("60000.50")]


def test_lint_and_validation_run_in_the_engine_context(capsys):
    with decimal.localcontext() as context:
        context.prec = 3
        context.traps[decimal.Inexact] = True
        assert run(capsys, "lint", "--strict")[0] == 0
        assert run(capsys, "validate")[0] == 0


# ---------------------------------------------------------------- amounts are bounded

@pytest.mark.parametrize("amount, message", [
    ("1e1000000", "out of range"),                      # decimal.Overflow from abs() in the issue
    (Decimal("1e1000000"), "out of range"),
    (Decimal("-1e999999999"), "out of range"),
    ("9" * 10_000_000, "out of range"),                  # a 10-million-digit string
    (10 ** 400, "out of range"),
    (1e300, "out of range"),
    ("1234567890123.1234567890123456", "more than 28 significant digits"),  # 29 digits: was rounded
    (Decimal("1e-1000000"), "more than 20 decimal places"),
])
def test_absurd_amounts_are_refused_with_the_packages_error_quickly(amount, message):
    started = time.perf_counter()
    with pytest.raises(InvalidAmountError, match=message):
        engine.evaluate(2024, "tax_calculation", {**SINGLE, "ct_agi": amount})
    assert time.perf_counter() - started < 2


# ---------------------------------------------------------------- NumPy numbers

def test_numpy_numbers_are_read_exactly():
    np = pytest.importorskip("numpy")
    # under NumPy 2, repr(numpy.float64(60000.5)) is 'np.float64(60000.5)', which Decimal() refused
    assert to_decimal("ct_agi", np.float64(60000.5)) == Decimal("60000.5")
    assert to_decimal("ct_agi", np.float64(0.1)) == Decimal("0.1")  # the shortest repr, not the binary value
    assert to_decimal("ct_agi", np.int64(60000)) == 60000
    assert to_decimal("ct_agi", np.int32(-5)) == -5
    assert to_decimal("ct_agi", np.float32(0.1)) == Decimal("0.1")
    assert _tax_2024(np.float64(60000.5)) == _tax_2024("60000.5")
    assert _tax_2024(np.int64(60000)) == _tax_2024(60000)
    for refused in (np.float64("nan"), np.float64("inf"), np.bool_(True)):
        with pytest.raises(InvalidAmountError):
            to_decimal("ct_agi", refused)
