"""The rule format (issue 12): values derived when a file omits them, 'optional: true', steps that pass
inputs by name, each table kind's keys in the schema, notes reaching the model, unique printed line
numbers. Most tests edit one place of a copy of the shipped 2013 rules."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from cli_helpers import ROOT, copy_2013, run

import engine
from engine.loading.ruleset import check_ruleset


@pytest.fixture
def rules(tmp_path, monkeypatch):
    monkeypatch.setenv("CTAX_CACHE_DIR", "off")
    return copy_2013(tmp_path)


def edit(rules: Path, relative: str, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` once in a rule file; return the 1-based line where it starts."""
    path = rules / "2013" / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    index = text.index(old)
    path.write_text(text[:index] + new + text[index + len(old):], encoding="utf-8")
    return text[:index].count("\n") + 1


def errors_of(rules: Path) -> list:
    ruleset, problems = check_ruleset(rules / "2013")
    assert ruleset is None, "a rule set with an error must not load"
    return [p for p in problems if p.severity == "error"]


# ---------------------------------------------------------------- 1. excess_over and floor derived

def test_excess_over_omitted_is_the_brackets_lower_bound():
    # IP 2013(8), Table B, Single or Filing Separately: "More than $10,000, but less than or equal to
    # $50,000 ... $300 plus 5.0% of the excess over $10,000". The shipped file no longer writes excess_over.
    column = engine.load(2013).tables["table_b"].columns["single"]
    assert [b.excess_over for b in column.brackets] == [b.lo for b in column.brackets]
    assert column.brackets[1].excess_over == Decimal(10000)
    # taxable income $13,000: $300 + 5% x ($13,000 - $10,000) = $300 + $150 = $450
    tax, match = engine.load(2013).tables["table_b"].lookup("single", Decimal(13000))
    assert tax == Decimal(450)
    assert match.description.endswith("$300 plus 5% of the excess over $10,000")


def test_excess_over_given_and_different_is_used_as_written(rules):
    # a file may still say "of the excess over $5,000" for the $10,000 bracket: it is used as written
    edit(rules, "tables/table_b.yaml", "{more_than: 10000, less_than_or_equal_to: 50000, base_tax: 300, rate: 0.05}",
         "{more_than: 10000, less_than_or_equal_to: 50000, base_tax: 300, rate: 0.05, excess_over: 5000}")
    table = engine.load(2013, rules).tables["table_b"]
    tax, match = table.lookup("single", Decimal(13000))
    assert tax == Decimal(700)  # $300 + 5% x ($13,000 - $5,000) = $300 + $400
    assert "of the excess over $5,000" in match.description


def test_floor_omitted_is_the_first_rows_lower_bound():
    # IP 2013(8), Table E, Single: the first row is "More Than $14,000, Less Than or Equal To $17,500: .75";
    # the file gives no floor
    column = engine.load(2013).tables["table_e"].columns["single"]
    assert column.floor == Decimal(14000)
    assert engine.load(2013).tables["table_e"].lookup("single", Decimal(14000))[0] == Decimal("0.75")


def test_floor_given_and_different_is_a_located_error(rules):
    line = edit(rules, "tables/table_e.yaml", "    at_or_below_floor: 0.75\n",
                "    floor: 15000\n    at_or_below_floor: 0.75\n")
    errors = errors_of(rules)
    assert any(p.file == "rules/2013/tables/table_e.yaml" and p.line == line
               and "the first row starts at $14,000, not at the table's floor $15,000" in p.message
               for p in errors), errors


def test_floor_given_and_equal_is_accepted(rules):
    edit(rules, "tables/table_e.yaml", "    at_or_below_floor: 0.75\n",
         "    floor: 14000\n    at_or_below_floor: 0.75\n")
    assert engine.load(2013, rules).tables["table_e"].columns["single"].floor == Decimal(14000)


# ---------------------------------------------------------------- 4. optional: true

OPTIONAL_INPUT = "    optional: true\n    minimum: 0\n  prior_year_tax:"


def test_optional_true_means_may_be_left_out_with_no_value():
    spec = engine.load(2013).worksheet("ct_w4p").inputs["withholding_per_payment_requested"]
    assert (spec.has_default, spec.default) == (True, None)


