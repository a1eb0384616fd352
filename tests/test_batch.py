"""engine.evaluate_batch: identical to the scalar path to the cent, bad rows named, Arrow, Dask."""
from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import engine
from engine import BatchInputError, BatchUnsupportedError, evaluate_batch
from engine.errors import InputError
from engine.model.status import FILING_STATUSES
from engine.run import scalar

YEARS = [y for y in engine.years() if "tax_calculation" in engine.worksheets(y)]
CASES = 100_000


def _boundaries(year: int) -> np.ndarray:
    """Every printed bound of the year's tables (in cents), where rounding and lookups can go wrong."""
    ruleset = engine.load(year)
    points = set()
    for table in ruleset.tables.values():
        for column in table.distinct_columns():
            for item in list(column.rows) + list(column.brackets):
                points.update(int(v * 100) for v in (item.lo, item.hi) if v is not None)
    return np.array(sorted(points), dtype=np.int64)


def _cases(year: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    statuses = rng.integers(0, len(FILING_STATUSES), n)
    third = n // 3
    wide = rng.integers(-500_000, 120_000_000, third)  # -$5,000 .. $1.2m, any cents
    edges = _boundaries(year)
    near = rng.choice(edges, third) + rng.choice(np.array([-100, -51, -50, -49, -1, 0, 1, 49, 50, 51, 100]), third)
    huge = rng.integers(-10 ** 13, 10 ** 15, n - 2 * third)  # up to $10 trillion
    return statuses, np.concatenate([wide, near, huge])


@pytest.mark.parametrize("year", YEARS)
def test_batch_equals_scalar_to_the_cent_on_random_cases(year):
    # The scalar path (Decimal) is the reference; the batch gets the same amounts as float
    # dollars with cents, so the float-to-cents reading is checked as well.
    n = CASES // len(YEARS)
    statuses, cents = _cases(year, n, seed=20240 + year)
    status_names = np.array(FILING_STATUSES, dtype=object)[statuses]
    frame = pd.DataFrame({"filing_status": status_names, "ct_agi": cents / 100})
    result = evaluate_batch(year, "tax_calculation", frame)
    sheet = engine.load(year).worksheets["tax_calculation"]
    columns = {name: pa.array(result[name]).to_pylist() for name in sheet.outputs}
    mismatches = []
    for i in range(n):
        amount = Decimal(int(cents[i])).scaleb(-2)
        expected = scalar.evaluate(sheet, {"filing_status": status_names[i], "ct_agi": amount}, trace=False).outputs
        for name, value in expected.items():
            if columns[name][i] != value:
                mismatches.append((i, status_names[i], amount, name, value, columns[name][i]))
    assert not mismatches[:5], f"{len(mismatches)} mismatches, first: {mismatches[:5]}"


def test_published_example_single_60000():
    # IP 2013(8) Tax Calculation Schedule for a single filer with $60,000 of Connecticut AGI:
    # exemption 0, tax 2,850 + add-back 20 = 2,870, credit .02 -> 57, tax 2,813 (checked in tests/reference).
    frame = pd.DataFrame({"filing_status": ["single"], "ct_agi": [60000]})
    result = evaluate_batch(2013, "tax_calculation", frame)
    assert int(result["ct_income_tax"].iloc[0]) == 2813
    assert pa.array(result["credit_decimal"]).to_pylist() == [Decimal("0.02")]


def test_every_kind_of_amount_column_gives_the_scalar_result():
    amounts = [60000, "60000.49", " 60,000.50 ", "$60,000.51", Decimal("60000.499999999999999"), 60000.5]
    frame = pd.DataFrame({"filing_status": ["single"] * len(amounts), "ct_agi": pd.Series(amounts, dtype=object)})
    result = evaluate_batch(2013, "tax_calculation", frame)
    expected = [engine.evaluate(2013, "tax_calculation", {"filing_status": "single", "ct_agi": a})["ct_income_tax"]
                for a in amounts]
    assert pa.array(result["ct_income_tax"]).to_pylist() == expected
    # 60000.499... rounds to 60000 (tax 2813) and 60000.5 to 60001 (a different Table E row)
    assert expected[4] == Decimal(2813)


def test_arrow_table_in_arrow_table_out():
    table = pa.table({"filing_status": ["married_filing_jointly", "head_of_household"], "ct_agi": [120000, 45000]})
    result = evaluate_batch(2013, "tax_calculation", table)
    assert isinstance(result, pa.Table)
    expected = [engine.evaluate(2013, "tax_calculation", {"filing_status": s, "ct_agi": a})["ct_income_tax"]
                for s, a in (("married_filing_jointly", 120000), ("head_of_household", 45000))]
    assert result.column("ct_income_tax").to_pylist() == expected


def test_bad_rows_are_reported_by_row_and_field():
    frame = pd.DataFrame({"filing_status": ["single", "singel", "single", None, "single"],
                          "ct_agi": ["1000", "2000", "lots", "4000", "1e16"]})
    with pytest.raises(BatchInputError) as caught:
        evaluate_batch(2013, "tax_calculation", frame)
    found = [(e.row, e.field) for e in caught.value.errors]
    assert found == [(1, "filing_status"), (2, "ct_agi"), (3, "filing_status"), (4, "ct_agi")]
    assert "row 2: ct_agi: input 'ct_agi' must be a number" in str(caught.value)
    report = evaluate_batch(2013, "tax_calculation", frame, errors="report")
    assert report["error_field"].isna().tolist() == [True, False, False, False, False]
    assert report["ct_income_tax"].isna().tolist() == [False, True, True, True, True]
    assert int(report["ct_income_tax"].iloc[0]) == 0  # $1,000 is below the $14,000 exemption


def test_unknown_column_is_named():
    frame = pd.DataFrame({"filing_status": ["single"], "ct_agii": [1]})
    with pytest.raises(engine.UnknownInputError, match="did you mean 'ct_agi'"):
        evaluate_batch(2013, "tax_calculation", frame)


def test_empty_table_gives_typed_empty_outputs():
    result = evaluate_batch(2013, "tax_calculation", pd.DataFrame({"filing_status": pd.Series([], dtype=str),
                                                                  "ct_agi": pd.Series([], dtype="int64")}))
    assert list(result.columns) == engine.load(2013).worksheets["tax_calculation"].outputs
    assert len(result) == 0


def test_worksheet_with_division_runs_as_columns_equal_to_the_scalar_path():
    # ct_w4p Line 5 divides CT-sourced income by CT AGI and Line 16 the balance by the number of payments:
    # both quotients are rounded (four places, dollars), which the column path does exactly (issue 13)
    frame = pd.DataFrame({"filing_status": ["single", "married_filing_jointly", "single"],
                          "federal_agi": [60000, 90000, 75000], "payments_per_year": [12, 26, 7],
                          "residency": ["resident", "resident", "nonresident"],
                          "ct_source_income": [0, 0, 20000.37]})
    result = evaluate_batch(2013, "ct_w4p", frame)  # no fallback: it runs as columns
    sheet = engine.load(2013).worksheets["ct_w4p"]
    for i, row in frame.iterrows():
        expected = scalar.evaluate(sheet, row.to_dict(), trace=False).outputs
        for name, value in expected.items():
            assert pa.array(result[name]).to_pylist()[i] == value, name


def test_worksheet_without_a_column_form_is_refused_or_evaluated_row_by_row(tmp_path):
    # every shipped worksheet has a column form; one whose output is an amount in some rows and a
    # text in others has none: 2013 eft_failure_penalty with its Line 2 limit made an output
    rules = tmp_path / "rules"
    shutil.copytree(Path(engine.__file__).parent.parent / "rules" / "2013", rules / "2013")
    sheet = rules / "2013" / "worksheets" / "eft_failure_penalty.yaml"
    text = sheet.read_text(encoding="utf-8")
    sheet.write_text(text.replace("    expression: eft_failure_penalty_cap(failure_number)\n",
                                  "    expression: eft_failure_penalty_cap(failure_number)\n    output: true\n", 1),
                     encoding="utf-8")
    frame = pd.DataFrame({"tax_due": [50000, 50000], "failure_number": [1, 3]})
    with pytest.raises(BatchUnsupportedError, match="a text in others"):
        evaluate_batch(2013, "eft_failure_penalty", frame, rules=rules)
    result = evaluate_batch(2013, "eft_failure_penalty", frame, fallback=True, rules=rules)
    # IP 2013(8): the first failure, the lesser of 10% ($5,000) or $2,500; the third, 10% with no limit
    assert pa.array(result["penalty"]).to_pylist() == [2500, 5000]
    assert pa.array(result["limit"]).to_pylist() == ["2500", "no limit"]


def test_a_table_of_amounts_and_a_text_runs_as_columns():
    # IP 2013(8) EFT failure penalty: the lesser of 10% of the tax and $2,500 (first failure), $10,000
    # (second); 10% with no limit from the third: $50,000 due -> 2,500, 5,000, 5,000;
    # $200,000 due -> 2,500, 10,000, 20,000
    frame = pd.DataFrame({"tax_due": [50000] * 3 + [200000] * 3, "failure_number": [1, 2, 3] * 2})
    result = evaluate_batch(2013, "eft_failure_penalty", frame)  # no fallback: it runs as columns
    assert pa.array(result["penalty"]).to_pylist() == [2500, 5000, 5000, 2500, 10000, 20000]


def test_a_table_of_texts_runs_as_columns():
    # IP 2013(8) remitter classifications: $2,000 or less quarterly, more than $2,000 but not more than
    # $10,000 monthly, more than $10,000 weekly (each bound in the lower row)
    frame = pd.DataFrame({"lookback_liability": [2000, 2000.01, 10000, 10000.01]})
    result = evaluate_batch(2013, "remitter_classification", frame)  # no fallback: it runs as columns
    assert pa.array(result["classification"]).to_pylist() == ["quarterly", "monthly", "monthly", "weekly"]


def test_due_dates_run_as_columns_on_the_business_day_calendar():
    # 2024 return_due_date (IP 2024 guide: April 15, or the 15th day of the 4th month after a fiscal
    # year's close, moved to the next business day), worked by hand from a calendar:
    # - calendar year: April 15, 2025 is a Tuesday;
    # - year ending 2025-06-30: the 4th month after is October; October 15, 2025 is a Wednesday;
    # - year ending 2024-05-31: September 15, 2024 is a Sunday, so Monday September 16;
    # - year ending 2024-08-31: December 15, 2024 is a Sunday, so Monday December 16;
    # - year ending 2024-10-31: February 15, 2025 is a Saturday; Monday the 17th is Washington's
    #   Birthday, a legal holiday (Conn. Gen. Stat. Sec. 1-4), so Tuesday February 18.
    # Given as Arrow dates, ISO text and Python dates, and one left out (the default, 2024-12-31).
    ends = [None, "2025-06-30", dt.date(2024, 5, 31), "2024-08-31", " 2024-10-31 "]
    expected = ["2025-04-15", "2025-10-15", "2024-09-16", "2024-12-16", "2025-02-18"]
    frame = pd.DataFrame({"tax_year_end": pd.Series(ends, dtype=object)})
    result = evaluate_batch(2024, "return_due_date", frame)  # no fallback: it runs as columns
    assert pa.array(result["due_date"]).to_pylist() == expected
    table = pa.table({"tax_year_end": [None if e is None else dt.date.fromisoformat(str(e).strip()) for e in ends]})
    assert evaluate_batch(2024, "return_due_date", table).column("due_date").to_pylist() == expected
    # a date that does not exist is refused exactly as the scalar path refuses it, naming the input
    with pytest.raises(BatchInputError) as refused:
        evaluate_batch(2024, "return_due_date", pd.DataFrame({"tax_year_end": ["2024-02-30"]}))
    assert refused.value.errors[0].field == "tax_year_end"


def test_dask_local_cluster_map_partitions_unchanged():
    dd = pytest.importorskip("dask.dataframe")  # installed by the test extra
    from distributed import Client, LocalCluster

    rng = np.random.default_rng(7)
    n = 20_000
    frame = pd.DataFrame({"filing_status": np.array(FILING_STATUSES, dtype=object)[rng.integers(0, 5, n)],
                          "ct_agi": rng.integers(-1000, 900_000, n)})
    # processes=False keeps the workers in this process: nothing listens beyond loopback
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster):
        ddf = dd.from_pandas(frame, npartitions=4)
        meta = evaluate_batch(2013, "tax_calculation", ddf._meta)
        out = ddf.map_partitions(lambda part: evaluate_batch(2013, "tax_calculation", part), meta=meta).compute()
    expected = evaluate_batch(2013, "tax_calculation", frame)
    assert out.equals(expected)
    assert int(out["ct_income_tax"].iloc[0]) == int(engine.evaluate(
        2013, "tax_calculation", {"filing_status": frame["filing_status"][0], "ct_agi": int(frame["ct_agi"][0])})
        ["ct_income_tax"])


