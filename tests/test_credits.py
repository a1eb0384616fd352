"""Property tax credit (Schedule 3) and Connecticut EITC (Schedule CT-EITC), 2023-2025.

Expected values come from ``tests/reference/sources/ct-1040-2025-and-credits.md``, worked by hand
in this file and in the YAML cases tests/cases/<year>/property_tax_credit_hand_worked.yaml and
ct_eitc_hand_worked.yaml, not from the rule files:

* Property tax credit: "maximum credit $300. The maximum is reduced by 15% for each increment (or
  fraction) of Connecticut AGI over the start", with the start / increment table by filing status
  (the same in 2023, 2024 and 2025), and "So the credit is min(property tax paid, maximum) x
  (1 - rate x increments), not below zero"; "it is a nonrefundable credit and cannot exceed the
  income tax".
* CT EITC: "| 2023 | 40.0% | none |", "| 2024 | 40.0% | none |", "| 2025 | 40.0% | $250 |" (share of
  the federal earned income credit; additional amount with at least one qualifying child).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from reference.printed_tables import printed_ct_eitc, printed_property_tax_credit

import engine
from engine.errors import CtaxError, InvalidInputError, MissingInputError

YEARS = [2023, 2024, 2025]
# Source table "Reduction starts above CT AGI of | Increment", identical in every year.
START_AND_INCREMENT = {
    "single": (49500, 10000),
    "married_filing_jointly": (70500, 10000),
    "qualifying_surviving_spouse": (70500, 10000),
    "married_filing_separately": (35250, 5000),
    "head_of_household": (54500, 10000),
}


@pytest.mark.parametrize("year", YEARS)
def test_hand_typed_figures_are_the_printed_ones(year):
    # the constants above against the source's own tables, read by the test oracle
    maximum, rate, starts = printed_property_tax_credit(year)
    assert (maximum, rate, starts) == (300, Decimal("0.15"), START_AND_INCREMENT)
    share, extra = printed_ct_eitc(year)
    assert share == Decimal("0.4") and EITC_BY_HAND[year][1] - EITC_BY_HAND[year][0] == extra


def _increments(agi: int, start: int, increment: int) -> int:
    """Whole or partial increments by which CT AGI exceeds the start ("or fraction")."""
    if agi <= start:
        return 0
    return -(-(agi - start) // increment)  # ceiling division


def _expected_credit(paid: int, agi: int, status: str) -> int:
    start, increment = START_AND_INCREMENT[status]
    reduction = min(Decimal(1), Decimal("0.15") * _increments(agi, start, increment))  # "not below zero"
    credit = min(paid, 300) * (1 - reduction)
    return int(credit.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _boundaries():
    # every step bound (start, start + k increments; the 7th step reaches 105% -> 100%), a dollar
    # either side, for every status and year
    for year in YEARS:
        for status, (start, increment) in START_AND_INCREMENT.items():
            for k in range(8):
                bound = start + k * increment
                for agi in (bound - 1, bound, bound + 1):
                    yield year, status, agi


@pytest.mark.parametrize("year,status,agi", list(_boundaries()))
def test_property_tax_credit_every_step_boundary(year, status, agi):
    result = engine.evaluate(year, "property_tax_credit", {
        "filing_status": status, "ct_agi": agi, "qualifying_property_tax": 300})
    start, increment = START_AND_INCREMENT[status]
    expected_pct = min(Decimal(1), Decimal("0.15") * _increments(agi, start, increment))
    assert result["maximum_credit"] == 300
    assert result["phase_out_percentage"] == expected_pct
    assert result["property_tax_credit"] == _expected_credit(300, agi, status)


def test_property_tax_credit_bad_input_is_named():
    with pytest.raises(CtaxError, match="qualifying_property_tax"):
        engine.evaluate(2024, "property_tax_credit", {"filing_status": "single", "ct_agi": 1000,
                                                      "qualifying_property_tax": -5})
    with pytest.raises(MissingInputError, match="qualifying_property_tax"):
        engine.evaluate(2024, "property_tax_credit", {"filing_status": "single", "ct_agi": 1000})


# federal EITC $3,000 for each case; CT share 40% -> $1,200; 2025 adds $250 with at least one child.
EITC_BY_HAND = {
    2023: {0: 1200, 1: 1200, 2: 1200, 3: 1200},
    2024: {0: 1200, 1: 1200, 2: 1200, 3: 1200},
    2025: {0: 1200, 1: 1450, 2: 1450, 3: 1450},  # $1,200 + $250 with at least one child
}


@pytest.mark.parametrize("year,children", [(y, c) for y in EITC_BY_HAND for c in range(4)])
def test_ct_eitc_zero_to_three_children(year, children):
    result = engine.evaluate(year, "ct_eitc", {"federal_eitc": 3000, "qualifying_children": children})
    assert result["ct_eitc"] == EITC_BY_HAND[year][children]


@pytest.mark.parametrize("year", YEARS)
def test_ct_eitc_bad_input_is_named(year):
    # the part-year case of tests/cases/<year>/ct_eitc_hand_worked.yaml without its resident-period share
    with pytest.raises(MissingInputError, match="resident_portion_share"):
        engine.evaluate(year, "ct_eitc", {"federal_eitc": 2000, "residency": "part_year_resident"})
    with pytest.raises(CtaxError, match="qualifying_children"):
        engine.evaluate(year, "ct_eitc", {"federal_eitc": 2000, "qualifying_children": -1})
    # Sec. 12-704e(c): with a joint federal return both federal AGIs are needed, and the joint one divides
    with pytest.raises(MissingInputError, match="separate_federal_agi"):
        engine.evaluate(year, "ct_eitc", {"federal_eitc": 2000, "joint_federal_return": True, "joint_federal_agi": 1})
    with pytest.raises(InvalidInputError, match="joint_federal_agi"):
        engine.evaluate(year, "ct_eitc", {"federal_eitc": 2000, "joint_federal_return": True,
                                          "separate_federal_agi": 100, "joint_federal_agi": 0})


@pytest.mark.parametrize("year", YEARS)
def test_income_tax_return_passes_a_joint_federal_return_to_the_ct_eitc(year):
    # Married filing separately for Connecticut after a joint federal return: federal_agi is the filer's
    # own, so Schedule CT-EITC takes $1,000 x 40% x 30,000 / 40,000 = $300 (Sec. 12-704e(c)), no child.
    given = {"filing_status": "married_filing_separately", "federal_agi": 30000, "federal_eitc": 1000,
             "joint_federal_return": True, "joint_federal_agi": 40000}
    assert engine.evaluate(year, "income_tax_return", given)["ct_eitc"] == 300
    with pytest.raises(InvalidInputError, match="married filing separately"):
        engine.evaluate(year, "income_tax_return", {**given, "filing_status": "single"})
    # without a federal credit the joint federal AGI is not needed, and nothing divides by it
    no_credit = {key: value for key, value in given.items() if key not in ("federal_eitc", "joint_federal_agi")}
    assert engine.evaluate(year, "income_tax_return", no_credit)["ct_eitc"] == 0


# ---------------------------------------------------------------- evaluate_batch


def _scalar_outputs(year, worksheet, rows):
    return [engine.evaluate(year, worksheet, {k: v for k, v in row.items() if v is not None}).outputs
            for row in rows]


@pytest.mark.parametrize("year", YEARS)
def test_property_tax_credit_runs_as_columns(year):
    import pandas as pd

    rows = [{"filing_status": status, "ct_agi": str(agi), "qualifying_property_tax": paid,
             "income_tax": income_tax}
            for _, status, agi in _boundaries() if _ == year
            for paid, income_tax in (("300", None), ("110.50", "40"), ("0", None), ("5000", "1000"))]
    frame = pd.DataFrame(rows)
    # no fallback: the worksheet has an exact column form, "income_tax == None" included
    batch = engine.evaluate_batch(year, "property_tax_credit", frame)
    expected = _scalar_outputs(year, "property_tax_credit", rows)
    for name in ("maximum_credit", "phase_out_percentage", "property_tax_credit"):
        assert [Decimal(str(v)) for v in batch[name]] == [e[name] for e in expected]
    # without the optional column at all
    batch = engine.evaluate_batch(year, "property_tax_credit", frame.drop(columns="income_tax").iloc[:40])
    assert list(batch["property_tax_credit"]) == [
        _expected_credit(int(Decimal(r["qualifying_property_tax"]).quantize(Decimal(1), rounding=ROUND_HALF_UP)),
                         int(r["ct_agi"]), r["filing_status"])
        for r in rows[:40]]


@pytest.mark.parametrize("year", YEARS)
def test_ct_eitc_runs_as_columns(year):
    import pandas as pd

    rows = [{"federal_eitc": eic, "qualifying_children": kids, "residency": res, "resident_portion_share": share}
            for eic in ("0", "601", "3000", "7830.49") for kids in range(4)
            for res, share in (("resident", "1"), ("part_year_resident", "0.25"), ("nonresident", "1"))]
    batch = engine.evaluate_batch(year, "ct_eitc", pd.DataFrame(rows))
    assert [Decimal(str(v)) for v in batch["ct_eitc"]] == [e["ct_eitc"] for e in _scalar_outputs(year, "ct_eitc", rows)]