@pytest.mark.parametrize("spelling", ["    default: null\n", "    optional: true\n"])
def test_default_null_and_optional_true_give_the_same_input_and_result(rules, spelling):
    edit(rules, "worksheets/ct_w4p.yaml", OPTIONAL_INPUT, spelling + "    minimum: 0\n  prior_year_tax:")
    spec = engine.load(2013, rules).worksheet("ct_w4p").inputs["withholding_per_payment_requested"]
    assert (spec.has_default, spec.default) == (True, None)
    inputs = {"filing_status": "single", "federal_agi": 60000, "payments_per_year": 12}
    shipped = engine.evaluate(2013, "ct_w4p", inputs, trace=False).outputs
    assert engine.evaluate(2013, "ct_w4p", inputs, trace=False, rules=rules).outputs == shipped


def test_optional_false_leaves_the_input_required(rules):
    edit(rules, "worksheets/ct_w4p.yaml", OPTIONAL_INPUT, "    optional: false\n    minimum: 0\n  prior_year_tax:")
    spec = engine.load(2013, rules).worksheet("ct_w4p").inputs["withholding_per_payment_requested"]
    assert spec.has_default is False


def test_optional_and_default_together_are_a_located_error(rules):
    line = edit(rules, "worksheets/ct_w4p.yaml", OPTIONAL_INPUT,
                "    optional: true\n    default: 0\n    minimum: 0\n  prior_year_tax:")
    errors = errors_of(rules)
    assert any(p.file == "rules/2013/worksheets/ct_w4p.yaml" and p.line == line
               and "has both 'optional: true' and a 'default'" in p.message for p in errors), errors


def test_optional_must_be_a_boolean(rules):
    line = edit(rules, "worksheets/ct_w4p.yaml", OPTIONAL_INPUT,
                "    optional: maybe\n    minimum: 0\n  prior_year_tax:")
    errors = errors_of(rules)
    assert any(p.line == line and "is not of type 'boolean'" in p.message for p in errors), errors


# ---------------------------------------------------------------- 3. a step passes inputs by name

W4P_STEP = "      pass: [filing_status, ct_agi]\n"
W4P_INPUTS = {"filing_status": "single", "federal_agi": 60000, "payments_per_year": 12}


@pytest.mark.parametrize("written", [
    "      inputs:\n        filing_status: filing_status\n        ct_agi: ct_agi\n",  # today's spelling
    "      pass: [filing_status]\n      inputs: {ct_agi: ct_agi}\n",
    "      inputs: {ct_agi: ct_agi}\n      pass: [filing_status]\n",
])
def test_pass_means_the_same_as_restating_each_name(rules, written):
    edit(rules, "worksheets/ct_w4p.yaml", W4P_STEP, written)
    shipped = engine.evaluate(2013, "ct_w4p", W4P_INPUTS)
    edited = engine.evaluate(2013, "ct_w4p", W4P_INPUTS, rules=rules)
    assert edited.outputs == shipped.outputs
    # the trace shows the step as before, the passed names first:
    assert edited.line("ct_income_tax").expression == \
        "tax_calculation(filing_status=filing_status, ct_agi=ct_agi).ct_income_tax"


def test_pass_a_name_that_is_not_in_scope_is_a_located_error(rules):
    line = edit(rules, "worksheets/ct_w4p.yaml", W4P_STEP, "      pass: [filing_status, ct_agl]\n")
    errors = errors_of(rules)
    assert any(p.file == "rules/2013/worksheets/ct_w4p.yaml" and p.line == line
               and "cannot pass 'ct_agl': it is not an input or an earlier line of this worksheet "
                   "(did you mean 'ct_agi'?)" in p.message for p in errors), errors


def test_pass_a_later_line_is_a_located_error(rules):
    # 'balance' is a later line of ct_w4p: a step can only read what is known before it
    line = edit(rules, "worksheets/ct_w4p.yaml", W4P_STEP, "      pass: [filing_status, ct_agi, balance]\n")
    assert any(p.line == line and "cannot pass 'balance'" in p.message for p in errors_of(rules))


