"""The January workflow: new-year scaffolds a valid, review-marked copy; diff shows what a change did."""
from __future__ import annotations

from cli_helpers import copy_2013, run


def test_new_year_copies_marks_and_validates(capsys, tmp_path):
    rules = copy_2013(tmp_path)
    status, out, err = run(capsys, "new-year", "2013", "2014", "--rules", str(rules))
    assert status == 0, out + err
    files = len(list((rules / "2013").rglob("*.yaml")))
    assert f"wrote {files} files" in out
    head = (rules / "2014" / "ruleset.yaml").read_text()
    assert "\nyear: 2014\n" in head and "title: Connecticut income tax, taxable year 2014" in head
    table_b = (rules / "2014" / "tables" / "table_b.yaml").read_text()
    assert "title: Table B - Tax Calculation for 2014 Taxable Year" in table_b
    assert 'review: "copied from 2013 by ctax new-year' in table_b
    assert run(capsys, "validate", "--rules", str(rules), "2014")[0] == 0
    status, out, _ = run(capsys, "lint", "--rules", str(rules), "2014")
    assert status == 0
    reviews = [line for line in out.splitlines() if "warning: marked for review" in line]
    assert len(reviews) == files  # one per file, each at its review: key
    assert "rules/2014/tables/table_b.yaml:3:1: warning: marked for review: copied from 2013" in out
    assert run(capsys, "lint", "--rules", str(rules), "--strict", "2014")[0] == 1
    # no figure of the tax tables changed (only dates, moved forward a year)
    status, out, _ = run(capsys, "diff", "2013", "2014", "--rules", str(rules))
    assert status == 0 and "table_b:" not in out and "table_a:" not in out


def test_new_year_moves_dates_forward(capsys, tmp_path):
    from engine.tools.newyear import transform

    text = "table: due\nvalue: 2013-04-15\nnote: leap 2012-02-29\n"
    assert transform(text, "table", 2013, 2014).splitlines()[1:] == [
        'review: "copied from 2013 by ctax new-year: check every figure of this table against the 2014 '
        'publication, then delete this line"', "value: 2014-04-15", "note: leap 2013-02-28"]


def test_new_year_refuses_an_existing_year(capsys, tmp_path):
    rules = copy_2013(tmp_path)
    status, _, err = run(capsys, "new-year", "2013", "2013", "--rules", str(rules))
    assert status == 1 and "already exists" in err and err.count("\n") == 1


def test_diff_and_case_diff_after_a_rate_change(capsys, tmp_path):
    rules = copy_2013(tmp_path)
    run(capsys, "new-year", "2013", "2014", "--rules", str(rules))
    table_b = rules / "2014" / "tables" / "table_b.yaml"
    text = table_b.read_text()
    table_b.write_text(text.replace("base_tax: 2300, rate: 0.055}", "base_tax: 2300, rate: 0.06}"))
    status, out, _ = run(capsys, "diff", "2013", "2014", "--rules", str(rules))
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "Figures changed from 2013 to 2014, by table:"
    start = lines.index("table_b: Table B - Tax Calculation for 2014 Taxable Year")
    assert lines[start - 1:start + 5] == [
        "",
        "table_b: Table B - Tax Calculation for 2014 Taxable Year",
        "  married_filing_separately, single: bracket 3 rate: 0.055 -> 0.06",
        "      2013: IP 2013(8), Form CT-W4P, Table B - Tax Calculation for 2013 Taxable Year, p. 21 ff. (Form CT-W4P)",
        "      2014: IP 2013(8), Form CT-W4P, Table B - Tax Calculation for 2013 Taxable Year, p. 21 ff. (Form CT-W4P)",
    ]
    case = tmp_path / "case.yaml"
    case.write_text("worksheet: tax_calculation\ninputs: {filing_status: single, ct_agi: 60000}\n")
    status, out, _ = run(capsys, "diff", "2013", "2014", "--case", str(case), "--rules", str(rules))
    assert status == 0
    lines = out.splitlines()
    # Line 4: 2,300 + 6% x 10,000 = 2,900 (was 2,850); Line 7: 2,920; Line 9: 2,920 x 0.02 = 58.40 -> 58;
    # Line 10: 2,920 - 58 = 2,862 (was 2,813).
    initial = next(i for i, line in enumerate(lines) if "initial_tax" in line)
    assert lines[initial].split() == ["4", "initial_tax", "2850", "2900", "+50"]
    assert lines[initial + 1].strip().startswith("because table_b married_filing_separately, single: bracket 3 rate: "
                                                 "0.055 -> 0.06")
    assert next(line for line in lines if " ct_income_tax " in line).split() == [
        "10", "ct_income_tax", "2813", "2862", "+49"]
    assert next(line for line in lines if " exemption " in line).split() == ["2", "exemption", "0", "0"]


def test_diff_of_a_case_file_uses_every_case(capsys, tmp_path):
    rules = copy_2013(tmp_path)
    run(capsys, "new-year", "2013", "2014", "--rules", str(rules))
    from cli_helpers import ROOT

    from engine.tools.cases import read_yaml

    status, out, _ = run(capsys, "diff", "2013", "2014", "--case", str(ROOT / "tests/cases/2013/ct_w4p.yaml"),
                         "--rules", str(rules))
    assert status == 0
    cases = len(read_yaml(ROOT / "tests/cases/2013/ct_w4p.yaml").data["cases"])
    assert cases >= 3 and out.count("Case ") == cases and "Case resident_single_60000: ct_w4p, 2013 -> 2014" in out


def test_new_year_moves_the_years_in_titles_and_labels():
    from engine.tools.newyear import transform

    text = ("table: due\ntitle: Installment 4 due date (January 15, 2014) for 2013\nsource: {document: IP 2013(8)}\n"
            "  - label: Tax for 2013\n")
    lines = transform(text, "table", 2013, 2014).splitlines()
    assert lines[2] == "title: Installment 4 due date (January 15, 2015) for 2014"
    assert lines[3] == "source: {document: IP 2013(8)}"  # citations keep the publication copied from
    assert lines[4] == "  - label: Tax for 2014"


def test_new_year_moves_the_prior_year_in_labels_too():
    # issue 15: the 2025 copy of estimated_tax said "100% of the 2023 tax" for the prior year's
    # return; the year before the tax year is the new year's prior year as well
    from engine.tools.newyear import transform

    text = "worksheet: w\n    label: 'the lesser of 66 2/3% of the 2024 tax and 100% of the 2023 tax'\n"
    assert transform(text, "worksheet", 2024, 2025).splitlines()[2] == (
        "    label: 'the lesser of 66 2/3% of the 2025 tax and 100% of the 2024 tax'")

