"""2013 nonpayroll withholding schedules (IP 2013(8)) and individual penalties (seeds 001, 003).

Expected values are the publications' own figures or hand calculations written next to them. The
individual penalties worked by hand (late payment, failure to file, balance due notice) are YAML cases:
tests/cases/<year>/late_payment_hand_worked.yaml, failure_to_file_penalty.yaml and balance_due_notice.yaml.
"""
import datetime as dt
from decimal import Decimal

import pytest

import engine
from engine.errors import InvalidInputError, MissingInputError

D = dt.date


def run(year, sheet, **inputs):
    return engine.evaluate(year, sheet, inputs)


# ---------------------------------------------------------------- remitter classification

@pytest.mark.parametrize("liability, classification, eft", [
    ("0", "quarterly", False),
    ("2000", "quarterly", False),        # $2,000 or less
    ("2000.01", "monthly", True),        # more than $2,000
    ("10000", "monthly", True),          # not more than $10,000
    ("10000.01", "weekly", True),        # more than $10,000
])
def test_remitter_classification_edges(liability, classification, eft):
    result = run(2013, "remitter_classification", lookback_liability=liability)
    assert result["classification"] == classification
    assert result["eft_required"] is eft


def test_remitter_classification_needs_the_lookback_liability_unless_new_payer():
    # Registered in 2011 or before (or not said): classified "based on the payer's reported liability
    # ... during the look-back calendar year", so it must be given; a payer first registered in 2012 or
    # 2013 is a new payer and needs none.
    for inputs in ({}, {"first_registered_year": 2011}):
        with pytest.raises(engine.MissingInputError, match="lookback_liability"):
            run(2013, "remitter_classification", **inputs)
    assert run(2013, "remitter_classification", first_registered_year=2012)["classification"] == "quarterly"


def test_remitter_classification_refuses_a_registration_after_2013():
    with pytest.raises(engine.InvalidAmountError, match="first_registered_year"):
        run(2013, "remitter_classification", first_registered_year=2014)


# ---------------------------------------------------------------- payment due dates

# Paid Saturday 2013-06-01 .. Friday 2013-06-07. Saturday to Tuesday: the second Wednesday
# following the date paid (June 12); Wednesday to Friday: the Wednesday following (June 12).
@pytest.mark.parametrize("paid, due", [
    (D(2013, 6, 1), D(2013, 6, 12)),   # Saturday
    (D(2013, 6, 2), D(2013, 6, 12)),   # Sunday
    (D(2013, 6, 3), D(2013, 6, 12)),   # Monday
    (D(2013, 6, 4), D(2013, 6, 12)),   # Tuesday
    (D(2013, 6, 5), D(2013, 6, 12)),   # Wednesday
    (D(2013, 6, 6), D(2013, 6, 12)),   # Thursday
    (D(2013, 6, 7), D(2013, 6, 12)),   # Friday
    (D(2013, 6, 8), D(2013, 6, 19)),   # next Saturday starts the next weekly period
])
def test_weekly_schedule_each_weekday(paid, due):
    result = run(2013, "payment_due_date", classification="weekly", payment_date=paid)
    assert result["due_date"] == due
    # the schedule table and "the Wednesday following the weekly period" agree
    assert due == engine.lang.dates.wednesday_following(engine.lang.dates.weekly_period_end(paid))


def test_weekly_schedule_rows_in_trace():
    tuesday = run(2013, "payment_due_date", classification="weekly", payment_date="2013-06-04")
    wednesday = run(2013, "payment_due_date", classification="weekly", payment_date="2013-06-05")
    assert tuesday.line("4").value == 2 and wednesday.line("4").value == 1
    assert tuesday.line("4").matches[0].description == "more than 0, less than or equal to 4"


@pytest.mark.parametrize("classification, paid, due, quarter", [
    ("monthly", "2013-05-20", D(2013, 6, 17), 2),     # June 15, 2013 is a Saturday -> Monday
    ("monthly", "2013-07-31", D(2013, 8, 15), 3),
    ("quarterly", "2013-03-12", D(2013, 4, 30), 1),   # paid in March, reported for quarter 1
    ("quarterly", "2013-06-30", D(2013, 7, 31), 2),
    ("quarterly", "2013-07-01", D(2013, 10, 31), 3),
    ("quarterly", "2013-12-05", D(2014, 1, 31), 4),
    ("quarterly", "2014-06-02", D(2014, 7, 31), 2),
    ("monthly", "2013-12-02", D(2014, 1, 15), 4),
    ("weekly", "2013-12-20", D(2013, 12, 26), 4),     # Wednesday December 25 (Christmas) -> Thursday
    ("weekly", "2013-12-27", D(2014, 1, 2), 4),       # Wednesday January 1 (New Year's Day) -> Thursday
])
def test_payment_due_date(classification, paid, due, quarter):
    result = run(2013, "payment_due_date", classification=classification, payment_date=paid)
    assert result["due_date"] == due
    assert result["ct_8109_quarter"] == quarter


