"""Independent reference for issue #4: penalties, interest, due dates, withholding and estimated tax.

Written by the reviewer from the issue text and the seeds only (IP 2013(8) = seed 004; the
balance-due notice article = seed 001; the 2023 CT-1040NR/PY booklet = seed 003), without
reading the rule files. Plain Python: datetime, Decimal and the ``holidays`` package for the
United States / Connecticut calendar. Each function returns a dict keyed by the output names the
issue gives (open names taken from the worksheets' ``inputs:`` and outputs only).

Rounding: money results are exact Decimals (no rounding) unless the source says otherwise; the
comparison test rounds where the worksheet documents a rounding choice.
"""
from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from functools import cache

import holidays

D = Decimal


# --- calendar ---------------------------------------------------------------------------------

@cache
def _ct_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("US", subdiv="CT", years=[year]).keys())


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _ct_holidays(day.year)


def next_business_day(day: dt.date) -> dt.date:
    """A due date on a Saturday, Sunday or legal holiday moves to the next business day."""
    while not is_business_day(day):
        day += dt.timedelta(days=1)
    return day


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day-of-month ``months`` later, clamped to the month's last day (Jan 31 + 1 = Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_or_fraction(due: dt.date, paid: dt.date) -> int:
    """Months or fractions of a month from ``due`` to ``paid``; paying on the due date is 0."""
    if paid <= due:
        return 0
    n = 1
    while add_months(due, n) < paid:
        n += 1
    return n


