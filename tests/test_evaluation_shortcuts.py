"""The shortcuts one evaluation takes (issue 13) give what the general path gives: table values without
their Match, row values indexed straight from a closure, inputs read by per-type readers, arithmetic
over names read from the values, the engine's decimal context set per thread, the rule set found
again by its freshness key."""
from __future__ import annotations

import decimal
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

import engine
from engine import api
from engine.errors import EvaluationError, InvalidAmountError, InvalidFilingStatusError, InvalidInputError
from engine.lang.expressions import Scope
from engine.lang.registry import ROUNDINGS
from engine.model.inputs import InputSpec
from engine.model.status import canonical_status
from engine.run.scalar import compile_expression
from engine.run.whole import whole_dollar_lines

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SINGLE = {"filing_status": "single"}


def _amounts(table) -> list[Decimal]:
    """Every bound of every column, a cent and a dollar either side, and amounts far below and above."""
    bounds = {Decimal(-1000), Decimal(0), Decimal(10) ** 7}
    for column in table.distinct_columns():
        for row in (*column.rows, *column.brackets):
            for bound in (row.lo, row.hi):
                if bound is not None:
                    bounds.update(bound + step for step in (Decimal(-1), Decimal("-0.01"), 0, Decimal("0.01"), 1))
    return sorted(bounds)


@pytest.mark.parametrize("year", [2023, 2024])
def test_a_tables_value_is_its_lookups_value_at_every_bound(year):
    checked = 0
    for table in engine.load(year).tables.values():
        if table.kind == "scalar":
            continue
        for status in table.columns:
            for amount in _amounts(table):
                expected = table.lookup(status, amount)[0]
                found = table.value(status, amount)
                assert (found, str(found)) == (expected, str(expected)), (table.name, status, amount)
                checked += 1
    assert checked > 1000


def test_table_values_read_as_the_2024_publication_prints_them():
    tables = engine.load(2024).tables
    # Table B, single, "more than $10,000 ... $50,000: $200 plus 4.5% of the excess over $10,000"
    assert tables["table_b"].value("single", Decimal(45000)) == 200 + Decimal("0.045") * 35000  # 1,775.00
    # Table A, single: $15,000 up to $30,000 of CT AGI, then $1,000 less for each $1,000 or fraction
    table_a = tables["table_a"]
    assert table_a.value("single", Decimal(30000)) == 15000
    assert table_a.value("single", Decimal(30001)) == 14000
    assert table_a.value("single", Decimal(44001)) == 0  # 15,000 - 15 x 1,000
    assert table_a.value("single", Decimal(-5)) == 15000  # at or below the floor: the first row's


@pytest.mark.parametrize("agi, exemption", [(30000, 15000), (30000.5, 14000), (31000, 14000), (31001, 13000)])
def test_an_evaluation_reads_table_rows_by_the_rounded_amount(agi, exemption):
    # Line 1 rounds CT AGI to whole dollars (30,000.50 -> 30,001), and Table A is read with it
    result = engine.evaluate(2024, "tax_calculation", {**SINGLE, "ct_agi": agi}, trace=False)
    assert result["exemption"] == exemption


def test_untraced_and_traced_evaluations_agree_and_the_trace_shows_the_rows():
    inputs = {**SINGLE, "ct_agi": 60000}
    untraced = engine.evaluate(2024, "tax_calculation", inputs, trace=False)
    traced = engine.evaluate(2024, "tax_calculation", inputs)
    assert untraced.outputs == traced.outputs
    assert untraced.lines == []
    # no exemption above $44,000 (15,000 - 30 x 1,000 is below 0), so 60,000 taxable; Table B, single,
    # more than $50,000: $2,000 plus 5.5% of the excess over $50,000 = 2,000 + 550 = 2,550
    assert traced.line("exemption").value == 0
    initial = traced.line("initial_tax")
    assert initial.value == 2550
    assert [m.table for m in initial.matches] == ["table_b"]
    assert initial.matches[0].lower == 50000 and initial.matches[0].upper == 100000


# ---------------------------------------------------------------- inputs


@pytest.mark.parametrize("spec, value, expected", [
    (InputSpec("agi", "money", "AGI"), 60000, Decimal(60000)),
    (InputSpec("agi", "money", "AGI"), "$1,234.50", Decimal("1234.50")),
    (InputSpec("agi", "money", "AGI"), 60000.5, Decimal("60000.5")),
    (InputSpec("n", "integer", "Count"), "3", Decimal(3)),
    (InputSpec("ok", "boolean", "OK"), "yes", True),
    (InputSpec("fs", "filing_status", "Status"), "MFJ", "married_filing_jointly"),
    (InputSpec("fs", "filing_status", "Status"), "single", "single"),
    (InputSpec("c", "choice", "Choice", choices=("a", "b")), "b", "b"),
])
def test_an_inputs_reader_reads_as_coerce_does(spec, value, expected):
    assert spec.reader()(value) == expected
    assert spec.coerce(value) == expected


