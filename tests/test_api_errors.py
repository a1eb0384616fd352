"""Every bad input gets the package's own error, naming what is wrong."""
import json
from decimal import Decimal

import pytest

import engine

GOOD = {"filing_status": "single", "ct_agi": 60000}


def evaluate(inputs, year=2013, worksheet="tax_calculation"):
    return engine.evaluate(year=year, worksheet=worksheet, inputs=inputs)


def test_unknown_year_lists_years():
    with pytest.raises(engine.UnknownYearError, match=r"2013") as error:
        evaluate(GOOD, year=1999)
    assert "1999" in str(error.value)


def test_unknown_worksheet_lists_worksheets():
    with pytest.raises(engine.UnknownWorksheetError, match="tax_calculation") as error:
        evaluate(GOOD, worksheet="tax_calc")
    assert "tax_calc'" in str(error.value)


def test_missing_input_names_it():
    with pytest.raises(engine.MissingInputError, match="ct_agi") as error:
        evaluate({"filing_status": "single"})
    assert error.value.field == "ct_agi"


def test_unknown_input_suggests_the_closest():
    with pytest.raises(engine.UnknownInputError, match="did you mean 'ct_agi'") as error:
        evaluate({**GOOD, "ct_agl": 5})
    assert error.value.field == "ct_agl"


@pytest.mark.parametrize("status", ["married", "jointly filed", "", None, 3])
def test_wrong_filing_status_lists_the_five(status):
    with pytest.raises((engine.InvalidFilingStatusError, engine.MissingInputError)) as error:
        evaluate({**GOOD, "filing_status": status})
    if status is not None:
        for name in engine.FILING_STATUSES:
            assert name in str(error.value)


@pytest.mark.parametrize("amount", ["abc", "NaN", "nan", "Infinity", "-inf", float("nan"), float("inf"), True,
                                    [1], {"a": 1}, "1e400", "12,34,x"])
def test_non_numeric_nan_or_infinite_amount(amount):
    with pytest.raises(engine.InvalidAmountError) as error:
        evaluate({**GOOD, "ct_agi": amount})
    assert error.value.field == "ct_agi"


@pytest.mark.parametrize("amount, expected", [(60000, 2813), ("60000", 2813), (Decimal("60000.00"), 2813),
                                              ("$60,000", 2813), (" 60000 ", 2813)])
def test_amount_forms_accepted(amount, expected):
    assert evaluate({**GOOD, "ct_agi": amount})["ct_income_tax"] == expected


def test_all_errors_are_ctax_errors_and_value_errors():
    for cls in (engine.MissingInputError, engine.UnknownInputError, engine.InvalidFilingStatusError,
                engine.InvalidAmountError, engine.InvalidInputError):
        assert issubclass(cls, engine.CtaxError) and issubclass(cls, ValueError)
    assert issubclass(engine.UnknownYearError, engine.CtaxError)


def test_inputs_must_be_a_mapping():
    with pytest.raises(engine.CtaxError):
        engine.evaluate(2013, "tax_calculation", [("filing_status", "single")])


def test_choice_input_rejects_unknown_value():
    with pytest.raises(engine.InvalidInputError, match="resident, nonresident, part_year_resident"):
        engine.evaluate(2013, "ct_w4p", {"filing_status": "single", "federal_agi": 1, "payments_per_year": 1,
                                         "residency": "alien"})


def test_result_shape_and_json_round_trip():
    result = evaluate(GOOD)
    assert result["ct_income_tax"] == Decimal("2813") and isinstance(result["ct_income_tax"], Decimal)
    assert list(result.outputs) == ["exemption", "taxable_income", "initial_tax", "phase_out_add_back",
                                    "recapture", "tax_before_credits", "credit_decimal", "personal_credit",
                                    "ct_income_tax"]
    assert [line.line for line in result.lines] == [str(n) for n in range(1, 11)]
    line2 = result.line("2")
    assert line2.id == "exemption" and line2.reads == {"filing_status": "single", "connecticut_agi": 60000}
    assert line2.matches[0].lower == 41000 and line2.matches[0].upper is None
    assert line2.source.document == "IP 2013(8)"
    data = json.loads(json.dumps(result.to_dict()))
    assert data["format"] == "ctax.result/1"
    assert data["outputs"]["ct_income_tax"] == "2813"
    assert data["lines"][1]["table_rows"][0]["row"] == "more than $41,000, and up"
    with pytest.raises(KeyError, match="has no output"):
        result["nonexistent"]


def test_trace_off_gives_same_outputs():
    assert engine.evaluate(2013, "tax_calculation", GOOD, trace=False).outputs == evaluate(GOOD).outputs
    assert engine.evaluate(2013, "tax_calculation", GOOD, trace=False).lines == []


def test_nested_step_trace_is_kept():
    result = engine.evaluate(2013, "ct_w4p", {"filing_status": "single", "federal_agi": 60000,
                                              "payments_per_year": 12})
    step = result.line("4").step
    assert step is not None and step.worksheet == "tax_calculation" and step["ct_income_tax"] == 2813
    line_4 = next(line for line in result.to_dict()["lines"] if line["line"] == "4")
    assert line_4["step"]["outputs"]["ct_income_tax"] == "2813"