def last_day_of_month(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


# --- 2013 nonpayroll withholding (IP 2013(8)) -------------------------------------------------

def remitter_classification(lookback_liability: Decimal, first_registered_year: int | None = None,
                            months_registered_in_2011: int = 12) -> dict:
    """IP 2013(8), Remitter Classifications and New Payer (pages 10-11), for calendar year 2013."""
    # "a new payer for the calendar year during which the payer is first registered ... and for the
    # following calendar year": 2013 is one of those two years.
    new = first_registered_year is not None and 2013 in (first_registered_year, first_registered_year + 1)
    if first_registered_year == 2011:  # registered during the look-back year: "annualized" liability
        lookback_liability = lookback_liability / months_registered_in_2011 * 12
    if new or lookback_liability <= D(2000):
        cls = "quarterly"
    elif lookback_liability <= D(10000):
        cls = "monthly"
    else:
        cls = "weekly"
    return {"new_payer": new, "classification": cls, "eft_required": not new and lookback_liability > D(2000)}


def weekly_due_date_unrolled(paid: dt.date) -> dt.date:
    """Wednesday following the Saturday-to-Friday weekly period containing ``paid``.

    Checked against the printed schedule: Sat-Tue -> second Wednesday following the payment date,
    Wed-Fri -> the Wednesday following (never the same day).
    """
    friday = paid + dt.timedelta(days=(4 - paid.weekday()) % 7)
    return friday + dt.timedelta(days=5)


def payment_due_date(classification: str, payment_date: dt.date) -> dict:
    if classification == "weekly":
        due = weekly_due_date_unrolled(payment_date)
    elif classification == "monthly":
        y, m = (payment_date.year + 1, 1) if payment_date.month == 12 else (payment_date.year, payment_date.month + 1)
        due = dt.date(y, m, 15)
    elif classification == "quarterly":
        q_end_month = quarter_of(payment_date) * 3
        idx = payment_date.year * 12 + q_end_month  # month after the quarter's last month
        y, m = divmod(idx, 12)
        due = last_day_of_month(y, m + 1)
    else:
        raise ValueError(classification)
    return {"due_date": next_business_day(due), "ct_8109_quarter": D(quarter_of(payment_date))}


def late_eft_penalty(tax_due: Decimal, days_late: int) -> dict:
    if days_late <= 0:
        rate = D(0)
    elif days_late <= 5:
        rate = D("0.02")
    elif days_late <= 15:
        rate = D("0.05")
    else:
        rate = D("0.10")
    return {"rate": rate, "penalty": tax_due * rate}


def eft_failure_penalty(tax_due: Decimal, failure_number: int) -> dict:
    ten = tax_due * D("0.10")
    if failure_number == 1:
        return {"penalty": min(ten, D(2500))}
    if failure_number == 2:
        return {"penalty": min(ten, D(10000))}
    return {"penalty": ten}


def informational_return_penalty(statements: int) -> dict:
    return {"penalty": min(D(5) * statements, D(2000))}


def electronic_filing_requirement(forms: int) -> dict:
    return {"electronic_filing_required": forms >= 25}


def gambling_withholding(winnings: Decimal, lottery: bool = False, reportable: bool = True,
                         federal_withholding: bool = True, payee: str = "resident", for_resident: bool = False) -> dict:
    """IP 2013(8) page 8 and the Form CT-8109/CT-945 lists: 6.7% of reportable Connecticut Lottery winnings
    paid to anyone; of other winnings only when subject to federal withholding and paid to a resident, a
    part-year resident or someone receiving them on a resident's behalf."""
    if lottery:
        applies = reportable
    else:
        applies = federal_withholding and (payee in ("resident", "part_year_resident") or for_resident)
    return {"withholding_required": applies, "withholding": winnings * D("0.067") if applies else D(0)}


STATUS_DETERMINATION = ((1, 1), (5, 1), (7, 1), (10, 1))


def withholding_request_effective_date(request_date: dt.date, previous_request_in_effect: bool = False,
                                       amount_per_payment: Decimal | None = None) -> dict:
    if not previous_request_in_effect:
        effective = add_months(request_date, 3)
    else:
        earliest = request_date + dt.timedelta(days=30)
        candidates = [dt.date(y, m, d) for y in (earliest.year, earliest.year + 1) for m, d in STATUS_DETERMINATION]
        effective = min(c for c in candidates if c >= earliest)
    valid = True if amount_per_payment is None else (amount_per_payment == amount_per_payment.to_integral_value()
                                                       and amount_per_payment >= 10)
    return {"effective_date": effective, "amount_valid": valid}


MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")


def ct_945(inputs: dict) -> dict:
    g = lambda k: D(inputs.get(k, 0) or 0)  # noqa: E731
    l1, l2, l3, l5 = (g("gross_nonpayroll_amounts"), g("gross_ct_nonpayroll_amounts"), g("ct_tax_withheld"),
                      g("payments_made"))
    # Line 4: prior year Line 9 less "the portion not repaid"; Lines 9/10: Line 7's credit less "the amount not repaid"
    l4 = max(g("credit_from_prior_year") - g("prior_credit_not_repaid"), D(0))
    l6 = l4 + l5
    l7 = l3 - l6
    l8a, l8b = g("late_payment_penalty"), g("interest")
    l8 = l8a + l8b
    over = max(-l7 - g("overwithheld_not_repaid"), D(0))
    l9 = over if inputs.get("credit_overpayment") else D(0)
    l10 = D(0) if inputs.get("credit_overpayment") else over
    l11 = l7 + l8 if l7 > 0 else D(0)
    total = sum(g(f"liability_{m}") for m in MONTHS)
    due = dt.date(2014, 2, 10) if inputs.get("all_deposits_timely") else dt.date(2014, 1, 31)
    return {"line_1": l1, "line_2": l2, "line_3": l3, "line_4": l4, "line_5": l5, "line_6": l6, "line_7": l7,
            "line_8a": l8a, "line_8b": l8b, "line_8": l8, "line_9": l9, "line_10": l10, "line_11": l11,
            "total_liability": total, "due_date": next_business_day(due),
            "_check_line3_equals_section2": l3 == total}


def ct_1096(inputs: dict) -> dict:
    g = lambda k: D(inputs.get(k, 0) or 0)  # noqa: E731
    q = sum(g(k) for k in ("first_quarter", "second_quarter", "third_quarter", "fourth_quarter"))
    l1 = g("ct_tax_withheld")
    forms = int(inputs["forms_submitted"])
    due = dt.date(2014, 3, 31) if inputs.get("filed_electronically") else dt.date(2014, 2, 28)
    out = {"line_1": l1, "line_2": g("total_nonpayroll_amounts"), "line_3": D(forms), "quarterly_total": q,
           "electronic_filing_required": forms >= 25, "due_date": next_business_day(due),
           "_check_quarters_equal_line1": q == l1,
           "_check_electronic_when_required": bool(inputs.get("filed_electronically")) or forms < 25}
    if inputs.get("ct_945_line_3") is not None:
        out["_check_line1_equals_ct945"] = l1 == D(inputs["ct_945_line_3"])
    if inputs.get("ct_945_line_2") is not None:  # "must agree with total nonpayroll amounts ... Line 2"
        out["_check_line2_equals_ct945"] = out["line_2"] == D(inputs["ct_945_line_2"])
    return out


# --- individuals (seeds 001, 003) -------------------------------------------------------------

def late_payment(tax_due: Decimal, due_date: dt.date, payment_date: dt.date, extension_granted: bool = False,
                 paid_by_original_due_date: Decimal = D(0), return_filed_date: dt.date | None = None) -> dict:
    """10% of the tax paid late and 1% a month or fraction of a month, from the due date."""
    due = next_business_day(due_date)
    unpaid = max(tax_due - paid_by_original_due_date, D(0))
    # months_late measures the dates only (also when everything was paid by the due date)
    months = months_or_fraction(due, payment_date)
    extended = next_business_day(add_months(due_date, 6))
    safe = (extension_granted and paid_by_original_due_date >= tax_due * D("0.9")
            and return_filed_date is not None and return_filed_date <= extended and payment_date <= extended)
    penalty = D(0) if (months == 0 or safe) else unpaid * D("0.10")
    interest = unpaid * D("0.01") * months
    return {"months_late": D(months), "penalty": penalty, "interest": interest,
            "total_due": unpaid + penalty + interest}


def failure_to_file_penalty(balance_due: Decimal) -> dict:
    if balance_due <= 0:
        return {"penalty": D(50), "late_filing_penalty": D(50)}
    return {"penalty": max(balance_due * D("0.10"), D(50)), "late_filing_penalty": D(0)}


def balance_due_notice(notice_date: dt.date) -> dict:
    return {"referral_deadline": notice_date + dt.timedelta(days=10),
            "protest_deadline": notice_date + dt.timedelta(days=60)}


# --- estimated tax 2024 (seed 003) ------------------------------------------------------------

INSTALLMENT_DATES_2024 = (dt.date(2024, 4, 15), dt.date(2024, 6, 15), dt.date(2024, 9, 15), dt.date(2025, 1, 15))
INTEREST_END_2024 = dt.date(2025, 4, 15)
JANUARY_EXCEPTION_2024 = dt.date(2025, 1, 31)
FARMER_EXCEPTION_2024 = dt.date(2025, 3, 1)


def estimated_tax(current_year_tax: Decimal, prior_year_tax: Decimal = D(0), prior_year_full_return: bool = False,
                  withholding: Decimal = D(0), nonresident_without_prior_ct_income: bool = False,
                  farmer_or_fisherman: bool = False, underpaid_installment: int = 1, underpayment: Decimal = D(0),
                  underpayment_paid_date: dt.date | None = None, return_filed_date: dt.date | None = None,
                  paid_in_full_with_return: bool = False, no_prior_year_return_no_liability: bool = False) -> dict:
    use_prior = prior_year_full_return and not nonresident_without_prior_ct_income
    # required_annual_payment is the 90% / 100% rule for everyone (issue 4); farmers and fishermen
    # owe one installment of 66 2/3% of this year's tax, or 100% of last year's when a 12-month
    # return was filed, as IRC 6654(i) reads and issue 10 (item 5) quotes, and whether they must pay
    # at all is tested against that installment, not the 90% / 100% amount.
    this_year = current_year_tax * D("0.90")
    rap = min(this_year, prior_year_tax) if use_prior else this_year
    farmer_this_year = current_year_tax * 2 / D(3)
    farmer_amount = min(farmer_this_year, prior_year_tax) if use_prior else farmer_this_year
    after = current_year_tax - withholding
    # "You do not have to make estimated income tax payments if: You were a Connecticut resident during
    # the 2023 taxable year and you did not file a 2023 income tax return because you had no Connecticut
    # income tax liability" (and the same for a nonresident with Connecticut-sourced income)
    required = (not no_prior_year_return_no_liability and after >= D(1000)
                and withholding < (farmer_amount if farmer_or_fisherman else rap))
    # Issue 10 (item 6): withholding counts as paid in equal parts on the four due dates (all of it
    # by a farmer's single date); "installments" is what is still to pay on each date.
    if not required:
        required_installments = []  # the engine's documented reading: no schedule when payments are not required
        installments = []
    elif farmer_or_fisherman:
        due = next_business_day(INSTALLMENT_DATES_2024[3])
        required_installments = [{"due_date": due, "amount": farmer_amount}]
        installments = [{"due_date": due, "amount": max(D(0), farmer_amount - withholding)}]
    else:
        required_installments = [{"due_date": next_business_day(d), "amount": rap * D("0.25")}
                                 for d in INSTALLMENT_DATES_2024]
        installments = [{"due_date": next_business_day(d), "amount": max(D(0), (rap - withholding) * D("0.25"))}
                        for d in INSTALLMENT_DATES_2024]
    # interest on one underpaid installment
    due = next_business_day(INSTALLMENT_DATES_2024[3] if farmer_or_fisherman
                            else INSTALLMENT_DATES_2024[underpaid_installment - 1])
    end = INTEREST_END_2024 if underpayment_paid_date is None else min(underpayment_paid_date, INTEREST_END_2024)
    months = months_or_fraction(due, end) if underpayment > 0 else 0
    excused = False
    if paid_in_full_with_return and return_filed_date is not None:
        if farmer_or_fisherman:
            # March 1, 2025 is a Saturday: the next-business-day rule for filing dates applies
            excused = return_filed_date <= next_business_day(FARMER_EXCEPTION_2024)
        elif underpaid_installment == 4:
            excused = return_filed_date <= next_business_day(JANUARY_EXCEPTION_2024)
    if excused:
        months = 0
    return {"tax_after_withholding": after, "required_annual_payment": rap, "required": required,
            "required_installments": required_installments, "installments": installments,
            "underpayment_months": D(months),
            "underpayment_interest": underpayment * D("0.01") * months}
