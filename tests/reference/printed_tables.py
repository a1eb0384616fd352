"""Parser for the Connecticut tables exactly as the publications print them.

This module is a *test oracle*: it reads the printed rows straight out of the
two read-only source texts and does no arithmetic on them beyond turning the
printed strings into ``Decimal`` values.  It deliberately shares no code with
the engine (``engine/``) or with the YAML rules (``rules/``).

Sources (vendored verbatim in ``tests/reference/sources/``, see its README):

* ``seeds/004_e74ee7f1687df552.txt`` -- IP 2013(8), OCR'd.  The 2013 Tables
  A, C and E are printed as one tab-separated table with four column groups
  side by side (Single | Filing Jointly or Qualified Widow(er) | Filing
  Separately | Head of Household), Table D with three groups (Single or Filing
  Separately | Filing Jointly or Qualified Widow(er) | Head of Household).
  Each group is three cells: "More Than", "Less Than or Equal To", amount.
  Table B is printed as prose rows ("More than $X, but less than or equal
  to..... $Y..... $B plus R% of the excess over $X").
  OCR artifact: ``$,00000`` stands for ``$0`` (last row of the joint Table A
  column).  Dollar signs are escaped (``\\$``) in that file.
* ``sources/ct-1040-tables-2023-2024.md`` -- the 2023 and 2024 Tables A-E as
  Markdown tables, one table per filing-status heading, plus the pension /
  IRA phase-out tables ("at least / and less than") and the Social Security
  thresholds.
* ``sources/ct-1040-2025-and-credits.md`` -- the 2025 Tables A-E and pension
  / IRA tables in the same layout, and the property tax credit and CT EITC
  figures for 2023-2025.

Public API
----------
``printed_table(year, table) -> dict[status, list[Row]]``
    year in {2013, 2023, 2024, 2025}; table in "A".."E".  Keyed by all five filing
    statuses (see ``STATUSES``).  Qualifying surviving spouse always gets the
    joint column; a column headed "Single or Filing Separately" (or "Single
    (and filing separately)") is given to both statuses.
``printed_table_b_examples(2013) -> list[(status, line3, line4)]``
    the six worked examples printed under the 2013 Table B.
``printed_pension_table(year) -> dict[status, list[Row]]``
    2023/2024 pension-annuity share subtracted, by federal AGI, convention
    "at_least/less_than"; ``value`` is the share as a fraction (1.000 = 100%).
``printed_ira_share(year_of_source=2024) -> dict[int, Decimal]``
    share of non-Roth IRA distributions that counts (2023: 0.25, ...), as the
    2023-2024 file (or, with 2025, the 2025 file) prints it.
``printed_property_tax_credit(year) -> (maximum, rate, {status: (start, increment)})``
    the property tax credit's maximum, reduction per increment and the
    "Reduction starts above CT AGI of | Increment" table.
``printed_ct_eitc(year) -> (share, additional amount)``
    the CT EITC row of the year (additional amount 0 where it prints "none").
``printed_formulas(year, table) -> dict[status, tuple]``
    the statute wording printed above each 2023/2024 Table A, C and D column,
    parsed into numbers (used to check the hand-typed constants of
    ``ct_reference`` against the prose; the rows are not used for that).
``lookup(rows, amount) -> Row``
    the row a given amount falls in under the row convention.

Every parse asserts structural sanity (all five statuses, rows contiguous
per column, first row starts at the expected place, only the last row is
open-ended) so that a mis-parse fails loudly instead of yielding a wrong
oracle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

__all__ = [
    "STATUSES",
    "Row",
    "ParseError",
    "sources_dir",
    "printed_table",
    "printed_table_b_examples",
    "printed_pension_table",
    "printed_ira_share",
    "printed_formulas",
    "printed_property_tax_credit",
    "printed_ct_eitc",
    "lookup",
]

SINGLE = "single"
JOINT = "married_filing_jointly"
SEPARATE = "married_filing_separately"
HOH = "head_of_household"
QSS = "qualifying_surviving_spouse"
STATUSES = (SINGLE, JOINT, SEPARATE, HOH, QSS)

MORE_THAN_LTE = "more_than/less_than_or_equal_to"
AT_LEAST_LT = "at_least/less_than"

SEED_2013 = Path("004_e74ee7f1687df552.txt")
TABLES_2023_2024 = Path("ct-1040-tables-2023-2024.md")
TABLES_2025_CREDITS = Path("ct-1040-2025-and-credits.md")


def _md_file(year: int) -> Path:
    return TABLES_2025_CREDITS if year == 2025 else TABLES_2023_2024


class ParseError(AssertionError):
    """The printed text did not have the expected structure."""


@dataclass(frozen=True)
class Row:
    """One printed row.

    ``lo``/``hi`` are the printed bounds (``hi`` is None for "and up").
    With ``convention == "more_than/less_than_or_equal_to"`` the row covers
    lo < x <= hi; with ``"at_least/less_than"`` it covers lo <= x < hi.
    Tables A, C, D: ``value`` is a dollar amount.  Table E: ``value`` is the
    decimal (0.75 ...).  Pension table: ``value`` is the share as a fraction.
    Table B: ``value`` is None and the row carries ``base``, ``rate`` (as a
    fraction, 6.99% -> 0.0699) and ``excess_over``: tax = base + rate *
    (taxable income - excess_over).
    """

    lo: Decimal
    hi: Decimal | None
    value: Decimal | None = None
    base: Decimal | None = None
    rate: Decimal | None = None
    excess_over: Decimal | None = None
    convention: str = MORE_THAN_LTE

    def contains(self, x: Decimal) -> bool:
        x = Decimal(x)
        if self.convention == MORE_THAN_LTE:
            return x > self.lo and (self.hi is None or x <= self.hi)
        return x >= self.lo and (self.hi is None or x < self.hi)


# --------------------------------------------------------------------------
# locating and reading the files
# --------------------------------------------------------------------------

def sources_dir() -> Path:
    """``tests/reference/sources``: the publications, vendored verbatim."""
    return Path(__file__).resolve().parent / "sources"


@cache
def _read(rel: Path) -> str:
    return (sources_dir() / rel).read_text(encoding="utf-8")


def _check(cond: bool, msg: str) -> None:
    if not cond:
        raise ParseError(msg)


# --------------------------------------------------------------------------
# cell parsing
# --------------------------------------------------------------------------

_MONEY_RE = re.compile(r"^\$?\s*([0-9][0-9,]*(?:\.[0-9]+)?)$")


def _money(cell: str) -> Decimal | None:
    """'$ 10,000' / '\\$28,000' / '$,00000' -> Decimal; 'and up' -> None."""
    s = cell.replace("\\", "").replace("<b>", "").replace("</b>", "").strip()
    s = s.rstrip(".").strip()  # Table B prints '$ 50,000.....'
    if s.lower() == "and up":
        return None
    if s == "$,00000":
        # OCR artifact (see sources/README.md): '$,00000' means $0.
        return Decimal(0)
    m = _MONEY_RE.match(s)
    _check(m is not None, f"not a dollar amount: {cell!r}")
    return Decimal(m.group(1).replace(",", ""))


def _decimal_cell(cell: str) -> Decimal:
    """Table E decimals: '.75', '0.75', '.00'."""
    s = cell.strip()
    _check(re.fullmatch(r"0?\.[0-9]{2}", s) is not None, f"not a Table E decimal: {cell!r}")
    return Decimal(s if s.startswith("0") else "0" + s)


def _percent(text: str) -> Decimal:
    """'6.99%' -> Decimal('0.0699'); '3.00%' -> Decimal('0.03')."""
    s = text.strip()
    _check(re.fullmatch(r"[0-9]+(?:\.[0-9]+)?%", s) is not None, f"not a percentage: {text!r}")
    return (Decimal(s[:-1]) / 100).normalize()


def _statuses_for_label(label: str) -> list[str]:
    """Map a printed column heading to filing statuses.

    'Single' -> single; 'Single or Filing Separately' and 'Single (and filing
    separately)' -> single + separate; 'Filing Jointly ...' / 'Filing jointly
    / qualifying surviving spouse' / '... Qualified Widow(er)' -> joint + QSS;
    'Filing Separately' -> separate; 'Head of Household' -> HOH.
    """
    s = label.lower()
    out: list[str] = []
    if s.startswith("single"):
        out.append(SINGLE)
    if "jointly" in s:
        out += [JOINT, QSS]
    if "separately" in s:
        out.append(SEPARATE)
    if "head of household" in s:
        out.append(HOH)
    _check(bool(out), f"unknown filing-status heading: {label!r}")
    return out


# --------------------------------------------------------------------------
# structural checks shared by every table
# --------------------------------------------------------------------------

def _validate_column(rows: list[Row], where: str, first_lo: Decimal | None = Decimal(0)) -> None:
    _check(len(rows) >= 2, f"{where}: only {len(rows)} rows parsed")
    if first_lo is not None:
        _check(rows[0].lo == first_lo, f"{where}: first row starts at {rows[0].lo}, expected {first_lo}")
    for i, r in enumerate(rows):
        last = i == len(rows) - 1
        _check((r.hi is None) == last, f"{where}: row {i} ({r.lo}-{r.hi}): only the last row may be 'and up'")
        if r.hi is not None:
            _check(r.lo < r.hi, f"{where}: row {i} is empty or reversed ({r.lo}-{r.hi})")
        if i:
            prev = rows[i - 1]
            _check(prev.hi == r.lo, f"{where}: rows not contiguous: {prev.lo}-{prev.hi} then {r.lo}-{r.hi}")


def _finish(columns: dict[str, list[Row]], where: str, first_lo: Decimal | None = Decimal(0)) -> dict[str, list[Row]]:
    _check(set(columns) == set(STATUSES), f"{where}: statuses found {sorted(columns)}")
    for st, rows in columns.items():
        _validate_column(rows, f"{where} [{st}]", first_lo)
    return columns


def _assign(columns: dict[str, list[Row]], label: str, rows: list[Row], where: str) -> None:
    for st in _statuses_for_label(label):
        _check(st not in columns, f"{where}: status {st} printed twice")
        columns[st] = list(rows)


# --------------------------------------------------------------------------
# 2013: IP 2013(8) tab-separated OCR tables
# --------------------------------------------------------------------------

_2013_TITLES = {
    "A": "**Table A - Personal exemptions for 2013 Taxable Year**",
    "B": "**Table B - Tax Calculation for 2013 Taxable Year**",
    "C": "**Table C - 3% Tax Rate Phase-Out Add-Back**",
    "D": "**Table D - Tax Recapture**",
    "E": "**Table E - Personal Tax Credits for 2013 Taxable Year**",
}


def _section_2013(table: str) -> list[str]:
    """Lines from the table's title to its footnote ('\\* Form CT-1040NR/PY')."""
    lines = _read(SEED_2013).splitlines()
    title = _2013_TITLES[table]
    starts = [i for i, ln in enumerate(lines) if ln.strip() == title]
    _check(len(starts) == 1, f"2013 Table {table}: title {title!r} found {len(starts)} times")
    out = []
    for ln in lines[starts[0] + 1:]:
        if ln.lstrip().startswith("\\*") or ln.lstrip().startswith("**Table"):
            break
        out.append(ln)
    _check(len(out) > 5, f"2013 Table {table}: section too short")
    return out


