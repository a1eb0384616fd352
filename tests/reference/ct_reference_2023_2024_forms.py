"""Independent reference for the 2023 and 2024 worksheets other than the Tax
Calculation Schedule: ``modifications``, ``residency``,
``filing_requirement``, ``nonresident_tax``, ``casual_isolated_test`` and
``income_tax_return`` (issue #3).

Written by a reviewer from the issue text and the two sources only, without
reading the rule files (only their ``inputs:`` names and the output spellings
the issue leaves open were looked up):

* ``tests/reference/sources/003_e9bbf48e2ad4326d.txt`` -- 2023 Connecticut Nonresident
  and Part-Year Resident Income Tax Information ("seed 003"): Who Must File,
  Gross Income Test and its three examples, Resident / Part-Year Resident /
  Nonresident, Groups A and B, How Nonresidents and Part-Year Residents Are
  Taxed, Activities Considered Casual, Isolated, or Inconsequential, and the
  "What's New" 2024 changes.
* ``tests/reference/sources/ct-1040-tables-2023-2024.md`` -- the pension / IRA
  phase-out tables ("Federal AGI at least / and less than") and the Social
  Security thresholds.

The resident Tax Calculation Schedule is the existing independent oracle
``reference.ct_reference.tax_calculation`` (statute formulas, self-checked
against the printed rows).

Money is Decimal; whole-dollar rounding is half-up ("50 cents up").

Choices where the sources are silent (each one checked against the engine's
documented choice, see tests/test_reference_agreement_2023_2024.py):

* Social Security above the threshold: the subtraction is the taxable amount
  less the lesser of 25% of the gross benefits and the taxable amount (Form
  CT-1040 Social Security Benefit Adjustment Worksheet shape: Lines 1-5);
  the issue's inputs carry no federal combined-income excess, so the
  2013 worksheet's Line B cannot be asked for.
* Residency: a domicile change during the year decides first (part-year
  resident); the Group A test is tried before Group B, so a domiciliary who
  meets both is reported as "Group A".  Group B's partial-year limit is the
  exact fraction days x 90 / 548 ("no more than the number of days that bears
  the same ratio to 90"), not rounded.
* Apportionment factor: CT-sourced income / CT AGI rounded half-up to four
  places; 1 when CT-sourced income >= CT AGI; clamped to 0..1 otherwise; 0
  when CT AGI is zero or less and CT-sourced income is lower still.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

try:  # works whether ``tests`` or ``tests/reference`` is on sys.path
    from reference.ct_reference import tax_calculation as resident_schedule
    from reference.printed_tables import printed_ira_share, printed_pension_table
except ImportError:  # pragma: no cover
    from ct_reference import tax_calculation as resident_schedule  # type: ignore[import-not-found, no-redef]
    from printed_tables import printed_ira_share, printed_pension_table  # type: ignore[import-not-found, no-redef]

D = Decimal
ZERO = D(0)
ONE = D(1)
YEARS = (2023, 2024, 2025)
STATUSES = (
    "single",
    "married_filing_jointly",
    "married_filing_separately",
    "head_of_household",
    "qualifying_surviving_spouse",
)


def dollars(x) -> Decimal:
    """Whole dollars, 50 cents and up rounds up (away from zero for negatives)."""
    return D(x).quantize(ONE, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------
# modifications (Schedule 1)
# --------------------------------------------------------------------------

# "Full subtraction of federally taxable Social Security benefits when federal
# AGI is below: Single $75,000, Filing jointly / qualifying surviving spouse
# $100,000, Filing separately $75,000, Head of household $100,000."
SS_THRESHOLD = {
    "single": D(75000),
    "married_filing_jointly": D(100000),
    "qualifying_surviving_spouse": D(100000),
    "married_filing_separately": D(75000),
    "head_of_household": D(100000),
}


def pension_share(year: int, status: str, federal_agi) -> Decimal:
    """Share of qualifying pension/annuity (and the IRA share) subtracted:
    rows "Federal AGI at least lo and less than hi".  A federal AGI below the
    first row ($0) is a loss: the first row (100%) applies."""
    rows = printed_pension_table(year)[status]
    x = D(federal_agi)
    if x < rows[0].lo:
        return rows[0].value
    hits = [r for r in rows if r.lo <= x and (r.hi is None or x < r.hi)]
    assert len(hits) == 1, (year, status, x)
    return hits[0].value


# IRC Sec. 86(c)(1) base amount: "$25,000", "$32,000 in the case of a joint
# return", "zero" for a married taxpayer not filing jointly who "does not live
# apart from his spouse at all times during the taxable year".
SS_BASE_AMOUNT = {
    "single": D(25000),
    "married_filing_jointly": D(32000),
    "qualifying_surviving_spouse": D(25000),
    "married_filing_separately": D(0),
    "head_of_household": D(25000),
}


def combined_income_excess(filing_status: str, federal_agi, taxable_social_security, social_security_benefits,
                           tax_exempt_interest=0, lived_apart_from_spouse_all_year=False) -> Decimal:
    """IRC Sec. 86(b)(1): modified AGI (AGI without the taxable benefits, plus
    tax-exempt interest) plus one-half of the benefits, over the base amount."""
    base = SS_BASE_AMOUNT[filing_status]
    if filing_status == "married_filing_separately" and lived_apart_from_spouse_all_year:
        base = D(25000)
    modified_agi = D(federal_agi) - D(taxable_social_security) + D(tax_exempt_interest)
    return modified_agi + D(social_security_benefits) / 2 - base


def modifications(year: int, filing_status: str, federal_agi, pension_annuity_income=0,
                  ira_distributions=0, taxable_social_security=0, social_security_benefits=0,
                  other_additions=0, other_subtractions=0, *, tax_exempt_interest=0,
                  combined_income_excess_given=None, lived_apart_from_spouse_all_year=False) -> dict[str, Decimal]:
    # Federal AGI is a whole-dollar entry on the return: the thresholds read it rounded.
    agi = dollars(federal_agi)
    ira_share = printed_ira_share()[year]
    share = pension_share(year, filing_status, agi)
    pension = dollars(share * (D(pension_annuity_income) + ira_share * D(ira_distributions)))
    taxable = D(taxable_social_security)
    if agi < SS_THRESHOLD[filing_status]:
        ss = taxable
    else:
        # "the federally taxable amount less 25% of the lesser of the gross
        # benefits and the federal combined-income excess"
        excess = (D(combined_income_excess_given) if combined_income_excess_given is not None
                  else combined_income_excess(filing_status, agi, taxable, social_security_benefits,
                                              tax_exempt_interest, lived_apart_from_spouse_all_year))
        lesser = max(D(0), min(D(social_security_benefits), excess))
        ss = taxable - min(D("0.25") * lesser, taxable)
    ss = dollars(ss)
    # Rounding order aligned with the engine's documented choice (only matters
    # for amounts with cents): the total of the subtractions is a line of its
    # own and is rounded before CT AGI = federal AGI + additions - subtractions.
    subtractions = dollars(pension + ss + D(other_subtractions))
    ct_agi = dollars(agi + D(other_additions) - subtractions)
    return {"pension_subtraction": pension, "social_security_subtraction": ss, "ct_agi": ct_agi}


# --------------------------------------------------------------------------
# residency
# --------------------------------------------------------------------------

def group_a(*, permanent_place_of_abode_in_ct: bool, permanent_place_of_abode_outside_ct: bool,
            days_in_ct: int, permanent_place_of_abode_in_ct_any_time: bool | None = None, **_ignored) -> bool:
    """Group A: 1. no permanent place of abode in CT for the entire year (read
    as Conn. Gen. Stat. Sec. 12-701(a)(1)(A), "maintains no permanent place of
    abode in this state": none at any time); 2. a permanent place of abode
    outside CT for the entire year; 3. not more than 30 days in the aggregate in CT."""
    any_time = (permanent_place_of_abode_in_ct if permanent_place_of_abode_in_ct_any_time is None
                else permanent_place_of_abode_in_ct_any_time)
    return (not any_time) and permanent_place_of_abode_outside_ct and days_in_ct <= 30


def group_b(*, foreign_days_in_548_day_period: int, ct_days_in_548_day_period: int,
            family_in_ct_abode_over_90_days: bool, days_in_first_nonresident_portion: int,
            ct_days_in_first_nonresident_portion: int, days_in_last_nonresident_portion: int,
            ct_days_in_last_nonresident_portion: int, **_ignored) -> bool:
    """Group B: 1. at least 450 days in a foreign country in 548 consecutive
    days; 2. not more than 90 days in CT in that period and no CT abode where
    spouse or minor children spent more than 90 days; 3. in each nonresident
    portion, CT days no more than days x 90 / 548 (exact ratio)."""
    def within(days: int, ct_days: int) -> bool:
        return D(ct_days) * 548 <= D(days) * 90

    return (
        foreign_days_in_548_day_period >= 450
        and ct_days_in_548_day_period <= 90
        and not family_in_ct_abode_over_90_days
        and within(days_in_first_nonresident_portion, ct_days_in_first_nonresident_portion)
        and within(days_in_last_nonresident_portion, ct_days_in_last_nonresident_portion)
    )


RESIDENCY_DEFAULTS = {
    "domiciled_in_ct": False,
    "moved_during_year": False,
    "permanent_place_of_abode_in_ct": False,
    "permanent_place_of_abode_outside_ct": False,
    "days_in_ct": 0,
    "military_domicile_outside_ct": False,
    "foreign_days_in_548_day_period": 0,
    "ct_days_in_548_day_period": 0,
    "family_in_ct_abode_over_90_days": False,
    "days_in_first_nonresident_portion": 0,
    "ct_days_in_first_nonresident_portion": 0,
    "days_in_last_nonresident_portion": 0,
    "ct_days_in_last_nonresident_portion": 0,
}


def group_b_period(start: dt.date) -> tuple[dt.date, int, int]:
    """The 548 consecutive days from ``start``: the last day, and the days of the
    nonresident portion of the year the period begins (start to December 31)
    and of the year it ends (January 1 to the last day)."""
    end = start + dt.timedelta(days=548 - 1)
    first = (dt.date(start.year, 12, 31) - start).days + 1
    last = (end - dt.date(end.year, 1, 1)).days + 1
    return end, first, last


def residency(year: int | None = None, **facts) -> dict:
    """Residency; with ``group_b_period_start`` (and the ``year``) Group B makes
    only the part of the year inside the 548-day period nonresident."""
    f = {**RESIDENCY_DEFAULTS, **facts}
    start = f.pop("group_b_period_start", None)
    portion = None
    if start is not None:
        start = dt.date.fromisoformat(start) if isinstance(start, str) else start
        end, f["days_in_first_nonresident_portion"], f["days_in_last_nonresident_portion"] = group_b_period(start)
        first_day, last_day = dt.date(year, 1, 1), dt.date(year, 12, 31)
        if start <= last_day and end >= first_day:
            portion = (max(start, first_day), min(end, last_day))
    if f["moved_during_year"]:
        # "You are a part-year resident ... if you changed your permanent legal
        # residence by moving into or out of Connecticut during the year."
        return {"residency": "part_year_resident", "decided_by": "moved"}
    if f["domiciled_in_ct"]:
        if group_a(**f):
            return {"residency": "nonresident", "decided_by": "Group A"}
        if group_b(**f):
            if start is None or portion == (dt.date(year, 1, 1), dt.date(year, 12, 31)):
                return {"residency": "nonresident", "decided_by": "Group B"}
            if portion is not None:
                return {"residency": "part_year_resident", "decided_by": "Group B"}
        return {"residency": "resident", "decided_by": "domicile"}
    if f["permanent_place_of_abode_in_ct"] and f["days_in_ct"] > 183:
        # "more than 183 days"
        if f["military_domicile_outside_ct"]:
            # Military Personnel Filing Requirements: "If your permanent home (domicile) was outside
            # Connecticut when you entered the military, you do not become a Connecticut resident because
            # you are stationed and live in Connecticut."
            return {"residency": "nonresident", "decided_by": "military domicile elsewhere"}
        return {"residency": "resident", "decided_by": "183-day abode test"}
    return {"residency": "nonresident", "decided_by": "none"}


# --------------------------------------------------------------------------
# filing requirement
# --------------------------------------------------------------------------

GROSS_INCOME_THRESHOLD = {
    "married_filing_separately": D(12000),
    "single": D(15000),
    "head_of_household": D(19000),
    "married_filing_jointly": D(24000),
    "qualifying_surviving_spouse": D(24000),
}


def filing_requirement(filing_status: str, residency: str, gross_income=0, ct_tax_withheld=False,
                       estimated_payments_made=False, pe_tax_credit=False, federal_amt_liability=False,
                       claiming_ct_eitc=False, has_ct_source_income=False) -> dict:
    meets_gross = D(gross_income) > GROSS_INCOME_THRESHOLD[filing_status]   # "exceeds"
    reasons: list[str] = []
    if residency == "resident":
        # seed 003, Resident: withheld; estimated / CT-1040 EXT payment; gross
        # income test; federal AMT; claiming the CT EITC.
        checks = [
            ("ct_tax_withheld", ct_tax_withheld),
            ("estimated_payments_made", estimated_payments_made),
            ("gross_income_test", meets_gross),
            ("federal_amt_liability", federal_amt_liability),
            ("claiming_ct_eitc", claiming_ct_eitc),
        ]
        form = "CT-1040"
    else:
        # Who Must File Form CT-1040NR/PY: withheld; estimated / EXT payment;
        # PE Tax Credit without composite payment; a part-year resident who
        # meets the gross income test or had federal AMT; a nonresident WITH
        # CT-sourced income who meets it or had federal AMT.
        qualifies = residency == "part_year_resident" or has_ct_source_income
        checks = [
            ("ct_tax_withheld", ct_tax_withheld),
            ("estimated_payments_made", estimated_payments_made),
            ("pe_tax_credit", pe_tax_credit),
            ("gross_income_test", qualifies and meets_gross),
            ("federal_amt_liability", qualifies and federal_amt_liability),
        ]
        form = "CT-1040NR/PY"
    reasons = [name for name, hit in checks if hit]
    must = bool(reasons)
    return {"must_file": must, "form": form if must else None, "reasons": reasons}


# --------------------------------------------------------------------------
# nonresident / part-year resident tax
# --------------------------------------------------------------------------

FACTOR_PLACES = D("0.0001")


def apportionment_factor(ct_agi, ct_source_income) -> Decimal:
    agi, src = D(ct_agi), D(ct_source_income)
    if src >= agi:
        return D("1.0000")
    if agi <= 0:
        # CT AGI zero or less and CT-sourced income lower still: the quotient
        # means nothing (and the tax on max(...) <= 0 is zero anyway).  Aligned
        # with the engine's documented choice (nonresident_tax.yaml Line 3): 0.
        return D("0.0000")
    f = (src / agi).quantize(FACTOR_PLACES, rounding=ROUND_HALF_UP)
    return min(max(f, D("0.0000")), D("1.0000"))


def nonresident_tax(year: int, filing_status: str, ct_agi, ct_source_income) -> dict[str, Decimal]:
    """"Your tax liability is computed based upon the greater of your CT AGI
    or your total income from CT sources ... in the same manner as a resident
    individual. Then, prorate the tax based upon the percentage of your CT AGI
    derived from or connected with CT sources." """
    base = max(D(ct_agi), D(ct_source_income))
    tax = resident_schedule(year, filing_status, base)["ct_income_tax"]
    factor = apportionment_factor(ct_agi, ct_source_income)
    return {"apportionment_factor": factor, "ct_income_tax": dollars(tax * factor)}


# --------------------------------------------------------------------------
# casual, isolated or inconsequential presence
# --------------------------------------------------------------------------

def casual_isolated_test(ct_presence_gross_income=0, ct_wages=0, ancillary_activity=False,
                         pass_through_member=False, pass_through_ct_income=0,
                         reportable_ct_lottery_winnings=0) -> dict:
    """1. $6,000 test (gross income from presence not over $6,000), replaced
    for a pass-through member by "CT-sourced income from the pass-through
    entity or entities is less than $1,000"; 2. Ancillary Activity Test.
    Wages always count unless the Ancillary Activity Test is met; reportable
    CT Lottery winnings always count."""
    gross = D(ct_presence_gross_income)
    wages = D(ct_wages)
    if pass_through_member:
        test1 = D(pass_through_ct_income) < 1000
    else:
        test1 = gross <= 6000
    casual = bool(ancillary_activity or test1)
    wages_count = wages > 0 and not ancillary_activity
    presence_counts = (not casual) or wages_count
    presence = gross if not casual else (wages if wages_count else ZERO)
    # The entity's CT-sourced income ("From a partnership doing business in
    # Connecticut") is not income from the member's presence: only the member's
    # "less than $1,000" test makes it casual, the Ancillary Activity Test ("the
    # nonresident's presence in Connecticut") does not.
    entity = ZERO if pass_through_member and test1 else D(pass_through_ct_income)
    counted = presence + entity
    return {
        "casual_isolated": casual,
        "presence_counts": presence_counts,
        "ct_source_income": dollars(counted + D(reportable_ct_lottery_winnings)),
    }


# --------------------------------------------------------------------------
# the return, federal AGI to refund / balance due
# --------------------------------------------------------------------------

# Credits (tests/reference/sources/ct-1040-2025-and-credits.md, "Credits on the
# resident return"): the same start / increment table in 2023, 2024 and 2025.
PROPERTY_TAX_PHASE_OUT = {  # status: (reduction starts above CT AGI of, increment)
    "single": (49500, 10000), "married_filing_jointly": (70500, 10000),
    "qualifying_surviving_spouse": (70500, 10000), "married_filing_separately": (35250, 5000),
    "head_of_household": (54500, 10000),
}
EITC_CHILD_AMOUNT = {2023: ZERO, 2024: ZERO, 2025: D(250)}


def property_tax_credit(year: int, filing_status: str, ct_agi, paid, income_tax=None) -> Decimal:
    """"min(property tax paid, maximum) x (1 - rate x increments), not below
    zero"; $300 maximum, 15% per increment "or fraction"; "cannot exceed the
    income tax".  Rounded once, half-up."""
    start, increment = PROPERTY_TAX_PHASE_OUT[filing_status]
    agi = dollars(D(ct_agi))
    steps = 0 if agi <= start else int((agi - start + increment - 1) // increment)  # whole dollars: a ceiling
    rate = min(ONE, D("0.15") * steps)
    credit = dollars(min(dollars(D(paid)), D(300)) * (ONE - rate))
    return credit if income_tax is None else min(credit, D(income_tax))


def ct_eitc(year: int, federal_eitc, qualifying_children=0, share=ONE) -> Decimal:
    """40% of the federal credit, plus the year's amount with at least one
    qualifying child (none before 2025), times the resident share."""
    eic = D(federal_eitc)
    if eic <= 0:
        return ZERO
    extra = EITC_CHILD_AMOUNT[year] if qualifying_children >= 1 else ZERO
    return dollars((eic * D("0.40") + extra) * D(share))


def income_tax_return(year: int, filing_status: str, federal_agi, residency: str = "resident",
                      pension_annuity_income=0, ira_distributions=0, taxable_social_security=0,
                      social_security_benefits=0, other_additions=0, other_subtractions=0,
                      ct_source_income=0, credit_for_taxes_paid=0, ct_amt=0, credits=0,
                      withholding=0, estimated_payments=0, pe_tax_credit_amount=0,
                      qualifying_property_tax=0, federal_eitc=0, qualifying_children=0,
                      eitc_resident_portion_share=1) -> dict[str, Decimal]:
    """Form CT-1040 (CT-1040NR/PY) order: tax; less credit for taxes paid to
    qualifying jurisdictions (not below zero); plus CT AMT; less the property
    tax credit (not above that tax) and other credits (not below zero) = total
    tax.  Payments: withholding + estimated / extension payments + PE Tax
    Credit + CT EITC (both refundable).  Refund or balance due."""
    mods = modifications(year, filing_status, federal_agi, pension_annuity_income, ira_distributions,
                         taxable_social_security, social_security_benefits, other_additions,
                         other_subtractions)
    ct_agi = mods["ct_agi"]
    if residency == "resident":
        tax = resident_schedule(year, filing_status, ct_agi)["ct_income_tax"]
    else:
        tax = nonresident_tax(year, filing_status, ct_agi, ct_source_income)["ct_income_tax"]
    # Each printed line that adds or subtracts is whole dollars (aligned with
    # the engine; it matters only for inputs with cents).
    after_credit = dollars(max(ZERO, tax - D(credit_for_taxes_paid)))
    with_amt = dollars(after_credit + D(ct_amt))
    ptc = property_tax_credit(year, filing_status, ct_agi,
                              ZERO if residency == "nonresident" else qualifying_property_tax, with_amt)
    total_tax = dollars(max(ZERO, with_amt - ptc - D(credits)))
    share = {"resident": ONE, "part_year_resident": D(eitc_resident_portion_share)}.get(residency, ZERO)
    eitc = ct_eitc(year, federal_eitc, qualifying_children, share)
    payments = dollars(D(withholding) + D(estimated_payments) + D(pe_tax_credit_amount) + eitc)
    return {
        "ct_agi": ct_agi,
        "ct_income_tax": tax,
        "property_tax_credit": ptc,
        "total_tax": total_tax,
        "ct_eitc": eitc,
        "total_payments": payments,
        "refund": max(ZERO, payments - total_tax),
        "balance_due": max(ZERO, total_tax - payments),
    }
