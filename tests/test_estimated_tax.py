"""2024 estimated tax (seed 003): required annual payment, installments, farmer rule, interest."""
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
    assert result["installments"] == [{"due_date": d, "amount": Decimal(2000)} for d in DUE]


def test_ninety_percent_alone_without_a_full_prior_return():
    assert run(current_year_tax=10000, prior_year_tax=8000)["required_annual_payment"] == 9000
    nonresident = run(current_year_tax=10000, prior_year_tax=8000, prior_year_full_return=True,
                      nonresident_without_prior_ct_income=True)
    assert nonresident["required_annual_payment"] == 9000


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


def test_prior_year_without_liability_needs_no_payments():
    assert run(current_year_tax=5000, prior_year_tax=0, prior_year_full_return=True)["required"] is False


def test_farmer_or_fisherman_single_installment():
    result = run(current_year_tax=9000, prior_year_tax=8000, prior_year_full_return=True, farmer_or_fisherman=True)
    assert result["installments"] == [{"due_date": D(2025, 1, 15), "amount": Decimal(6000)}]  # 2/3 of 9,000
    lower_prior = run(current_year_tax=9000, prior_year_tax=5000, prior_year_full_return=True, farmer_or_fisherman=True)
    assert lower_prior["installments"] == [{"due_date": D(2025, 1, 15), "amount": Decimal(5000)}]


def test_interest_on_underpaid_installment():
    # second installment due Monday June 17, 2024, paid August 1: 2 months -> 1,000 x 1% x 2
    result = run(current_year_tax=10000, underpaid_installment=2, underpayment=1000, underpayment_paid_date="2024-08-01")
    assert result["underpayment_months"] == 2 and result["underpayment_interest"] == 20
    # never paid before the return: interest stops April 15, 2025 (10 months from June 17, 2024)
    result = run(current_year_tax=10000, underpaid_installment=2, underpayment=1000)
    assert result["underpayment_months"] == 10 and result["underpayment_interest"] == 100
    # paid on the due date: no interest
    result = run(current_year_tax=10000, underpaid_installment=1, underpayment=1000, underpayment_paid_date="2024-04-15")
    assert result["underpayment_interest"] == 0


def test_january_31_exception():
    base = dict(current_year_tax=10000, underpaid_installment=4, underpayment=2250, underpayment_paid_date="2025-01-31")
    assert run(**base)["underpayment_interest"] == 23   # 2,250 x 1% x 1 = 22.50 -> 23
    excused = run(**base, return_filed_date="2025-01-31", paid_in_full_with_return=True)
    assert excused["underpayment_interest"] == 0
    late_return = run(**{**base, "underpayment_paid_date": "2025-02-03"}, return_filed_date="2025-02-03",
                      paid_in_full_with_return=True)
    assert late_return["underpayment_interest"] == 23
    third = run(**{**base, "underpaid_installment": 3}, return_filed_date="2025-01-31", paid_in_full_with_return=True)
    assert third["underpayment_interest"] > 0          # the exception covers only the January installment


def test_march_1_exception_for_farmers():
    base = dict(current_year_tax=9000, farmer_or_fisherman=True, underpayment=6000, underpayment_paid_date="2025-03-03")
    assert run(**base)["underpayment_interest"] == 120   # January 15 -> March 3: 2 months
    # March 1, 2025 is a Saturday: filing on Monday March 3 is in time
    assert run(**base, return_filed_date="2025-03-03", paid_in_full_with_return=True)["underpayment_interest"] == 0
    assert run(**base, return_filed_date="2025-03-04", paid_in_full_with_return=True)["underpayment_interest"] == 120


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
    assert result["installments"] == [{"due_date": d, "amount": Decimal(2000)} for d in DUE_2025]
    farmer = engine.evaluate(2025, "estimated_tax", {"current_year_tax": 9000, "farmer_or_fisherman": True})
    assert farmer["installments"] == [{"due_date": D(2026, 1, 15), "amount": Decimal(6000)}]  # 2/3 of 9,000


def test_2025_interest_runs_to_april_15_2026():
    # second installment due Monday June 16, 2025, never paid before the return: interest to April 15,
    # 2026 -> June 16 .. April 15 is 9 whole months and a fraction: 10 months x 1% x $1,000 = $100
    result = engine.evaluate(2025, "estimated_tax", {"current_year_tax": 10000, "underpaid_installment": 2,
                                                     "underpayment": 1000})
    assert result["underpayment_months"] == 10 and result["underpayment_interest"] == 100