def _parse_2013_grid(table: str) -> dict[str, list[Row]]:
    lines = _section_2013(table)
    # Header: the line whose first cell is a filing-status name; its
    # non-empty cells are the group labels, three cells per group.
    hdr_idx = next(i for i, ln in enumerate(lines)
                   if "\t" in ln and ln.split("\t")[0].strip().lower().startswith("single"))
    header = lines[hdr_idx].split("\t")
    labels = [c.strip() for c in header if c.strip()]
    ngroups = len(labels)
    for g, lab in enumerate(labels):
        _check(header[3 * g].strip() == lab, f"2013 Table {table}: header group {g} not at cell {3 * g}: {header!r}")
    _check(lines[hdr_idx + 2].split("\t")[0].strip() == "More Than", f"2013 Table {table}: 'More Than' row missing")

    cols: list[list[Row]] = [[] for _ in range(ngroups)]
    ended = [False] * ngroups
    for ln in lines[hdr_idx + 3:]:
        if not ln.strip():
            if any(cols):
                break  # blank line after the grid ends it
            continue
        cells = ln.split("\t")
        _check(len(cells) <= 3 * ngroups + 1, f"2013 Table {table}: too many cells in {ln!r}")
        cells += [""] * (3 * ngroups - len(cells))
        for g in range(ngroups):
            lo_c, hi_c, v_c = (c.strip() for c in cells[3 * g: 3 * g + 3])
            if not (lo_c or hi_c or v_c):
                # An empty group is allowed only after that column's
                # 'and up' row (shorter columns are padded with tabs).
                _check(ended[g], f"2013 Table {table}: gap in column {labels[g]!r} at {ln!r}")
                continue
            _check(bool(lo_c and hi_c and v_c), f"2013 Table {table}: partial cell group {g} in {ln!r}")
            _check(not ended[g], f"2013 Table {table}: row after 'and up' in column {labels[g]!r}: {ln!r}")
            try:
                value = _decimal_cell(v_c) if table == "E" else _money(v_c)
                lo, hi = _money(lo_c), _money(hi_c)
            except ParseError as e:
                raise ParseError(f"2013 Table {table}, column {labels[g]!r}: {e} in line {ln!r}") from None
            _check(lo is not None, f"2013 Table {table}: open lower bound in {ln!r}")
            cols[g].append(Row(lo=lo, hi=hi, value=value))
            if hi is None:
                ended[g] = True
    _check(all(ended), f"2013 Table {table}: a column has no 'and up' row")

    columns: dict[str, list[Row]] = {}
    for lab, rows in zip(labels, cols):
        _assign(columns, lab, rows, f"2013 Table {table}")
    # Table E starts at the exemption amount, not at $0.
    return _finish(columns, f"2013 Table {table}", first_lo=None if table == "E" else Decimal(0))


