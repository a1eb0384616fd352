"""ctax validate: one broken fixture per check, each reported at its exact file:line:column, exit 1."""
from __future__ import annotations

import pytest
from cli_helpers import FIXTURES, run

BROKEN = FIXTURES / "broken"

# case -> (file:line:column, message) of the problem the broken edit must produce
EXPECTED = {
    "yaml_syntax": ("2013/tables/rates.yaml:4:5",
                    "YAML syntax error: while parsing a flow sequence expected ',' or ']'"),
    "wrong_type": ("2013/tables/rates.yaml:10:59", "brackets.1.rate: 'five' is not of type 'number'"),
    "unknown_key": ("2013/tables/rates.yaml:4:1", "unknown key 'titel' in the file (did you mean 'title'?)"),
    "missing_source": ("2013/worksheets/tax.yaml:14:5", "lines.1 is missing 'source'"),
    "lo_not_below_hi": ("2013/tables/exemption.yaml:25:9",
                        "row 2: lower bound $20,000 is not below upper bound $20,000"),
    "gap": ("2013/tables/exemption.yaml:25:9", "gap: row 1 ends at $20,000 but row 2 starts at $21,000"),
    "overlap": ("2013/tables/exemption.yaml:25:9", "overlap: row 2 starts at $19,000, before row 1 ends at $20,000"),
    "out_of_order": ("2013/tables/exemption.yaml:25:9",
                     "rows out of order: row 2 starts at $0, below row 1 which starts at $20,000"),
    "missing_filing_status": ("2013/tables/exemption.yaml:9:3",
                              "no column for filing status qualifying_surviving_spouse"),
    "unknown_name": ("2013/worksheets/tax.yaml:17:17",
                     "line 2 (taxable): unknown name 'exemption_amuont' (did you mean 'exemption_amount'?)"),
    "later_line": ("2013/worksheets/tax.yaml:17:17", "line 2 (taxable): 'tax_due' is line 3, which comes later"),
    "worksheet_cycle": ("2013/worksheets/tax.yaml:31:18", "worksheet cycle: summary -> tax -> summary"),
    "printed_vs_formula": ("2013/tables/exemption.yaml:13:7",
                           "printed rows and formula disagree at $10,000.01: the row (more than $10,000, less than or "
                           "equal to $11,000) gives 600, the formula gives 500"),
}


def test_every_fixture_is_tested():
    assert sorted(p.name for p in BROKEN.iterdir() if p.is_dir()) == sorted(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_broken_fixture_is_reported_at_its_line(capsys, monkeypatch, case):
    where, message = EXPECTED[case]
    monkeypatch.chdir(BROKEN)  # paths are shown relative to the current folder
    status, out, err = run(capsys, "validate", "--rules", str(BROKEN / case))
    assert status == 1
    lines = out.splitlines()
    assert any(line.startswith(f"{case}/{where}: {message}") for line in lines), out
    assert lines == sorted(lines)  # sorted by file and line
    assert "Traceback" not in out + err


def test_minimal_fixture_is_valid(capsys):
    status, out, _ = run(capsys, "validate", "--rules", str(FIXTURES / "minimal"))
    assert (status, out) == (0, "ok: 2013 valid\n")


def test_shipped_rules_validate(capsys):
    status, out, err = run(capsys, "validate")
    assert status == 0, out + err
    assert out.startswith("ok: ")


def test_unknown_year_is_one_line(capsys):
    status, _, err = run(capsys, "validate", "1999")
    assert status == 1
    assert err.strip().count("\n") == 0 and "no rules for tax year 1999" in err
