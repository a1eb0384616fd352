"""Nonresident and part-year resident tax and the casual, isolated or inconsequential test (2023, 2024).

The hand-worked cases are YAML: tests/cases/2023 and 2024/nonresident_tax_*.yaml and
casual_isolated_test.yaml. What stays here is what a case cannot say: the tax against the reference
calculation over a grid, and the errors.
"""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from reference import ct_reference as ref

import engine
from engine.errors import MissingInputError


def nonresident(year, status, agi, sourced):
    result = engine.evaluate(year, "nonresident_tax", {"filing_status": status, "ct_agi": agi,
                                                       "ct_source_income": sourced})
    return result["apportionment_factor"], result["ct_income_tax"]


@pytest.mark.parametrize("year", (2023, 2024))
@pytest.mark.parametrize("agi,sourced", [
    (100000, 40000), (100000, 100000), (80000, 120000), (75000, 1), (300000, 123457), (50000, 0),
])
def test_tax_as_a_resident_on_the_greater_amount_then_prorated(year, agi, sourced):
    base = max(agi, sourced)
    factor = D(1) if sourced >= agi else (D(sourced) / D(agi)).quantize(D("0.0001"))
    expected_tax = (factor * ref.tax_calculation(year, "single", base)["ct_income_tax"]).quantize(D(1))
    assert nonresident(year, "single", agi, sourced) == (factor, expected_tax)


def casual(year=2023, **facts):
    result = engine.evaluate(year, "casual_isolated_test", facts)
    return result["casual_isolated"], result["presence_counts"], result["ct_source_income"]


@pytest.mark.parametrize("year", (2023, 2024))
def test_a_member_must_give_the_pass_through_income(year):
    # The $6,000 test does not apply to a member: the PTE income decides, so it is required.
    with pytest.raises(MissingInputError, match="pass_through_ct_income"):
        casual(year, ct_presence_gross_income=3000, pass_through_member=True)


@pytest.mark.parametrize("year", (2023, 2024))
def test_a_lottery_prize_needs_the_wager(year):
    # Without the wager (and no W-2G answer) the "at least 300 times the amount of the wager" test
    # cannot be applied.
    with pytest.raises(MissingInputError, match="ct_lottery_wager"):
        casual(year, ct_lottery_prize=600)
