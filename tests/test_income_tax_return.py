"""income_tax_return, 2023 and 2024: federal AGI to the refund or balance due."""
from __future__ import annotations

import pytest

import engine
from engine.errors import MissingInputError


def test_credit_cannot_make_the_tax_negative():
    result = engine.evaluate(2023, "income_tax_return", {"filing_status": "single", "federal_agi": 40000,
                                                         "credit_for_taxes_paid": 100000})
    assert result["total_tax"] == 0


@pytest.mark.parametrize("year", (2023, 2024))
def test_nonresident_matches_nonresident_tax(year):
    result = engine.evaluate(year, "income_tax_return", {"filing_status": "single", "residency": "nonresident",
                                                         "federal_agi": 100000, "ct_source_income": 40000})
    direct = engine.evaluate(year, "nonresident_tax", {"filing_status": "single", "ct_agi": 100000,
                                                       "ct_source_income": 40000})
    assert result["ct_income_tax"] == direct["ct_income_tax"]


@pytest.mark.parametrize("year", (2023, 2024))
def test_resident_tax_is_the_schedule(year):
    for agi in (0, 25000, 60000, 250000, 1500000):
        result = engine.evaluate(year, "income_tax_return", {"filing_status": "head_of_household", "federal_agi": agi})
        schedule = engine.evaluate(year, "tax_calculation", {"filing_status": "head_of_household", "ct_agi": agi})
        assert result["ct_income_tax"] == schedule["ct_income_tax"]


def test_nonresident_must_give_ct_source_income():
    with pytest.raises(MissingInputError, match="ct_source_income"):
        engine.evaluate(2024, "income_tax_return", {"filing_status": "single", "residency": "part_year_resident",
                                                    "federal_agi": 50000})