@pytest.mark.parametrize("spec, value, error", [
    (InputSpec("agi", "money", "AGI"), "12abc", InvalidAmountError),
    (InputSpec("agi", "money", "AGI", minimum=Decimal(0)), -1, InvalidAmountError),
    (InputSpec("agi", "money", "AGI", maximum=Decimal(10)), 11, InvalidAmountError),
    (InputSpec("agi", "money", "AGI"), 10 ** 16, InvalidAmountError),
    (InputSpec("n", "integer", "Count"), "3.5", InvalidAmountError),
    (InputSpec("fs", "filing_status", "Status"), "married", InvalidFilingStatusError),
    (InputSpec("c", "choice", "Choice", choices=("a", "b")), "z", InvalidInputError),
    (InputSpec("x", "colour", "Colour"), "red", InvalidInputError),
])
def test_an_inputs_reader_refuses_as_coerce_does(spec, value, error):
    with pytest.raises(error) as by_reader:
        spec.reader()(value)
    with pytest.raises(error) as by_coerce:
        spec.coerce(value)
    assert str(by_reader.value) == str(by_coerce.value)
    assert by_reader.value.field == spec.name


def test_a_filing_status_is_given_back_as_plain_text():
    class Text(str):
        pass

    status = canonical_status(Text("single"))
    assert status == "single" and type(status) is str
    assert canonical_status("Head of Household") == "head_of_household"
    assert canonical_status(["single"]) is None


def test_the_callers_inputs_are_read_not_changed():
    inputs = {"filing_status": "MFJ", "ct_agi": "60,000"}
    result = engine.evaluate(2024, "tax_calculation", inputs, trace=False)
    assert inputs == {"filing_status": "MFJ", "ct_agi": "60,000"}
    assert result.inputs == {"filing_status": "married_filing_jointly", "ct_agi": Decimal(60000)}
    assert result.inputs is not inputs


# ---------------------------------------------------------------- expressions and roundings


NUMBERS = Scope(values={"a", "b", "c", "d"}, tables={}, kinds=dict.fromkeys("abcd", "number"))
VALUES = {"a": Decimal(10), "b": Decimal(3), "c": Decimal("0.5"), "d": Decimal(-2)}


@pytest.mark.parametrize("text, expected", [
    ("a - b", Decimal(7)),
    ("(a + b) - c", Decimal("12.5")),
    ("a - (b + c)", Decimal("6.5")),
    ("(a + b) * (c + d)", Decimal("-19.5")),  # 13 x -1.5
    ("a * 2 - b", Decimal(17)),
    ("max(0, b - a)", Decimal(0)),
    ("max(0, a - b)", Decimal(7)),
    ("min(a, b) + d", Decimal(1)),
])
def test_arithmetic_over_names_and_parts(text, expected):
    assert compile_expression(text, NUMBERS).run(VALUES, None) == expected


def test_arithmetic_on_an_input_left_out_is_an_evaluation_error():
    with pytest.raises(EvaluationError, match="cannot compute 'a - b'"):
        compile_expression("a - b", NUMBERS).run({**VALUES, "a": None}, None)


@pytest.mark.parametrize("rounding, value, expected", [
    ("dollars", "2342.50", "2343"),  # 50 cents and up rounds up
    ("dollars", "2342.49", "2342"),
    ("dollars", "-2.5", "-3"),  # half up is away from zero
    ("cents", "2.345", "2.35"),
    ("four_decimals", "0.123450", "0.1235"),
])
def test_roundings_are_half_up_whatever_the_callers_context(rounding, value, expected):
    exact = ROUNDINGS[rounding].exact
    with decimal.localcontext() as context:
        context.rounding = decimal.ROUND_FLOOR
        context.prec = 3
        assert str(exact(Decimal(value))) == expected


# ---------------------------------------------------------------- the decimal context


def test_an_evaluation_leaves_the_callers_context_as_it_was():
    with decimal.localcontext() as context:
        context.prec = 5
        engine.evaluate(2024, "tax_calculation", {**SINGLE, "ct_agi": "60000.50"})
        assert decimal.getcontext() is context and context.prec == 5
        with pytest.raises(engine.InvalidAmountError):
            engine.evaluate(2024, "tax_calculation", {**SINGLE, "ct_agi": "1e1000000"})
        assert decimal.getcontext() is context and context.prec == 5
        # an arithmetic signal inside the engine still becomes the package's error, and the context is back
        with pytest.raises(EvaluationError):
            compile_expression("a / b", NUMBERS).run({**VALUES, "b": Decimal(0)}, None)
        assert decimal.getcontext() is context


