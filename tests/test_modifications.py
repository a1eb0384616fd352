"""Connecticut AGI from federal AGI, 2023 and 2024: pension/IRA phase-out, IRA share, Social Security.

The hand-worked cases are YAML: tests/cases/2023 and 2024/modifications_*.yaml (pension rows, Social
Security, federal AGI rounding). What stays here is what a case cannot say: every edge of every printed
pension row (read from the publication's table), and the errors.
"""
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


def test_gross_benefits_are_required_when_the_worksheet_applies():
    with pytest.raises(MissingInputError, match="social_security_benefits"):
        modify(2024, filing_status="single", federal_agi=90000, taxable_social_security=5000)


def test_negative_amounts_are_refused():
    with pytest.raises(InvalidAmountError, match="pension_annuity_income"):
        modify(2023, filing_status="single", federal_agi=50000, pension_annuity_income=-1)