_B2013_FIRST = re.compile(r"^Less than or equal to\.*\t\\?\$\s*([0-9,]+)\.*\t([0-9.]+%)\t?$")
_B2013_MID = re.compile(
    r"^More than \\?\$([0-9,]+), but less than or equal to\.*\t\\?\$\s*([0-9,]+)\.*\t"
    r"\\?\$([0-9,]+) plus ([0-9.]+%) of the excess over \\?\$([0-9,]+)\t?$"
)
_B2013_LAST = re.compile(
    r"^More than \\?\$([0-9,]+)\.*\t\t\\?\$([0-9,]+) plus ([0-9.]+%) of the excess over \\?\$([0-9,]+)\t?$"
)
_B2013_EXAMPLE = re.compile(r"Line 3 is \\?\$([0-9,]+), Line 4 is \\?\$([0-9,]+)")


def _num(s: str) -> Decimal:
    return Decimal(s.replace(",", ""))


def _parse_2013_b() -> tuple[dict[str, list[Row]], list[tuple[str, Decimal, Decimal]]]:
    lines = _section_2013("B")
    columns: dict[str, list[Row]] = {}
    examples: list[tuple[str, Decimal, Decimal]] = []
    label: str | None = None
    rows: list[Row] = []

    def flush() -> None:
        if label is not None:
            _assign(columns, label, rows, "2013 Table B")

    for ln in lines:
        s = ln.strip()
        m = re.match(r"^<b>(.*?) - If the amount on", s)
        if m:
            flush()
            label, rows = m.group(1), []
            continue
        if m := _B2013_FIRST.match(ln):
            # 'Less than or equal to $10,000 ... 3.00%': the first bracket,
            # i.e. $0 plus 3% of the excess over $0.
            rows.append(Row(lo=Decimal(0), hi=_num(m.group(1)), base=Decimal(0), rate=_percent(m.group(2)),
                            excess_over=Decimal(0)))
        elif m := _B2013_MID.match(ln):
            rows.append(Row(lo=_num(m.group(1)), hi=_num(m.group(2)), base=_num(m.group(3)), rate=_percent(m.group(4)),
                            excess_over=_num(m.group(5))))
        elif m := _B2013_LAST.match(ln):
            rows.append(Row(lo=_num(m.group(1)), hi=None, base=_num(m.group(2)), rate=_percent(m.group(3)),
                            excess_over=_num(m.group(4))))
        elif _B2013_EXAMPLE.search(ln):
            _check(label is not None, "2013 Table B: example before any heading")
            for a, b in _B2013_EXAMPLE.findall(ln):
                for st in _statuses_for_label(label)[:1]:  # report once, under the first status named
                    examples.append((st, _num(a), _num(b)))
        elif s.startswith(("More than", "Less than")):
            raise ParseError(f"2013 Table B: unparsed bracket line {ln!r}")
    flush()
    _finish(columns, "2013 Table B")
    for st, rs in columns.items():
        for r in rs:
            _check(r.excess_over == r.lo,
                   f"2013 Table B [{st}]: 'excess over' {r.excess_over} differs from lower bound {r.lo}")
    return columns, examples