# ---------------------------------------------------------------- the rule set's freshness key


def test_a_changed_ctax_rules_is_seen_at_once(tmp_path, monkeypatch):
    with_2013, without = tmp_path / "with", tmp_path / "without"
    shutil.copytree(FIXTURES / "minimal", with_2013)
    without.mkdir()
    api.clear_cache()
    try:
        monkeypatch.setenv("CTAX_RULES", str(with_2013))
        assert engine.evaluate(2013, "tax", {"filing_status": "single", "agi": 100}, trace=False)
        monkeypatch.setenv("CTAX_RULES", str(without))  # well within RECHECK_SECONDS of the first call
        with pytest.raises(engine.UnknownYearError):
            engine.evaluate(2013, "tax", {"filing_status": "single", "agi": 100}, trace=False)
    finally:
        api.clear_cache()


# ---------------------------------------------------------------- a line that need not round


def _rounded_exemption_rules(tmp_path: Path, joint_value: str) -> Path:
    """The minimal rules with the exemption line rounded to dollars and the joint column's first row
    worth ``joint_value``."""
    rules = tmp_path / "rules"
    shutil.copytree(FIXTURES / "minimal", rules)
    table = rules / "2013" / "tables" / "exemption.yaml"
    table.write_text(table.read_text().replace(
        "{more_than: 0, less_than_or_equal_to: 20000, value: 2000}",
        f"{{more_than: 0, less_than_or_equal_to: 20000, value: {joint_value}}}"))
    sheet = rules / "2013" / "worksheets" / "tax.yaml"
    sheet.write_text(sheet.read_text().replace(
        "    expression: exemption(filing_status, agi)\n",
        "    expression: exemption(filing_status, agi)\n    round: dollars\n"))
    return rules


@pytest.mark.parametrize("joint_value, status, agi, expected", [
    ("2000", "single", 5000, "1000"),  # every row a whole dollar: the line is read as printed
    ("2000", "married_filing_jointly", 5000, "2000"),
    ("2000.50", "married_filing_jointly", 5000, "2001"),  # a row with cents: the line still rounds, half up
    ("2000.50", "single", 10500, "500"),
])
def test_a_rounded_table_line_is_as_rounding_leaves_it(tmp_path, joint_value, status, agi, expected):
    rules = _rounded_exemption_rules(tmp_path, joint_value)
    result = engine.evaluate(2013, "tax", {"filing_status": status, "agi": agi}, rules=rules)
    assert str(result.line("exemption_amount").value) == expected


# ---------------------------------------------------------------- lines already whole dollars (engine.run.whole)


def test_the_2024_schedule_lines_left_unrounded_are_those_worked_out_by_hand():
    # Worked out from the 2024 Tax Calculation Schedule: Line 1 is CT AGI, which may carry cents, and
    # Line 4 (Table B: a rate times an amount) and Line 9 (Line 7 times Table E's decimal) need not be
    # whole, so those three round. Lines 2, 5 and 6 are Tables A, C and D, every printed value a whole
    # dollar; Line 3 is max(0, Line 1 - Line 2), Line 7 the sum of Lines 4-6 and Line 10 Line 7 - Line 9,
    # all over whole dollars below a quadrillion: rounding gives each back unchanged.
    sheet = engine.load(2024).worksheet("tax_calculation")
    assert whole_dollar_lines(sheet) == {"exemption", "taxable_income", "phase_out_add_back", "recapture",
                                         "tax_before_credits", "ct_income_tax"}


@pytest.mark.parametrize("year", [2023, 2024])
def test_a_line_left_unrounded_is_what_rounding_it_would_give(year):
    """Every line the analysis skips, on every status at every bound of Tables A-E a cent and a dollar
    either side: rounding its value half up to dollars gives the same digits and exponent."""
    ruleset = engine.load(year)
    sheet = ruleset.worksheet("tax_calculation")
    skipped = whole_dollar_lines(sheet)
    amounts = sorted({a for name in ("table_a", "table_b", "table_c", "table_d", "table_e")
                      for a in _amounts(ruleset.tables[name])})
    checked = 0
    for status in ruleset.tables["table_b"].columns:
        for amount in amounts:
            result = engine.evaluate(year, "tax_calculation", {"filing_status": status, "ct_agi": amount},
                                     trace=False)
            for line_id in skipped:
                value = result._values[line_id]
                rounded = ROUNDINGS["dollars"].exact(value) if isinstance(value, Decimal) else value
                assert (str(value), type(value)) == (str(rounded), type(rounded)), (status, amount, line_id)
                checked += 1
    assert checked > 5000


