"""2023 estimated tax (seed 003): the 2024 worksheet's inputs and outputs with the 2023 dates.

Seed 003 prints, for the 2023 taxable year: the farmers' "payment is due on or before January 15, 2024,
for the 2023 taxable year"; interest "until the earlier of April 15, 2024, or the date on which the
underpayment is paid"; and no interest "for failing to make the estimated payment due January 15,
2024" when the return is filed and paid in full "on or before January 31, 2024". January 15, 2024 is
Martin Luther King Jr. Day, and the guide's rule is "If the due date falls on a Saturday, Sunday, or
legal holiday, the return will be considered timely if filed by the next business day": January 16.

The interest cases worked by hand are YAML cases: tests/cases/2023/estimated_tax_hand_worked.yaml. The
installment schedules stay here: a case file cannot compare a list of dated amounts.
"""
import datetime as dt
from decimal import Decimal

import pytest

import engine

D = dt.date
# April 15, 2023 is a Saturday -> Monday April 17; June 15 (Thu) and September 15 (Fri) stand;
# January 15, 2024 is Martin Luther King Jr. Day -> Tuesday January 16.
DUE_2023 = [D(2023, 4, 17), D(2023, 6, 15), D(2023, 9, 15), D(2024, 1, 16)]


def run(**inputs):
    return engine.evaluate(2023, "estimated_tax", inputs)


def test_same_inputs_and_outputs_as_2024():
    sheet_2023 = engine.load(2023).worksheet("estimated_tax")
    sheet_2024 = engine.load(2024).worksheet("estimated_tax")
    assert list(sheet_2023.inputs) == list(sheet_2024.inputs)
    assert list(sheet_2023.outputs) == list(sheet_2024.outputs)


def test_installment_dates_and_amounts():
    # required annual payment: lesser of 90% of 10,000 (9,000) and 100% of 8,000 -> 8,000; 25% = 2,000 a date;
    # 2,000 withheld -> 500 a date treated as paid -> 1,500 still to pay on each date
    result = run(current_year_tax=10000, prior_year_tax=8000, prior_year_full_return=True, withholding=2000)
    assert result["required_annual_payment"] == 8000 and result["required"] is True
    assert result["required_installments"] == [{"due_date": d, "amount": Decimal(2000)} for d in DUE_2023]
    assert result["installments"] == [{"due_date": d, "amount": Decimal(1500)} for d in DUE_2023]


def test_farmer_payment_due_on_the_day_after_martin_luther_king_jr_day():
    # "due on or before January 15, 2024, for the 2023 taxable year"; 66 2/3% of 9,000 = 6,000
    result = run(current_year_tax=9000, farmer_or_fisherman=True)
    assert result["installments"] == [{"due_date": D(2024, 1, 16), "amount": Decimal(6000)}]
    # (the interest when paid on January 16 or 17 is a case in tests/cases/2023/estimated_tax_hand_worked.yaml)


def test_fiscal_year_2023_dates():
    # July 1, 2023 - June 30, 2024: October 15, 2023 is a Sunday -> October 16; December 15, 2023 (Fri);
    # March 15, 2024 (Fri); July 15, 2024 (Mon)
    result = run(current_year_tax=4000, tax_year_end="2024-06-30")   # 90% of 4,000 / 4 = 900
    assert result["installments"] == [{"due_date": d, "amount": Decimal(900)}
                                      for d in (D(2023, 10, 16), D(2023, 12, 15), D(2024, 3, 15), D(2024, 7, 15))]


@pytest.mark.parametrize("year_end", ["2024-12-31", "2023-11-30"])
def test_tax_year_end_must_end_a_2023_taxable_year(year_end):
    with pytest.raises(engine.errors.InvalidInputError, match="tax_year_end"):
        run(current_year_tax=4000, tax_year_end=year_end)
