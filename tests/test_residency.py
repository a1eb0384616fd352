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


@pytest.mark.parametrize("year", YEARS)
def test_group_a_condition_1_means_no_ct_abode_at_any_time(year):
    # Group A condition 1: "You did not maintain a permanent place of abode in Connecticut for the
    # entire ... taxable year", read as Conn. Gen. Stat. Sec. 12-701(a)(1)(A) says it: "maintains no
    # permanent place of abode in this state". An abode kept for part of the year fails it.
    assert residency(year, **GROUP_A, permanent_place_of_abode_in_ct_any_time=True) == ("resident", "domicile")
    # No abode at any time: met (with the other two conditions).
    assert residency(year, **GROUP_A, permanent_place_of_abode_in_ct_any_time=False) == ("nonresident", "Group A")
    # Not given: the all-year input stands in for it, which keeps the earlier answers.
    result = engine.evaluate(year, "residency", GROUP_A)
    assert result.line("ct_abode_at_any_time").value is False
    assert result["residency"] == "nonresident"
    # Once an abode at some time defeats Group A, the day count no longer decides and is not asked.
    assert residency(year, domiciled_in_ct=True, permanent_place_of_abode_outside_ct=True,
                     permanent_place_of_abode_in_ct_any_time=True) == ("resident", "domicile")


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


def test_group_b_period_beginning_mid_2023():
    # Period from July 1, 2023: July 1 - December 31, 2023 = 184 days; the other 548 - 184 = 364 days
    # run January 1 - December 29, 2024 (2024 has 366 days). Limits: 184 x 90 / 548 = 30.2 and
    # 364 x 90 / 548 = 59.8 days in Connecticut.
    facts = {**DATED_GROUP_B, "group_b_period_start": "2023-07-01"}
    r2023 = engine.evaluate(2023, "residency", facts)
    assert r2023.line("group_b_period_end").value.isoformat() == "2024-12-29"
    assert r2023.line("first_portion_days").value == 184
    assert r2023.line("last_portion_days").value == 364
    # 2023: resident January 1 - June 30, nonresident July 1 - December 31: a part-year resident.
    assert (r2023["residency"], r2023["decided_by"]) == ("part_year_resident", "Group B")
    assert r2023["nonresident_portion_start"].isoformat() == "2023-07-01"
    assert r2023["nonresident_portion_end"].isoformat() == "2023-12-31"
    # 2024: nonresident January 1 - December 29, resident December 30 - 31: a part-year resident too.
    r2024 = engine.evaluate(2024, "residency", facts)
    assert (r2024["residency"], r2024["decided_by"]) == ("part_year_resident", "Group B")
    assert r2024["nonresident_portion_start"].isoformat() == "2024-01-01"
    assert r2024["nonresident_portion_end"].isoformat() == "2024-12-29"
    # 31 days in the first portion exceed 30.2: condition 3 fails, a resident all year.
    assert residency(2023, **{**facts, "ct_days_in_first_nonresident_portion": 31}) == ("resident", "domicile")
    assert residency(2023, **{**facts, "ct_days_in_first_nonresident_portion": 30}) == ("part_year_resident", "Group B")


def test_group_b_period_covering_the_whole_year_and_missing_it():
    # Period from December 1, 2022: December 1 - 31, 2022 = 31 days; 365 days of 2023; the last
    # 548 - 31 - 365 = 152 days run January 1 - May 31, 2024. Limit for 152 days: 152 x 90 / 548 = 24.96.
    facts = {**DATED_GROUP_B, "ct_days_in_first_nonresident_portion": 5, "ct_days_in_last_nonresident_portion": 24,
             "group_b_period_start": "2022-12-01"}
    r2023 = engine.evaluate(2023, "residency", facts)
    assert (r2023["residency"], r2023["decided_by"]) == ("nonresident", "Group B")
    assert r2023["nonresident_portion_start"].isoformat() == "2023-01-01"
    assert r2023["nonresident_portion_end"].isoformat() == "2023-12-31"
    r2024 = engine.evaluate(2024, "residency", facts)
    assert r2024.line("last_portion_days").value == 152
    assert (r2024["residency"], r2024["decided_by"]) == ("part_year_resident", "Group B")
    assert r2024["nonresident_portion_end"].isoformat() == "2024-05-31"
    # 25 days in the last portion exceed 24.96.
    assert residency(2024, **{**facts, "ct_days_in_last_nonresident_portion": 25}) == ("resident", "domicile")
    # A period from June 1, 2022 ends November 30, 2023: it does not reach 2024, where the
    # domiciliary is a resident.
    early = {**facts, "group_b_period_start": "2022-06-01"}
    r = engine.evaluate(2024, "residency", early)
    assert (r["residency"], r["decided_by"]) == ("resident", "domicile")
    assert r["nonresident_portion_start"] is None


def test_group_b_without_the_period_start_keeps_the_whole_year_answer():
    result = engine.evaluate(2024, "residency", GROUP_B)
    assert (result["residency"], result["decided_by"]) == ("nonresident", "Group B")
    assert result["nonresident_portion_start"] is None and result["nonresident_portion_end"] is None
    # With the first day given the portion lengths are worked out and need not be given.
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


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("failing_condition", [
    {"ct_days_in_548_day_period": 91},
    {"ct_days_in_548_day_period": 10, "family_in_ct_abode_over_90_days": True},
])
def test_group_b_asks_for_the_portions_only_while_conditions_1_and_2_hold(year, failing_condition):
    # Group B: "2. During this period of 548 consecutive days, you did not spend more than 90 days in
    # Connecticut and you did not maintain a permanent place of abode in Connecticut at which your spouse
    # ... or minor children spent more than 90 days". With 91 days in Connecticut, or the family in the
    # Connecticut abode, Group B fails whatever the nonresident portions hold, so they are not needed.
    # Group A fails too (100 days in Connecticut, more than 30): the domiciliary stays a resident.
    result = engine.evaluate(year, "residency", {
        "domiciled_in_ct": True, "moved_during_year": False, "permanent_place_of_abode_in_ct": False,
        "permanent_place_of_abode_outside_ct": True, "days_in_ct": 100, "foreign_days_in_548_day_period": 460,
        **failing_condition})
    assert result["residency"] == "resident"
    assert result.line("group_b").value is False
