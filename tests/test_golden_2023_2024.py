"""Golden traces (result.to_dict()) of every 2023 and 2024 worksheet for a few cases.

Regenerate with ``python3 -m pytest tests/test_golden_2023_2024.py --force-regen`` and review the
diff like code: every changed value, table row and citation must be explained by a rule change.
"""
from __future__ import annotations

import pytest

import engine

CASES = {
    "tax_calculation": [
        ("single_60000", {"filing_status": "single", "ct_agi": 60000}),
        ("joint_250000", {"filing_status": "married_filing_jointly", "ct_agi": 250000}),
        ("hoh_900000", {"filing_status": "head_of_household", "ct_agi": 900000}),
    ],
    "modifications": [
        ("single_pension_ira", {"filing_status": "single", "federal_agi": 80000, "pension_annuity_income": 20000,
                                "ira_distributions": 10000, "taxable_social_security": 8000,
                                "social_security_benefits": 16000}),
    ],
    "residency": [
        ("group_b", {"domiciled_in_ct": True, "foreign_days_in_548_day_period": 500, "ct_days_in_548_day_period": 60,
                     "days_in_first_nonresident_portion": 200, "ct_days_in_first_nonresident_portion": 32,
                     "days_in_last_nonresident_portion": 300, "ct_days_in_last_nonresident_portion": 49}),
        ("abode_test", {"permanent_place_of_abode_in_ct": True, "days_in_ct": 200}),
    ],
    "filing_requirement": [
        ("seed_example_3", {"filing_status": "single", "residency": "nonresident", "gross_income": 16000,
                            "has_ct_source_income": True}),
    ],
    "nonresident_tax": [
        ("single_prorated", {"filing_status": "single", "ct_agi": 100000, "ct_source_income": 40000}),
    ],
    "casual_isolated_test": [
        ("wages_under_6000", {"ct_presence_gross_income": 2500, "ct_wages": 2500}),
    ],
    "income_tax_return": [
        ("resident_single", {"filing_status": "single", "federal_agi": 80000, "pension_annuity_income": 20000,
                             "ira_distributions": 10000, "withholding": 2000}),
        ("part_year_joint", {"filing_status": "married_filing_jointly", "residency": "part_year_resident",
                             "federal_agi": 150000, "ct_source_income": 90000, "credit_for_taxes_paid": 500,
                             "estimated_payments": 4000}),
    ],
}

PARAMS = [(year, sheet, name, inputs) for year in (2023, 2024) for sheet, cases in CASES.items()
          for name, inputs in cases]


@pytest.mark.parametrize("year,sheet,name,inputs", PARAMS, ids=[f"{y}-{s}-{n}" for y, s, n, _ in PARAMS])
def test_golden_trace(year, sheet, name, inputs, data_regression):
    data_regression.check(engine.evaluate(year, sheet, inputs).to_dict(), basename=f"{year}_{sheet}_{name}")


def test_golden_cases_are_worksheets_of_both_years():
    for year in (2023, 2024):
        assert set(CASES) <= set(engine.worksheets(year))
