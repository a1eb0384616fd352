"""Table lookups over columns by grid cell (engine.run.column): on every bound of every shipped range
and brackets table, a cent below it, at it and a cent above it, and far outside the table, the grid
lookup gives what searchsorted over the same bounds gives and what the scalar lookup (Column.lookup,
bisect over Column.bounds) gives."""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

import engine
from engine.lang.fixed import ColumnUnsupported, Static
from engine.model.status import FILING_STATUSES
from engine.run import column

YEARS = (2013, 2023, 2024, 2025)
CENT = Decimal("0.01")


def _tables() -> list[tuple[int, object]]:
    found = []
    for year in YEARS:
        ruleset = engine.load(year)
        found += [(year, table) for table in ruleset.tables.values() if table.kind in ("range", "brackets")]
    return found


TABLES = _tables()


def _probes(table) -> tuple[np.ndarray, np.ndarray, list[tuple[str | None, Decimal]]]:
    """Status codes and amounts in cents: every bound of the row's column -1 cent, at, +1 cent, and far out."""
    cases = []
    for status in (FILING_STATUSES if table.by_status else (None,)):
        if status not in table.columns:
            continue
        bounds = table.columns[status].bounds
        for bound in bounds:
            cases += [(status, bound - CENT), (status, bound), (status, bound + CENT)]
        low, high = (min(bounds), max(bounds)) if bounds else (Decimal(0), Decimal(0))
        cases += [(status, low - 1_000_000), (status, high + 1_000_000), (status, Decimal(0))]
    codes = np.array([FILING_STATUSES.index(s) if s is not None else 0 for s, _ in cases], dtype=np.int64)
    cents = np.array([int(a.scaleb(2)) for _, a in cases], dtype=np.int64)
    return codes, cents, cases


def _column_values(table, codes: np.ndarray, cents: np.ndarray) -> list[Decimal | str] | None:
    status = (lambda env, reach: codes), Static("cat", choices=FILING_STATUSES)
    amount = (lambda env, reach: cents), Static("num", 2, 10 ** 14)
    try:
        run, static = column._lookup(table, status if table.by_status else None, amount)
    except ColumnUnsupported:
        return None  # values that are not amounts (dates): the table has no column form
    env: dict = {}
    values = np.broadcast_to(run(env, None), cents.shape)
    if static.kind == "cat":  # a table of texts (2013 remitter classifications): codes into its texts
        return [static.choices[int(v)] for v in values]
    texts = np.broadcast_to(env[static.text_key], cents.shape) if static.text_key else np.full(cents.shape, -1)
    # amounts beside texts (2013 EFT limits beside 'no limit'): the text where the row holds one
    return [static.texts[int(t)] if t >= 0 else Decimal(int(v)).scaleb(-static.scale) for v, t in zip(values, texts)]


def test_the_2024_tax_tables_lie_on_a_grid():
    # the tables the batch benchmark reads are the ones the grid is for: Table A in $1,000 steps over
    # $0, Table B's brackets on a $2,000 grid, Table E's rows on a $100 grid, ...
    ruleset = engine.load(2024)
    for name in ("table_a", "table_b", "table_c", "table_d", "table_e"):
        columns = ruleset.tables[name].distinct_columns()
        bounds = [[int(b.scaleb(2)) for b in c.bounds] for c in columns]
        assert column.grid(bounds, columns[0].side, 10 ** 14) is not None, name
    table_a = ruleset.tables["table_a"].columns["single"]
    found = column.grid([[int(b.scaleb(2)) for b in table_a.bounds]], table_a.side, 10 ** 14)
    assert found is not None and (found.origin, found.width) == (0, 100_000)  # $0 floor, $1,000 steps in cents


@pytest.mark.parametrize("year, table", TABLES, ids=[f"{y}-{t.name}" for y, t in TABLES])
def test_grid_lookup_equals_searchsorted_and_the_scalar_lookup(year, table, monkeypatch):
    codes, cents, cases = _probes(table)
    by_grid = _column_values(table, codes, cents)
    if by_grid is None:
        return
    monkeypatch.setattr(column, "GRID_CELLS", 0)  # no grid fits: searchsorted
    by_search = _column_values(table, codes, cents)
    looked_up = [table.lookup(status, amount)[0] for status, amount in cases]
    expected = [value if isinstance(value, str) else Decimal(value) for value in looked_up]
    assert by_search == expected
    assert by_grid == expected


def test_some_tables_of_each_kind_were_compared():
    kinds = set()
    for _, table in TABLES:
        codes, cents, _ = _probes(table)
        if _column_values(table, codes, cents) is not None:
            kinds.add(table.kind)
    assert kinds == {"range", "brackets"}


@pytest.mark.parametrize("side, amounts, positions", [
    # bounds $10, $20, $40 on a $10 grid; 'left' ("more than lo, up to hi"): an amount equal to a bound
    # stays below it; 'right' ("at least lo, less than hi"): it moves past it
    ("left", [9, 10, 11, 20, 21, 39, 40, 41, -5, 1000], [0, 0, 1, 1, 2, 2, 2, 3, 0, 3]),
    ("right", [9, 10, 11, 20, 21, 39, 40, 41, -5, 1000], [0, 1, 1, 2, 2, 2, 3, 3, 0, 3]),
])
def test_cell_to_position_by_hand(side, amounts, positions):
    found = column.grid([[10, 20, 40]], side, 10 ** 6)
    assert found is not None and (found.origin, found.width, found.cells) == (10, 10, 5)
    table = found.position_of_cell([10, 20, 40])
    cells = [min(max((a + found.shift) // found.width, 0), found.cells - 1) for a in amounts]
    assert [table[c] for c in cells] == positions


def test_a_constant_amount_looked_up_by_a_filing_status_per_row():
    # a rule such as exemption(filing_status, 45000): the amount is one number, the status a column
    # (the grid's cell index is 0-dimensional there and must take the statuses' shape)
    table = engine.load(2024).tables["table_b"]
    codes = np.array([FILING_STATUSES.index(s) for s in FILING_STATUSES], dtype=np.int64)
    status = (lambda env, reach: codes), Static("cat", choices=FILING_STATUSES)
    amount = (lambda env, reach: np.int64(4_500_000)), Static("num", 2, 10 ** 14)
    run, static = column._lookup(table, status, amount)
    got = [Decimal(int(v)).scaleb(-static.scale) for v in np.broadcast_to(run({}, None), codes.shape)]
    assert got == [table.lookup(s, Decimal(45_000))[0] for s in FILING_STATUSES]
