"""income_tax_return, 2023 and 2024: federal AGI to the refund or balance due."""
from __future__ import annotations

import pytest

import engine
from engine.errors import MissingInputError


def test_credit_cannot_make_the_tax_negative():
    result = engine.evaluate(2023, "income_tax_return", {"filing_status": "single", "federal_agi": 40000,
                                                         "credit_for_taxes_paid": 100000})
    assert result["total_tax"] == 0


@pytest.mark.parametrize("year", (2023, 2024, 2025))
def test_nonresident_matches_nonresident_tax(year):
    result = engine.evaluate(year, "income_tax_return", {"filing_status": "single", "residency": "nonresident",
                                                         "federal_agi": 100000, "ct_source_income": 40000})
    direct = engine.evaluate(year, "nonresident_tax", {"filing_status": "single", "ct_agi": 100000,
                                                       "ct_source_income": 40000})
    assert result["ct_income_tax"] == direct["ct_income_tax"]


@pytest.mark.parametrize("year", (2023, 2024, 2025))
def test_resident_tax_is_the_schedule(year):
    for agi in (0, 25000, 60000, 250000, 1500000):
        result = engine.evaluate(year, "income_tax_return", {"filing_status": "head_of_household", "federal_agi": agi})
        schedule = engine.evaluate(year, "tax_calculation", {"filing_status": "head_of_household", "ct_agi": agi})
        assert result["ct_income_tax"] == schedule["ct_income_tax"]


def test_nonresident_must_give_ct_source_income():
    with pytest.raises(MissingInputError, match="ct_source_income"):
        engine.evaluate(2024, "income_tax_return", {"filing_status": "single", "residency": "part_year_resident",
                                                    "federal_agi": 50000})


@pytest.mark.parametrize("year", (2023, 2024))
def test_social_security_inputs_reach_the_modifications(year):
    # Single, federal AGI $93,600 with taxable benefits $43,600 of $60,000 gross (the hand
    # calculation in test_modifications.py): "the federally taxable amount less 25% of the lesser of
    # the gross benefits and the federal combined-income excess" = $43,600 - 25% x $55,000 = $29,850;
    # CT AGI $93,600 - $29,850 = $63,750.
    common = dict(filing_status="single", federal_agi=93600, taxable_social_security=43600,
                  social_security_benefits=60000)
    assert engine.evaluate(year, "income_tax_return", common)["ct_agi"] == 63750
    # A given excess passes through: $40,000 -> $43,600 - $10,000 = $33,600; CT AGI $60,000.
    assert engine.evaluate(year, "income_tax_return", {**common, "combined_income_excess": 40000})["ct_agi"] == 60000
    # Tax-exempt interest passes through: $3,000 more combined income -> excess $58,000 -> $14,500
    # off; $43,600 - $14,500 = $29,100; CT AGI $64,500.
    assert engine.evaluate(year, "income_tax_return", {**common, "tax_exempt_interest": 3000})["ct_agi"] == 64500
    # Filing separately, lived apart all year (test_modifications.py): adjustment $26,850, CT AGI
    # $79,350 - $26,850 = $52,500; living together the base is $0: excess $75,000, lesser $70,000,
    # $39,350 - $17,500 = $21,850, CT AGI $57,500.
    separate = dict(filing_status="married_filing_separately", federal_agi=79350, taxable_social_security=39350,
                    social_security_benefits=70000)
    assert engine.evaluate(year, "income_tax_return", {**separate, "lived_apart_from_spouse_all_year": True}
                           )["ct_agi"] == 52500
    assert engine.evaluate(year, "income_tax_return", separate)["ct_agi"] == 57500


# ---------------------------------------------------------------- property tax credit and CT EITC
# (tests/reference/sources/ct-1040-2025-and-credits.md, "Credits on the resident return")


def test_resident_2024_with_both_credits_by_hand():
    # 2024 single, CT AGI $40,000: Table A $5,000 (more than $39,000 to $40,000); taxable $35,000;
    # Table B $200 + 4.5% x $25,000 = $1,325; Tables C, D $0; Table E 0.10 (more than $33,300 to
    # $60,000): credit $132.50 -> $133; tax $1,192.
    # Property tax credit: $250 paid (under the $300 maximum), CT AGI not above $49,500: $250.
    # Total tax $1,192 - $250 = $942. CT EITC: 40% x $1,000 = $400 ("none" additional in 2024).
    # Payments $600 withheld + $400 = $1,000: refund $58.
    result = engine.evaluate(2024, "income_tax_return", {
        "filing_status": "single", "federal_agi": 40000, "qualifying_property_tax": 250,
        "federal_eitc": 1000, "qualifying_children": 1, "withholding": 600})
    assert result.outputs == {"ct_agi": 40000, "ct_income_tax": 1192, "property_tax_credit": 250,
                              "total_tax": 942, "ct_eitc": 400, "total_payments": 1000, "refund": 58,
                              "balance_due": 0}