# --------------------------------------------------------------------------
# 2023 / 2024: Markdown source
# --------------------------------------------------------------------------

def _md_section(year: int, heading_prefix: str) -> list[str]:
    """Lines under '### {year} {heading_prefix}...' up to the next '#' heading."""
    lines = _read(_md_file(year)).splitlines()
    want = f"### {year} {heading_prefix}"
    starts = [i for i, ln in enumerate(lines) if ln.startswith(want)]
    _check(len(starts) == 1, f"heading {want!r} found {len(starts)} times")
    out = []
    for ln in lines[starts[0] + 1:]:
        if ln.startswith("#"):
            break
        out.append(ln)
    return out


def _md_blocks(lines: list[str]) -> list[tuple[str, str, list[list[str]]]]:
    """Split a section into (bold label, rest of heading line, table rows)."""
    blocks: list[tuple[str, str, list[list[str]]]] = []
    for ln in lines:
        m = re.match(r"^\*\*(.+?)\*\*(.*)$", ln.strip())
        if m:
            blocks.append((m.group(1).strip(), m.group(2).strip(), []))
            continue
        if ln.startswith("|"):
            _check(bool(blocks), f"table row before any heading: {ln!r}")
            cells = [c.strip() for c in ln.strip().strip("|").split("|")]
            blocks[-1][2].append(cells)
    for label, _, rows in blocks:
        _check(len(rows) >= 3, f"block {label!r}: no table")
        _check(re.fullmatch(r"-*:?-+:?", rows[1][0].replace(" ", "")) is not None, f"block {label!r}: no separator row")
    return blocks


