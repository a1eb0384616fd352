"""``ctax batch`` and ``engine.evaluate_batch`` in chunks: Arrow end to end, and chunk boundaries that
change nothing."""
from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import engine
from engine.cli import main

ROOT = Path(__file__).resolve().parent.parent
STATUSES = ["single", "married_filing_jointly", "married_filing_separately", "head_of_household",
            "qualifying_surviving_spouse"]


def _rows(n: int) -> tuple[list, list]:
    """Statuses and amounts of every kind the batch reads differently: numbers, text the scalar path
    reads ("$1,234.50"), missing values, bad text, and the published $60,000 single filer."""
    statuses, amounts = [], []
    for i in range(n):
        statuses.append(["SINGLE", None, "nobody"][i % 3] if i % 17 == 5 else STATUSES[i % 5])
        kind = i % 11
        amounts.append("not-a-number" if kind == 3 else None if kind == 7 else f"${i * 1234:,}.50" if kind == 9
                       else str(i * 997.25) if kind == 4 else "60000" if kind == 0 else str(i * 1013))
    return statuses, amounts


@pytest.mark.parametrize("size", ["1", "7", "64"])
def test_chunked_evaluation_equals_the_unchunked_one(size, monkeypatch):
    statuses, amounts = _rows(300)
    table = pa.table({"filing_status": pa.array(statuses, pa.string()), "ct_agi": pa.array(amounts, pa.string())})
    whole = engine.evaluate_batch(2013, "tax_calculation", table, errors="report")
    # the same rows in Arrow chunks of 100, 3 and 197 rows, across the evaluation's own chunks
    table = pa.concat_tables([table.slice(0, 100), table.slice(100, 3), table.slice(103)])
    monkeypatch.setenv("CTAX_BATCH_CHUNK_ROWS", size)  # 300 rows in 300, 43 or 5 chunks
    chunked = engine.evaluate_batch(2013, "tax_calculation", table, errors="report")
    assert chunked.equals(whole)
    # IP 2013(8): a single filer with $60,000 of Connecticut AGI owes $2,813 (row 0 and every 55th row)
    assert chunked.column("ct_income_tax")[0].as_py() == Decimal(2813)
    assert chunked.column("ct_income_tax")[55].as_py() == Decimal(2813)
    # bad rows keep their numbers across chunks: row 3 (bad amount), 7 (missing amount), 22 (unknown status)
    errors = chunked.column("error_field").to_pylist()
    assert [errors[3], errors[7], errors[22]] == ["ct_agi", "ct_agi", "filing_status"]
    with pytest.raises(engine.BatchInputError) as raised:
        engine.evaluate_batch(2013, "tax_calculation", table)
    assert [e.row for e in raised.value.errors] == [i for i, e in enumerate(errors) if e is not None]


def test_chunked_row_by_row_fallback_equals_the_unchunked_one(monkeypatch):
    # income_tax_return has no column form yet: every row takes the scalar path, chunk by chunk
    rows = {"filing_status": ["single", "married_filing_jointly", "head_of_household", "single", "single"],
            "federal_agi": ["60000", "120000", "45000.49", "oops", "30000"]}
    table = pa.table({k: pa.array(v, pa.string()) for k, v in rows.items()})
    whole = engine.evaluate_batch(2024, "income_tax_return", table, errors="report", fallback=True)
    monkeypatch.setenv("CTAX_BATCH_CHUNK_ROWS", "2")
    chunked = engine.evaluate_batch(2024, "income_tax_return", table, errors="report", fallback=True)
    assert chunked.equals(whole)
    assert chunked.column("error_field").to_pylist() == [None, None, None, "federal_agi", None]


def test_pandas_in_pandas_out_in_chunks(monkeypatch):
    pd = pytest.importorskip("pandas")
    statuses, amounts = _rows(50)
    frame = pd.DataFrame({"filing_status": statuses, "ct_agi": pd.Series(amounts, dtype=object)},
                         index=range(100, 150))
    whole = engine.evaluate_batch(2013, "tax_calculation", frame, errors="report")
    monkeypatch.setenv("CTAX_BATCH_CHUNK_ROWS", "3")
    chunked = engine.evaluate_batch(2013, "tax_calculation", frame, errors="report")
    assert list(chunked.index) == list(range(100, 150))
    assert chunked.equals(whole)


@pytest.mark.parametrize("value", ["0", "-5", "many", "1.5"])
def test_a_bad_chunk_size_is_named(value, monkeypatch):
    monkeypatch.setenv("CTAX_BATCH_CHUNK_ROWS", value)
    with pytest.raises(engine.CtaxError, match="CTAX_BATCH_CHUNK_ROWS must be a whole number of rows"):
        engine.evaluate_batch(2013, "tax_calculation", pa.table({"filing_status": ["single"], "ct_agi": [1]}))