def test_pass_and_inputs_naming_the_same_input_is_a_located_error(rules):
    line = edit(rules, "worksheets/ct_w4p.yaml", W4P_STEP,
                "      pass: [filing_status, ct_agi]\n      inputs: {ct_agi: federal_agi}\n")
    assert any(p.line == line and "'ct_agi' is both passed and in 'inputs'" in p.message for p in errors_of(rules))


def test_pass_a_name_the_other_worksheet_lacks_is_a_located_error(rules):
    # ct_w4p has an input 'payments_per_year'; tax_calculation has no such input
    line = edit(rules, "worksheets/ct_w4p.yaml", W4P_STEP, "      pass: [filing_status, ct_agi, payments_per_year]\n")
    assert any(p.line == line and "worksheet 'tax_calculation' has no input 'payments_per_year'" in p.message
               for p in errors_of(rules))


def test_a_step_missing_an_input_names_it(rules):
    line = edit(rules, "worksheets/ct_w4p.yaml", W4P_STEP, "      pass: [filing_status]\n")
    assert any(p.line == line and "worksheet 'tax_calculation' needs input 'ct_agi'" in p.message
               for p in errors_of(rules))


def test_shipped_steps_restate_no_name():
    # every 'x: x' of a step is written in 'pass' instead
    files = sorted(ROOT.glob("rules/*/worksheets/*.yaml"))
    assert files
    for path in files:
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["lines"]:
            restated = [name for name, text in entry.get("step", {}).get("inputs", {}).items() if name == text]
            assert not restated, (path, entry["id"], restated)


# ---------------------------------------------------------------- 5. each table kind's keys, in the schema

def schema_errors(rules: Path, relative: str) -> list:
    return [p for p in errors_of(rules) if p.file == f"rules/2013/{relative}"]


@pytest.mark.parametrize("relative, old, new, message", [
    # a range table's column given a bracket schedule
    ("tables/table_a.yaml", "    at_or_below_floor: 14000\n",
     "    at_or_below_floor: 14000\n    brackets: [{more_than: 0, and_up: true, base_tax: 0, rate: 0.03}]\n",
     "'brackets' does not belong in a range table"),
    # a bracket table's column given printed rows, or a value for amounts below its floor
    ("tables/table_b.yaml", "    brackets:\n", "    rows: [{more_than: 0, and_up: true, value: 1}]\n    brackets:\n",
     "'rows' does not belong in a brackets table"),
    ("tables/table_b.yaml", "    brackets:\n", "    at_or_below_floor: 0\n    brackets:\n",
     "'at_or_below_floor' does not belong in a brackets table"),
    # a scalar given rows, a lookup, or columns; a range table given a single value
    ("tables/eft_threshold.yaml", "kind: scalar\n", "kind: scalar\nrows: [{more_than: 0, and_up: true, value: 1}]\n",
     "'rows' does not belong in a scalar table"),
    ("tables/eft_threshold.yaml", "kind: scalar\n", "kind: scalar\nlookup: Liability\n",
     "'lookup' does not belong in a scalar table"),
    ("tables/table_a.yaml", "kind: range\n", "kind: range\nvalue: 14000\n", "'value' does not belong in a range table"),
])
def test_a_key_of_another_table_kind_is_a_located_schema_error(rules, relative, old, new, message):
    line = edit(rules, relative, old, new) + new[:new.index(message.split("'")[1])].count("\n")
    errors = schema_errors(rules, relative)
    assert any(p.line == line and p.message == message for p in errors), errors


def test_the_schema_says_which_keys_belong_to_which_kind():
    # what an editor reads: under kind 'range', 'brackets' (top level and in a column) is refused
    schema = json.loads((ROOT / "schemas" / "table.schema.json").read_text(encoding="utf-8"))
    rule = next(r for r in schema["allOf"] if r["if"]["properties"]["kind"] == {"const": "range"})
    assert rule["then"]["properties"]["brackets"]["$ref"] == "#/$defs/not_in_this_kind"
    column = schema["$defs"][rule["then"]["properties"]["columns"]["$ref"].split("/")[-1]]
    assert column["items"]["properties"]["brackets"]["$ref"] == "#/$defs/not_in_this_kind"
    assert "rows" not in column["items"]["properties"] and "formula" not in column["items"]["properties"]


# ---------------------------------------------------------------- 2. notes and formula texts reach the model

