"""Mistakes on the command line and in the API each get one clear line (issue 14): a misspelt
worksheet gets a "did you mean", a name given twice is refused, a missing --input file is named
without an invented line:column."""
import pytest

import engine
from tests.cli_helpers import run


def test_misspelt_worksheet_gets_a_did_you_mean(capsys):
    with pytest.raises(engine.UnknownWorksheetError, match=r"no worksheet 'tax_calculatio' \(did you mean "
                                                          r"'tax_calculation'\?\)"):
        engine.evaluate(2024, "tax_calculatio", {"filing_status": "single", "ct_agi": 1})
    status, out, err = run(capsys, "evaluate", "2024", "income_tax_retrun", "ct_agi=1")
    assert status == 1 and out == ""
    assert "no worksheet 'income_tax_retrun' (did you mean 'income_tax_return'?)" in err


def test_a_name_given_twice_is_an_error_not_last_one_wins(capsys):
    status, out, err = run(capsys, "evaluate", "2024", "tax_calculation", "filing_status=single", "ct_agi=1",
                           "ct_agi=2")
    assert status == 1 and out == ""
    assert err == "error: input 'ct_agi' is given twice (ct_agi=1 and ct_agi=2); give it once\n"


def test_a_pair_may_still_override_the_input_file(capsys, tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text("filing_status: single\nct_agi: 1\n")
    status, out, _ = run(capsys, "evaluate", "2024", "tax_calculation", "--input", str(case), "ct_agi=0",
                         "--format", "json")
    assert status == 0 and '"ct_agi": "0"' in out


def test_missing_input_file_is_named_without_a_position(capsys, tmp_path):
    missing = tmp_path / "nope.yaml"
    status, out, err = run(capsys, "evaluate", "2024", "tax_calculation", "--input", str(missing))
    assert status == 1 and out == ""
    assert err == f"error: cannot read {missing}: no such file\n"
    assert ":1:1" not in err
    status, _, err = run(capsys, "evaluate", "2024", "tax_calculation", "--input", str(tmp_path))
    assert status == 1 and err == f"error: cannot read {tmp_path}: it is a folder, not a file\n"
