"""Self-checks of the two test oracles in tests/reference.

(a) the six Table B worked examples printed in IP 2013(8) hold;
(b) for every year and Tables A, C, D (and B), the statute formula of
    ct_reference agrees with the printed rows parsed by printed_tables at
    every row boundary (lo, lo+1, hi, hi+1) for all five statuses;
(c) the parser finds the number of rows counted by hand in the sources.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from reference import ct_reference as ref
from reference.printed_tables import (
    AT_LEAST_LT,
    STATUSES,
    lookup,
    printed_formulas,
    printed_ira_share,
    printed_pension_table,
    printed_table,
    printed_table_b_examples,
)

YEARS = (2013, 2023, 2024, 2025)
S, J, M, H, Q = STATUSES

# --------------------------------------------------------------------------
# (a) Table B worked examples, seed 004 ("Single or Filing Separately
# Examples", "Filing Jointly/Qualifying Widow(er) Examples", "Head of
# Household Examples"): Line 3 -> Line 4.
# --------------------------------------------------------------------------
TABLE_B_EXAMPLES_2013 = [
    (S, D(13000), D(450)),
    (S, D(525000), D(32725)),
    (J, D(22500), D(725)),
    (J, D(1100000), D(68800)),
    (H, D(20000), D(680)),
    (H, D(825000), D(51355)),
]


@pytest.mark.parametrize("status,line3,line4", TABLE_B_EXAMPLES_2013)
def test_table_b_examples_2013(status, line3, line4):
    assert ref.initial_tax(2013, status, line3) == line4
    # the printed rows give the same answer
    row = lookup(printed_table(2013, "B")[status], line3)
    assert ref.round_dollars(row.base + row.rate * (line3 - row.excess_over)) == line4


def test_table_b_examples_parsed_from_seed():
    assert printed_table_b_examples(2013) == TABLE_B_EXAMPLES_2013


def test_examples_apply_to_shared_columns():
    # separately uses the single brackets, QSS the joint ones.
    assert ref.initial_tax(2013, M, D(13000)) == D(450)
    assert ref.initial_tax(2013, Q, D(1100000)) == D(68800)


# --------------------------------------------------------------------------
# (b) formula vs printed rows at every boundary
# --------------------------------------------------------------------------

def _boundary_points(rows):
    pts = set()
    for r in rows:
        pts.update({r.lo, r.lo + 1})
        if r.hi is not None:
            pts.update({r.hi, r.hi + 1})
    return sorted(pts)


_FORMULA = {"A": ref.exemption, "C": ref.phase_out_add_back, "D": ref.recapture}


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("table", ["A", "C", "D"])
def test_formula_matches_printed_rows(year, table):
    disagreements = []
    for status, rows in printed_table(year, table).items():
        for x in _boundary_points(rows):
            printed = lookup(rows, x).value
            computed = _FORMULA[table](year, status, x)
            if printed != computed:
                disagreements.append(f"{year} Table {table} {status} CT AGI {x}: printed {printed}, formula {computed}")
        # also a point far beyond the last row
        far = rows[-1].lo * 10 + 12345
        if lookup(rows, far).value != _FORMULA[table](year, status, far):
            disagreements.append(f"{year} Table {table} {status} CT AGI {far}: top row disagrees")
    assert not disagreements, "\n".join(disagreements)


@pytest.mark.parametrize("year", YEARS)
def test_table_b_formula_matches_printed_rows(year):
    """Bracket bounds, rates and the accumulated bases printed in Table B
    equal those derived from the rates; tax agrees at every boundary."""
    problems = []
    for status, rows in printed_table(year, "B").items():
        computed = ref.bracket_table(year, status)
        printed = [(r.lo, r.hi, r.base, r.rate) for r in rows]
        if computed != printed:
            problems.append(f"{year} Table B {status}: printed {printed} != derived {computed}")
        for x in _boundary_points(rows):
            r = lookup(rows, x)
            p = ref.round_dollars(r.base + r.rate * (x - r.excess_over))
            c = ref.initial_tax(year, status, x)
            if x > 0 and p != c:
                problems.append(f"{year} Table B {status} taxable {x}: printed-row tax {p}, formula {c}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("year", [2023, 2024, 2025])
@pytest.mark.parametrize("table", ["A", "C", "D"])
def test_hand_typed_constants_match_printed_prose(year, table):
    """The constants typed into ct_reference equal the formula printed in
    words above each 2023/2024 column (the 2013 seed prints no prose)."""
    prose = printed_formulas(year, table)
    for status in STATUSES:
        mine = ref.components(year, status)[table]
        if table == "A":
            assert tuple(mine[0]) == prose[status], status
        else:
            assert [tuple(c) for c in mine] == [tuple(c) for c in prose[status]], status


# --------------------------------------------------------------------------
# (c) row counts, counted by hand in the sources
# --------------------------------------------------------------------------
# 2013 (seed 004, tab-separated grid):
#   Table A: single $0-28,000, 13 rows of $1,000 up to $41,000, "$41,000 and
#            up" = 15; joint $0-48,000, 23 rows to $71,000, "and up" = 25;
#            separately $0-24,000, 11 rows to $35,000, "and up" = 13;
#            HOH $0-38,000, 18 rows to $56,000, "and up" = 20.
#   Table B: 6 brackets per column (3.00% ... 6.7%).
#   Table C: 11 rows per column ($0 row, 9 steps, "and up").
#   Table D: 31 rows per column ($0 row, 29 steps, "and up" at the cap).
#   Table E: 28 rows per column (.75 down to .00).
# 2023 (Markdown): A 16/25/13/20 (single now $0-30,000 and 14 steps);
#   B 7 brackets; C 11; D 40 = $0 row + 29 steps + cap row ($345,000 to
#   $500,000 etc.) + 8 steps + "and up"; E 28.
# 2024: as 2023 except D 50 = $0 row + 9 steps + cap row ($150,000 to
#   $200,000 single) + 29 + cap row + 8 + "and up".
# 2025 (ct-1040-2025-and-credits.md): the same counts as 2024.
_A = {S: 15, J: 25, M: 13, H: 20, Q: 25}
_A_LATER = {S: 16, J: 25, M: 13, H: 20, Q: 25}


def _all(n):
    return dict.fromkeys(STATUSES, n)


EXPECTED_ROWS = {
    (2013, "A"): _A, (2013, "B"): _all(6), (2013, "C"): _all(11), (2013, "D"): _all(31), (2013, "E"): _all(28),
    (2023, "A"): _A_LATER, (2023, "B"): _all(7), (2023, "C"): _all(11), (2023, "D"): _all(40), (2023, "E"): _all(28),
    (2024, "A"): _A_LATER, (2024, "B"): _all(7), (2024, "C"): _all(11), (2024, "D"): _all(50), (2024, "E"): _all(28),
    (2025, "A"): _A_LATER, (2025, "B"): _all(7), (2025, "C"): _all(11), (2025, "D"): _all(50), (2025, "E"): _all(28),
}


@pytest.mark.parametrize("year,table", sorted(EXPECTED_ROWS))
def test_row_counts(year, table):
    got = {st: len(rows) for st, rows in printed_table(year, table).items()}
    assert got == EXPECTED_ROWS[(year, table)]


@pytest.mark.parametrize("year", YEARS)
def test_shared_columns(year):
    for table in "ABCDE":
        t = printed_table(year, table)
        assert t[Q] == t[J], f"{year} {table}: QSS must use the joint column"
    # Table B and D print one column for single and separately.
    for table in "BD":
        t = printed_table(year, table)
        assert t[M] == t[S], f"{year} {table}"


def test_ocr_zero_artifact():
    # '$,00000' in the 2013 joint Table A 'and up' row means $0.
    last = printed_table(2013, "A")[J][-1]
    assert (last.lo, last.hi, last.value) == (D(71000), None, D(0))


@pytest.mark.parametrize("year", YEARS)
def test_table_e_shape(year):
    first_lo = {2013: {S: 14000, J: 24000, M: 12000, H: 19000},
                2023: {S: 15000, J: 24000, M: 12000, H: 19000},
                2024: {S: 15000, J: 24000, M: 12000, H: 19000},
                2025: {S: 15000, J: 24000, M: 12000, H: 19000}}[year]
    for st, rows in printed_table(year, "E").items():
        # Table E starts where the maximum exemption is (tax is zero below it).
        assert rows[0].lo == first_lo.get(st, first_lo[J])
        assert rows[0].value == D("0.75") and rows[-1].value == D("0.00")
        vals = [r.value for r in rows]
        assert vals == sorted(vals, reverse=True), "Table E decimals never increase"
        assert ref.exemption(year, st, rows[0].lo) == rows[0].lo, "Table E begins at the maximum exemption"


def test_pension_tables():
    t23, t24 = printed_pension_table(2023), printed_pension_table(2024)
    assert {st: len(r) for st, r in t23.items()} == _all(2)
    assert {st: len(r) for st, r in t24.items()} == _all(10)
    assert all(r.convention == AT_LEAST_LT for rows in t24.values() for r in rows)
    # at least / less than: $75,000 exactly is already in the 85% row
    assert lookup(t24[S], D(74999)).value == D(1)
    assert lookup(t24[S], D(75000)).value == D("0.85")
    assert lookup(t24[J], D(149999)).value == D("0.025")
    assert lookup(t24[Q], D(150000)).value == D(0)
    assert lookup(t23[H], D(75000)).value == D(0)
    assert printed_ira_share() == {2023: D("0.25"), 2024: D("0.5"), 2025: D("0.75"), 2026: D(1)}


# --------------------------------------------------------------------------
# whole-schedule and CT-W4P spot checks, computed by hand
# --------------------------------------------------------------------------

def test_schedule_2013_single_60000():
    # L1 60,000; L2 14,000 - 32 x 1,000 -> 0; L3 60,000;
    # L4 2,300 + 5.5% x 10,000 = 2,850; L5 ceil(3,500/5,000)=1 -> $20;
    # L6 0; L7 2,870; L8 .02 ($59,500-$60,000); L9 57.40 -> 57; L10 2,813.
    r = ref.tax_calculation(2013, S, D(60000))
    assert r == {
        "ct_agi": D(60000), "exemption": D(0), "taxable_income": D(60000), "initial_tax": D(2850),
        "phase_out_add_back": D(20), "recapture": D(0), "tax_before_credits": D(2870),
        "credit_decimal": D("0.02"), "personal_credit": D(57), "ct_income_tax": D(2813),
    }


def test_schedule_2024_joint_high_income():
    # L1 1,085,000: L2 0; L4 62,500 + 6.99% x 85,000 = 68,441.50 -> 68,442;
    # L5 $500 cap; L6 500 + 5,400 + 900 = 6,800; L7 75,742; L8 0; L10 75,742.
    r = ref.tax_calculation(2024, J, D(1085000))
    assert (r["initial_tax"], r["phase_out_add_back"], r["recapture"], r["ct_income_tax"]) == (
        D(68442), D(500), D(6800), D(75742))


def test_schedule_rounds_line1_half_up():
    assert ref.tax_calculation(2013, S, D("28000.49"))["exemption"] == D(14000)
    assert ref.tax_calculation(2013, S, D("28000.50"))["exemption"] == D(13000)


def test_schedule_below_table_e():
    r = ref.tax_calculation(2013, S, D(14000))
    assert r["credit_decimal"] == D("0.75") and r["ct_income_tax"] == D(0)


def test_ct_w4p_resident():
    w = ref.ct_w4p(S, D(60000), payments=12)
    assert w["line4"] == D(2813) and w["line5"] == D("1.0000")
    assert w["line14"] == D(2813) and w["line15"] == D(234)  # 234.42
    assert w["estimated_payment_required"] is True


def test_ct_w4p_nonresident_apportionment():
    # joint, CT AGI 100,000, CT-sourced 40,000: L4 = 4,600 - 92 = 4,508;
    # L5 .4000; L6 1,803.20 -> 1,803; L15 1,803/12 = 150.25 -> 150.
    w = ref.ct_w4p(J, D(100000), residency="nonresident", ct_sourced_income=D(40000))
    assert (w["line3"], w["line4"], w["line5"], w["line6"], w["line15"]) == (
        D(100000), D(4508), D("0.4000"), D(1803), D(150))


def test_ct_w4p_nonresident_sourced_above_agi():
    w = ref.ct_w4p(S, D(30000), residency="part_year_resident", ct_sourced_income=D(40000))
    assert w["line3"] == D(40000) and w["line5"] == D("1.0000")


def test_ct_w4p_minimum_and_zero():
    # 2013 single, CT AGI 30,000: exemption 14,000 - 2 x 1,000 = 12,000;
    # L3 18,000; L4 300 + 5% x 8,000 = 700; L5/L6 0; L7 700;
    # L8 .13 ($29,700 < 30,000 <= $30,200); L9 91; L10 609.
    w = ref.ct_w4p(S, D(30000), other_withholding=D(660), payments=12)
    assert w["schedule"]["ct_income_tax"] == D(609)
    assert w["line14"] == D(-51) and w["line15"] == D(0)
    w = ref.ct_w4p(S, D(30000), other_withholding=D(559), payments=12)
    assert w["line14"] == D(50) and w["line15"] == D(10)  # 4.17 -> 4 -> at least $10
    assert w["estimated_payment_required"] is False


def test_ct_w4p_line3_rounds_only_the_total():
    # 1.29 + 3.21 = 4.50 -> 5 (seed example), not 1 + 3 = 4.
    w = ref.ct_w4p(S, D("1.29"), D("3.21"))
    assert w["line3"] == D(5)


def test_ss_benefit_adjustment_2013():
    assert ref.ss_benefit_adjustment_2013(S, D(49999), D(8000)) == D(8000)
    # at or above $50,000: E - 25% x min(A, B)
    assert ref.ss_benefit_adjustment_2013(S, D(50000), D(8000), D(20000), D(12000)) == D(5000)
    assert ref.ss_benefit_adjustment_2013(J, D(59999), D(8000)) == D(8000)
    assert ref.ss_benefit_adjustment_2013(H, D(60000), D(1000), D(20000), D(12000)) == D(0)


# --------------------------------------------------------------------------
# the parser fails loudly on a damaged source
# --------------------------------------------------------------------------

@pytest.fixture
def damaged_source(monkeypatch):
    """Yield a function that replaces one line of a source file in memory."""
    from reference import printed_tables as pt

    real_read = pt._read

    def damage(rel_name, old, new):
        def fake(rel):
            text = real_read(rel)
            if rel.name == rel_name:
                assert old in text, f"test setup: {old!r} not in {rel_name}"
                text = text.replace(old, new, 1)
            return text
        monkeypatch.setattr(pt, "_read", fake)
        pt._cached.cache_clear()

    yield damage
    pt._cached.cache_clear()


def test_parser_rejects_missing_2013_row(damaged_source):
    from reference.printed_tables import ParseError

    # drop the single column's "$66,500 - $71,500 $60" cells of the 2013
    # Table C grid (the other groups of that line shift one group left)
    damaged_source("004_e74ee7f1687df552.txt", "\\$ 66,500\t\\$ 71,500\t\\$ 60\t", "")
    with pytest.raises(ParseError, match=r"not contiguous|partial|gap"):
        printed_table(2013, "C")


def test_parser_rejects_shifted_2013_cell(damaged_source):
    from reference.printed_tables import ParseError

    # an OCR-dropped tab shifts every later cell of the row one group left
    damaged_source("004_e74ee7f1687df552.txt", "\\$ 61,500\t\\$ 66,500\t\\$ 40\t", "\\$ 61,500\t\\$ 66,500\t\\$ 40")
    with pytest.raises(ParseError):
        printed_table(2013, "C")


def test_parser_rejects_missing_markdown_row(damaged_source):
    from reference.printed_tables import ParseError

    damaged_source("ct-1040-tables-2023-2024.md", "| $61,500 | $66,500 | $40 |\n", "")
    with pytest.raises(ParseError, match="not contiguous"):
        printed_table(2023, "C")
