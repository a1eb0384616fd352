"""Residency (CT Nonresident Guide 2023, 'Resident, Part-Year Resident, or Nonresident'), 2023 and 2024.

Each residency test at its limits, Group A and Group B (with and without the period's dates) are YAML
cases: tests/cases/<year>/residency_tests.yaml (2023, 2024 and 2025). What stays here is what a case
cannot say: the Group B limit as an exact fraction, and the errors.
"""
from __future__ import annotations

import pytest

import engine
from engine.errors import InvalidAmountError, MissingInputError

# Group B facts that meet every condition: 500 days abroad and 60 in CT during the 548 days; the
# first nonresident portion has 200 days (200 x 90 / 548 = 32.85 -> at most 32 CT days) and the
# last 300 days (300 x 90 / 548 = 49.27 -> at most 49 CT days).
GROUP_B = {
    "domiciled_in_ct": True,
    "foreign_days_in_548_day_period": 500,
    "ct_days_in_548_day_period": 60,
    "days_in_first_nonresident_portion": 200,
    "ct_days_in_first_nonresident_portion": 32,
    "days_in_last_nonresident_portion": 300,
    "ct_days_in_last_nonresident_portion": 49,
}


def test_an_abode_all_year_but_at_no_time_is_refused():
    with pytest.raises(engine.InvalidInputError, match="contradict"):
        engine.evaluate(2024, "residency", {"permanent_place_of_abode_in_ct": True, "days_in_ct": 200,
                                            "permanent_place_of_abode_in_ct_any_time": False})


# Group B, condition 3: "During the nonresident portion of the taxable year in which the 548-day period
# begins, and during the nonresident portion of the taxable year in which the 548-day period ends ...".
# Only the part of a year inside the period is nonresident; the rest of a domiciliary's year is
# resident, so a year the period covers only in part is a part-year resident's year.
DATED_GROUP_B = {
    "domiciled_in_ct": True,
    "foreign_days_in_548_day_period": 500,
    "ct_days_in_548_day_period": 60,
    "ct_days_in_first_nonresident_portion": 20,
    "ct_days_in_last_nonresident_portion": 40,
}


def test_group_b_portion_lengths_given_with_the_period_start_must_agree_with_the_dates():
    # (Without the period start, Group B keeps the whole-year answer: a case in
    # tests/cases/2024/residency_tests.yaml.) With the first day given the portion lengths are worked out
    # and need not be given.
    engine.evaluate(2024, "residency", {**DATED_GROUP_B, "group_b_period_start": "2023-07-01"})
    # Given as well, they must agree with the dates (184 and 364 days for a period from July 1, 2023).
    engine.evaluate(2024, "residency", {**DATED_GROUP_B, "group_b_period_start": "2023-07-01",
                                        "days_in_first_nonresident_portion": 184,
                                        "days_in_last_nonresident_portion": 364})
    with pytest.raises(engine.InvalidInputError, match="days_in_first_nonresident_portion"):
        engine.evaluate(2024, "residency", {**DATED_GROUP_B, "group_b_period_start": "2023-07-01",
                                            "days_in_first_nonresident_portion": 200})
    with pytest.raises(engine.InvalidInputError, match="days_in_last_nonresident_portion"):
        engine.evaluate(2023, "residency", {**DATED_GROUP_B, "group_b_period_start": "2023-07-01",
                                            "days_in_last_nonresident_portion": 300})


def test_group_b_limit_is_shown_exactly():
    result = engine.evaluate(2023, "residency", GROUP_B)
    assert result.line("first_portion_max_ct_days").value * 548 == 200 * 90
    assert result.line("last_portion_max_ct_days").value * 548 == 300 * 90


@pytest.mark.parametrize("year", [2023, 2024])
def test_domicile_all_year_and_a_move_together_are_refused(year):
    # Bad input never passes silently: the two facts contradict each other, so nothing is decided.
    with pytest.raises(engine.InvalidInputError, match="domiciled_in_ct and moved_during_year") as error:
        engine.evaluate(year, "residency", {"domiciled_in_ct": True, "moved_during_year": True})
    assert error.value.field == "domiciled_in_ct"


def test_days_in_ct_are_required_when_they_decide():
    with pytest.raises(MissingInputError, match="days_in_ct"):
        engine.evaluate(2023, "residency", {"permanent_place_of_abode_in_ct": True})
    with pytest.raises(MissingInputError, match="days_in_ct"):
        engine.evaluate(2023, "residency", {"domiciled_in_ct": True, "permanent_place_of_abode_outside_ct": True})


def test_group_b_portions_are_required_once_450_foreign_days_are_claimed():
    with pytest.raises(MissingInputError, match="ct_days_in_548_day_period"):
        engine.evaluate(2024, "residency", {"domiciled_in_ct": True, "foreign_days_in_548_day_period": 460})


def test_impossible_day_counts_are_refused():
    with pytest.raises(InvalidAmountError, match="days_in_ct"):
        engine.evaluate(2023, "residency", {"permanent_place_of_abode_in_ct": True, "days_in_ct": 400})
    with pytest.raises(InvalidAmountError, match="foreign_days_in_548_day_period"):
        engine.evaluate(2023, "residency", {"foreign_days_in_548_day_period": -1})
