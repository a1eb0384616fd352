"""Independent reference calculation of the Connecticut Tax Calculation
Schedule (2013, 2023, 2024, 2025) and of the 2013 Form CT-W4P worksheet.

Purpose: a test oracle written by hand from the *statute wording* (the
formulas), deliberately NOT from the printed rows and NOT from the engine or
the YAML rules.  Only Table E (personal credit decimals) is read from the
printed rows, because it has no closed formula.

Sources
-------
* 2013: IP 2013(8) (``tests/reference/sources/004_e74ee7f1687df552.txt``), 2013 Form
  CT-W4P Estimated Income Tax Worksheet, 2013 Tax Calculation Schedule and
  Tables A-E; Conn. Gen. Stat. Sec. 12-700 (rates, 3% phase-out add-back,
  recapture) and Sec. 12-702 (personal exemptions) as in force for 2013.
  The seed prints no prose formula for 2013, so the 2013 constants below are
  the statute's figures for 2013 (single exemption $14,000 reduced over
  $28,000; recapture $75 per $5,000 over $200,000 up to $2,250; top rate
  6.7%, etc.).
* 2023 / 2024: ``tests/reference/sources/ct-1040-tables-2023-2024.md``, the prose
  printed above each column ("$20 for each $5,000, or fraction, of CT AGI
  over $56,500, up to $200") and the Table B bracket text; Conn. Gen. Stat.
  Secs. 12-700, 12-702, 12-703.

Conventions (each one is a choice; keep them in sync with the brief)
-------------------------------------------------------------------
* Money is ``Decimal``; nothing uses float.
* Whole-dollar rounding is ROUND_HALF_UP ("Round down ... 1 through 49
  cents. Round up ... 50 through 99 cents", seed 004 "Rounding Off to Whole
  Dollars").  When a line is the sum of several amounts the cents are kept
  and only the total is rounded (same paragraph).
* Tables A, C, D, E are looked up on Schedule Line 1 (CT AGI rounded to
  whole dollars); Table B on Line 3.  All use "more than lo, less than or
  equal to hi".
* "for each $X, or fraction thereof, over $Y" = ceil((AGI - Y) / X) steps
  when AGI > Y, else 0 steps.  The amount is per_step * steps, capped.  For
  the exemption the reduction is capped at 100% (never negative).
* Table B: the bracket bases are *computed* here by accumulating rate x
  width of the lower brackets (the statute states rates per bracket, the
  booklet prints the accumulated base).  The self-check compares these
  computed bases with the printed ones.  Line 4 = base + rate x (Line 3 -
  lower bound), rounded half-up to whole dollars.
* Table E: when Line 1 is at or below the first printed row's lower bound
  (e.g. 2013 single: $14,000), the first row's decimal (0.75) is used, per
  the brief.  The tax is zero there anyway because Line 1 <= exemption.
* Line 9 = Line 7 x Line 8 rounded half-up to whole dollars; Line 10 =
  Line 7 - Line 9.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

try:  # works whether ``tests`` or ``tests/reference`` is on sys.path
    from reference.printed_tables import STATUSES, lookup, printed_table
except ImportError:  # pragma: no cover
    from printed_tables import STATUSES, lookup, printed_table  # type: ignore[import-not-found, no-redef]

__all__ = [
    "YEARS",
    "STATUSES",
    "round_dollars",
    "exemption",
    "initial_tax",
    "bracket_table",
    "phase_out_add_back",
    "recapture",
    "credit_decimal",
    "components",
    "tax_calculation",
    "ct_w4p",
    "ss_benefit_adjustment_2013",
]

YEARS = (2013, 2023, 2024, 2025)

D = Decimal
ZERO = D(0)
ONE = D(1)

S, J, M, H, Q = STATUSES  # single, joint, separate, head of household, QSS


def _per_status(single, joint, separate, hoh):
    """QSS always uses the joint figures."""
    return {S: single, J: joint, M: separate, H: hoh, Q: joint}


# --------------------------------------------------------------------------
# Table A: personal exemption (Sec. 12-702).  (maximum, threshold):
# maximum reduced by $1,000 for each $1,000, or fraction, of CT AGI over
# threshold.
# --------------------------------------------------------------------------
_EXEMPTION = {
    # 2013: single $14,000 over $28,000; joint $24,000 over $48,000;
    # separate $12,000 over $24,000; HOH $19,000 over $38,000.
    2013: _per_status((D(14000), D(28000)), (D(24000), D(48000)), (D(12000), D(24000)), (D(19000), D(38000))),
    # 2023 and 2024: single $15,000 over $30,000 (the only change since 2013).
    2023: _per_status((D(15000), D(30000)), (D(24000), D(48000)), (D(12000), D(24000)), (D(19000), D(38000))),
    2024: _per_status((D(15000), D(30000)), (D(24000), D(48000)), (D(12000), D(24000)), (D(19000), D(38000))),
}
_EXEMPTION_STEP = D(1000)  # "$1,000 for each $1,000, or fraction"

# --------------------------------------------------------------------------
# Table B: brackets (Sec. 12-700(a)).  (upper bounds of every bracket but the
# last, rates of every bracket).  Bases are derived, not typed.
# --------------------------------------------------------------------------
_SINGLE_BOUNDS_2013 = [D(10000), D(50000), D(100000), D(200000), D(250000)]
_JOINT_BOUNDS_2013 = [D(20000), D(100000), D(200000), D(400000), D(500000)]
_HOH_BOUNDS_2013 = [D(16000), D(80000), D(160000), D(320000), D(400000)]
_RATES_2013 = [D("0.03"), D("0.05"), D("0.055"), D("0.06"), D("0.065"), D("0.067")]

# Since 2015 there is a 6.9% and a 6.99% bracket on top.
_SINGLE_BOUNDS_2015 = _SINGLE_BOUNDS_2013 + [D(500000)]
_JOINT_BOUNDS_2015 = _JOINT_BOUNDS_2013 + [D(1000000)]
_HOH_BOUNDS_2015 = _HOH_BOUNDS_2013 + [D(800000)]
_RATES_2023 = [D("0.03"), D("0.05"), D("0.055"), D("0.06"), D("0.065"), D("0.069"), D("0.0699")]
# 2024 (P.A. 23-204): 3% -> 2%, 5% -> 4.5%; the rest unchanged.
_RATES_2024 = [D("0.02"), D("0.045"), D("0.055"), D("0.06"), D("0.065"), D("0.069"), D("0.0699")]

_BRACKETS = {
    # single and separately share the single brackets in every year.
    2013: _per_status((_SINGLE_BOUNDS_2013, _RATES_2013), (_JOINT_BOUNDS_2013, _RATES_2013),
                      (_SINGLE_BOUNDS_2013, _RATES_2013), (_HOH_BOUNDS_2013, _RATES_2013)),
    2023: _per_status((_SINGLE_BOUNDS_2015, _RATES_2023), (_JOINT_BOUNDS_2015, _RATES_2023),
                      (_SINGLE_BOUNDS_2015, _RATES_2023), (_HOH_BOUNDS_2015, _RATES_2023)),
    2024: _per_status((_SINGLE_BOUNDS_2015, _RATES_2024), (_JOINT_BOUNDS_2015, _RATES_2024),
                      (_SINGLE_BOUNDS_2015, _RATES_2024), (_HOH_BOUNDS_2015, _RATES_2024)),
}

# --------------------------------------------------------------------------
# Tables C and D: stepped components (amount per step, step, over, cap).
# Table C has one component; Table D is the SUM of its components.
# --------------------------------------------------------------------------
_C_2013_2023 = _per_status(
    [(D(20), D(5000), D(56500), D(200))],   # single
    [(D(40), D(5000), D(100500), D(400))],  # joint / QSS
    [(D(20), D(2500), D(50250), D(200))],   # separately
    [(D(32), D(4000), D(78500), D(320))],   # head of household
)
_PHASE_OUT = {
    2013: _C_2013_2023,
    2023: _C_2013_2023,
    # 2024: the add-back now phases out the 2% bracket: $25/$50/$25/$40 steps.
    2024: _per_status(
        [(D(25), D(5000), D(56500), D(250))],
        [(D(50), D(5000), D(100500), D(500))],
        [(D(25), D(2500), D(50250), D(250))],
        [(D(40), D(4000), D(78500), D(400))],
    ),
}

_D_SINGLE_2023 = [(D(90), D(5000), D(200000), D(2700)), (D(50), D(5000), D(500000), D(450))]
_D_JOINT_2023 = [(D(180), D(10000), D(400000), D(5400)), (D(100), D(10000), D(1000000), D(900))]
_D_HOH_2023 = [(D(140), D(8000), D(320000), D(4200)), (D(80), D(8000), D(800000), D(720))]
_RECAPTURE = {
    # 2013: one component; single and separately share it (the 2013 Table D
    # column is headed "Single or Filing Separately").
    2013: _per_status(
        [(D(75), D(5000), D(200000), D(2250))],
        [(D(150), D(10000), D(400000), D(4500))],
        [(D(75), D(5000), D(200000), D(2250))],
        [(D(120), D(8000), D(320000), D(3600))],
    ),
    2023: _per_status(_D_SINGLE_2023, _D_JOINT_2023, _D_SINGLE_2023, _D_HOH_2023),
    # 2024 adds a component recapturing the 4.5% bracket.  The source prints
    # it for "Single (and filing separately)" as one column, so separately
    # gets the single figures ($25 per $5,000 over $105,000 up to $250).
    2024: _per_status(
        [(D(25), D(5000), D(105000), D(250))] + _D_SINGLE_2023,
        [(D(50), D(10000), D(210000), D(500))] + _D_JOINT_2023,
        [(D(25), D(5000), D(105000), D(250))] + _D_SINGLE_2023,
        [(D(40), D(8000), D(168000), D(400))] + _D_HOH_2023,
    ),
}


# 2025: the 2025 booklet's wording above every column is the 2024 wording (the
# tests check these figures against the printed 2025 prose and rows): no
# statute figure of the schedule changed from 2024 to 2025.
for _figures in (_EXEMPTION, _BRACKETS, _PHASE_OUT, _RECAPTURE):
    _figures[2025] = _figures[2024]


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def _check(year: int, status: str) -> None:
    if year not in YEARS:
        raise ValueError(f"no reference for {year}; years: {YEARS}")
    if status not in STATUSES:
        raise ValueError(f"unknown filing status {status!r}; statuses: {STATUSES}")


def round_dollars(x) -> Decimal:
    """Half-up to whole dollars ($4.50 -> $5, $4.49 -> $4; -4.50 -> -5)."""
    return D(x).quantize(ONE, rounding=ROUND_HALF_UP)


def _steps(agi: Decimal, step: Decimal, over: Decimal) -> Decimal:
    """Number of '$step, or fraction thereof' by which agi exceeds over."""
    if agi <= over:
        return ZERO
    return ((agi - over) / step).to_integral_value(rounding=ROUND_CEILING)


def _stepped(agi: Decimal, components) -> Decimal:
    total = ZERO
    for per, step, over, cap in components:
        total += min(cap, per * _steps(agi, step, over))
    return total


# --------------------------------------------------------------------------
# one function per table
# --------------------------------------------------------------------------

def exemption(year: int, status: str, line1) -> Decimal:
    """Table A on Line 1: max - $1,000 per $1,000 or fraction over threshold,
    never below zero."""
    _check(year, status)
    maximum, threshold = _EXEMPTION[year][status]
    reduction = _EXEMPTION_STEP * _steps(D(line1), _EXEMPTION_STEP, threshold)
    return max(ZERO, maximum - reduction)


def bracket_table(year: int, status: str) -> list[tuple[Decimal, Decimal | None, Decimal, Decimal]]:
    """(lo, hi, base, rate) for each bracket; base accumulated from the rates
    of the lower brackets (lo < taxable income <= hi)."""
    _check(year, status)
    bounds, rates = _BRACKETS[year][status]
    assert len(rates) == len(bounds) + 1
    out = []
    lo, base = ZERO, ZERO
    for i, rate in enumerate(rates):
        hi = bounds[i] if i < len(bounds) else None
        out.append((lo, hi, base, rate))
        if hi is not None:
            base += rate * (hi - lo)
            lo = hi
    return out


def initial_tax(year: int, status: str, line3) -> Decimal:
    """Table B on Line 3, rounded half-up to whole dollars."""
    x = D(line3)
    if x <= 0:
        return ZERO
    for lo, hi, base, rate in bracket_table(year, status):
        if x > lo and (hi is None or x <= hi):
            return round_dollars(base + rate * (x - lo))
    raise AssertionError("unreachable: brackets cover every positive amount")


def phase_out_add_back(year: int, status: str, line1) -> Decimal:
    """Table C on Line 1."""
    _check(year, status)
    return _stepped(D(line1), _PHASE_OUT[year][status])


def recapture(year: int, status: str, line1) -> Decimal:
    """Table D on Line 1: sum of the stepped components."""
    _check(year, status)
    return _stepped(D(line1), _RECAPTURE[year][status])


def credit_decimal(year: int, status: str, line1) -> Decimal:
    """Table E on Line 1, taken from the PRINTED rows (no formula exists).
    At or below the first row's lower bound the first row's decimal is used."""
    _check(year, status)
    return lookup(printed_table(year, "E")[status], D(line1)).value


def components(year: int, status: str) -> dict[str, list[tuple]]:
    """The hand-typed constants, for comparison with the printed prose."""
    _check(year, status)
    maximum, threshold = _EXEMPTION[year][status]
    return {
        "A": [(maximum, _EXEMPTION_STEP, _EXEMPTION_STEP, threshold)],
        "C": list(_PHASE_OUT[year][status]),
        "D": list(_RECAPTURE[year][status]),
    }


# --------------------------------------------------------------------------
# Tax Calculation Schedule, Lines 1-10
# --------------------------------------------------------------------------

def tax_calculation(year: int, filing_status: str, ct_agi) -> dict[str, Decimal]:
    """Tax Calculation Schedule.  ``ct_agi`` may carry cents; Line 1 is it
    rounded half-up to whole dollars (a negative CT AGI is kept as is: every
    table then yields its first row and the tax is zero)."""
    _check(year, filing_status)
    st = filing_status
    l1 = round_dollars(ct_agi)                       # Line 1
    l2 = exemption(year, st, l1)                     # Line 2, Table A
    l3 = max(ZERO, l1 - l2)                          # Line 3, "if less than zero, enter 0"
    l4 = initial_tax(year, st, l3)                   # Line 4, Table B (rounded)
    l5 = phase_out_add_back(year, st, l1)            # Line 5, Table C
    l6 = recapture(year, st, l1)                     # Line 6, Table D
    l7 = l4 + l5 + l6                                # Line 7
    l8 = credit_decimal(year, st, l1)                # Line 8, Table E
    l9 = round_dollars(l7 * l8)                      # Line 9
    l10 = l7 - l9                                    # Line 10
    return {
        "ct_agi": l1,
        "exemption": l2,
        "taxable_income": l3,
        "initial_tax": l4,
        "phase_out_add_back": l5,
        "recapture": l6,
        "tax_before_credits": l7,
        "credit_decimal": l8,
        "personal_credit": l9,
        "ct_income_tax": l10,
    }


# --------------------------------------------------------------------------
# 2013 Form CT-W4P Estimated Income Tax Worksheet, Lines 1-15
# --------------------------------------------------------------------------

RESIDENT = "resident"
NONRESIDENT = "nonresident"
PART_YEAR = "part_year_resident"
RESIDENCIES = (RESIDENT, NONRESIDENT, PART_YEAR)
_FACTOR_PLACES = D("0.0001")


def ct_w4p(
    filing_status: str,
    federal_agi,
    modifications=0,
    *,
    residency: str = RESIDENT,
    ct_sourced_income=None,
    credit_other_jurisdictions=0,
    ct_amt=0,
    other_credits=0,
    other_withholding=0,
    payments: int = 12,
) -> dict:
    """2013 Form CT-W4P Estimated Income Tax Worksheet.

    Arguments map to the worksheet lines:
      federal_agi                 Line 1
      modifications               Line 2 (net; subtractions negative)
      ct_sourced_income           nonresident / part-year only (Lines 3, 5)
      credit_other_jurisdictions  Line 7
      ct_amt                      Line 9
      other_credits               Line 11
      other_withholding           Line 13
      payments                    number of pension/annuity payments (Line 15)

    Choices:
    * Line 3 = Line 1 + Line 2 with cents kept, rounded half-up only as a
      total (rounding rule of seed 004).  Nonresidents and part-year
      residents: "Enter your Connecticut-sourced income if greater than your
      Connecticut adjusted gross income" -> Line 3 = max(CT AGI, CT-sourced).
    * Line 4 = Tax Calculation Schedule Line 10 for 2013 on Line 3.
    * Line 5: residents 1.0000.  Nonresidents / part-year: 1.0000 when
      CT-sourced income >= CT AGI; otherwise CT-sourced / CT AGI, rounded
      half-up to four places, then clamped to 0..1 ("Do not enter a number
      less than zero or greater than 1").  The ratio uses the CT AGI (Line 1
      + Line 2), which is Line 3 in that case.  If CT AGI <= 0 and
      CT-sourced income is lower still, the factor is 0 (no division by
      zero; the tax on Line 4 is 0 there anyway).
    * Line 6 = Line 5 x Line 4 rounded half-up to whole dollars.
    * Lines 7, 9, 11, 13 are taken as entered, rounded half-up to whole
      dollars (the form has whole-dollar boxes).
    * Lines 8, 12 and 14 are plain subtractions; the worksheet prints no
      floor at zero, so none is applied (a negative Line 14 simply means no
      withholding is needed: Line 15 = 0).
    * Line 14 >= $1,000 -> estimated_payment_required ("If this amount is
      less than $1,000, no estimated payment is required").
    * Line 15 = Line 14 / payments rounded half-up to whole dollars, at
      least $10 when Line 14 > 0; 0 when Line 14 <= 0.
    """
    if residency not in RESIDENCIES:
        raise ValueError(f"residency must be one of {RESIDENCIES}")
    if payments < 1:
        raise ValueError("payments must be at least 1")
    st = filing_status
    _check(2013, st)

    l1 = round_dollars(federal_agi)
    l2 = round_dollars(modifications)
    ct_agi = round_dollars(D(federal_agi) + D(modifications))  # cents kept, total rounded
    sourced = None if ct_sourced_income is None else round_dollars(ct_sourced_income)
    if residency != RESIDENT and sourced is None:
        raise ValueError("nonresidents and part-year residents must give ct_sourced_income")

    l3 = ct_agi
    if residency != RESIDENT and sourced > ct_agi:
        l3 = sourced

    schedule = tax_calculation(2013, st, l3)
    l4 = schedule["ct_income_tax"]

    if residency == RESIDENT or sourced >= ct_agi:
        l5 = D("1.0000")
    elif ct_agi <= 0:
        l5 = D("0.0000")
    else:
        ratio = (D(sourced) / ct_agi).quantize(_FACTOR_PLACES, rounding=ROUND_HALF_UP)
        l5 = min(D("1.0000"), max(D("0.0000"), ratio))

    l6 = round_dollars(l5 * l4)
    l7 = round_dollars(credit_other_jurisdictions)
    l8 = l6 - l7
    l9 = round_dollars(ct_amt)
    l10 = l8 + l9
    l11 = round_dollars(other_credits)
    l12 = l10 - l11
    l13 = round_dollars(other_withholding)
    l14 = l12 - l13
    if l14 > 0:
        l15 = max(D(10), round_dollars(l14 / D(payments)))
    else:
        l15 = ZERO

    return {
        "line1": l1, "line2": l2, "line3": l3, "line4": l4, "line5": l5,
        "line6": l6, "line7": l7, "line8": l8, "line9": l9, "line10": l10,
        "line11": l11, "line12": l12, "line13": l13, "line14": l14, "line15": l15,
        "estimated_payment_required": l14 >= 1000,
        "schedule": schedule,
    }


# --------------------------------------------------------------------------
# 2013 Social Security Benefit Adjustment Worksheet (Lines A-F)
# --------------------------------------------------------------------------

def ss_benefit_adjustment_2013(filing_status: str, form_line1, taxable_benefits, line_a=0, line_b=0) -> Decimal:
    """Subtraction for federally taxable Social Security benefits (2013).

    form_line1: amount expected on Form CT-1040 Line 1 (federal AGI).
    taxable_benefits: federally taxable benefits (Pub. 505 Worksheet 2-2
    Line 19 = worksheet Line E; also the full subtraction below the
    threshold).  line_a / line_b: Pub. 505 Worksheet 2-2 Lines 1 and 10.

    Below $50,000 (single, separately) or $60,000 (joint, QSS, head of
    household) the whole taxable amount is subtracted; at or above it
    ("is the amount on Line 1 $50,000 or more?") the worksheet applies:
    A <= 0 or B <= 0 -> stop (adjustment 0, as printed: "stop here");
    C = min(A, B); D = 25% of C; F = max(0, E - D).
    """
    _check(2013, filing_status)
    threshold = D(50000) if filing_status in (S, M) else D(60000)
    e = D(taxable_benefits)
    if D(form_line1) < threshold:
        return e
    a, b = D(line_a), D(line_b)
    if a <= 0 or b <= 0:
        # "If Line A is zero or less, stop here."  The worksheet gives no
        # Line F then; we read that as no subtraction.
        return ZERO
    c = min(a, b)
    d = c * D("0.25")
    return max(ZERO, e - d)