def test_resident_2023_joint_property_tax_credit_phased_out_by_hand():
    # 2023 joint, CT AGI $85,000: Table A $0 (over $71,000); Table B $600 + 5% x $65,000 = $3,850;
    # Tables C, D $0; Table E 0.10 (more than $52,000 to $96,000): $385; tax $3,465.
    # Property tax credit: $2,500 paid -> $300 maximum; $85,000 is $14,500 over $70,500: two
    # increments (one and a fraction) -> 30%: $300 x 0.70 = $210. Total tax $3,255; $3,000 withheld.
    result = engine.evaluate(2023, "income_tax_return", {
        "filing_status": "married_filing_jointly", "federal_agi": 85000, "qualifying_property_tax": 2500,
        "withholding": 3000})
    assert (result["ct_income_tax"], result["property_tax_credit"], result["total_tax"]) == (3465, 210, 3255)
    assert (result["ct_eitc"], result["refund"], result["balance_due"]) == (0, 0, 255)


def test_part_year_2024_credits_by_hand():
    # 2024 single part-year resident, CT AGI $30,000, CT-sourced $15,000. Resident tax: Table A
    # $15,000 (not over $30,000); taxable $15,000; Table B $200 + 4.5% x $5,000 = $425; Table E 0.15
    # (more than $26,500 to $31,300): $63.75 -> $64; $361. Factor 0.5000: $180.50 -> $181.
    # Property tax credit (part-year residents are eligible): $300, limited to the tax: $181.
    # CT EITC: 40% x $2,000 = $800, resident-period share 0.5: $400, a payment: refund $400.
    result = engine.evaluate(2024, "income_tax_return", {
        "filing_status": "single", "residency": "part_year_resident", "federal_agi": 30000,
        "ct_source_income": 15000, "qualifying_property_tax": 400, "federal_eitc": 2000,
        "qualifying_children": 2, "eitc_resident_portion_share": "0.5"})
    assert result.outputs == {"ct_agi": 30000, "ct_income_tax": 181, "property_tax_credit": 181,
                              "total_tax": 0, "ct_eitc": 400, "total_payments": 400, "refund": 400,
                              "balance_due": 0}
    with pytest.raises(MissingInputError, match="eitc_resident_portion_share"):
        engine.evaluate(2024, "income_tax_return", {
            "filing_status": "single", "residency": "part_year_resident", "federal_agi": 30000,
            "ct_source_income": 15000, "federal_eitc": 2000})


@pytest.mark.parametrize("year", (2023, 2024, 2025))
def test_nonresident_gets_neither_credit(year):
    # "every resident (and part-year resident) filer"; CT EITC: "Residents (and part-year residents
    # for the resident portion)".
    result = engine.evaluate(year, "income_tax_return", {
        "filing_status": "single", "residency": "nonresident", "federal_agi": 40000, "ct_source_income": 20000,
        "qualifying_property_tax": 300, "federal_eitc": 1000})
    assert (result["property_tax_credit"], result["ct_eitc"]) == (0, 0)


@pytest.mark.parametrize("year", (2023, 2024, 2025))
def test_credits_are_columns_of_evaluate_batch(year):
    import pandas as pd

    rows = [{"filing_status": "single", "federal_agi": "40000", "qualifying_property_tax": "250",
             "federal_eitc": "1000", "qualifying_children": 1, "withholding": "600"},
            {"filing_status": "married_filing_jointly", "federal_agi": "85000", "qualifying_property_tax": "2500",
             "federal_eitc": "0", "qualifying_children": 0, "withholding": "3000"}]
    # income_tax_return has no exact column form (the pension share product), so it runs row by row
    batch = engine.evaluate_batch(year, "income_tax_return", pd.DataFrame(rows), fallback=True)
    for i, row in enumerate(rows):
        scalar = engine.evaluate(year, "income_tax_return", row)
        assert int(batch["property_tax_credit"][i]) == scalar["property_tax_credit"]
        assert int(batch["ct_eitc"][i]) == scalar["ct_eitc"]
        assert int(batch["refund"][i]) == scalar["refund"]
    assert list(batch["property_tax_credit"]) == [250, 210]  # worked by hand in the two tests above
