"""Nonresident and part-year resident tax and the casual, isolated or inconsequential test (2023, 2024)."""
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


def test_hand_calculated_2023_proration():
    # 2023 single, CT AGI $100,000, CT-sourced $40,000: resident tax on $100,000 is
    # Table B $2,300 + 5.5% x $50,000 = $5,050 + Table C $180 + Table D $0 = $5,230, Table E 0 -> $5,230.
    # Factor 40,000 / 100,000 = 0.4000; tax $2,092.
    assert nonresident(2023, "single", 100000, 40000) == (D("0.4000"), D(2092))


def test_factor_is_four_decimals_and_clamped():
    factor, _ = nonresident(2024, "single", 30000, 10000)
    assert factor == D("0.3333")
    factor, _ = nonresident(2024, "single", 30000, 20000)
    assert factor == D("0.6667")
    assert nonresident(2024, "single", 50000, -5000)[0] == 0  # a CT-sourced loss: not below 0
    assert nonresident(2024, "single", -1000, -2000)[0] == 0  # CT AGI not above zero
    assert nonresident(2024, "single", 50000, 50000)[0] == 1  # sourced at least CT AGI


def casual(year=2023, **facts):
    result = engine.evaluate(year, "casual_isolated_test", facts)
    return result["casual_isolated"], result["presence_counts"], result["ct_source_income"]


@pytest.mark.parametrize("year", (2023, 2024))
def test_six_thousand_dollar_test(year):
    assert casual(year, ct_presence_gross_income=6000) == (True, False, 0)  # "does not exceed $6,000"
    assert casual(year, ct_presence_gross_income=6001) == (False, True, 6001)


@pytest.mark.parametrize("year", (2023, 2024))
def test_pass_through_member_one_thousand_dollar_rule(year):
    # The $6,000 test does not apply to a member; casual only if the PTE income is less than $1,000.
    assert casual(year, ct_presence_gross_income=3000, pass_through_member=True,
                  pass_through_ct_income=999) == (True, False, 0)
    assert casual(year, ct_presence_gross_income=3000, pass_through_member=True,
                  pass_through_ct_income=1000) == (False, True, 4000)
    with pytest.raises(MissingInputError, match="pass_through_ct_income"):
        casual(year, ct_presence_gross_income=3000, pass_through_member=True)


@pytest.mark.parametrize("year", (2023, 2024))
def test_wages_and_lottery_always_count(year):
    # $2,500 of presence income, all wages: casual under the $6,000 test, yet the wages count.
    assert casual(year, ct_presence_gross_income=2500, ct_wages=2500) == (True, True, 2500)
    # ... unless the services meet the Ancillary Activity Test.
    assert casual(year, ct_presence_gross_income=2500, ct_wages=2500, ancillary_activity=True) == (True, False, 0)
    # Reportable CT Lottery winnings count regardless of the amount.
    assert casual(year, ct_presence_gross_income=1000, reportable_ct_lottery_winnings=600) == (True, False, 600)


@pytest.mark.parametrize("year", (2023, 2024))
def test_connecticut_lottery_prize_is_reportable_at_600_and_300_times_the_wager(year):
    # "the Connecticut Lottery Corporation is required to issue a federal Form W-2G to a winner if the
    # Connecticut Lottery winnings, including Powerball, are $600 or more and at least 300 times the
    # amount of the wager."
    # $600 on a $2 wager: $600 >= $600 and $600 >= 300 x $2 = $600 -> reportable, counts.
    assert casual(year, ct_lottery_prize=600, ct_lottery_wager=2) == (True, False, 600)
    # $599.99 on a $1 wager: under $600 -> not reportable, not Connecticut-sourced.
    assert casual(year, ct_lottery_prize="599.99", ct_lottery_wager=1) == (True, False, 0)
    # $900 on a $5 wager: 300 x $5 = $1,500 > $900 -> not reportable.
    assert casual(year, ct_lottery_prize=900, ct_lottery_wager=5) == (True, False, 0)
    # $1,500 on a $5 wager: exactly 300 times -> reportable; added to the other reportable winnings
    # and the $2,500 of wages: $2,500 + $1,000 + $1,500 = $5,000.
    assert casual(year, ct_presence_gross_income=2500, ct_wages=2500, reportable_ct_lottery_winnings=1000,
                  ct_lottery_prize=1500, ct_lottery_wager=5) == (True, True, 5000)
    # A Form W-2G actually issued (or not) decides over the general test.
    assert casual(year, ct_lottery_prize=900, ct_lottery_wager=5, ct_lottery_form_w2g_issued=True) == (True, False, 900)
    assert casual(year, ct_lottery_prize=600, ct_lottery_form_w2g_issued=False) == (True, False, 0)
    # Without the wager (and no W-2G answer) the test cannot be applied.
    with pytest.raises(MissingInputError, match="ct_lottery_wager"):
        casual(year, ct_lottery_prize=600)


def test_ancillary_activity_makes_a_large_presence_casual():
    assert casual(2024, ct_presence_gross_income=20000, ancillary_activity=True) == (True, False, 0)