TABLE_A_NOTE = "The printed rows start at 'more than $0'. At or below $0 (a negative AGI is legal)"
TABLE_A_FORMULA = ("Maximum $14,000, reduced by $1,000 for each $1,000, or fraction thereof, of Connecticut AGI over "
                   "$28,000 (Conn. Gen. Stat. 12-702).")


def test_a_columns_note_and_its_formulas_text_are_in_the_model():
    table = engine.load(2013).tables["table_a"]
    column = table.columns["single"]
    assert column.note.startswith(TABLE_A_NOTE)
    assert column.formula.text == TABLE_A_FORMULA
    # the trace's Match of a lookup in that column carries the note (Table A, Single: "more than $0, less
    # than or equal to $28,000: $14,000"), while the result format keeps its keys
    value, match = table.lookup("single", Decimal(20000))
    assert value == Decimal(14000)
    assert match.note == column.note
    assert set(match.to_dict()) == {"table", "column", "row", "lower", "upper", "value", "source"}
    # a column without a note, and a bracket lookup: no note
    assert engine.load(2013).tables["table_b"].lookup("single", Decimal(13000))[1].note is None


STEPPED = """# yaml-language-server: $schema=../../../schemas/table.schema.json
table: steps
title: Add-back
kind: stepped
lookup: Connecticut AGI
unit: dollars
source: {document: IP 2013(8), section: test, page: 1}
formula:
  text: "$20 for each $5,000, or fraction thereof, of Connecticut AGI over $56,500, up to $200."
  components:
    - {amount: 20, for_each: 5000, or_fraction_thereof: true, over: 56500, up_to: 200}
"""


def test_a_stepped_lookup_carries_the_statutes_words(rules):
    (rules / "2013" / "tables" / "steps.yaml").write_text(STEPPED, encoding="utf-8")
    value, match = engine.load(2013, rules).tables["steps"].lookup(None, Decimal("61500.01"))
    assert value == Decimal(40)  # $61,500.01 is $5,000.01 over $56,500: two steps, "or fraction thereof"
    assert match.formula_text == \
        "$20 for each $5,000, or fraction thereof, of Connecticut AGI over $56,500, up to $200."


def test_the_docs_site_shows_column_notes_and_formula_texts(tmp_path, capsys):
    status, _, _ = run(capsys, "docs", "2013", "--out", str(tmp_path / "site"))
    assert status == 0
    page = (tmp_path / "site" / "2013" / "tables" / "table_a.md").read_text(encoding="utf-8")
    assert f"Note: {TABLE_A_NOTE}" in page
    assert f"> {TABLE_A_FORMULA}" in page  # the statute's words, quoted under the formula


# ---------------------------------------------------------------- 6. printed line numbers unique in a worksheet

def test_a_reused_printed_line_number_is_a_located_error(rules):
    # tax_calculation's Line 4 written as "2" (Line 2 is the exemption): 'Line 2' would name two lines
    line = edit(rules, "worksheets/tax_calculation.yaml", '  - id: initial_tax\n    line: "4"\n',
                '  - id: initial_tax\n    line: "2"\n') + 1
    errors = errors_of(rules)
    assert any(p.file == "rules/2013/worksheets/tax_calculation.yaml" and p.line == line
               and "line 2 (initial_tax) repeats the printed number of line 2 (exemption)" in p.message
               for p in errors), errors


def test_a_number_written_as_an_integer_is_the_same_printed_number(rules):
    # 'line: 1' (an integer) and 'line: "1"' are the same printed line
    edit(rules, "worksheets/tax_calculation.yaml", '  - id: taxable_income\n    line: "3"\n',
         '  - id: taxable_income\n    line: 1\n')
    assert any("repeats the printed number of line 1" in p.message for p in errors_of(rules))


def test_the_line_right_after_may_repeat_its_number():
    # IP 2013(8), Form CT-W4P: "14. Subtract Line 13 from Line 12. If this amount is less than $1,000, no
    # estimated payment is required." The shipped file gives the question a line of its own under "14".
    lines = engine.load(2013).worksheet("ct_w4p").lines
    assert [line.id for line in lines if line.line == "14"] == ["balance", "estimated_payment_required"]
