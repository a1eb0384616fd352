"""The 2023, 2024 and 2025 Tax Calculation Schedule tables against the printed rows and the reference calculation.

Oracles (tests/reference, which share no code with engine/ or rules/):
* printed_tables parses the rows exactly as ct-1040-tables-2023-2024.md (2023, 2024) and
  ct-1040-2025-and-credits.md (2025) print them;
* ct_reference computes the schedule from the statute wording.
Every row boundary (the bound, one dollar below and above it, and a cent above it) of every
table is checked for all five filing statuses.
"""
from __future__ import annotations

import shutil
from decimal import Decimal as D
from pathlib import Path

import pytest
from reference import ct_reference as ref
from reference.printed_tables import (
    STATUSES,
    lookup,
    printed_formulas,
    printed_ira_share,
    printed_pension_table,
    printed_table,
)

import engine
from engine.loading.ruleset import check_ruleset

YEARS = (2023, 2024, 2025)
RULES = Path(__file__).resolve().parent.parent / "rules"


def _boundary_amounts(rows) -> list[D]:
    points = set()
    for row in rows:
        for bound in (row.lo, row.hi):
            if bound is not None:
                points |= {bound - 1, bound, bound + 1, bound + D("0.01")}
    return sorted(points)


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("letter", ["A", "C", "D", "E"])
@pytest.mark.parametrize("status", STATUSES)
def test_every_row_boundary_matches_the_printed_row(year, letter, status):
    table = engine.load(year).tables[f"table_{letter.lower()}"]
    rows = printed_table(year, letter)[status]
    for amount in _boundary_amounts(rows):
        value, match = table.lookup(status, amount)
        expected = lookup(rows, amount)
        assert value == expected.value, (year, letter, status, amount, match.description)
        if expected.contains(amount):  # inside a printed row: the trace names that row
            assert (match.lower, match.upper) == (expected.lo, expected.hi)


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("status", STATUSES)
def test_table_b_at_every_bracket_boundary(year, status):
    table = engine.load(year).tables["table_b"]
    rows = printed_table(year, "B")[status]
    for amount in _boundary_amounts(rows):
        if amount <= 0:
            continue
        value, _ = table.lookup(status, amount)
        row = lookup(rows, amount)
        assert value == row.base + row.rate * (amount - row.excess_over), (year, status, amount)


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("letter", ["A", "C", "D"])
def test_formulas_are_the_printed_wording(year, letter):
    """Each column's stepped formula has the numbers printed above it in the source."""
    table = engine.load(year).tables[f"table_{letter.lower()}"]
    for status, printed in printed_formulas(year, letter).items():
        formula = table.columns[status].formula
        if letter == "A":
            maximum, reduction, per, over = printed
            (c,) = formula.components
            assert (formula.start, c.amount, c.for_each, c.over, c.up_to, c.subtract) == (
                maximum, reduction, per, over, maximum, True)
        else:
            assert formula.start == 0
            assert [(c.amount, c.for_each, c.over, c.up_to) for c in formula.components] == list(printed)
            assert all(c.or_fraction_thereof and not c.subtract for c in formula.components)


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("status", STATUSES)
def test_pension_share_both_edges_of_every_at_least_less_than_row(year, status):
    table = engine.load(year).tables["pension_annuity_share"]
    rows = printed_pension_table(year)[status]
    for row in rows:
        assert table.lookup(status, row.lo)[0] == row.value  # "at least": the bound is in the row
        assert table.lookup(status, row.lo + D("0.01"))[0] == row.value
        if row.hi is not None:
            assert table.lookup(status, row.hi - D("0.01"))[0] == row.value  # "less than": just below
            assert table.lookup(status, row.hi - 1)[0] == row.value
            assert table.lookup(status, row.hi)[0] != row.value  # the bound itself is the next row's


def test_pension_phase_out_2024_single_edges_by_hand():
    # 2024 single: at least $75,000 but less than $77,500 -> 85%; $74,999.99 -> 100%; $100,000 -> 0%.
    table = engine.load(2024).tables["pension_annuity_share"]
    assert table.lookup("single", D("74999.99"))[0] == 1
    assert table.lookup("single", D(75000))[0] == D("0.85")
    assert table.lookup("single", D("99999.99"))[0] == D("0.025")
    assert table.lookup("single", D(100000))[0] == 0
    assert table.lookup("married_filing_jointly", D("149999"))[0] == D("0.025")
    assert table.lookup("married_filing_jointly", D(150000))[0] == 0


@pytest.mark.parametrize("year", YEARS)
def test_ira_share_is_the_printed_one(year):
    assert engine.load(year).tables["ira_distribution_share"].lookup(None, None)[0] == printed_ira_share()[year]


