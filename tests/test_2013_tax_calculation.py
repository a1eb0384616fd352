"""2013 Tax Calculation Schedule against the seed's printed Tables A-E and Table B examples.

Expected values come from the rows printed in IP 2013(8) (parsed straight from the seed text by
tests/reference/printed_tables.py, which shares no code with the engine) and from the six worked
examples printed under Table B.
"""
from decimal import Decimal

import pytest
from reference.ct_reference import tax_calculation as reference_schedule
from reference.printed_tables import STATUSES, lookup, printed_table, printed_table_b_examples

import engine

YEAR = 2013
LINE_OF_TABLE = {"A": "exemption", "C": "phase_out_add_back", "D": "recapture", "E": "credit_decimal"}


def boundary_points(rows):
    """Every printed bound, one dollar below and one above it."""
    bounds = {r.lo for r in rows} | {r.hi for r in rows if r.hi is not None}
    return sorted({b + delta for b in bounds for delta in (-1, 0, 1)})


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("table", sorted(LINE_OF_TABLE))
def test_every_row_boundary_matches_printed_table(table, status):
    rows = printed_table(YEAR, table)[status]
    mismatches = []
    for agi in boundary_points(rows):
        result = engine.evaluate(YEAR, "tax_calculation", {"filing_status": status, "ct_agi": agi})
        expected = lookup(rows, agi).value
        got = result[LINE_OF_TABLE[table]]
        if got != expected:
            mismatches.append((str(agi), str(got), str(expected)))
    assert not mismatches, f"Table {table} {status}: (AGI, engine, printed) {mismatches}"


@pytest.mark.parametrize("status", STATUSES)
def test_table_b_every_bracket_boundary(status):
    rows = printed_table(YEAR, "B")[status]
    table_b = engine.load(YEAR).tables["table_b"]
    mismatches = []
    for income in boundary_points(rows):
        if income < 0:
            continue
        row = lookup(rows, income)
        expected = row.base + row.rate * (income - row.excess_over)
        got, match = table_b.lookup(status, income)
        if got != expected or match.lower != row.lo:
            mismatches.append((str(income), str(got), str(expected)))
    assert not mismatches, f"Table B {status}: (taxable income, engine, printed) {mismatches}"


@pytest.mark.parametrize("status, line3, line4", printed_table_b_examples(YEAR))
def test_table_b_worked_examples_from_seed(status, line3, line4):
    value, _ = engine.load(YEAR).tables["table_b"].lookup(status, line3)
    assert value == line4


@pytest.mark.parametrize("status, agi, line3, line4", [
    # Single $13,000 example: AGI $27,000 keeps the full $14,000 exemption (AGI <= $28,000): 27,000 - 14,000 = 13,000.
    ("single", 27000, 13000, 450),
    # Single $525,000: exemption is $0 above $41,000.
    ("single", 525000, 525000, 32725),
    # Joint $22,500: AGI $46,500 keeps the $24,000 exemption (AGI <= $48,000).
    ("married_filing_jointly", 46500, 22500, 725),
    ("married_filing_jointly", 1100000, 1100000, 68800),
    # Head of household $825,000: exemption $0 above $56,000.
    ("head_of_household", 825000, 825000, 51355),
])
def test_table_b_examples_through_the_schedule(status, agi, line3, line4):
    result = engine.evaluate(YEAR, "tax_calculation", {"filing_status": status, "ct_agi": agi})
    assert result["taxable_income"] == line3
    assert result["initial_tax"] == line4


def test_hand_worked_single_60000():
    # L1 60,000; L2 Table A single > 41,000 -> 0; L3 60,000; L4 2,300 + 5.5% x 10,000 = 2,850;
    # L5 Table C single 56,500 < 60,000 <= 61,500 -> 20; L6 Table D -> 0; L7 2,870;
    # L8 Table E single 59,500 < 60,000 <= 60,000 -> .02; L9 2,870 x .02 = 57.40 -> 57; L10 2,813.
    result = engine.evaluate(YEAR, "tax_calculation", {"filing_status": "single", "ct_agi": "60000"})
    assert [result[k] for k in ("exemption", "taxable_income", "initial_tax", "phase_out_add_back", "recapture",
                                "tax_before_credits", "credit_decimal", "personal_credit", "ct_income_tax")] == \
        [0, 60000, 2850, 20, 0, 2870, Decimal("0.02"), 57, 2813]


def test_qualifying_surviving_spouse_uses_joint_column():
    for agi in (30000, 75000, 150000, 450000, 900000):
        joint = engine.evaluate(YEAR, "tax_calculation", {"filing_status": "married_filing_jointly", "ct_agi": agi})
        qss = engine.evaluate(YEAR, "tax_calculation", {"filing_status": "qualifying_surviving_spouse", "ct_agi": agi})
        assert joint.outputs == qss.outputs


def test_line_1_rounds_half_up_before_the_tables():
    # $28,000.49 rounds to $28,000 (exemption $14,000); $28,000.50 rounds to $28,001 (exemption $13,000).
    low = engine.evaluate(YEAR, "tax_calculation", {"filing_status": "single", "ct_agi": "28000.49"})
    high = engine.evaluate(YEAR, "tax_calculation", {"filing_status": "single", "ct_agi": "28000.50"})
    assert (low["exemption"], high["exemption"]) == (14000, 13000)


def test_personal_credit_rounds_half_up():
    # Single AGI $20,100: L2 14,000 - ... exemption: 20,100 <= 28,000 -> 14,000; L3 6,100; L4 3% -> 183;
    # L8 Table E 20,000 < 20,100 <= 20,500 -> .45; L9 183 x .45 = 82.35 -> 82; L10 101.
    result = engine.evaluate(YEAR, "tax_calculation", {"filing_status": "single", "ct_agi": 20100})
    assert (result["initial_tax"], result["personal_credit"], result["ct_income_tax"]) == (183, 82, 101)


@pytest.mark.parametrize("agi", [-50000, -1, 0])
def test_negative_or_zero_agi_gives_zero_tax(agi):
    result = engine.evaluate(YEAR, "tax_calculation", {"filing_status": "single", "ct_agi": agi})
    assert result["taxable_income"] == 0
    assert result["ct_income_tax"] == 0


@pytest.mark.parametrize("status", STATUSES)
def test_schedule_agrees_with_independent_reference(status):
    agis = list(range(0, 120001, 1750)) + list(range(120000, 800001, 9973)) + [1_000_000, 2_500_000]
    mismatches = []
    for agi in agis:
        got = engine.evaluate(YEAR, "tax_calculation", {"filing_status": status, "ct_agi": agi}, trace=False)
        want = reference_schedule(YEAR, status, agi)
        for key in got.outputs:
            if got[key] != want[key]:
                mismatches.append((agi, key, str(got[key]), str(want[key])))
    assert not mismatches, mismatches[:10]
