"""income_tax_return, 2023 and 2024: federal AGI to the refund or balance due.

The hand-worked returns are YAML cases: tests/cases/2023 and 2024/income_tax_return_*.yaml. What stays
here is what a case cannot say: agreement with another worksheet, errors, and the batch columns.
"""
from __future__ import annotations

import pytest

import engine
from engine.errors import MissingInputError


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


# ---------------------------------------------------------------- property tax credit and CT EITC
# (tests/reference/sources/ct-1040-2025-and-credits.md, "Credits on the resident return")


def test_part_year_resident_must_give_the_eitc_resident_portion_share():
    # the part-year return of tests/cases/2024/income_tax_return_credits.yaml (part_year_30000_both_credits)
    # without the share of the federal EITC that belongs to the resident portion
    with pytest.raises(MissingInputError, match="eitc_resident_portion_share"):
        engine.evaluate(2024, "income_tax_return", {
            "filing_status": "single", "residency": "part_year_resident", "federal_agi": 30000,
            "ct_source_income": 15000, "federal_eitc": 2000})


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
    # worked by hand in tests/cases/2024/income_tax_return_credits.yaml (single_40000_both_credits) and
    # tests/cases/2023/income_tax_return_credits.yaml (joint_85000_property_tax_credit_phased_out)
    assert list(batch["property_tax_credit"]) == [250, 210]