# ---------------------------------------------------------------- duplicate columns, outputs beyond 64 bits


def test_duplicate_column_names_in_a_dataframe_are_an_input_error():
    frame = pd.DataFrame([["single", 1, 2]], columns=["filing_status", "ct_agi", "ct_agi"])
    with pytest.raises(InputError, match="more than one column named 'ct_agi'"):
        engine.evaluate_batch(2013, "tax_calculation", frame)
    arrow = pa.table([pa.array(["single"]), pa.array([1]), pa.array([2])], names=["filing_status", "ct_agi", "ct_agi"])
    with pytest.raises(InputError, match="more than one column"):
        engine.evaluate_batch(2013, "tax_calculation", arrow)


def test_names_that_are_the_same_text_are_duplicates():
    frame = pd.DataFrame([["single", 1, 2]], columns=["filing_status", "ct_agi", "ct_agi"])
    frame.columns = ["filing_status", 1, "1"]
    with pytest.raises(InputError, match="more than one column named '1'"):
        engine.evaluate_batch(2013, "tax_calculation", frame)


@pytest.mark.parametrize("expression", ["1e20 - x", "x * 1e20", "x / 3 + 1e20"])
def test_outputs_beyond_64_bits_are_refused_or_exact_not_an_overflow(tmp_path, expression):
    from test_bounded_work import _expression_line, _ruleset, _sheet

    from engine.errors import BatchUnsupportedError

    year = _ruleset(tmp_path, {"huge": _sheet("huge", [_expression_line("y", expression)])})
    frame = pd.DataFrame({"x": ["1", "2"]})
    expected = [engine.evaluate(2013, "huge", {"x": x}, rules=year.parent)["y"] for x in (1, 2)]
    # 1e20 is above 2**63 (about 9.2e18): the column form is refused, naming the reason ...
    with pytest.raises(BatchUnsupportedError, match=r"64-bit|division"):
        engine.evaluate_batch(2013, "huge", frame, rules=year.parent)
    # ... and row by row every value is exact (as text: no 64-bit column holds it)
    out = engine.evaluate_batch(2013, "huge", frame, fallback=True, rules=year.parent)
    assert [Decimal(str(v)) for v in out["y"]] == expected