def _sheet_with_lines(tmp_path: Path, lines: str) -> Path:
    """The minimal rules with ``lines`` (YAML list items) added after the worksheet's own."""
    rules = tmp_path / "rules"
    shutil.copytree(FIXTURES / "minimal", rules)
    sheet = rules / "2013" / "worksheets" / "tax.yaml"
    sheet.write_text(sheet.read_text() + lines)
    return rules


def _line(id_: str, expression: str, rounding: str = "dollars") -> str:
    return (f"  - id: {id_}\n    line: '{id_}'\n    label: {id_}\n    expression: {expression}\n"
            f"    round: {rounding}\n    source: {{document: Test Doc, section: Schedule, page: 3}}\n")


def test_a_line_is_left_unrounded_only_when_its_sum_stays_exact(tmp_path):
    rules = _sheet_with_lines(tmp_path, "".join([
        _line("sum_of_dollars", "taxable + tax_due - 7"),  # whole dollars far below 10**27: skipped
        _line("with_cents", "taxable + 0.50"),  # a constant with cents: rounds
        _line("by_agi", "agi - 1"),  # an input may carry cents: rounds
        _line("product", "taxable * 3"),  # not a sum: rounds
        _line("huge", "taxable * 1000000000000"),  # rounded, so whole, but up to 10**27 in size
        _line("huge_sum", "huge + huge"),  # whole, but its sum may not be exact: rounds
        _line("cents_line", "taxable + 1", "cents"),  # only rounding to dollars is skipped
        _line("after_cents", "cents_line + 1"),  # cents_line holds two places once rounded: rounds
    ]))
    sheet = engine.load(2013, rules=rules).worksheet("tax")
    # taxable (max(0, agi - exemption)) reads an input, which may carry cents: it rounds, and is whole after
    assert whole_dollar_lines(sheet) == {"sum_of_dollars"}
    result = engine.evaluate(2013, "tax", {"filing_status": "single", "agi": "25000.49"}, rules=rules)
    assert str(result.line("with_cents").value) == str(result.line("taxable").value + 1)
    assert str(result.line("by_agi").value) == "24999"
    assert str(result.line("cents_line").value) == f"{result.line('taxable').value + 1}.00"
    assert str(result.line("after_cents").value) == str(result.line("taxable").value + 2)


def test_a_sum_beyond_the_contexts_digits_still_fails_as_rounding_makes_it(tmp_path):
    # huge has 28 digits here: huge + huge needs 29, so the 28-digit context rounds the sum, and rounding
    # it to dollars refuses it. The bound keeps the line from being skipped, so that refusal stands.
    rules = _sheet_with_lines(tmp_path, _line("huge", "taxable * 10000000000000") + _line("huge_sum", "huge + huge"))
    with pytest.raises(EvaluationError, match=r"line huge_sum \(huge_sum\): cannot compute 'huge \+ huge'"):
        engine.evaluate(2013, "tax", {"filing_status": "single", "agi": 999_999_999_999_999}, rules=rules)


# ---------------------------------------------------------------- a result read before its outputs' dict is built


def test_an_output_read_by_name_is_the_one_in_the_outputs_dict():
    inputs = {**SINGLE, "ct_agi": "60000.50"}
    by_name = engine.evaluate(2024, "tax_calculation", inputs, trace=False)
    # 2024 single, CT AGI $60,000.50: Line 1 rounds to $60,001; Table A: no exemption (above $44,000);
    # Table B: $2,000 + 5.5% of the $10,001 over $50,000 = $2,550.06 -> $2,550; Table C: $25 (more than
    # $56,500 up to $61,500); Table D: $0; Line 7: $2,575; Table E: 0.09 (more than $60,000 up to $60,500),
    # so Line 9 is $231.75 -> $232, and the tax $2,575 - $232 = $2,343
    assert by_name["ct_income_tax"] == 2343
    assert {name: by_name[name] for name in by_name.outputs} == by_name.outputs
    assert by_name.inputs == {"filing_status": "single", "ct_agi": Decimal("60000.50")}
    with pytest.raises(KeyError, match="no output 'connecticut_agi'"):
        by_name["connecticut_agi"]  # a line, not an output
    by_name.outputs = {"ct_income_tax": Decimal(1)}  # set as on any object: read by name from then on
    assert by_name["ct_income_tax"] == 1
