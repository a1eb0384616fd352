"""Filing statuses in the spellings people and peer tools use (issue 14): any case, the IRS/PolicyEngine
enum names and the IRS abbreviations name the five statuses; anything else gets a "did you mean"."""
import pytest

import engine
from engine.cli import main

GOOD_AGI = 60000


def tax(status, year=2024):
    return engine.evaluate(year, "tax_calculation", {"filing_status": status, "ct_agi": GOOD_AGI})


@pytest.mark.parametrize("spelling, status", [
    ("Single", "single"), ("SINGLE", "single"), (" single ", "single"),
    ("JOINT", "married_filing_jointly"), ("MFJ", "married_filing_jointly"),
    ("Married Filing Jointly", "married_filing_jointly"),
    ("SEPARATE", "married_filing_separately"), ("mfs", "married_filing_separately"),
    ("HEAD_OF_HOUSEHOLD", "head_of_household"), ("head-of-household", "head_of_household"),
    ("HOH", "head_of_household"),
    ("SURVIVING_SPOUSE", "qualifying_surviving_spouse"), ("QSS", "qualifying_surviving_spouse"),
])
def test_other_spellings_name_one_of_the_five(spelling, status):
    result = tax(spelling)
    # the result records the canonical name, and computes exactly what the canonical name computes
    assert result.inputs["filing_status"] == status
    assert result["ct_income_tax"] == tax(status)["ct_income_tax"]


@pytest.mark.parametrize("spelling, hint", [
    ("married", "(did you mean 'married_filing_jointly' or 'married_filing_separately'?)"),
    ("singel", "(did you mean 'single'?)"),
    ("head", "(did you mean 'head_of_household'?)"),
    ("surviving", "(did you mean 'qualifying_surviving_spouse'?)"),
])
def test_anything_else_gets_a_did_you_mean(spelling, hint):
    with pytest.raises(engine.InvalidFilingStatusError) as error:
        tax(spelling)
    assert str(error.value).endswith(f"got {spelling!r} {hint}")
    assert error.value.field == "filing_status"


def test_no_hint_when_nothing_is_close():
    with pytest.raises(engine.InvalidFilingStatusError) as error:
        tax("xyz")
    assert "did you mean" not in str(error.value)


def test_the_command_line_takes_the_same_spellings(capsys):
    assert main(["evaluate", "2024", "tax_calculation", "filing_status=JOINT", "ct_agi=60000", "--format",
                 "json"]) == 0
    assert '"filing_status": "married_filing_jointly"' in capsys.readouterr().out
    assert main(["evaluate", "2024", "tax_calculation", "filing_status=married", "ct_agi=60000"]) == 1
    assert "did you mean 'married_filing_jointly' or 'married_filing_separately'?" in capsys.readouterr().err


def test_batch_reads_the_other_spellings_in_columns_without_falling_back_row_by_row():
    import pandas as pd
    import pyarrow as pa

    from engine.batch import evaluate as batch

    spellings = ["SINGLE", "Single", "JOINT", "MFS", "Head of Household", "SURVIVING_SPOUSE", "single"]
    sheet = engine.load(2024).worksheets["tax_calculation"]
    columns = {"filing_status": pa.array(spellings), "ct_agi": pa.array([GOOD_AGI] * len(spellings))}
    env, slow = batch._input_env(sheet, columns, len(spellings))
    assert not slow.any()  # every row on the column path
    assert [engine.FILING_STATUSES[c] for c in env["filing_status"].codes] == [
        "single", "single", "married_filing_jointly", "married_filing_separately", "head_of_household",
        "qualifying_surviving_spouse", "single"]
    frame = engine.evaluate_batch(2024, "tax_calculation", pd.DataFrame(
        {"filing_status": spellings, "ct_agi": [GOOD_AGI] * len(spellings)}))
    assert list(frame["ct_income_tax"]) == [tax(s)["ct_income_tax"] for s in spellings]
