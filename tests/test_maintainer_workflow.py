"""The maintainer guide's workflow (README, "Add next year's rules"), step by step (issue 14)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from cli_helpers import ROOT, run

from engine.tools.cases import load_cases, run_case

CASES = ROOT / "tests" / "cases"


@pytest.mark.parametrize("year", ["2023", "2024"])
def test_every_recent_year_has_hand_worked_cases(year):
    # "add tests/cases/2025/*.yaml (copy a 2024 file ...)": there is a file to copy.
    files = sorted((CASES / year).glob("*.yaml"))
    assert files, f"tests/cases/{year}/ holds no case file"
    assert {c.worksheet for f in files for c in load_cases(f)} >= {"tax_calculation", "income_tax_return"}


def test_copying_a_2024_case_file_into_a_new_year_runs_it_there(tmp_path):
    """Step 1 then step 6: new-year 2024 -> 2025, copy a 2024 case file, the copy runs on 2025."""
    from engine.tools.newyear import new_year

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules" / "2024", rules / "2024")
    new_year(rules, "2024", "2025")
    target = tmp_path / "cases" / "2025"
    target.mkdir(parents=True)
    shutil.copy(CASES / "2024" / "tax_calculation_hand_worked.yaml", target)
    cases = load_cases(target / "tax_calculation_hand_worked.yaml")
    assert {c.year for c in cases} == {2025}  # the year comes from the folder
    # same figures until the maintainer edits them: the 2024 hand calculation still holds
    assert all(run_case(c, rules=rules).passed for c in cases)


def test_readme_guide_names_only_paths_that_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guide = readme.split("## Add next year's rules", 1)[1].split("\n## ", 1)[0]
    assert "copy a 2025 file" in guide
    for path in re.findall(r"`?(tests/cases/2025/)", guide):
        assert (ROOT / path).is_dir()
    assert "engine/tools/cases.py" in guide and (ROOT / "engine" / "tools" / "cases.py").is_file()


def test_diff_with_a_2024_case_file_from_the_guide(capsys):
    # Step 5: ctax diff 2023 2024 --case tests/cases/2024/<file>.yaml
    status, out, err = run(capsys, "diff", "2023", "2024", "--case",
                           str(CASES / "2024" / "tax_calculation_hand_worked.yaml"))
    assert status == 0, err
    assert "Case single_60000: tax_calculation, 2023 -> 2024" in out


# ---------------------------------------------------------------- ctax evaluate --input FILE --case NAME

HAND_2024 = str(CASES / "2024" / "tax_calculation_hand_worked.yaml")


def test_evaluate_one_named_case_shows_expected_vs_got(capsys):
    status, out, err = run(capsys, "evaluate", "--input", HAND_2024, "--case", "joint_250000", "--format", "markdown")
    assert status == 0, err
    assert "# 2024 Tax Calculation Schedule" in out  # the filled-in worksheet first
    # then one row per expected output: 2024 joint $250,000, Table D "$50 x 4 steps" = $200 (hand, in the file)
    assert "| recapture | 200 | 200 | ok |" in out
    assert "| ct\\_income\\_tax | 13200 | 13200 | ok |" in out
    assert "ok: all 5 output(s) as expected" in out


def test_evaluate_case_with_an_input_changed_shows_what_differs(capsys):
    # ct_agi 61,000 instead of 60,000: Table B $2,000 + 5.5% x $11,000 = $2,605 (not the expected $2,550)
    status, out, _ = run(capsys, "evaluate", "--input", HAND_2024, "--case", "single_60000", "ct_agi=61000",
                         "--format", "markdown")
    assert status == 1
    assert "| initial\\_tax | 2550 | 2605 | DIFFERS |" in out
    assert "| exemption | 0 | 0 | ok |" in out
    assert "6 of 9 output(s) differ" in out
    # in plain text, and with HTML on standard output the comparison goes to standard error
    status, out, err = run(capsys, "evaluate", "--input", HAND_2024, "--case", "single_60000", "ct_agi=61000",
                           "--format", "html")
    assert status == 1 and out.rstrip().endswith("</html>") and re.search(r"initial_tax\s+2550\s+2605\s+DIFFERS", err)


def test_evaluate_case_json_carries_the_comparison(capsys):
    import json

    status, out, _ = run(capsys, "evaluate", "--input", HAND_2024, "--case", "single_60000", "--format", "json")
    data = json.loads(out)
    assert status == 0 and data["case"]["passed"] is True
    assert {"name": "personal_credit", "expected": "258", "got": "258", "ok": True} in data["case"]["outputs"]


def test_evaluate_case_mistakes_are_one_line(capsys):
    status, _, err = run(capsys, "evaluate", "--input", HAND_2024, "--case", "single_6000")
    assert status == 1 and "no case named 'single_6000' (did you mean 'single_60000'?); cases: single_60000" in err
    status, _, err = run(capsys, "evaluate", "2023", "tax_calculation", "--input", HAND_2024, "--case", "single_60000")
    assert status == 1 and "is for year 2024, not 2023" in err
    status, _, err = run(capsys, "evaluate", "--case", "single_60000")
    assert status == 1 and "--case NAME needs --input FILE" in err
    status, _, err = run(capsys, "evaluate", "2024")
    assert status == 1 and "evaluate needs YEAR and WORKSHEET" in err


# ---------------------------------------------------------------- ctax diff A B --case FILE


def test_diff_case_comes_first_and_tables_only_on_request(capsys):
    status, out, _ = run(capsys, "diff", "2023", "2024", "--case", HAND_2024)
    assert status == 0
    assert out.startswith("Case single_60000: tax_calculation, 2023 -> 2024")
    assert "Figures changed from 2023 to 2024, by table:" not in out
    assert "--tables lists them all" in out
    status, out, _ = run(capsys, "diff", "2023", "2024", "--case", HAND_2024, "--tables")
    assert out.startswith("Case single_60000") and "Figures changed from 2023 to 2024, by table:" in out
    assert out.index("Case joint_250000") < out.index("Figures changed from 2023 to 2024")


def test_diff_because_names_only_the_rows_the_case_matched(capsys):
    _, out, _ = run(capsys, "diff", "2023", "2024", "--case", HAND_2024)
    single = out.split("Case joint_250000")[0]
    because = [line.strip() for line in single.splitlines() if line.strip().startswith("because")]
    # Single $60,000 reads Table C's row "more than $56,500, up to $61,500" (row 2 of the single column):
    # $20 in 2023, $25 in 2024 (CT-1040 2023 and 2024 instructions, Table C). Table B: the 5.5% bracket
    # (bracket 3) whose base tax fell from $2,300 to $2,000. No other row of those columns was read.
    assert any("table_c married_filing_separately, single: row 2 value: 20 -> 25" in b for b in because)
    assert any("table_b married_filing_separately, single: bracket 3 base tax: 2300 -> 2000" in b for b in because)
    assert not any(" row 3 " in b or "bracket 4" in b or "formula" in b for b in because), because
    assert len(because) == 2, because


# ---------------------------------------------------------------- draft years


@pytest.fixture
def draft_rules(tmp_path):
    """A rules folder with 2024 and its new-year copy 2025: a draft (every file marked review:)."""
    from engine.tools.newyear import new_year

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules" / "2024", rules / "2024")
    new_year(rules, "2024", "2025")
    return rules


def test_a_draft_year_evaluates_with_a_warning_and_says_so(draft_rules, capsys):
    import engine
    from engine.errors import DraftYearWarning

    copied = len(list((draft_rules / "2025").rglob("*.yaml")))  # every file new-year wrote
    draft = rf"tax year 2025 is a draft: {copied} rule file\(s\) still marked 'review:'"
    with pytest.warns(DraftYearWarning, match=draft):
        result = engine.evaluate(2025, "tax_calculation", {"filing_status": "single", "ct_agi": 60000},
                                 rules=draft_rules)
    # the copied 2024 figures: 2024 single $60,000 is $2,317 (hand-worked in tests/cases/2024)
    assert result["ct_income_tax"] == 2317 and result.draft is True
    assert result.to_dict()["draft"] is True
    released = engine.evaluate(2024, "tax_calculation", {"filing_status": "single", "ct_agi": 60000},
                               rules=draft_rules)
    assert released.draft is False and "draft" not in released.to_dict()
    # the command line: the warning is one line on standard error; JSON and HTML carry the flag
    status, out, err = run(capsys, "evaluate", "2025", "tax_calculation", "filing_status=single", "ct_agi=60000",
                           "--rules", str(draft_rules), "--format", "json")
    assert status == 0 and '"draft": true' in out
    assert err.startswith("warning: tax year 2025 is a draft") and err.count("\n") == 1
    status, out, _ = run(capsys, "evaluate", "2025", "tax_calculation", "filing_status=single", "ct_agi=60000",
                         "--rules", str(draft_rules), "--format", "html")
    assert 'class="draft" data-draft="true">Draft:' in out
    _, out, _ = run(capsys, "evaluate", "2024", "tax_calculation", "filing_status=single", "ct_agi=60000",
                    "--rules", str(draft_rules), "--format", "html")
    assert 'data-draft' not in out
    # the docs say so too
    assert run(capsys, "docs", "2025", "--rules", str(draft_rules), "--out", str(draft_rules.parent / "site"))[0] == 0
    assert f"Draft: {copied} rule file(s) of 2025 are still marked for review" in \
        (draft_rules.parent / "site" / "2025" / "index.md").read_text()


def test_batch_output_metadata_says_draft(draft_rules, tmp_path, capsys):
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    import engine

    returns = tmp_path / "returns.csv"
    returns.write_text("filing_status,ct_agi\nsingle,60000\n")
    for year, draft in (("2025", b"true"), ("2024", b"false")):
        out = tmp_path / f"taxes{year}.parquet"
        status, _, err = run(capsys, "batch", year, "tax_calculation", str(returns), str(out), "--quiet",
                             "--rules", str(draft_rules))
        assert status == 0, err
        metadata = pq.read_schema(out).metadata
        assert metadata[b"ctax.draft"] == draft and metadata[b"ctax.year"] == year.encode()
    import pandas as pd

    with pytest.warns(engine.DraftYearWarning):
        frame = engine.evaluate_batch(2025, "tax_calculation",
                                      pd.DataFrame({"filing_status": ["single"], "ct_agi": [60000]}), rules=draft_rules)
    assert frame.attrs["ctax.draft"] == "true" and int(frame["ct_income_tax"][0]) == 2317


def test_lint_release_fails_until_every_file_is_reviewed(draft_rules, capsys):
    status, out, _ = run(capsys, "lint", "--rules", str(draft_rules), "2025")
    assert status == 0  # a draft is fine to commit
    status, out, err = run(capsys, "lint", "--rules", str(draft_rules), "--release", "2025")
    copied = len(list((draft_rules / "2025").rglob("*.yaml")))  # one marker in every file new-year wrote
    assert status == 1 and f"{copied} review marker(s) left: a draft year cannot be released" in err
    assert "rules/2025/tables/table_b.yaml:3:1: not releasable: marked for review: copied from 2024" in out
    assert run(capsys, "lint", "--rules", str(draft_rules), "--strict", "2025")[0] == 1  # --strict implies it
    assert run(capsys, "lint", "--rules", str(draft_rules), "--release", "2024")[0] == 0
    files = sorted((draft_rules / "2025").rglob("*.yaml"))
    status, out, _ = run(capsys, "review", "--rules", str(draft_rules), *map(str, files[:-1]))
    assert status == 0 and f"ok: {len(files) - 1} marker(s) removed" in out
    status, out, err = run(capsys, "lint", "--rules", str(draft_rules), "--release", "2025")
    assert status == 1 and "1 review marker(s) left" in err
    run(capsys, "review", str(files[-1]))
    assert run(capsys, "lint", "--rules", str(draft_rules), "--release", "2025")[0] == 0
    # --strict still wants the copied 2023 guide explained for 2025 (its ruleset.yaml note names 2024)
    status, out, _ = run(capsys, "lint", "--rules", str(draft_rules), "--strict", "2025")
    assert status == 1 and "a 2025 rule file cites 'CT Nonresident Guide 2023'" in out
    assert "review" not in out
    import engine

    assert engine.load(2025, draft_rules).draft is False


def test_review_removes_only_the_markers(tmp_path, capsys):
    from engine.tools.review import ReviewError, review

    text = ("# a comment stays\ntable: t\nreview: \"copied: check\n  every figure\"\ntitle: T\n"
            "rows:\n  - {lo: 1}\n  - hi: 2\n    review: row two unsure\n    value: 3\n")
    path = tmp_path / "t.yaml"
    path.write_text(text)
    assert review(path) == 2
    assert path.read_text() == ("# a comment stays\ntable: t\ntitle: T\n"
                                "rows:\n  - {lo: 1}\n  - hi: 2\n    value: 3\n")
    assert review(path) == 0
    flow = tmp_path / "flow.yaml"
    flow.write_text("table: t\nrows:\n  - {lo: 1, review: x}\n")
    with pytest.raises(ReviewError, match=r"flow.yaml:3:13: .*delete it by hand"):
        review(flow)
    assert flow.read_text() == "table: t\nrows:\n  - {lo: 1, review: x}\n"  # untouched
    status, _, err = run(capsys, "review", str(tmp_path / "missing.yaml"))
    assert status == 1 and "not a regular file" in err


# ---------------------------------------------------------------- lint: another year's publication


def _rules_2024_copy(tmp_path) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules" / "2024", rules / "2024")
    return rules


def test_lint_warns_on_a_citation_of_another_years_publication_without_a_note(tmp_path, capsys):
    rules = _rules_2024_copy(tmp_path)
    head = rules / "2024" / "ruleset.yaml"
    text = head.read_text()
    # remove the source note's explanation (it names 2024): the 2023 guide is then cited unexplained
    start = text.index("      Cited by 2024 rule files on purpose")
    end = text.index("    file: tests/reference/sources/003")
    head.write_text(text[:start] + text[end:])
    status, out, _ = run(capsys, "lint", "--rules", str(rules), "2024")
    assert status == 0
    hits = [line for line in out.splitlines() if "a 2023 publication, with no note: saying why" in line]
    # residency has 12 citations of the guide with no note of their own (Line 1 has one): one warning names them all
    assert any("rules/2024/worksheets/residency.yaml:" in line and "(12 citations in this file)" in line
               for line in hits), hits
    # a file whose own citations carry notes is not reported: casual_presence_income_limit has a table note
    assert not any("casual_presence_income_limit.yaml" in line for line in hits)
    # one warning per file, not per citation
    assert len(hits) == len({line.split(":")[0] for line in hits})
    assert run(capsys, "lint", "--rules", str(rules), "--strict", "2024")[0] == 1
    # the shipped ruleset.yaml's note (naming 2024) is what keeps 2024 clean
    assert run(capsys, "lint", "--strict", "2024")[:2] == (0, "ok: no warnings\n")


def test_publication_year_comes_from_the_id_then_the_title():
    from engine.tools.lint import publication_year

    assert publication_year("CT Nonresident Guide 2023", {"title": "... What's New for 2024"}) == 2023
    assert publication_year("IP 2013(8)", {}) == 2013
    assert publication_year("Form CT-1040", {"title": "2024 Form CT-1040"}) == 2024
    assert publication_year("Conn. Gen. Stat.", {"title": "Chapter 229, Sec. 12-700"}) is None


# ---------------------------------------------------------------- ctax batch: line numbers, --quiet


def test_batch_bad_rows_name_the_csv_line_and_quiet_silences_notes(tmp_path, capsys):
    pytest.importorskip("pyarrow")
    source = tmp_path / "returns.csv"
    # line 1 header; 2 row 0; 3 row 1 (bad amount); 4 empty (no row); 5-6 row 2 (a quoted newline,
    # a bad status); 7 row 3 ('married' is not a status)
    source.write_text('id,filing_status,ct_agi\na,single,60000\nb,single,"60,000x"\n\nc,"sing\nle",1000\n'
                      'd,married,5\n')
    target = tmp_path / "out.csv"
    status, _, err = run(capsys, "batch", "2024", "tax_calculation", str(source), str(target))
    assert status == 1
    assert "note: columns id are not inputs" in err
    assert f"{source}:3: row 1: ct_agi: " in err
    assert f"{source}:5: row 2: filing_status: " in err
    assert f"{source}:7: row 3: filing_status: " in err
    status, _, err = run(capsys, "batch", "2024", "tax_calculation", str(source), str(target), "--quiet")
    assert status == 1 and "note:" not in err and f"{source}:3: row 1: ct_agi: " in err


def test_csv_lines_counts_quoted_newlines_and_skips_empty_lines(tmp_path):
    from engine.batch.cli import csv_lines

    path = tmp_path / "x.csv"
    path.write_text('h\n"a\nb"\n\nc\n\n\nd\n')
    assert csv_lines(str(path), [0, 1, 2]) == {0: 2, 1: 5, 2: 8}


# ---------------------------------------------------------------- new-year: dates move by their rule


def test_new_year_moves_a_due_date_by_its_rule_not_by_a_year(tmp_path, capsys):
    import datetime as dt

    import engine
    from engine.tools.newyear import new_year

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules" / "2013", rules / "2013")
    # IP 2013(8): "If filing by paper, Form CT-1096 (DRS) is due the last day of February 2014."
    assert engine.load(2013, rules).tables["ct_1096_paper_due_date"].scalar[None] == dt.date(2014, 2, 28)
    new_year(rules, "2013", "2015")
    text = (rules / "2015" / "tables" / "ct_1096_paper_due_date.yaml").read_text()
    assert "value: {month: February, day: last, of: the year after the tax year}" in text  # no date edit
    # tax year 2015: the last day of February 2016, a leap year, is the 29th (adding years to 2014-02-28
    # would give the 28th)
    assert engine.load(2015, rules).tables["ct_1096_paper_due_date"].scalar[None] == dt.date(2016, 2, 29)
    # the 2024 farmer/fisherman installment: "due on or before January 15, 2024, for the 2023 taxable year"
    assert engine.load(2024).tables["farmer_fisherman_installment_due_date"].scalar[None] == dt.date(2025, 1, 15)


def test_a_date_rule_that_names_no_date_is_a_located_error(tmp_path, capsys):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules" / "2013", rules / "2013")
    table = rules / "2013" / "tables" / "ct_1096_paper_due_date.yaml"
    text = table.read_text()
    table.write_text(text.replace("day: last", "day: 30"))
    line = text[:text.index("value: {month")].count("\n") + 1
    status, out, _ = run(capsys, "validate", "--rules", str(rules), "2013")
    assert status == 1
    assert f"rules/2013/tables/ct_1096_paper_due_date.yaml:{line}:8: February 30 does not exist in 2014" in out
    table.write_text(text.replace("day: last", "day: first"))
    status, out, _ = run(capsys, "validate", "--rules", str(rules), "2013")
    assert status == 1 and "ct_1096_paper_due_date.yaml" in out
    table.write_text(text)
    # a date rule in a table that is not of dates
    rate = rules / "2013" / "tables" / "eft_failure_penalty_rate.yaml"
    rate.write_text(rate.read_text().replace("value: 0.1\n", "value: {month: March, day: 1, of: the tax year}\n"))
    status, out, _ = run(capsys, "validate", "--rules", str(rules), "2013")
    assert status == 1 and "eft_failure_penalty_rate.yaml:15:8: a date rule (month, day, of) belongs in a table of " \
                           "unit 'date'" in out


def test_daterule_words_and_resolution():
    import datetime as dt

    from engine.loading.daterule import describe, resolve

    rule = {"month": "March", "day": "last", "of": "the year after the tax year"}
    assert resolve(rule, 2013) == dt.date(2014, 3, 31)
    assert describe(rule) == "the last day of March of the year after the tax year"
    assert resolve({"month": "April", "day": 15, "of": "the tax year"}, 2024) == dt.date(2024, 4, 15)


# ---------------------------------------------------------------- ctax coverage counts the test suite


def test_coverage_counts_untraced_evaluations_of_a_test_run(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CTAX_COVERAGE_FILE", raising=False)  # this test may itself run under --run-tests
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "conftest.py").write_text('pytest_plugins = ["engine.tools.pytest_plugin"]\n')
    # a grid-style test: trace=False, as the grid tests evaluate
    (tests / "test_grid.py").write_text(
        "import engine\n\ndef test_two_points():\n"
        "    for agi in (20000, 60000):\n"
        "        engine.evaluate(2013, 'tax_calculation', {'filing_status': 'single', 'ct_agi': agi}, trace=False)\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    status, out, _ = run(capsys, "coverage", "--cases", str(empty), "--golden", str(empty))
    assert status == 0 and out.startswith("2013: 0 of ")
    assert "--run-tests counts every evaluation the test suite makes" in out
    status, out, err = run(capsys, "coverage", "--run-tests", str(tests), "--cases", str(empty), "--golden", str(empty))
    assert status == 0, err
    lines = out.splitlines()
    # 2 evaluations, untraced; Table B: single $20,000 has taxable income $6,000 (exemption
    # $14,000), "not over $10,000"; single $60,000 has $60,000, "more than $50,000, less than or equal to
    # $100,000" (the hand-worked 2013 cases): 2 rows of Table B
    assert lines[0].startswith("2013: ") and lines[0].endswith(
        "(0 case(s), 0 golden file(s), 2 evaluation(s) by the test suite)")
    assert "  table_b: 2 of 18 rows reached" in lines
    block = out.split("  table_b:")[1].split("\n  table_c")[0]
    assert "more than $50,000, less than or equal to $100,000" not in block  # reached
    assert "[Single or Filing Separately] more than $100,000" in block  # not reached


def test_coverage_reads_a_record_and_refuses_a_foreign_file(tmp_path, capsys):
    record = tmp_path / "record.json"
    record.write_text('{"format": "ctax.coverage/1", "evaluations": {"2013": 1}, '
                      '"rows": [[2013, "eft_threshold", null, null, null]]}')
    empty = tmp_path / "empty"
    empty.mkdir()
    status, out, _ = run(capsys, "coverage", "--record", str(record), "--cases", str(empty), "--golden", str(empty))
    assert status == 0 and "  eft_threshold: 1 of 1 rows reached" in out
    record.write_text('{"format": "something else"}')
    status, _, err = run(capsys, "coverage", "--record", str(record))
    assert status == 1 and "is not a ctax coverage record" in err


def test_coverage_run_tests_is_not_recursive(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("CTAX_COVERAGE_FILE", str(tmp_path / "x.json"))
    status, _, err = run(capsys, "coverage", "--run-tests", str(tmp_path))
    assert status == 1 and "already inside a test run that counts coverage" in err


def test_coverage_run_tests_names_the_failing_tests(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CTAX_COVERAGE_FILE", raising=False)
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "conftest.py").write_text('pytest_plugins = ["engine.tools.pytest_plugin"]\n')
    (tests / "test_red.py").write_text("def test_red():\n    assert False\n")
    status, _, err = run(capsys, "coverage", "--run-tests", str(tests), "--cases", str(tmp_path), "--golden",
                         str(tmp_path))
    assert status == 1 and "FAILED" in err and "test_red" in err and "pytest exit status 1" in err
