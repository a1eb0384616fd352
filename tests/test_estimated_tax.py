"""2024 estimated tax (seed 003): required annual payment, installments, farmer rule, interest, fiscal years.

The cases worked by hand whose outputs are single figures (the required annual payment, the interest
and its exceptions) are YAML cases: tests/cases/2024 and 2025/estimated_tax_hand_worked.yaml. The
installment schedules stay here: a case file cannot compare a list of dated amounts.
"""
import datetime as dt
import json
from decimal import Decimal

import pytest

import engine

D = dt.date
DUE = [D(2024, 4, 15), D(2024, 6, 17), D(2024, 9, 16), D(2025, 1, 15)]  # June 15 Sat, Sept 15 Sun


def run(**inputs):
    return engine.evaluate(2024, "estimated_tax", inputs)


def test_lesser_of_90_percent_and_prior_year():
    result = run(current_year_tax=10000, prior_year_tax=8000, prior_year_full_return=True, withholding=2000)
    assert result["required_annual_payment"] == 8000        # min(9,000, 8,000)
    assert result["required"] is True                       # 8,000 >= 1,000 and 2,000 < 8,000
    # "25% of your required annual payment" on each date: 25% of 8,000 = 2,000 required ...
    assert result["required_installments"] == [{"due_date": d, "amount": Decimal(2000)} for d in DUE]
    # ... of which 2,000 / 4 = 500 of withholding counts as paid on each date: 1,500 still to pay
    # (issue 10, item 6); 4 x 1,500 + 2,000 withheld = 8,000, the required annual payment.
    assert result["installments"] == [{"due_date": d, "amount": Decimal(1500)} for d in DUE]


@pytest.mark.parametrize("tax, withholding, required", [
    (1999, 999, True),     # 1,000 after withholding; 999 < 90% of 1,999 = 1,799
    (1999, 1000, False),   # 999 after withholding
    (20000, 18000, False),  # 2,000 after withholding, but 18,000 is 90% of 20,000: not below
    (20000, 17999, True),
])
def test_requirement_edges(tax, withholding, required):
    result = run(current_year_tax=tax, withholding=withholding)
    assert result["required"] is required
    assert (result["installments"] == []) is (not required)


def test_farmer_or_fisherman_single_installment():
    result = run(current_year_tax=9000, prior_year_tax=8000, prior_year_full_return=True, farmer_or_fisherman=True)
    assert result["installments"] == [{"due_date": D(2025, 1, 15), "amount": Decimal(6000)}]  # 2/3 of 9,000
    lower_prior = run(current_year_tax=9000, prior_year_tax=5000, prior_year_full_return=True, farmer_or_fisherman=True)
    assert lower_prior["installments"] == [{"due_date": D(2025, 1, 15), "amount": Decimal(5000)}]


# Issue 10, item 6: "installments" is what is still to pay; withholding counts as paid in equal parts
# on the four due dates; "required_installments" keeps the required amount per date.

def test_withholding_rounds_to_whole_dollars_per_date():
    # 90% of 10,000 = 9,000 required; 25% = 2,250 per date; 2,001 / 4 = 500.25 withheld per date:
    # 2,250 - 500.25 = 1,749.75 -> 1,750 (whole dollars, 50 cents and up rounds up)
    result = run(current_year_tax=10000, withholding=2001)
    assert [i["amount"] for i in result["required_installments"]] == [2250] * 4
    assert [i["amount"] for i in result["installments"]] == [1750] * 4


# Issue 10, item 5, seed 003 (Special Rules for Farmers and Fishermen): "The required installment is the
# lesser of 66 2/3% of the income tax shown on your ... return or 100% of the income tax shown on your
# [prior year] return"; whether a payment is required follows from that amount after withholding.

def test_farmer_required_follows_the_66_2_3_installment_after_withholding():
    # 9,000 tax, 5,000 withheld: 4,000 after withholding (>= 1,000); 66 2/3% of 9,000 = 6,000 > 5,000
    result = run(current_year_tax=9000, withholding=5000, farmer_or_fisherman=True)
    assert result["required"] is True
    assert result["required_installments"] == [{"due_date": D(2025, 1, 15), "amount": Decimal(6000)}]
    assert result["installments"] == [{"due_date": D(2025, 1, 15), "amount": Decimal(1000)}]  # 6,000 - 5,000
    # 6,500 withheld: 2,500 after withholding, and 6,500 < 90% of 9,000 (8,100) would have required four
    # payments under the 90% / 100% test; 6,500 covers the farmer's 6,000 installment, so nothing is due.
    covered = run(current_year_tax=9000, withholding=6500, farmer_or_fisherman=True)
    assert covered["required"] is False and covered["installments"] == []
    assert run(current_year_tax=9000, withholding=6500)["required"] is True   # not a farmer: 6,500 < 8,100
    # 100% of the prior year's 5,000 is the lesser: 5,000 - 4,000 withheld = 1,000 to pay
    prior = run(current_year_tax=9000, prior_year_tax=5000, prior_year_full_return=True, withholding=4000,
                farmer_or_fisherman=True)
    assert prior["installments"] == [{"due_date": D(2025, 1, 15), "amount": Decimal(1000)}]
    # exactly the installment withheld: not less than it, no payment
    assert run(current_year_tax=9000, withholding=6000, farmer_or_fisherman=True)["required"] is False


