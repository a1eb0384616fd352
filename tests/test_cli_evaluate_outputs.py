"""ctax evaluate --output for scripts, and the text format's summary of outputs first (issue 14).

Figures: 2013 single, CT AGI 60,000, hand-worked in tests/cases/2013/tax_calculation_hand_worked.yaml
(single_60000): L7 2,870; L8 0.02; L9 57; L10 2,870 - 57 = 2,813.
"""
from __future__ import annotations

import json

from cli_helpers import run

ARGS = ("evaluate", "2013", "tax_calculation", "filing_status=single", "ct_agi=60000")


def test_one_output_prints_just_its_value(capsys):
    status, out, err = run(capsys, *ARGS, "--output", "ct_income_tax")
    assert (status, out, err) == (0, "2813\n", "")


def test_several_outputs_print_name_equals_value_in_the_order_asked(capsys):
    status, out, _ = run(capsys, *ARGS, "--output", "personal_credit", "--output", "credit_decimal",
                         "--output", "ct_income_tax")
    assert (status, out) == (0, "personal_credit=57\ncredit_decimal=0.02\nct_income_tax=2813\n")


def test_outputs_as_json(capsys):
    status, out, _ = run(capsys, *ARGS, "--output", "ct_income_tax", "--output", "tax_before_credits",
                         "--format", "json")
    assert status == 0 and json.loads(out) == {"ct_income_tax": "2813", "tax_before_credits": "2870"}


def test_pairs_may_follow_output(capsys):
    status, out, _ = run(capsys, "evaluate", "2013", "tax_calculation", "--output", "ct_income_tax",
                         "filing_status=single", "ct_agi=60000")
    assert (status, out) == (0, "2813\n")


def test_unknown_output_is_one_line_with_a_hint(capsys):
    status, out, err = run(capsys, *ARGS, "--output", "ct_income_ta")
    assert status == 1 and out == ""
    assert err.startswith("error: worksheet 'tax_calculation' has no output or line 'ct_income_ta' (did you mean "
                          "'ct_income_tax'?); outputs: exemption, ")
    status, out, err = run(capsys, *ARGS, "--output", "ct_income_tax", "--format", "html")
    assert status == 1 and out == "" and err == "error: --output prints values as text or json, not html\n"


def test_text_leads_with_the_outputs_before_the_line_table(capsys):
    status, out, _ = run(capsys, *ARGS)
    assert status == 0
    lines = out.splitlines()
    # the title once, without its year repeated ("2013 Tax Calculation Schedule (2013)" before issue 14)
    assert lines[0] == "2013 Tax Calculation Schedule" and out.count("Tax Calculation Schedule") == 1
    summary = lines[1:lines.index("")]
    assert summary[-1].split()[:4] == ["ct_income_tax", "2813", "Line", "10:"]
    assert any(line.split()[:2] == ["personal_credit", "57"] for line in summary)
    table_start = next(i for i, line in enumerate(lines) if "Formula" in line)
    assert table_start > len(summary)