_MD_B = re.compile(r"^\$([0-9,]+) plus ([0-9.]+%) of the excess over \$([0-9,]+)$")


def _parse_md(year: int, table: str) -> dict[str, list[Row]]:
    lines = _md_section(year, f"Table {table} ")
    columns: dict[str, list[Row]] = {}
    for label, _rest, rows in _md_blocks(lines):
        header, body = rows[0], rows[2:]
        _check(header[0] == "More than" and header[1] == "Less than or equal to",
               f"{year} Table {table} {label!r}: unexpected header {header}")
        parsed: list[Row] = []
        for cells in body:
            _check(len(cells) == 3, f"{year} Table {table} {label!r}: bad row {cells}")
            lo, hi = _money(cells[0]), _money(cells[1])
            _check(lo is not None, f"{year} Table {table} {label!r}: open lower bound {cells}")
            if table == "B":
                m = _MD_B.match(cells[2])
                _check(m is not None, f"{year} Table B {label!r}: unparsed tax cell {cells[2]!r}")
                parsed.append(Row(lo=lo, hi=hi, base=_num(m.group(1)), rate=_percent(m.group(2)),
                                  excess_over=_num(m.group(3))))
                _check(parsed[-1].excess_over == lo, f"{year} Table B {label!r}: excess over != lower bound in {cells}")
            elif table == "E":
                parsed.append(Row(lo=lo, hi=hi, value=_decimal_cell(cells[2])))
            else:
                v = _money(cells[2])
                _check(v is not None, f"{year} Table {table} {label!r}: open amount {cells}")
                parsed.append(Row(lo=lo, hi=hi, value=v))
        _assign(columns, label, parsed, f"{year} Table {table}")
    return _finish(columns, f"{year} Table {table}", first_lo=None if table == "E" else Decimal(0))


# --------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------

YEARS = (2013, 2023, 2024, 2025)
TABLES = ("A", "B", "C", "D", "E")


@cache
def _cached(year: int, table: str) -> tuple[tuple[str, tuple[Row, ...]], ...]:
    if year == 2013:
        cols = _parse_2013_b()[0] if table == "B" else _parse_2013_grid(table)
    else:
        cols = _parse_md(year, table)
    return tuple((st, tuple(cols[st])) for st in STATUSES)


