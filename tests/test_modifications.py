"""Connecticut AGI from federal AGI, 2023 and 2024: pension/IRA phase-out, IRA share, Social Security."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from reference.printed_tables import printed_ira_share, printed_pension_table

import engine
from engine.errors import InvalidAmountError, MissingInputError


def modify(year, **inputs):
    return engine.evaluate(year, "modifications", inputs)


@pytest.mark.parametrize("year", (2023, 2024))
@pytest.mark.parametrize("status", ("single", "married_filing_jointly", "married_filing_separately",
                                    "head_of_household", "qualifying_surviving_spouse"))
def test_pension_subtraction_on_both_edges_of_every_printed_row(year, status):
    # $20,000 pension and $10,000 IRA: the subtraction is the row's share of
    # $20,000 + IRA share x $10,000 (2023: 25% -> $22,500; 2024: 50% -> $25,000).
    base = D(20000) + printed_ira_share()[year] * 10000
    for row in printed_pension_table(year)[status]:
        edges = [row.lo] + ([row.hi - 1] if row.hi is not None else [])
        for agi in edges:
            result = modify(year, filing_status=status, federal_agi=agi, pension_annuity_income=20000,
                            ira_distributions=10000)
            expected = (row.value * base).quantize(D(1))
            assert result["pension_subtraction"] == expected, (year, status, agi)
            assert result["ct_agi"] == agi - expected


@pytest.mark.parametrize("year", (2023, 2024))
def test_social_security_below_the_threshold_is_subtracted_in_full(year):
    result = modify(year, filing_status="single", federal_agi=74999, taxable_social_security=12000)
    assert result["social_security_subtraction"] == 12000
    assert result["ct_agi"] == 74999 - 12000


@pytest.mark.parametrize("year", (2023, 2024))
def test_social_security_at_or_above_the_threshold(year):
    # Joint at $100,000 (the threshold): taxable $17,000 less 25% of $20,000 gross = $12,000.
    result = modify(year, filing_status="married_filing_jointly", federal_agi=100000,
                    taxable_social_security=17000, social_security_benefits=20000)
    assert result["social_security_subtraction"] == 12000
    # Never below zero: taxable $4,000 less 25% of $20,000 = -$1,000 -> $0.
    assert modify(year, filing_status="single", federal_agi=80000, taxable_social_security=4000,
                  social_security_benefits=20000)["social_security_subtraction"] == 0
    # Head of household uses $100,000: $99,999 still subtracts the whole taxable amount.
    assert modify(year, filing_status="head_of_household", federal_agi=99999,
                  taxable_social_security=4000)["social_security_subtraction"] == 4000


def test_gross_benefits_are_required_when_the_worksheet_applies():
    with pytest.raises(MissingInputError, match="social_security_benefits"):
        modify(2024, filing_status="single", federal_agi=90000, taxable_social_security=5000)


def test_other_modifications_and_rounding_of_the_total_only():
    # Federal AGI is a whole-dollar entry (issue 10, item 7): $50,000.40 -> Line 1 $50,000. The other
    # modifications keep their cents and only the total is rounded: $50,000 + $100.30 - $200.20 =
    # $49,900.10 -> $49,900.
    result = modify(2023, filing_status="single", federal_agi="50000.40", other_additions="100.30",
                    other_subtractions="200.20")
    assert result["ct_agi"] == 49900


def test_federal_agi_is_rounded_before_every_threshold_lookup():
    # $74,999.50 is entered as $75,000 ("round off cents to the nearest whole dollar").
    # 2023 pension, single: "$75,000" or more gets nothing; 2024: 85% of $10,000 = $8,500.
    assert modify(2023, filing_status="single", federal_agi="74999.50",
                  pension_annuity_income=10000)["pension_subtraction"] == 0
    assert modify(2024, filing_status="single", federal_agi="74999.50",
                  pension_annuity_income=10000)["pension_subtraction"] == 8500
    # $74,999.49 is entered as $74,999: the whole $10,000 in both years.
    for year in (2023, 2024):
        assert modify(year, filing_status="single", federal_agi="74999.49",
                      pension_annuity_income=10000)["pension_subtraction"] == 10000
    # Social Security, single threshold $75,000 ("when federal AGI is below"): at $74,999.50 the
    # worksheet applies. Benefits $20,000, taxable $12,000, excess given $60,000:
    # $12,000 - 25% x lesser($20,000, $60,000) = $12,000 - $5,000 = $7,000.
    result = modify(2024, filing_status="single", federal_agi="74999.50", taxable_social_security=12000,
                    social_security_benefits=20000, combined_income_excess=60000)
    assert result["social_security_subtraction"] == 7000
    assert result.line("federal_adjusted_gross_income").value == 75000
    assert modify(2024, filing_status="single", federal_agi="74999.49", taxable_social_security=12000,
                  social_security_benefits=20000)["social_security_subtraction"] == 12000
    # The IRA share counts toward the same rounded-AGI row: 2024 single $75,000 -> 85% of
    # 50% x $4,000 = $1,700.
    assert modify(2024, filing_status="single", federal_agi="74999.50",
                  ira_distributions=4000)["pension_subtraction"] == 1700


# Source (tests/reference/sources/ct-1040-tables-2023-2024.md, last section): "Above it, the
# subtraction is the federally taxable amount less 25% of the lesser of the gross benefits and the
# federal combined-income excess". The excess is IRC Sec. 86(b)(1): modified AGI (federal AGI without
# the taxable benefits, plus tax-exempt interest) plus one-half of the benefits, over the base amount
# of Sec. 86(c)(1): "$25,000", "$32,000 in the case of a joint return", "zero" filing separately
# unless the filer lived apart from the spouse all year.

@pytest.mark.parametrize("year", (2023, 2024))
def test_social_security_lesser_of_benefits_and_combined_income_excess_single(year):
    # Single: other income $50,000, gross benefits $60,000. Federal (Sec. 86(a)(2)): combined income
    # $50,000 + $30,000 = $80,000; taxable = lesser of 85% x $60,000 = $51,000 and
    # 85% x ($80,000 - $34,000) + lesser($4,500, $30,000) = $39,100 + $4,500 = $43,600 -> $43,600.
    # Federal AGI $50,000 + $43,600 = $93,600 (>= $75,000: the worksheet applies).
    # Excess $80,000 - $25,000 = $55,000; lesser($60,000, $55,000) = $55,000; 25% = $13,750;
    # adjustment $43,600 - $13,750 = $29,850 (25% of the gross benefits would give $28,600).
    result = modify(year, filing_status="single", federal_agi=93600, taxable_social_security=43600,
                    social_security_benefits=60000)
    assert result["social_security_subtraction"] == 29850
    assert result["ct_agi"] == 93600 - 29850
    # The derivation is shown line by line.
    assert result.line("modified_agi").value == 50000
    assert result.line("combined_income").value == 80000
    assert result.line("base_amount").value == 25000
    assert result.line("derived_combined_income_excess").value == 55000
    assert result.line("combined_income_excess_used").value == 55000
    assert result.line("lesser_of_benefits_and_excess").value == 55000
    assert result.line("social_security_reduction").value == 13750
    # The same excess given directly gives the same answer; a given excess wins over the derivation:
    # $40,000 -> $43,600 - $10,000 = $33,600.
    assert modify(year, filing_status="single", federal_agi=93600, taxable_social_security=43600,
                  social_security_benefits=60000, combined_income_excess=55000)["social_security_subtraction"] == 29850
    given = modify(year, filing_status="single", federal_agi=93600, taxable_social_security=43600,
                   social_security_benefits=60000, combined_income_excess=40000)
    assert given["social_security_subtraction"] == 33600
    assert given.line("combined_income_excess_used").value == 40000


@pytest.mark.parametrize("year", (2023, 2024))
def test_social_security_tax_exempt_interest_counts_in_combined_income(year):
    # As above with $3,000 tax-exempt interest and taxable benefits $46,150 (85% x ($83,000 - $34,000)
    # + $4,500 = $41,650 + $4,500 = $46,150, under $51,000). Federal AGI $50,000 + $46,150 = $96,150.
    # Modified AGI $96,150 - $46,150 + $3,000 = $53,000; combined $83,000; excess $58,000;
    # lesser($60,000, $58,000) x 25% = $14,500; adjustment $46,150 - $14,500 = $31,650.
    result = modify(year, filing_status="single", federal_agi=96150, taxable_social_security=46150,
                    social_security_benefits=60000, tax_exempt_interest=3000)
    assert result.line("modified_agi").value == 53000
    assert result["social_security_subtraction"] == 31650


@pytest.mark.parametrize("year", (2023, 2024))
def test_social_security_joint_base_amount_is_32000(year):
    # Joint: other income $60,000, benefits $90,000: combined $60,000 + $45,000 = $105,000; taxable =
    # lesser(85% x $90,000 = $76,500, 85% x ($105,000 - $44,000) + lesser($6,000, $45,000) = $51,850 +
    # $6,000 = $57,850) = $57,850; federal AGI $117,850 (>= $100,000). Excess $105,000 - $32,000 =
    # $73,000; lesser($90,000, $73,000) x 25% = $18,250; adjustment $57,850 - $18,250 = $39,600.
    result = modify(year, filing_status="married_filing_jointly", federal_agi=117850,
                    taxable_social_security=57850, social_security_benefits=90000)
    assert result.line("base_amount").value == 32000
    assert result["social_security_subtraction"] == 39600


@pytest.mark.parametrize("year", (2023, 2024))
def test_social_security_filing_separately_base_amount(year):
    # Filing separately, living with the spouse: base "zero". Other income $40,000, benefits $70,000:
    # combined $75,000; taxable 85% x $70,000 = $59,500; federal AGI $99,500. Excess $75,000;
    # lesser($70,000, $75,000) x 25% = $17,500; adjustment $59,500 - $17,500 = $42,000.
    together = modify(year, filing_status="married_filing_separately", federal_agi=99500,
                      taxable_social_security=59500, social_security_benefits=70000)
    assert together.line("base_amount").value == 0
    assert together["social_security_subtraction"] == 42000
    # Lived apart all year: base $25,000. Taxable = lesser($59,500, 85% x ($75,000 - $34,000) + $4,500 =
    # $39,350) = $39,350; federal AGI $79,350. Excess $50,000; 25% x $50,000 = $12,500;
    # adjustment $39,350 - $12,500 = $26,850.
    apart = modify(year, filing_status="married_filing_separately", federal_agi=79350,
                   taxable_social_security=39350, social_security_benefits=70000,
                   lived_apart_from_spouse_all_year=True)
    assert apart.line("base_amount").value == 25000
    assert apart["social_security_subtraction"] == 26850
    # Living apart changes nothing for other statuses: single stays at $25,000.
    assert modify(year, filing_status="single", federal_agi=79350, taxable_social_security=39350,
                  social_security_benefits=70000, lived_apart_from_spouse_all_year=True
                  ).line("base_amount").value == 25000


@pytest.mark.parametrize("year", (2023, 2024))
def test_social_security_excess_of_zero_or_less_takes_nothing_off(year):
    # An excess of zero or less: the lesser amount is "0", so the adjustment is the taxable amount.
    result = modify(year, filing_status="single", federal_agi=80000, taxable_social_security=1000,
                    social_security_benefits=20000, combined_income_excess=-500)
    assert result.line("lesser_of_benefits_and_excess").value == 0
    assert result["social_security_subtraction"] == 1000


def test_negative_amounts_are_refused():
    with pytest.raises(InvalidAmountError, match="pension_annuity_income"):
        modify(2023, filing_status="single", federal_agi=50000, pension_annuity_income=-1)