def test_payment_due_date_refuses_bad_input():
    with pytest.raises(InvalidInputError, match="payment_date"):
        run(2013, "payment_due_date", classification="weekly", payment_date="next Tuesday")
    with pytest.raises(InvalidInputError, match="classification"):
        run(2013, "payment_due_date", classification="daily", payment_date="2013-06-04")


# ---------------------------------------------------------------- EFT penalties

@pytest.mark.parametrize("days, rate, penalty", [
    (0, "0", 0),
    (1, "0.02", 200),
    (5, "0.02", 200),     # not more than 5 days: 2% of $10,000
    (6, "0.05", 500),     # more than 5 days
    (15, "0.05", 500),    # not more than 15 days
    (16, "0.10", 1000),   # more than 15 days
])
def test_late_eft_penalty_edges(days, rate, penalty):
    result = run(2013, "late_eft_penalty", tax_due=10000, days_late=days)
    assert result["rate"] == Decimal(rate)
    assert result["penalty"] == penalty


def test_late_eft_penalty_rounds_to_whole_dollars():
    assert run(2013, "late_eft_penalty", tax_due="1234", days_late=3)["penalty"] == 25  # 2% = 24.68


@pytest.mark.parametrize("tax, failure, penalty", [
    (20000, 1, 2000),      # 10% = 2,000 < 2,500
    (30000, 1, 2500),      # 10% = 3,000, limited to 2,500
    (30000, 2, 3000),      # second failure: limit 10,000
    (200000, 2, 10000),    # 10% = 20,000, limited to 10,000
    (200000, 3, 20000),    # third: 10%, no limit
    (200000, 7, 20000),
])
def test_eft_failure_penalty(tax, failure, penalty):
    assert run(2013, "eft_failure_penalty", tax_due=tax, failure_number=failure)["penalty"] == penalty


def test_eft_failure_number_must_be_at_least_one():
    with pytest.raises(engine.InvalidAmountError, match="failure_number"):
        run(2013, "eft_failure_penalty", tax_due=100, failure_number=0)


# ---------------------------------------------------------------- informational returns

@pytest.mark.parametrize("statements, penalty", [(0, 0), (1, 5), (399, 1995), (400, 2000), (401, 2000)])
def test_informational_return_penalty(statements, penalty):
    assert run(2013, "informational_return_penalty", statements=statements)["penalty"] == penalty


@pytest.mark.parametrize("forms, required", [(0, False), (24, False), (25, True), (26, True)])
def test_electronic_filing_requirement(forms, required):
    assert run(2013, "electronic_filing_requirement", forms=forms)["electronic_filing_required"] is required


def test_gambling_withholding_flat_rate():
    assert run(2013, "gambling_withholding", winnings=10000)["withholding"] == Decimal("670.00")
    assert run(2013, "gambling_withholding", winnings="1234.56")["withholding"] == Decimal("82.72")  # 82.71552


# ---------------------------------------------------------------- CT-W4P request

@pytest.mark.parametrize("requested, previous, effective", [
    ("2013-03-15", False, D(2013, 6, 15)),   # three calendar months after
    ("2013-11-30", False, D(2014, 2, 28)),   # February is shorter
    ("2013-04-01", True, D(2013, 5, 1)),     # May 1 is exactly 30 days after April 1
    ("2013-04-02", True, D(2013, 7, 1)),     # May 1 is only 29 days after: next, July 1
    ("2013-09-15", True, D(2014, 1, 1)),     # October 15 misses October 1 -> January 1
])
def test_withholding_request_effective_date(requested, previous, effective):
    result = run(2013, "withholding_request_effective_date", request_date=requested,
                 previous_request_in_effect=previous)
    assert result["effective_date"] == effective
    assert result["amount_valid"] is True


@pytest.mark.parametrize("amount, valid", [("10", True), ("9", False), ("10.50", False), ("25", True)])
def test_withholding_request_amount(amount, valid):
    result = run(2013, "withholding_request_effective_date", request_date="2013-03-15", amount_per_payment=amount)
    assert result["amount_valid"] is valid


# ---------------------------------------------------------------- CT-945 and CT-1096

QUARTERS = dict(liability_march=1000, liability_june=1500, liability_september=500, liability_december=1000)


def test_ct_945_balance_due_and_cross_check():
    result = run(2013, "ct_945", gross_nonpayroll_amounts=90000, gross_ct_nonpayroll_amounts=60000,
                 ct_tax_withheld=4000, payments_made=3000, late_payment_penalty=100, interest=30, **QUARTERS)
    assert result["line_7"] == 1000            # 4,000 - (0 + 3,000)
    assert result["line_11"] == 1130           # 1,000 + (100 + 30)
    assert result["line_9"] == 0 and result["line_10"] == 0
    assert result["total_liability"] == 4000
    assert result.checks_hold
    assert result["due_date"] == D(2014, 1, 31)