# Seed 003, 2024 Estimated Tax Due Dates: "Taxpayers who report on other than a calendar year basis should
# use their federal estimated tax installment due dates" (15th day of the 4th, 6th and 9th months of the
# fiscal year and of the 1st month of the next), "If the due date falls on a Saturday, Sunday, or legal
# holiday, the return will be considered timely if filed by the next business day."

@pytest.mark.parametrize("year_end, dates", [
    # July 1, 2024 - June 30, 2025: Oct 15, 2024 (Tue); Dec 15, 2024 is a Sunday -> Dec 16;
    # Mar 15, 2025 is a Saturday -> Mar 17; Jul 15, 2025 (Tue)
    ("2025-06-30", [D(2024, 10, 15), D(2024, 12, 16), D(2025, 3, 17), D(2025, 7, 15)]),
    # April 1, 2024 - March 31, 2025: Jul 15, 2024 (Mon); Sep 15, 2024 Sunday -> Sep 16;
    # Dec 15, 2024 Sunday -> Dec 16; Apr 15, 2025 (Tue)
    ("2025-03-31", [D(2024, 7, 15), D(2024, 9, 16), D(2024, 12, 16), D(2025, 4, 15)]),
    # the calendar year given explicitly: the printed dates
    ("2024-12-31", DUE),
])
def test_fiscal_year_installment_dates(year_end, dates):
    result = run(current_year_tax=4000, tax_year_end=year_end)  # 90% of 4,000 = 3,600; 900 per date
    assert result["installments"] == [{"due_date": d, "amount": Decimal(900)} for d in dates]


def test_fiscal_year_farmer_date():
    # (its interest and the exceptions are cases in tests/cases/2024/estimated_tax_hand_worked.yaml)
    fy = dict(tax_year_end="2025-06-30", current_year_tax=9000, farmer_or_fisherman=True, underpayment=1000)
    # the one payment: the 15th of the next fiscal year's 1st month, July 15, 2025
    assert run(**fy)["installments"] == [{"due_date": D(2025, 7, 15), "amount": Decimal(6000)}]


@pytest.mark.parametrize("year_end", ["2025-12-31", "2024-11-30", "2025-06-15"])
def test_tax_year_end_must_end_a_2024_taxable_year(year_end):
    # a year beginning in 2025, one beginning in December 2023, and a day that is not a month's last
    with pytest.raises(engine.errors.InvalidInputError, match="tax_year_end"):
        run(current_year_tax=4000, tax_year_end=year_end)


def test_january_31_exception_covers_only_the_january_installment():
    # (the exception itself is a case in tests/cases/2024/estimated_tax_hand_worked.yaml)
    base = dict(current_year_tax=10000, underpaid_installment=3, underpayment=2250, underpayment_paid_date="2025-01-31")
    third = run(**base, return_filed_date="2025-01-31", paid_in_full_with_return=True)
    assert third["underpayment_interest"] > 0          # the exception covers only the January installment


def test_installments_render_as_plain_json():
    data = run(current_year_tax=4000).to_dict()
    assert data["outputs"]["installments"][1] == {"due_date": "2024-06-17", "amount": "900"}
    json.dumps(data)  # everything, traces included, is plain JSON


# 2025: the 2024 rules carry over one year later (the 2025 source prints no estimated-tax dates).
# Calendar 2025: April 15 is a Tuesday, June 15 a Sunday (-> Monday June 16), September 15 a Monday;
# January 15, 2026 a Thursday.
DUE_2025 = [D(2025, 4, 15), D(2025, 6, 16), D(2025, 9, 15), D(2026, 1, 15)]


def test_2025_installment_dates():
    result = engine.evaluate(2025, "estimated_tax", {
        "current_year_tax": 10000, "prior_year_tax": 8000, "prior_year_full_return": True, "withholding": 2000})
    assert result["required_annual_payment"] == 8000  # min(90% x 10,000, 100% x 8,000)
    # required: 25% x 8,000 = 2,000 a date; still to pay: 2,000 less the withholding treated as paid
    # on each date, 2,000 / 4 = 500 -> 1,500
    assert result["required_installments"] == [{"due_date": d, "amount": Decimal(2000)} for d in DUE_2025]
    assert result["installments"] == [{"due_date": d, "amount": Decimal(1500)} for d in DUE_2025]
    farmer = engine.evaluate(2025, "estimated_tax", {"current_year_tax": 9000, "farmer_or_fisherman": True})
    assert farmer["installments"] == [{"due_date": D(2026, 1, 15), "amount": Decimal(6000)}]  # 2/3 of 9,000


@pytest.mark.parametrize("contradiction", [{"prior_year_full_return": True}, {"prior_year_tax": 500},
                                           {"nonresident_without_prior_ct_income": True}])
def test_no_prior_year_return_for_want_of_a_liability_refuses_contradictions(contradiction):
    # no 2023 return because there was no 2023 liability: a 2023 return, a 2023 tax or no 2023 Connecticut-sourced
    # income (the guide's 90% rule for that filer) contradicts it, and the error names the input
    with pytest.raises(engine.errors.InvalidInputError, match="no_prior_year_return_no_liability"):
        run(current_year_tax=10000, no_prior_year_return_no_liability=True, **contradiction)
