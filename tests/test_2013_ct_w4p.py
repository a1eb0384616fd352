"""2013 Form CT-W4P Estimated Income Tax Worksheet, Social Security and military worksheets, worked by hand."""
from decimal import Decimal

import pytest
from reference import ct_reference as ref

import engine

YEAR = 2013


def w4p(**inputs):
    return engine.evaluate(YEAR, "ct_w4p", inputs)


def test_resident_single_60000_twelve_payments():
    # L3 = 60,000; L4 = schedule L10 = 2,813 (see test_hand_worked_single_60000); L5 1.0000;
    # L6 2,813; L12 2,813; L14 2,813 >= 1,000 -> estimated payment required; L15 2,813 / 12 = 234.42 -> 234.
    # Caution (issue 10): withheld 12 x 234 = 2,808; 2,813 - 2,808 = 5; required annual payment 90% x 2,813
    # = 2,531.70 -> 2,532 (no 2012 return); 5 < $1,000: no estimated payments.
    result = w4p(filing_status="single", federal_agi=60000, payments_per_year=12)
    assert result.outputs == {
        "ct_agi": 60000, "ct_income_tax": 2813, "apportionment_factor": Decimal("1.0000"),
        "total_estimated_tax": 2813, "balance": 2813, "estimated_payment_required": True,
        "withholding_per_payment": 234, "withholding_for_year": 2808, "tax_after_withholding": 5,
        "required_annual_payment": 2532, "estimated_payments_required": False,
    }


def test_nonresident_apportionment_four_decimals():
    # Joint, federal AGI 100,000, modifications -5,000 -> L3 95,000. CT-sourced 40,000 < 95,000.
    # L4 on 95,000: exemption 0 (> 71,000); L3 of schedule 95,000; Table B joint 600 + 5% x 75,000 = 4,350;
    # Table C joint 95,000 <= 100,500 -> 0; Table D 0; L7 4,350; Table E joint 94,... 52,000 < 95,000 <= 96,000 -> .10;
    # L9 435; L10 3,915. L5 40,000 / 95,000 = 0.421052... -> 0.4211. L6 3,915 x 0.4211 = 1,648.6065 -> 1,649.
    # L7 credit 0; L8 1,649; L9 AMT 0; L12 1,649; L13 other withholding 700; L14 949 < 1,000 -> not required;
    # L15 949 / 4 = 237.25 -> 237.
    result = w4p(filing_status="married_filing_jointly", federal_agi=100000, modifications=-5000,
                 residency="nonresident", ct_source_income=40000, other_withholding=700, payments_per_year=4)
    assert result["ct_agi"] == 95000
    assert result["ct_income_tax"] == 3915
    assert result["apportionment_factor"] == Decimal("0.4211")
    assert result.line("6").value == 1649
    assert (result["balance"], result["estimated_payment_required"], result["withholding_per_payment"]) == \
        (949, False, 237)


def test_part_year_ct_sourced_income_above_agi_is_taxed_and_factor_is_one():
    # CT AGI 30,000, CT-sourced 45,000 (greater). IP 2013(8), CT-W4P Line 3: "Nonresidents and
    # part-year residents: Enter your Connecticut-sourced income if greater than your Connecticut
    # adjusted gross income." So Line 3 (the output ct_agi) is 45,000, the schedule uses it and L5 is 1.0000.
    # Single 45,000: exemption 0 (> 41,000); Table B 300 + 5% x 35,000 = 2,050; Table C 0; Table E .10
    # (31,200 < 45,000 <= 56,000); L9 205; L10 1,845.
    result = w4p(filing_status="single", federal_agi=30000, residency="part_year_resident",
                 ct_source_income=45000, payments_per_year=12)
    assert result["ct_agi"] == 45000
    assert result.line("3").value == 45000
    assert result.line("connecticut_adjusted_gross_income").value == 30000  # Line 1 + Line 2, kept in the trace
    assert result["ct_income_tax"] == 1845
    assert result["apportionment_factor"] == Decimal("1.0000")


def test_factor_is_clamped_at_zero_for_negative_ct_sourced_income():
    result = w4p(filing_status="single", federal_agi=50000, residency="nonresident", ct_source_income=-2000,
                 payments_per_year=12)
    assert result["apportionment_factor"] == 0
    assert result["withholding_per_payment"] == 0


def test_line_3_rounds_only_the_total():
    # 1.29 + 3.21 = 4.50 -> 5 (the seed's rounding example), not 1 + 3 = 4.
    result = w4p(filing_status="single", federal_agi="1.29", modifications="3.21", payments_per_year=1)
    assert result["ct_agi"] == 5


def test_minimum_ten_dollars_per_payment():
    # Single 20,100: schedule tax 101 (see test_personal_credit_rounds_half_up); 101 / 26 = 3.88 -> 4 -> minimum $10.
    result = w4p(filing_status="single", federal_agi=20100, payments_per_year=26)
    assert result["balance"] == 101
    assert result["withholding_per_payment"] == 10
    assert result["estimated_payment_required"] is False


def test_withholding_covers_tax_then_nothing_to_withhold():
    result = w4p(filing_status="single", federal_agi=60000, other_withholding=3000, payments_per_year=12)
    assert result["balance"] == -187  # 2,813 - 3,000; not floored (see the note on Line 14)
    assert result["withholding_per_payment"] == 0


