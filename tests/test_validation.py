"""Each loader check, on a copy of the 2013 rules broken in one place: the error names file and line."""
import shutil
from pathlib import Path

import pytest

import engine
from engine.loading.ruleset import check_ruleset

RULES = Path(__file__).resolve().parent.parent / "rules"


@pytest.fixture
def rules(tmp_path):
    shutil.copytree(RULES / "2013", tmp_path / "rules" / "2013")
    return tmp_path / "rules"


def break_file(rules: Path, relative: str, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` once in a rule file; return the 1-based line where ``new`` starts."""
    path = rules / "2013" / relative
    text = path.read_text()
    assert text.count(old) >= 1, f"fixture text not found: {old!r}"
    index = text.index(old)
    path.write_text(text[:index] + new + text[index + len(old):])
    return text[:index].count("\n") + 1


def problems_of(rules: Path):
    ruleset, problems = check_ruleset(rules / "2013")
    assert ruleset is None, "a rule set with an error must not load"
    return problems


def assert_problem(problems, relative, line, *phrases):
    wanted = f"rules/2013/{relative}"
    hits = [p for p in problems if p.file == wanted and p.line == line and all(s in p.message for s in phrases)]
    assert hits, f"no problem at {wanted}:{line} with {phrases}; got:\n" + "\n".join(map(str, problems))


def test_shipped_rules_are_valid():
    for year in engine.years():
        ruleset, problems = check_ruleset(RULES / str(year))
        assert ruleset is not None, "\n".join(map(str, problems))


def test_yaml_syntax_error(rules):
    line = break_file(rules, "tables/table_c.yaml", "kind: range", "kind: [range")
    assert_problem(problems_of(rules), "tables/table_c.yaml", line + 1, "YAML syntax error")


def test_wrong_type(rules):
    line = break_file(rules, "worksheets/tax_calculation.yaml", "    output: true\n", "    output: maybe\n")
    assert_problem(problems_of(rules), "worksheets/tax_calculation.yaml", line, "is not of type 'boolean'")


def test_unknown_key_suggests_closest(rules):
    line = break_file(rules, "tables/table_a.yaml", "value_label:", "valeu_label:")
    assert_problem(problems_of(rules), "tables/table_a.yaml", line, "unknown key 'valeu_label'",
                   "did you mean 'value_label'")


def test_missing_source(rules):
    old = ("    source: {document: IP 2013(8), section: \"2013 Tax Calculation Schedule, Line 3\", "
           "page: 21 ff. (Form CT-W4P)}\n")
    line = break_file(rules, "worksheets/tax_calculation.yaml", old, "")
    # the line entry starting '- id: taxable_income' is reported
    problems = problems_of(rules)
    assert any(p.file.endswith("tax_calculation.yaml") and "source" in p.message for p in problems), problems
    assert any(p.line < line and "'source'" in p.message for p in problems)


def test_row_with_lo_not_below_hi(rules):
    line = break_file(rules, "tables/table_c.yaml", "{more_than: 61500, less_than_or_equal_to: 66500",
                      "{more_than: 61500, less_than_or_equal_to: 61500")
    assert_problem(problems_of(rules), "tables/table_c.yaml", line, "lower bound $61,500 is not below upper bound")


def test_gap(rules):
    line = break_file(rules, "tables/table_e.yaml", "{more_than: 17500, less_than_or_equal_to: 18000",
                      "{more_than: 17600, less_than_or_equal_to: 18000")
    assert_problem(problems_of(rules), "tables/table_e.yaml", line, "gap", "$17,500", "$17,600")


def test_overlap(rules):
    line = break_file(rules, "tables/table_e.yaml", "{more_than: 17500, less_than_or_equal_to: 18000",
                      "{more_than: 17400, less_than_or_equal_to: 18000")
    assert_problem(problems_of(rules), "tables/table_e.yaml", line, "overlap")


def test_rows_out_of_order(rules):
    path = rules / "2013" / "tables" / "table_e.yaml"
    text = path.read_text()
    first = "      - {more_than: 17500, less_than_or_equal_to: 18000, value: 0.70}\n"
    second = "      - {more_than: 18000, less_than_or_equal_to: 18500, value: 0.65}\n"
    path.write_text(text.replace(first + second, second + first, 1))
    line = text[: text.index(first)].count("\n") + 2  # the $17,500 row, now below the $18,000 row
    problems = problems_of(rules)
    assert_problem(problems, "tables/table_e.yaml", line, "out of order", "row 3 starts at $17,500")
    assert not [p for p in problems if "gap" in p.message or "overlap" in p.message]


def test_last_row_must_be_and_up(rules):
    line = break_file(rules, "tables/table_e.yaml", "{more_than: 60500, and_up: true, value: 0.00}",
                      "{more_than: 60500, less_than_or_equal_to: 70000, value: 0.00}")
    assert_problem(problems_of(rules), "tables/table_e.yaml", line, "must end 'and up'")


def test_missing_filing_status(rules):
    line = break_file(rules, "tables/table_b.yaml",
                      "filing_statuses: [married_filing_jointly, qualifying_surviving_spouse]",
                      "filing_statuses: [married_filing_jointly]")
    problems = problems_of(rules)
    assert any(p.file == "rules/2013/tables/table_b.yaml" and "qualifying_surviving_spouse" in p.message
               and p.line < line for p in problems), problems


def test_unknown_name_suggests_closest(rules):
    line = break_file(rules, "worksheets/tax_calculation.yaml", "expression: max(0, connecticut_agi - exemption)",
                      "expression: max(0, conecticut_agi - exemption)")
    assert_problem(problems_of(rules), "worksheets/tax_calculation.yaml", line, "unknown name 'conecticut_agi'",
                   "did you mean 'connecticut_agi'")


def test_unknown_table_or_function(rules):
    line = break_file(rules, "worksheets/tax_calculation.yaml", "table_c(filing_status, connecticut_agi)",
                      "table_x(filing_status, connecticut_agi)")
    assert_problem(problems_of(rules), "worksheets/tax_calculation.yaml", line, "unknown name 'table_x'")


def test_line_using_a_later_line(rules):
    line = break_file(rules, "worksheets/tax_calculation.yaml", "expression: max(0, connecticut_agi - exemption)",
                      "expression: max(0, connecticut_agi - exemption - recapture)")
    assert_problem(problems_of(rules), "worksheets/tax_calculation.yaml", line, "'recapture' is line 6",
                   "comes later")


def test_line_using_itself(rules):
    line = break_file(rules, "worksheets/tax_calculation.yaml", "expression: max(0, connecticut_agi - exemption)",
                      "expression: max(0, taxable_income - exemption)")
    assert_problem(problems_of(rules), "worksheets/tax_calculation.yaml", line, "refers to this line itself")


def test_worksheet_cycle(rules):
    # tax_calculation gains a line that runs ct_w4p, which already runs tax_calculation.
    sheet = rules / "2013" / "worksheets" / "tax_calculation.yaml"
    text = sheet.read_text()
    sheet.write_text(text + """  - id: loop
    line: "11"
    label: A line that loops back.
    step:
      worksheet: ct_w4p
      inputs: {filing_status: filing_status, federal_agi: ct_agi, payments_per_year: "1"}
      output: balance
    source: {document: IP 2013(8), section: test}
""")
    line = text.count("\n") + 5
    assert_problem(problems_of(rules), "worksheets/tax_calculation.yaml", line, "worksheet cycle",
                   "ct_w4p -> tax_calculation -> ct_w4p")


def test_printed_rows_disagree_with_formula(rules):
    line = break_file(rules, "tables/table_d.yaml", "{more_than: 205000, less_than_or_equal_to: 210000, value: 150}",
                      "{more_than: 205000, less_than_or_equal_to: 210000, value: 155}")
    problems = problems_of(rules)
    assert any(p.file == "rules/2013/tables/table_d.yaml"
               and "printed rows and formula disagree at $205,000.01" in p.message
               and "gives 155" in p.message and p.line < line for p in problems), problems


def test_unknown_source_document(rules):
    line = break_file(rules, "tables/table_c.yaml", "  document: IP 2013(8)", "  document: IP 2013(9)")
    assert_problem(problems_of(rules), "tables/table_c.yaml", line, "source document 'IP 2013(9)' is not listed")


def test_duplicate_key(rules):
    line = break_file(rules, "tables/table_c.yaml", "unit: dollars", "unit: dollars\nunit: decimal")
    assert_problem(problems_of(rules), "tables/table_c.yaml", line + 1, "duplicate key 'unit'")


def test_anchor_refused(rules):
    line = break_file(rules, "tables/table_c.yaml", "title: Table C", "title: &t Table C")
    assert_problem(problems_of(rules), "tables/table_c.yaml", line, "anchors")


def test_python_tag_refused(rules):
    line = break_file(rules, "tables/table_c.yaml", "unit: dollars", "unit: !!python/object:os.system dollars")
    assert_problem(problems_of(rules), "tables/table_c.yaml", line, "not allowed")


def test_forbidden_expression_syntax(rules):
    line = break_file(rules, "worksheets/tax_calculation.yaml", "expression: tax_before_credits * credit_decimal",
                      "expression: tax_before_credits.__class__")
    assert_problem(problems_of(rules), "worksheets/tax_calculation.yaml", line, "attribute access")


def test_power_refused(rules):
    line = break_file(rules, "worksheets/tax_calculation.yaml", "expression: tax_before_credits * credit_decimal",
                      "expression: 9 ** 9 ** 9")
    assert_problem(problems_of(rules), "worksheets/tax_calculation.yaml", line, "operator ** is not allowed")


def test_all_problems_reported_at_once(rules):
    break_file(rules, "tables/table_a.yaml", "value_label:", "valeu_label:")
    break_file(rules, "worksheets/tax_calculation.yaml", "expression: max(0, connecticut_agi - exemption)",
               "expression: max(0, conecticut_agi - exemption)")
    break_file(rules, "tables/table_e.yaml", "{more_than: 17500, less_than_or_equal_to: 18000",
               "{more_than: 17600, less_than_or_equal_to: 18000")
    problems = problems_of(rules)
    files = {p.file for p in problems}
    assert {"rules/2013/tables/table_a.yaml", "rules/2013/worksheets/tax_calculation.yaml",
            "rules/2013/tables/table_e.yaml"} <= files
    assert problems == sorted(problems)


def test_rule_set_with_an_error_never_evaluates(rules):
    break_file(rules, "tables/table_e.yaml", "{more_than: 17500, less_than_or_equal_to: 18000",
               "{more_than: 17600, less_than_or_equal_to: 18000")
    with pytest.raises(engine.RuleSetError) as error:
        engine.evaluate(2013, "tax_calculation", {"filing_status": "single", "ct_agi": 1}, rules=rules)
    assert "rules/2013/tables/table_e.yaml:" in str(error.value)
    assert error.value.problems


def test_year_must_match_folder(rules):
    line = break_file(rules, "ruleset.yaml", "year: 2013", "year: 2014")
    assert_problem(problems_of(rules), "ruleset.yaml", line, "does not match its folder")


def test_input_check_may_not_name_a_line(rules):
    sheet = rules / "2013" / "worksheets" / "tax_calculation.yaml"
    text = sheet.read_text()
    sheet.write_text(text + """checks:
  - id: positive
    label: The exemption is not negative.
    expression: exemption >= 0
    rejects_inputs: true
    source: {document: IP 2013(8), section: test}
""")
    line = text.count("\n") + 4
    assert_problem(problems_of(rules), "worksheets/tax_calculation.yaml", line, "unknown name 'exemption'")


def test_failed_input_check_that_reads_no_input_is_an_input_error(rules):
    # A 'rejects_inputs' check that reads no input used to fail with IndexError (it named its first
    # input as the field at fault); it is the package's InvalidInputError, naming "inputs".
    sheet = rules / "2013" / "worksheets" / "tax_calculation.yaml"
    sheet.write_text(sheet.read_text() + """checks:
  - id: never
    label: This worksheet is refused for every return.
    expression: 1 == 2
    rejects_inputs: true
    source: {document: IP 2013(8), section: test}
""")
    with pytest.raises(engine.InvalidInputError) as error:
        engine.evaluate(2013, "tax_calculation", {"filing_status": "single", "ct_agi": 1}, rules=rules)
    assert error.value.field == "inputs"
    assert "refuses these inputs: This worksheet is refused for every return." in str(error.value)
