"""ctax plot, docs and coverage; and --help and exit statuses of every subcommand."""
from __future__ import annotations

import struct

import pytest
from cli_helpers import copy_2013, run

from engine.present.plot import rate_curves

SUBCOMMANDS = ["evaluate", "validate", "lint", "diff", "new-year", "docs", "plot", "coverage", "years", "worksheets"]


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_help(capsys, command):
    status, out, _ = run(capsys, command, "--help")
    assert status == 0 and out.startswith("usage: ctax " + command) and "--rules DIR" in out


def test_usage_error_exits_1_in_one_line(capsys):
    status, out, err = run(capsys, "plot", "--status", "single")
    assert status == 1 and out == "" and err.count("\n") == 1 and "--years" in err


def test_rate_curves_2013_single():
    incomes, effective, marginal = rate_curves(2013, "single", top=60_000, step=250)
    assert incomes[-1] == 60_000
    # 60,000 single: tax 2,813 (tests/cases/2013/tax_calculation_hand_worked.yaml)
    assert effective[-1] == pytest.approx(2813 / 60000)
    # 59,750 -> 60,000: both in Table E row 0.02 (59,500 < AGI <= 60,000), Table C 20:
    # 59,750: (2,300 + 5.5% x 9,750) + 20 = 2,856.25 -> 2,856; x 0.98: credit 57.12 -> 57; tax 2,799.
    # 60,000: 2,813.  Marginal: 14 / 250.
    assert marginal[-1] == pytest.approx(14 / 250)


def test_plot_writes_a_png(capsys, tmp_path):
    rules = copy_2013(tmp_path)
    run(capsys, "new-year", "2013", "2014", "--rules", str(rules))
    out = tmp_path / "rates.png"
    status, _, err = run(capsys, "plot", "--years", "2013", "2014", "--status", "single", "--out", str(out),
                         "--rules", str(rules))
    assert status == 0, err
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1210, 880)


def test_plot_bad_status_and_missing_worksheet(capsys, tmp_path):
    status, _, err = run(capsys, "plot", "--years", "2013", "--status", "widowed", "--out", str(tmp_path / "x.png"))
    assert status == 1 and "must be one of" in err
    (tmp_path / "rules" / "2013").mkdir(parents=True)
    (tmp_path / "rules" / "2013" / "ruleset.yaml").write_text(
        "year: 2013\ntitle: t\nsources: {D: {title: t, publisher: p}}\n")
    status, _, err = run(capsys, "plot", "--years", "2013", "--rules", str(tmp_path / "rules"),
                         "--out", str(tmp_path / "x.png"))
    assert (status, err) == (1, "error: tax year 2013 has no worksheet 'tax_calculation' to plot\n")


def test_docs_pages_with_citations(capsys, tmp_path):
    status, _, _ = run(capsys, "docs", "2013", "--out", str(tmp_path / "site"))
    assert status == 0
    site = tmp_path / "site"
    table_b = (site / "2013" / "tables" / "table_b.md").read_text()
    assert "# Table B - Tax Calculation for 2013 Taxable Year" in table_b
    assert ("Source: IP 2013(8), Form CT-W4P, Table B - Tax Calculation for 2013 Taxable Year, p. 21 ff. "
            "(Form CT-W4P)") in table_b
    assert "| more than $50,000, less than or equal to $100,000 | $2,300 | 5.5% | $50,000 |" in table_b
    table_a = (site / "2013" / "tables" / "table_a.html").read_text()
    assert "<td>more than $28,000, less than or equal to $29,000</td><td>$13,000</td>" in table_a
    sheet = (site / "2013" / "worksheets" / "tax_calculation.md").read_text()
    # formulas as code spans, names with Markdown's '_' escaped, and a column of links to the tables a line uses
    assert ("| 10 | Connecticut Income Tax: Subtract Line 9 from Line 7. | ` tax_before_credits - personal_credit ` | "
            "dollars | output: ct\\_income\\_tax |  | IP 2013(8), 2013 Tax Calculation Schedule, Line 10, p. 21 ff. "
            "(Form CT-W4P) |") in sheet
    assert "| [table\\_b](../tables/table_b.md) |" in sheet
    index = (site / "2013" / "index.html").read_text()
    assert '<a href="tables/table_a.html">' in index and "http" not in index.split("<body>")[1]
    assert (site / "index.md").read_text().count("](2013/index.md)") == 1


def test_coverage_reports_reached_and_missing_rows(capsys, tmp_path):
    cases = tmp_path / "cases" / "2013"
    cases.mkdir(parents=True)
    (cases / "one.yaml").write_text("worksheet: tax_calculation\ncases:\n  - name: a\n"
                                    "    inputs: {filing_status: single, ct_agi: 60000}\n"
                                    "    expected: {ct_income_tax: 2813}\n")
    golden = tmp_path / "golden"
    golden.mkdir()
    status, out, _ = run(capsys, "evaluate", "2013", "tax_calculation", "filing_status=head_of_household",
                         "ct_agi=30000", "--format", "json")
    (golden / "hoh.json").write_text(out)
    status, out, _ = run(capsys, "coverage", "--cases", str(tmp_path / "cases"), "--golden", str(golden))
    assert status == 0
    lines = out.splitlines()
    # each case reaches one row of Tables A-E: 5 from the case, 5 from the golden file
    assert lines[0].startswith("2013: 10 of ") and lines[0].endswith("(1 case(s), 1 golden file(s))")
    table_b = lines.index(next(line for line in lines if line.startswith("  table_b:")))
    assert lines[table_b] == "  table_b: 2 of 18 rows reached"
    missing_b = lines[table_b + 1:table_b + 17]
    assert "    not reached: [Single or Filing Separately] more than $50,000, less than or equal to $100,000" \
        not in missing_b
    assert "    not reached: [Single or Filing Separately] more than $10,000, less than or equal to $50,000" \
        in missing_b
    assert "  table_d: 2 of " in out


def test_coverage_of_the_shipped_cases(capsys):
    status, out, _ = run(capsys, "coverage")
    import re

    first = out.splitlines()[0]
    assert status == 0 and first.startswith("2013: ")
    assert int(re.search(r"\((\d+) case\(s\)", first).group(1)) >= 13  # the hand-worked cases in tests/cases/2013