def test_credits_amt_and_floors():
    # 2,813 tax; credit for taxes paid 3,000 exceeds it: L8 floored at 0; AMT 500 -> L10 500;
    # credits 200 -> L12 300; L14 300; 300 / 12 = 25.
    result = w4p(filing_status="single", federal_agi=60000, credit_for_taxes_paid=3000, ct_amt=500, credits=200,
                 payments_per_year=12)
    assert result.line("8").value == 0
    assert result["total_estimated_tax"] == 300
    assert result["withholding_per_payment"] == 25


def test_exactly_1000_requires_estimated_payment():
    # Tax 2,813 (single, 60,000) less other withholding 1,813 leaves exactly 1,000: payment required;
    # 1,000 / 10 = 100.
    result = w4p(filing_status="single", federal_agi=60000, other_withholding=1813, payments_per_year=10)
    assert result["balance"] == 1000
    assert result["estimated_payment_required"] is True
    assert result["withholding_per_payment"] == 100


def test_credit_for_taxes_paid_is_refused_for_a_nonresident():
    # IP 2013(8), CT-W4P instructions: "Line 7 - Resident and Part-Year Residents: Enter estimated allowable
    # credit for income taxes paid to qualifying jurisdictions. Enter "0" if not applicable."
    given = dict(filing_status="single", federal_agi=80000, residency="nonresident", ct_source_income=40000,
                 payments_per_year=12)
    with pytest.raises(engine.errors.InvalidInputError, match="credit_for_taxes_paid"):
        w4p(**given, credit_for_taxes_paid=500)
    # a part-year resident claims it: Line 8 is Line 6 less the $500
    part_year = w4p(**{**given, "residency": "part_year_resident"}, credit_for_taxes_paid=500)
    assert part_year.line("8").value == part_year.line("6").value - 500


def test_ct_source_income_required_for_nonresidents():
    with pytest.raises(engine.MissingInputError) as error:
        w4p(filing_status="single", federal_agi=60000, residency="nonresident", payments_per_year=12)
    assert error.value.field == "ct_source_income"


def test_payments_per_year_must_be_positive_whole_number():
    with pytest.raises(engine.InvalidAmountError):
        w4p(filing_status="single", federal_agi=60000, payments_per_year=0)
    with pytest.raises(engine.InvalidAmountError):
        w4p(filing_status="single", federal_agi=60000, payments_per_year="2.5")


@pytest.mark.parametrize("status, agi, expected", [
    # Below the threshold the whole federally taxable amount is subtracted.
    ("single", 49999, 12000),
    ("head_of_household", 59999, 12000),
    # At the threshold the worksheet applies: A 20,000, B 8,000 -> C 8,000, D 2,000, F 12,000 - 2,000 = 10,000.
    ("single", 50000, 10000),
    ("married_filing_jointly", 60000, 10000),
    ("married_filing_separately", 50000, 10000),
])
def test_social_security_adjustment(status, agi, expected):
    result = engine.evaluate(YEAR, "social_security_adjustment", {
        "filing_status": status, "federal_agi": agi, "taxable_social_security": 12000,
        "social_security_benefits": 20000, "combined_income_excess": 8000})
    assert result["social_security_subtraction"] == expected


def test_social_security_adjustment_d_at_least_e_gives_zero():
    # A 30,000, B 40,000 -> C 30,000, D 7,500 >= E 5,000 -> F 0.
    result = engine.evaluate(YEAR, "social_security_adjustment", {
        "filing_status": "single", "federal_agi": 90000, "taxable_social_security": 5000,
        "social_security_benefits": 30000, "combined_income_excess": 40000})
    assert result["social_security_subtraction"] == 0


def test_military_retirement_half():
    result = engine.evaluate(YEAR, "military_retirement_subtraction", {"military_retirement_pay": "24001"})
    assert result["military_retirement_subtraction"] == Decimal("12001")  # 12,000.50 rounds up


# ---- Issue 10, item 2: Line 3 against the independent reference (tests/reference/ct_reference.py), which reads
# "Nonresidents and part-year residents: Enter your Connecticut-sourced income if greater than your Connecticut
# adjusted gross income" on its own.

GRID_AGI = ["20000", "45000", "60000.50", "95000", "150000"]
GRID_SOURCED = ["0", "20000", "44999.50", "45000", "60000", "200000"]


@pytest.mark.parametrize("status", ["single", "married_filing_jointly", "head_of_household"])
@pytest.mark.parametrize("residency", ["resident", "nonresident", "part_year_resident"])
@pytest.mark.parametrize("agi", GRID_AGI)
@pytest.mark.parametrize("sourced", GRID_SOURCED)
def test_line_3_and_what_follows_match_the_reference(status, residency, agi, sourced):
    want = ref.ct_w4p(status, Decimal(agi), residency=residency, ct_sourced_income=Decimal(sourced),
                      other_withholding=Decimal(500), payments=12)
    got = w4p(filing_status=status, federal_agi=agi, residency=residency, ct_source_income=sourced,
              other_withholding=500, payments_per_year=12)
    assert (got["ct_agi"], got.line("3").value) == (want["line3"], want["line3"])
    assert (got["ct_income_tax"], got["apportionment_factor"], got["total_estimated_tax"], got["balance"],
            got["withholding_per_payment"]) == \
        (want["line4"], want["line5"], want["line12"], want["line14"], want["line15"])
