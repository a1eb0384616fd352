"""Every shipped worksheet is decided by its columns, not by the row-by-row path behind them.

The differential tests compare evaluate_batch with engine.evaluate, so a column function that sent
every row to the scalar path would still pass them. Here the scalar path is watched: on realistic
rows generated from each worksheet's input specs (bench/generate.py, seeded), no row of a worksheet
may be sent to it, except where the rules send rows there by design (2013 fraud_penalty: rows its
`rejects_inputs` check refuses get the scalar path's error)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

import engine
from engine.batch import evaluate as batch_evaluate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import table  # the benchmark's generator of rows from input specs

ROWS = 400
BY_DESIGN = {(2013, "fraud_penalty")}
CASES = [(year, name) for year in (2013, 2023, 2024, 2025) for name in sorted(engine.load(year).worksheets)
         if (year, name) not in BY_DESIGN]


@pytest.mark.parametrize(("year", "name"), CASES)
def test_no_generated_row_takes_the_scalar_path(year, name, monkeypatch):
    sent: list[int] = []
    scalar_rows = batch_evaluate._scalar_rows

    def watched(sheet, given, rows):
        sent.extend(int(row) for row in rows)
        return scalar_rows(sheet, given, rows)

    monkeypatch.setattr(batch_evaluate, "_scalar_rows", watched)
    sheet = engine.load(year).worksheets[name]
    engine.evaluate_batch(year, name, table(sheet, ROWS, year, seed=7), errors="report")
    assert sent == []