def printed_table(year: int, table: str) -> dict[str, list[Row]]:
    """Printed rows of Table A-E for ``year``, keyed by the five statuses."""
    if year not in YEARS:
        raise ValueError(f"no printed tables for {year}; years available: {YEARS}")
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; tables: {TABLES}")
    return {st: list(rows) for st, rows in _cached(year, table)}


def printed_table_b_examples(year: int = 2013) -> list[tuple[str, Decimal, Decimal]]:
    """(status, Tax Calculation Schedule Line 3, Line 4) for each worked
    example printed under Table B.  Only the 2013 seed prints examples; the
    status reported is the first one the heading names (single, joint, HOH)."""
    if year != 2013:
        raise ValueError("only the 2013 seed prints Table B examples")
    return list(_parse_2013_b()[1])


def printed_pension_table(year: int) -> dict[str, list[Row]]:
    """2023/2024 share of qualifying pension/annuity (and the IRA share)
    subtracted, by federal AGI.  Rows use lo <= federal AGI < hi."""
    if year not in (2023, 2024, 2025):
        raise ValueError("pension tables are printed for 2023, 2024 and 2025 only")
    text = _read(_md_file(year)).splitlines()
    start = next(i for i, ln in enumerate(text) if ln.startswith("### Pension and annuity subtraction"))
    sec = []
    for ln in text[start + 1:]:
        if ln.startswith("#"):
            break
        sec.append(ln)
    columns: dict[str, list[Row]] = {}
    for label, _rest, rows in _md_blocks([ln for ln in sec if ln.startswith(("|", "**"))]):
        m = re.match(r"^(\d{4}), (.+)$", label)
        _check(m is not None, f"pension table heading not understood: {label!r}")
        if int(m.group(1)) != year:
            continue
        header, body = rows[0], rows[2:]
        _check(header[:2] == ["Federal AGI at least", "and less than"], f"pension {label!r}: header {header}")
        parsed = []
        for cells in body:
            lo, hi = _money(cells[0]), _money(cells[1])
            pm = re.fullmatch(r"([0-9.]+)%", cells[2])
            _check(lo is not None and pm is not None, f"pension {label!r}: bad row {cells}")
            parsed.append(Row(lo=lo, hi=hi, value=(Decimal(pm.group(1)) / 100), convention=AT_LEAST_LT))
        # heading is a comma-separated list of statuses: 'single, filing
        # separately, head of household' or 'filing jointly / qualifying ...'
        for part in m.group(2).split(","):
            _assign(columns, part.strip(), parsed, f"{year} pension")
    return {st: list(r) for st, r in _finish(columns, f"{year} pension table").items()}


def printed_ira_share(year_of_source: int = 2024) -> dict[int, Decimal]:
    """'Share of qualifying non-Roth IRA distributions ...: 2023: 25%, ...'"""
    text = _read(_md_file(year_of_source))
    m = re.search(r"Share of qualifying non-Roth IRA distributions[^:]*: (.+)", text)
    _check(m is not None, "IRA share sentence not found")
    pairs = re.findall(r"(\d{4}): (\d+)%", m.group(1))
    _check(len(pairs) >= 2, f"IRA share sentence not understood: {m.group(0)!r}")
    return {int(y): Decimal(p) / 100 for y, p in pairs}


_FORMULA_A = re.compile(
    r"maximum \$([0-9,]+), reduced by \$([0-9,]+) for each \$([0-9,]+), or fraction, of CT AGI over \$([0-9,]+)\."
)
_FORMULA_STEP = re.compile(
    r"\$([0-9,]+) for each \$([0-9,]+), or fraction,(?: of CT AGI)? over \$([0-9,]+), up to \$([0-9,]+)"
)