def test_ct_945_refund_credit_and_failed_check():
    refund = run(2013, "ct_945", gross_nonpayroll_amounts=1, gross_ct_nonpayroll_amounts=1, ct_tax_withheld=4000,
                 payments_made=4250, all_deposits_timely=True, liability_march=3999)
    assert refund["line_7"] == -250 and refund["line_10"] == 250 and refund["line_9"] == 0
    assert refund["due_date"] == D(2014, 2, 10)   # paid in full through timely deposits
    assert not refund.checks_hold
    assert refund.checks[0].id == "section_2_equals_line_3"
    credit = run(2013, "ct_945", gross_nonpayroll_amounts=1, gross_ct_nonpayroll_amounts=1, ct_tax_withheld=4000,
                 payments_made=4250, credit_overpayment=True)
    assert credit["line_9"] == 250 and credit["line_10"] == 0


def test_ct_945_rounds_only_totals():
    # $1.29 + $3.21 = $4.50, rounded to $5 (the form's own example), on Lines 4-6
    result = run(2013, "ct_945", gross_nonpayroll_amounts=0, gross_ct_nonpayroll_amounts=0, ct_tax_withheld=10,
                 credit_from_prior_year="1.29", payments_made="3.21")
    assert result.line("6").value == 4  # Lines 4 and 5 are each rounded first: 1 + 3
    assert result["line_7"] == 6


@pytest.mark.parametrize("electronic, due", [(False, D(2014, 2, 28)), (True, D(2014, 3, 31))])
def test_ct_1096_due_dates_and_checks(electronic, due):
    result = run(2013, "ct_1096", ct_tax_withheld=4000, total_nonpayroll_amounts=60000, forms_submitted=30,
                 first_quarter=1000, second_quarter=1500, third_quarter=500, fourth_quarter=1000,
                 filed_electronically=electronic, ct_945_line_3=4000)
    assert result["due_date"] == due
    assert result["electronic_filing_required"] is True
    checks = {c.id: c.holds for c in result.checks}
    assert checks == {"quarterly_total_equals_line_1": True, "line_1_equals_ct_945_line_3": True,
                      "line_2_equals_ct_945_line_2": True, "electronic_when_required": electronic}


@pytest.mark.parametrize("ct_945_line_2, holds", [
    (None, True), ("60000", True), ("60000.49", True), ("59999", False), ("60000.50", False)])
def test_ct_1096_line_2_cross_check_with_ct_945_line_2(ct_945_line_2, holds):
    # IP 2013(8), Amending Form CT-1096: "The gross Connecticut nonpayroll amounts reported on Form CT-945
    # or Form CT-941X, Line 2, must agree with total nonpayroll amounts reported on Form CT-1096, Line 2."
    # Both are whole-dollar lines: 60,000.49 is entered as 60,000 (agrees), 60,000.50 as 60,001 (does not).
    inputs = dict(ct_tax_withheld=4000, total_nonpayroll_amounts=60000, forms_submitted=3, first_quarter=4000)
    if ct_945_line_2 is not None:
        inputs["ct_945_line_2"] = ct_945_line_2
    result = run(2013, "ct_1096", **inputs)
    assert {c.id: c.holds for c in result.checks}["line_2_equals_ct_945_line_2"] is holds


def test_ct_1096_cross_check_with_ct_945_fails_when_different():
    result = run(2013, "ct_1096", ct_tax_withheld=4000, total_nonpayroll_amounts=1, forms_submitted=3,
                 first_quarter=4000, ct_945_line_3=3999)
    assert {c.id: c.holds for c in result.checks}["line_1_equals_ct_945_line_3"] is False
    assert result["electronic_filing_required"] is False


# ---------------------------------------------------------------- individuals

def test_late_payment_missing_and_bad_dates():
    with pytest.raises(MissingInputError, match="payment_date"):
        run(2024, "late_payment", tax_due=1, due_date="2024-04-15")
    with pytest.raises(InvalidInputError, match="due_date"):
        run(2024, "late_payment", tax_due=1, due_date="2024-13-01", payment_date="2024-04-15")


@pytest.mark.parametrize("year", [2023, 2024])
def test_acceptance_date_is_required_for_an_e_filed_return_paid_by_check(year):
    # Seed 003, Penalty for Late Payment or Late Filing: "If you file your return electronically and pay
    # your balance due by check, then your check must be postmarked on whichever is earlier: the date of
    # acceptance of the electronic return or the extended due date." (the worked cases are in
    # tests/cases/<year>/late_payment_extensions.yaml)
    with pytest.raises(MissingInputError, match="electronic_return_accepted_date"):
        run(year, "late_payment", tax_due=2000, paid_by_original_due_date=1800, due_date="2024-04-15",
            extension_granted=True, return_filed_date="2024-06-03", payment_date="2024-06-04",
            return_filed_electronically=True, balance_paid_by_check=True)


def test_fraud_penalty_more_than_1000_is_refused():
    # IP 2013(8), Fraud: "a civil penalty of not more than $1,000"; $1,000.01 is refused, naming the input.
    assert run(2013, "fraud_penalty", amount_imposed=1000)["penalty"] == 1000
    refused = "input 'amount_imposed' of worksheet 'fraud_penalty' is refused"
    with pytest.raises(engine.InvalidInputError, match=refused) as error:
        run(2013, "fraud_penalty", amount_imposed="1000.01")
    assert error.value.field == "amount_imposed"
