"""Golden traces of 2013 worksheets: any change to a table, a line or the trace format shows up as a
diff of tests/test_golden_2013/*.yml, to be reviewed like code (regenerate with --force-regen)."""
import pytest

import engine

CASES = [
    ("single", 9000), ("single", 60000), ("single", 230000),
    ("married_filing_jointly", 45000), ("married_filing_jointly", 600000),
    ("married_filing_separately", 26500), ("married_filing_separately", 51000),
    ("head_of_household", 74200), ("head_of_household", 500000),
    ("qualifying_surviving_spouse", 100501),
]


@pytest.mark.parametrize("status, agi", CASES, ids=[f"{s}-{a}" for s, a in CASES])
def test_tax_calculation_trace(status, agi, data_regression):
    result = engine.evaluate(2013, "tax_calculation", {"filing_status": status, "ct_agi": agi})
    data_regression.check(result.to_dict())


def test_ct_w4p_nonresident_trace(data_regression):
    result = engine.evaluate(2013, "ct_w4p", {
        "filing_status": "married_filing_jointly", "federal_agi": 100000, "modifications": -5000,
        "residency": "nonresident", "ct_source_income": 40000, "other_withholding": 700, "payments_per_year": 4})
    data_regression.check(result.to_dict())


def test_ct_w4p_part_year_ct_sourced_above_agi_trace(data_regression):
    # Line 3 holds the Connecticut-sourced income (45,000), greater than CT AGI (30,000): issue 10.
    result = engine.evaluate(2013, "ct_w4p", {
        "filing_status": "single", "federal_agi": 30000, "residency": "part_year_resident",
        "ct_source_income": 45000, "payments_per_year": 12})
    data_regression.check(result.to_dict())


def test_social_security_adjustment_trace(data_regression):
    result = engine.evaluate(2013, "social_security_adjustment", {
        "filing_status": "single", "federal_agi": 70000, "taxable_social_security": 17000,
        "social_security_benefits": 20000, "combined_income_excess": 12000})
    data_regression.check(result.to_dict())