def printed_formulas(year: int, table: str) -> dict[str, tuple]:
    """The prose printed above each 2023/2024 column, parsed into numbers.

    Table A: status -> (maximum, reduction, per, threshold).
    Tables C, D: status -> tuple of (amount, per, over, cap) components (one
    for C; one to three for D, summed).
    """
    if year not in (2023, 2024, 2025) or table not in ("A", "C", "D"):
        raise ValueError("formulas are printed in words for 2023-2025 Tables A, C and D only")
    out: dict[str, tuple] = {}
    for label, rest, _rows in _md_blocks(_md_section(year, f"Table {table} ")):
        if table == "A":
            m = _FORMULA_A.search(rest)
            _check(m is not None, f"{year} Table A {label!r}: formula not understood: {rest!r}")
            val: tuple = tuple(_num(g) for g in m.groups())
        else:
            comps = _FORMULA_STEP.findall(rest)
            _check(bool(comps), f"{year} Table {table} {label!r}: formula not understood: {rest!r}")
            _check(len(comps) == rest.count("for each"), f"{year} Table {table} {label!r}: some components not parsed")
            val = tuple(tuple(_num(g) for g in c) for c in comps)
        for st in _statuses_for_label(label):
            _check(st not in out, f"{year} Table {table}: {st} twice")
            out[st] = val
    _check(set(out) == set(STATUSES), f"{year} Table {table}: formula statuses {sorted(out)}")
    return out


def printed_property_tax_credit(year: int) -> tuple[Decimal, Decimal, dict[str, tuple[Decimal, Decimal]]]:
    """'**{year}**: maximum credit $M. The maximum is reduced by R% for each
    increment (or fraction) ...' and its 'Filing status | Reduction starts
    above CT AGI of | Increment' table, keyed by the five statuses."""
    lines = _read(TABLES_2025_CREDITS).splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("### Property tax credit"))
    heads = [i for i in range(start, len(lines)) if lines[i].startswith(f"**{year}**:")]
    _check(len(heads) == 1, f"property tax credit: {year} heading found {len(heads)} times")
    head = lines[heads[0]]
    m = re.search(r"maximum credit \$([0-9,]+)\. The maximum is reduced by ([0-9.]+%) for each increment "
                  r"\(or fraction\)", head)
    _check(m is not None, f"property tax credit {year}: heading not understood: {head!r}")
    rows = []
    for ln in lines[heads[0] + 1:]:
        if ln.startswith(("**", "#", "So ")):
            break
        if ln.startswith("|"):
            rows.append([c.strip() for c in ln.strip().strip("|").split("|")])
    _check(rows[0] == ["Filing status", "Reduction starts above CT AGI of", "Increment"], f"header {rows[0]}")
    out: dict[str, tuple[Decimal, Decimal]] = {}
    for cells in rows[2:]:
        lo, step = _money(cells[1]), _money(cells[2])
        _check(lo is not None and step is not None, f"property tax credit {year}: bad row {cells}")
        statuses = [QSS] if cells[0].lower() == "qualifying surviving spouse" else _statuses_for_label(cells[0])
        for st in statuses:
            _check(out.get(st, (lo, step)) == (lo, step), f"property tax credit {year}: {st} twice, differently")
            out[st] = (lo, step)
    _check(set(out) == set(STATUSES), f"property tax credit {year}: statuses {sorted(out)}")
    return _num(m.group(1)), _percent(m.group(2)), out


def printed_ct_eitc(year: int) -> tuple[Decimal, Decimal]:
    """The '| Year | Share of the federal earned income credit | Additional
    amount with at least one qualifying child |' row of ``year``."""
    for ln in _read(TABLES_2025_CREDITS).splitlines():
        cells = [c.strip() for c in ln.strip().strip("|").split("|")]
        if ln.startswith("|") and cells[0] == str(year):
            extra = Decimal(0) if cells[2] == "none" else _money(cells[2])
            _check(extra is not None, f"CT EITC {year}: bad row {cells}")
            return _percent(cells[1]), extra
    raise ParseError(f"CT EITC: no row for {year}")


def lookup(rows: list[Row], amount) -> Row:
    """Row that ``amount`` falls in.  At or below the first row's lower bound
    (e.g. Table E, which begins at the exemption amount) the first row is
    returned, as the brief and the Tax Calculation Schedule practice require."""
    x = Decimal(amount)
    if not rows[0].contains(x) and (x < rows[0].lo or (x == rows[0].lo and rows[0].convention == MORE_THAN_LTE)):
        return rows[0]
    hits = [r for r in rows if r.contains(x)]
    _check(len(hits) == 1, f"{len(hits)} rows match {x}")
    return hits[0]