def test_a_fallback_column_mixing_many_decimals_and_large_amounts_stays_exact(tmp_path):
    from test_bounded_work import _expression_line, _ruleset, _sheet

    # x / 3 has 28 significant digits; at that many decimals, 1e12 no longer fits 64 bits: exact text then
    year = _ruleset(tmp_path, {"thirds": _sheet("thirds", [_expression_line("y", "x / 3")])})
    out = engine.evaluate_batch(2013, "thirds", pd.DataFrame({"x": ["1", "3000000000000"]}), fallback=True,
                                rules=year.parent)
    assert [Decimal(str(v)) for v in out["y"]] == [Decimal(1) / 3, Decimal(1_000_000_000_000)]


def test_residency_day_limits_compared_exactly_as_columns():
    # Group B (IP 2024 guide): in each nonresident portion, days in Connecticut no more than
    # portion days x 90 / 548. 200 days: 200 x 90 / 548 = 32.85...: 32 days pass, 33 fail.
    # 274 days: 274 x 90 / 548 = 45 exactly: 45 days pass (no more than), 46 fail.
    portions, ct_days = [200, 200, 274, 274], [32, 33, 45, 46]
    frame = pd.DataFrame({"domiciled_in_ct": [True] * 4, "foreign_days_in_548_day_period": [450] * 4,
                          "ct_days_in_548_day_period": [90] * 4, "days_in_first_nonresident_portion": portions,
                          "ct_days_in_first_nonresident_portion": ct_days,
                          "days_in_last_nonresident_portion": [548 - p for p in portions],
                          "ct_days_in_last_nonresident_portion": [0] * 4})
    result = evaluate_batch(2024, "residency", frame)  # no fallback: it runs as columns
    assert pa.array(result["residency"]).to_pylist() == ["nonresident", "resident", "nonresident", "resident"]
    assert pa.array(result["decided_by"]).to_pylist() == ["Group B", "domicile", "Group B", "domicile"]
