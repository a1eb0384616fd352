"""Hand-written references for the 2024 Tax Calculation Schedule, the yardsticks of ``bench/run.py``.

What a careful programmer would write by hand for one year and one form, with no engine: the
figures as constants, the lookups as ``bisect`` (Decimal, one return) or as integer numpy
arithmetic (a column of returns).  The benchmarks report ctax as a ratio to these, measured in the
same run, so the ratio says how far the engine is from what the machine allows.

The constants are the 2024 figures of Form CT-1040's Tax Calculation Schedule
(``tests/reference/sources/ct-1040-tables-2023-2024.md``): Table A as "maximum, reduced by $1,000
for each $1,000, or fraction, of CT AGI over" the threshold; Table B's brackets; Tables C and D as
the "$X for each $Y, or fraction, of CT AGI over $Z, up to $W" prose printed above each column;
Table E has no formula and is read from the printed rows.  ``tests/test_bench_references.py``
checks both functions against ``engine.evaluate`` on every printed bound, a dollar either side,
and on the rounding cents, so a ratio is never taken against a wrong answer.
"""
from __future__ import annotations

import bisect
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from tests.reference.printed_tables import printed_table

STATUSES = ("single", "married_filing_jointly", "married_filing_separately", "head_of_household",
            "qualifying_surviving_spouse")
SINGLE, JOINT, SEPARATE, HOH, QSS = STATUSES

# Table A: (maximum exemption, CT AGI over which it falls by $1,000 per $1,000 or fraction)
EXEMPTION = {SINGLE: (15000, 30000), JOINT: (24000, 48000), SEPARATE: (12000, 24000), HOH: (19000, 38000)}
# Table B: upper bounds of every bracket but the top one; rates in basis points of a percent (1/10,000)
BOUNDS = {SINGLE: (10000, 50000, 100000, 200000, 250000, 500000),
          JOINT: (20000, 100000, 200000, 400000, 500000, 1000000),
          SEPARATE: (10000, 50000, 100000, 200000, 250000, 500000),
          HOH: (16000, 80000, 160000, 320000, 400000, 800000)}
RATES = (200, 450, 550, 600, 650, 690, 699)
# Tables C and D: (amount per step, step, over, up to); Table D is the sum of its components
ADD_BACK = {SINGLE: ((25, 5000, 56500, 250),), JOINT: ((50, 5000, 100500, 500),),
            SEPARATE: ((25, 2500, 50250, 250),), HOH: ((40, 4000, 78500, 400),)}
RECAPTURE = {SINGLE: ((25, 5000, 105000, 250), (90, 5000, 200000, 2700), (50, 5000, 500000, 450)),
             JOINT: ((50, 10000, 210000, 500), (180, 10000, 400000, 5400), (100, 10000, 1000000, 900)),
             SEPARATE: ((25, 5000, 105000, 250), (90, 5000, 200000, 2700), (50, 5000, 500000, 450)),
             HOH: ((40, 8000, 168000, 400), (140, 8000, 320000, 4200), (80, 8000, 800000, 720))}
for _table in (EXEMPTION, BOUNDS, ADD_BACK, RECAPTURE):
    _table[QSS] = _table[JOINT]


def _bases(bounds: tuple[int, ...]) -> tuple[int, ...]:
    """Table B's printed bases (tax on the lower bound of each bracket), in 1/10,000 dollars."""
    bases, lower, base = [0], 0, 0
    for upper, rate in zip(bounds, RATES):
        base += rate * (upper - lower)
        bases.append(base)
        lower = upper
    return tuple(bases)


BASES = {status: _bases(bounds) for status, bounds in BOUNDS.items()}
LOWERS = {status: (0,) + bounds for status, bounds in BOUNDS.items()}
# Table E: "more than" bounds and the decimal in hundredths; at or below the first bound the tax is zero
CREDIT_BOUNDS = {status: tuple(int(row.lo) for row in rows)
                 for status, rows in printed_table(2024, "E").items()}
CREDIT_HUNDREDTHS = {status: tuple(int(row.value * 100) for row in rows)
                     for status, rows in printed_table(2024, "E").items()}


def _steps(agi: int, step: int, over: int) -> int:
    """'for each $step, or fraction, over $over': ceil((agi - over) / step), or none."""
    return -((over - agi) // step) if agi > over else 0


def tax_2024_decimal(filing_status: str, ct_agi: Decimal) -> Decimal:
    """Form CT-1040 Tax Calculation Schedule Line 10 for one return, as written by hand."""
    line1 = int(ct_agi.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    maximum, threshold = EXEMPTION[filing_status]
    line2 = max(0, maximum - 1000 * _steps(line1, 1000, threshold))
    line3 = max(0, line1 - line2)
    bracket = bisect.bisect_left(BOUNDS[filing_status], line3)
    exact = BASES[filing_status][bracket] + RATES[bracket] * (line3 - LOWERS[filing_status][bracket])
    line4 = (exact + 5000) // 10000
    line5 = sum(min(cap, per * _steps(line1, step, over)) for per, step, over, cap in ADD_BACK[filing_status])
    line6 = sum(min(cap, per * _steps(line1, step, over)) for per, step, over, cap in RECAPTURE[filing_status])
    line7 = line4 + line5 + line6
    row = bisect.bisect_left(CREDIT_BOUNDS[filing_status], line1) - 1
    hundredths = CREDIT_HUNDREDTHS[filing_status][max(row, 0)]
    line9 = (line7 * hundredths + 50) // 100
    return Decimal(line7 - line9)


def _column_steps(agi: np.ndarray, step: int, over: int) -> np.ndarray:
    return np.where(agi > over, -((over - agi) // step), 0)


def tax_2024_numpy(status_codes: np.ndarray, ct_agi_cents: np.ndarray) -> np.ndarray:
    """Line 10 for a column of returns: ``status_codes`` index ``STATUSES``, amounts in int64 cents."""
    line1 = (ct_agi_cents + 50) // 100  # half up to whole dollars (a negative CT AGI has no tax either way)
    tax = np.zeros_like(line1)
    for code, status in enumerate(STATUSES):
        rows = status_codes == code
        agi = line1[rows]
        maximum, threshold = EXEMPTION[status]
        line2 = np.maximum(0, maximum - 1000 * _column_steps(agi, 1000, threshold))
        line3 = np.maximum(0, agi - line2)
        bracket = np.searchsorted(np.array(BOUNDS[status]), line3, side="left")
        exact = (np.array(BASES[status])[bracket]
                 + np.array(RATES)[bracket] * (line3 - np.array(LOWERS[status])[bracket]))
        line7 = (exact + 5000) // 10000
        for per, step, over, cap in ADD_BACK[status] + RECAPTURE[status]:
            line7 += np.minimum(cap, per * _column_steps(agi, step, over))
        row = np.maximum(np.searchsorted(np.array(CREDIT_BOUNDS[status]), agi, side="left") - 1, 0)
        line9 = (line7 * np.array(CREDIT_HUNDREDTHS[status])[row] + 50) // 100
        tax[rows] = line7 - line9
    return tax