def test_ctax_batch_never_imports_pandas(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("id,filing_status,ct_agi\na,single,60000\nb,JOINT,\"$1,234.50\"\nc,single,oops\n"
                      "d,head_of_household,=1+1\n", encoding="utf-8")
    code = ("import sys\nfrom engine.cli import main\n"
            "for out in sys.argv[2:]:\n"
            "    main(['batch', '2013', 'tax_calculation', sys.argv[1], out, '--quiet'])\n"
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'pandas')\n"
            "print('pandas modules:', loaded[:5])\n")
    csv_out, parquet_out = tmp_path / "out.csv", tmp_path / "out.parquet"
    done = subprocess.run([sys.executable, "-c", code, str(source), str(csv_out), str(parquet_out)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "pandas modules: []", done.stderr
    # and it did the work: the published 2013 figure for $60,000 single, and the bad rows reported
    assert pq.read_table(parquet_out).column("ct_income_tax").to_pylist()[0] == Decimal(2813)
    assert "row 2: ct_agi" in done.stderr and "row 3: ct_agi" in done.stderr
    assert "'=1+1" in csv_out.read_text(encoding="utf-8")  # formulas still neutralised without pandas


def test_ctax_batch_chunks_of_every_size_give_the_same_file(tmp_path, monkeypatch):
    statuses, amounts = _rows(40)
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"filing_status": pa.array(statuses, pa.string()),
                             "ct_agi": pa.array(amounts, pa.string())}), source)
    outputs = []
    for cli_rows, inner in (("1000", "1000"), ("6", "4"), ("1", "1")):
        monkeypatch.setenv("CTAX_BATCH_CHUNK_ROWS", inner)
        target = tmp_path / f"out-{cli_rows}.parquet"
        assert main(["batch", "2013", "tax_calculation", str(source), str(target), "--quiet",
                     "--chunk-rows", cli_rows]) == 1  # some rows are bad on purpose
        outputs.append(pq.read_table(target))
    assert outputs[1].equals(outputs[0]) and outputs[2].equals(outputs[0])
    assert outputs[0].num_rows == 40


def test_parquet_output_is_written_for_speed(tmp_path):
    # snappy, dictionary encoding for the text columns only, one row group per chunk
    source, target = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(pa.table({"name": [f"n{i}" for i in range(10)], "filing_status": ["single"] * 10,
                             "ct_agi": [1000 * i for i in range(10)]}), source)
    assert main(["batch", "2013", "tax_calculation", str(source), str(target), "--quiet", "--chunk-rows", "4"]) == 0
    metadata = pq.ParquetFile(target).metadata
    assert metadata.num_row_groups == 3  # 4 + 4 + 2 rows
    group = metadata.row_group(0)
    encodings = {group.column(i).path_in_schema: group.column(i).encodings for i in range(group.num_columns)}
    compressions = {group.column(i).compression for i in range(group.num_columns)}
    assert compressions == {"SNAPPY"}
    assert "RLE_DICTIONARY" in encodings["filing_status"] and "RLE_DICTIONARY" in encodings["name"]
    assert "RLE_DICTIONARY" not in encodings["ct_income_tax"] and "RLE_DICTIONARY" not in encodings["taxable_income"]


def test_a_date_past_year_9999_in_an_arrow_column_is_one_bad_row_not_a_crash():
    # date32 counts days from 1970-01-01 and holds dates Python's datetime.date cannot (past 9999-12-31);
    # found by the differential test's generator: the scalar path's conversion raised OverflowError
    import pyarrow as pa

    days = pa.array([20088, 3_000_000], type=pa.date32())  # 2024-12-31, and a day in year 10183
    out = engine.evaluate_batch(2024, "return_due_date", pa.table({"tax_year_end": days}), errors="report",
                                fallback=True)
    assert out["error_field"].to_pylist() == [None, "tax_year_end"]
    assert "tax_year_end" in out["error"][1].as_py()
    # the good row is the calendar year's return: due April 15, 2025 (a Tuesday)
    assert str(out["due_date"][0].as_py()) == "2025-04-15"


def test_a_share_with_four_decimals_is_read_on_the_column_path():
    # number inputs (shares) are read in millionths: 0.4521 is exact there, so the row need not take
    # the scalar path (before, numbers were read as cents and every such row went one by one)
    from engine.batch import evaluate as batch

    sheet = engine.load(2024).worksheets["ct_eitc"]
    given = {"resident_portion_share": pa.array([0.4521, 0.5, 1.0]),
             "federal_eitc": pa.array([1000, 1000, 1000])}
    env, slow = batch._input_env(sheet, given, 3)
    assert not slow.any()
    assert env["resident_portion_share"].arr.tolist() == [452_100, 500_000, 1_000_000]
    # and the result equals the scalar path's
    out = engine.evaluate_batch(2024, "ct_eitc", pa.table(given)).to_pydict()
    for i, share in enumerate((0.4521, 0.5, 1.0)):
        expected = engine.evaluate(2024, "ct_eitc", {"resident_portion_share": share, "federal_eitc": 1000},
                                   trace=False).outputs
        assert {k: out[k][i] for k in expected} == expected
