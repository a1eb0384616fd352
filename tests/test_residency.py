"""Residency (CT Nonresident Guide 2023, 'Resident, Part-Year Resident, or Nonresident'), 2023 and 2024."""
from __future__ import annotations

import pytest

import engine
from engine.errors import InvalidAmountError, MissingInputError

YEARS = (2023, 2024, 2025)

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
GROUP_A = {"domiciled_in_ct": True, "permanent_place_of_abode_outside_ct": True, "days_in_ct": 30}


def residency(year, **facts):
    result = engine.evaluate(year, "residency", facts)
    return result["residency"], result["decided_by"]


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("facts,expected", [
    # Domicile all year: resident.
    ({"domiciled_in_ct": True}, ("resident", "domicile")),
    ({"domiciled_in_ct": True, "permanent_place_of_abode_in_ct": True, "days_in_ct": 365}, ("resident", "domicile")),
    # Not domiciled, abode in CT all year, more than 183 days: resident; exactly 183 is not "more than".
    ({"permanent_place_of_abode_in_ct": True, "days_in_ct": 184}, ("resident", "183-day abode test")),
    ({"permanent_place_of_abode_in_ct": True, "days_in_ct": 183}, ("nonresident", "none")),
    # More than 183 days without an abode kept all year: nonresident.
    ({"permanent_place_of_abode_in_ct": False, "days_in_ct": 250}, ("nonresident", "none")),
    # A change of domicile: part-year resident.
    ({"moved_during_year": True}, ("part_year_resident", "moved")),
    ({"moved_during_year": True, "permanent_place_of_abode_outside_ct": True, "days_in_ct": 10},
     ("part_year_resident", "moved")),
    # Neither: nonresident.
    ({}, ("nonresident", "none")),
    # Group A: all three conditions; 30 days is "not more than 30".
    (GROUP_A, ("nonresident", "Group A")),
    ({**GROUP_A, "days_in_ct": 31}, ("resident", "domicile")),
    ({**GROUP_A, "permanent_place_of_abode_in_ct": True}, ("resident", "domicile")),
    ({**GROUP_A, "permanent_place_of_abode_outside_ct": False}, ("resident", "domicile")),
    # Group B: every condition met.
    (GROUP_B, ("nonresident", "Group B")),
    ({**GROUP_B, "foreign_days_in_548_day_period": 450}, ("nonresident", "Group B")),
    ({**GROUP_B, "foreign_days_in_548_day_period": 449}, ("resident", "domicile")),
    ({**GROUP_B, "ct_days_in_548_day_period": 90}, ("nonresident", "Group B")),
    ({**GROUP_B, "ct_days_in_548_day_period": 91}, ("resident", "domicile")),
    ({**GROUP_B, "family_in_ct_abode_over_90_days": True}, ("resident", "domicile")),
    # Nonresident-portion limits: 33 days exceed 200 x 90 / 548 = 32.85; 50 exceed 49.27.
    ({**GROUP_B, "ct_days_in_first_nonresident_portion": 33}, ("resident", "domicile")),
    ({**GROUP_B, "ct_days_in_last_nonresident_portion": 50}, ("resident", "domicile")),
    # A 182-day portion allows 29 days in CT (182 x 90 / 548 = 29.89), not 30.
    ({**GROUP_B, "days_in_first_nonresident_portion": 182, "ct_days_in_first_nonresident_portion": 29},
     ("nonresident", "Group B")),
    ({**GROUP_B, "days_in_first_nonresident_portion": 182, "ct_days_in_first_nonresident_portion": 30},
     ("resident", "domicile")),
    # Group A and Group B only help a domiciliary; without domicile the 183-day test decides.
    ({**GROUP_B, "domiciled_in_ct": False}, ("nonresident", "none")),
])
def test_residency_tests(year, facts, expected):
    assert residency(year, **facts) == expected


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
