"""The benchmark yardsticks (bench/references.py) compute the same 2024 tax as the engine.

bench/run.py reports the engine's speed as a ratio to these hand-written functions; a ratio taken
against a function that gives other answers would flatter or slander the engine, so both are
checked here on every bound of the 2024 Tables A-E as printed (tests/reference/sources/
ct-1040-tables-2023-2024.md), a dollar either side, and at 49 and 50 cents below each bound.
"""
from __future__ import annotations

import importlib.util
from decimal import Decimal
from pathlib import Path

import pytest

import engine
from tests.reference.printed_tables import printed_table

np = pytest.importorskip("numpy", reason="the numpy reference needs the batch extra")

_SPEC = importlib.util.spec_from_file_location(
    "bench_references", Path(__file__).resolve().parent.parent / "bench" / "references.py")
references = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(references)


def _amounts(status: str) -> list[Decimal]:
    bounds = {Decimal(0)}
    for table in "ABCDE":
        for row in printed_table(2024, table)[status]:
            bounds.update(b for b in (row.lo, row.hi) if b is not None)
    # Table B's bounds are on taxable income (Line 3): Line 1 = Line 3 + the exemption there
    maximum, _ = references.EXEMPTION[status]
    bounds.update(row.lo + maximum for row in printed_table(2024, "B")[status])
    amounts = set()
    for bound in bounds:
        amounts.update({bound - 1, bound, bound + 1, bound - Decimal("0.50"), bound - Decimal("0.51")})
    return sorted(amounts)


@pytest.mark.parametrize("status", references.STATUSES)
def test_decimal_reference_agrees_with_engine(status):
    for amount in _amounts(status):
        expected = engine.evaluate(2024, "tax_calculation", {"filing_status": status, "ct_agi": amount},
                                   trace=False)["ct_income_tax"]
        assert references.tax_2024_decimal(status, amount) == expected, (status, amount)


def test_numpy_reference_agrees_with_decimal_reference_on_every_bound():
    statuses, amounts = [], []
    for code, status in enumerate(references.STATUSES):
        for amount in _amounts(status):
            statuses.append(code)
            amounts.append(amount)
    cents = np.array([int(a * 100) for a in amounts], dtype=np.int64)
    got = references.tax_2024_numpy(np.array(statuses), cents)
    expected = [references.tax_2024_decimal(references.STATUSES[c], a) for c, a in zip(statuses, amounts)]
    assert [Decimal(int(v)) for v in got] == expected


def test_reference_matches_a_hand_worked_return():
    # Single, CT AGI $60,000 (2024): Table A $0 (over $44,000); Line 3 60,000; Table B
    # $2,000 + 5.5% x 10,000 = $2,550; Table C: 60,000 - 56,500 = 3,500 -> one step, $25;
    # Table D: $0 (not over $105,000); Line 7 = 2,575; Table E (more than $33,300, less than
    # or equal to $60,000) 0.10 -> Line 9 = 257.50 -> $258; Line 10 = 2,575 - 258 = $2,317.
    assert references.tax_2024_decimal("single", Decimal(60000)) == Decimal(2317)