def _printed_schedule(year: int, status: str, agi: D) -> dict[str, D]:
    """The Tax Calculation Schedule read from the printed rows alone (no statute formula)."""
    def whole(x: D) -> D:
        return x.quantize(D(1), rounding="ROUND_HALF_UP")

    def row(letter: str, amount: D):
        return lookup(printed_table(year, letter)[status], amount)

    line1 = whole(agi)
    exemption = row("A", line1).value
    taxable = max(D(0), line1 - exemption)
    bracket = row("B", taxable) if taxable > 0 else None
    initial = whole(bracket.base + bracket.rate * (taxable - bracket.excess_over)) if bracket else D(0)
    add_back, recapture = row("C", line1).value, row("D", line1).value
    before_credits = initial + add_back + recapture
    decimal = row("E", line1).value
    credit = whole(before_credits * decimal)
    return {"exemption": exemption, "taxable_income": taxable, "initial_tax": initial,
            "phase_out_add_back": add_back, "recapture": recapture, "tax_before_credits": before_credits,
            "credit_decimal": decimal, "personal_credit": credit, "ct_income_tax": before_credits - credit}


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("status", STATUSES)
def test_schedule_agrees_with_the_printed_rows_on_every_boundary(year, status):
    """Every bound of every printed Table A-E row (a dollar either side and a cent above), the
    whole schedule as the printed rows give it."""
    amounts = set()
    for letter in "ABCDE":
        amounts |= {a for a in _boundary_amounts(printed_table(year, letter)[status]) if a > 0}
    for agi in sorted(amounts):
        result = engine.evaluate(year, "tax_calculation", {"filing_status": status, "ct_agi": agi}, trace=False)
        expected = _printed_schedule(year, status, agi)
        assert {k: result[k] for k in expected} == expected, (year, status, agi)


def _grid() -> list[D]:
    amounts = {D(x) for x in range(-5000, 1_200_001, 5000)}
    amounts |= {D(x) + D("0.49") for x in range(0, 600_001, 15013)}
    amounts |= {D(x) + D("0.50") for x in range(0, 600_001, 15013)}
    for letter in "ACDE":
        for rows in printed_table(2024, letter).values():
            amounts |= set(_boundary_amounts(rows))
    return sorted(amounts)


GRID = _grid()


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("status", STATUSES)
def test_tax_calculation_agrees_with_the_reference_over_a_grid(year, status):
    for agi in GRID:
        result = engine.evaluate(year, "tax_calculation", {"filing_status": status, "ct_agi": agi}, trace=False)
        expected = ref.tax_calculation(year, status, agi)
        for name, value in result.outputs.items():
            assert value == expected[name], (year, status, agi, name)


def _copy_year(tmp_path: Path, year: int) -> Path:
    target = tmp_path / "rules" / str(year)
    shutil.copytree(RULES / str(year), target)
    return target


def test_validation_fails_when_a_printed_row_disagrees_with_the_formula(tmp_path):
    directory = _copy_year(tmp_path, 2024)
    path = directory / "tables" / "table_d.yaml"
    text = path.read_text()
    wrong = text.replace("{more_than: 150000, less_than_or_equal_to: 200000, value: 250}",
                         "{more_than: 150000, less_than_or_equal_to: 200000, value: 225}", 1)
    assert wrong != text
    path.write_text(wrong)
    ruleset, problems = check_ruleset(directory)
    assert ruleset is None
    assert any("printed rows and formula disagree at $150,000.01" in p.message and p.file.endswith("table_d.yaml")
               for p in problems), problems


def test_validation_fails_when_a_formula_component_is_wrong(tmp_path):
    directory = _copy_year(tmp_path, 2023)
    path = directory / "tables" / "table_c.yaml"
    text = path.read_text()
    wrong = text.replace("{amount: 32, for_each: 4000, or_fraction_thereof: true, over: 78500, up_to: 320}",
                         "{amount: 32, for_each: 4000, or_fraction_thereof: false, over: 78500, up_to: 320}", 1)
    assert wrong != text
    path.write_text(wrong)
    ruleset, problems = check_ruleset(directory)
    assert ruleset is None
    assert any("printed rows and formula disagree" in p.message for p in problems), problems


def test_all_three_years_evaluate_through_the_same_api():
    for year in (2013, 2023, 2024):
        result = engine.evaluate(year, "tax_calculation", {"filing_status": "single", "ct_agi": 60000})
        assert set(result.outputs) == {"exemption", "taxable_income", "initial_tax", "phase_out_add_back",
                                       "recapture", "tax_before_credits", "credit_decimal", "personal_credit",
                                       "ct_income_tax"}
    inputs = {"filing_status": "single", "ct_agi": 1}
    assert [line.line for line in engine.evaluate(2024, "tax_calculation", inputs).lines] == \
        [line.line for line in engine.evaluate(2013, "tax_calculation", inputs).lines]
