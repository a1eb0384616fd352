"""``ctax batch YEAR WORKSHEET IN OUT`` on CSV and Parquet files."""
from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pyarrow.parquet as pq
import pytest
from cli_helpers import run

import engine
from engine.cli import main


def _expected(status: str, agi) -> Decimal:
    return engine.evaluate(2013, "tax_calculation", {"filing_status": status, "ct_agi": agi})["ct_income_tax"]


def test_csv_in_csv_out_with_a_bad_row(tmp_path, capsys):
    source = tmp_path / "returns.csv"
    source.write_text("id,filing_status,ct_agi\n"
                      "a,single,60000\n"
                      "b,married_filing_jointly,\"$120,000.50\"\n"
                      "c,single,not-a-number\n"
                      "d,head_of_household,45000.49\n", encoding="utf-8")
    target = tmp_path / "out.csv"
    status = main(["batch", "2013", "tax_calculation", str(source), str(target), "--chunk-rows", "2", "--quiet"])
    err = capsys.readouterr().err
    assert status == 1
    assert "row 2: ct_agi: input 'ct_agi' must be a number; got 'not-a-number'" in err
    out = pd.read_csv(target, dtype=str, keep_default_na=False)
    assert list(out["id"]) == ["a", "b", "c", "d"]
    assert out["ct_income_tax"].tolist() == [str(_expected("single", 60000)),
                                             str(_expected("married_filing_jointly", "120000.50")), "",
                                             str(_expected("head_of_household", "45000.49"))]
    assert out["error_field"].tolist() == ["", "", "ct_agi", ""]
    assert out["credit_decimal"][0] == "0.02"


def test_parquet_in_parquet_out_in_chunks(tmp_path, capsys):
    frame = pd.DataFrame({"filing_status": ["single", "married_filing_separately", "qualifying_surviving_spouse"] * 5,
                          "ct_agi": list(range(10_000, 160_000, 10_000))})
    source, target = tmp_path / "in.parquet", tmp_path / "out.parquet"
    frame.to_parquet(source)
    assert main(["batch", "2013", "tax_calculation", str(source), str(target), "--chunk-rows", "4", "--quiet"]) == 0
    out = pq.read_table(target)
    assert out.num_rows == 15
    assert out.column("ct_income_tax").to_pylist() == [_expected(s, a) for s, a in zip(frame.filing_status,
                                                                                        frame.ct_agi)]


def test_unknown_extension_and_worksheet_are_clear_errors(tmp_path, capsys):
    source = tmp_path / "in.txt"
    source.write_text("x", encoding="utf-8")
    assert main(["batch", "2013", "tax_calculation", str(source), str(tmp_path / "o.csv")]) == 1
    assert "expected a .csv or .parquet file" in capsys.readouterr().err
    csv = tmp_path / "in.csv"
    csv.write_text("filing_status,ct_agi\nsingle,1\n", encoding="utf-8")
    assert main(["batch", "2013", "no_such_sheet", str(csv), str(tmp_path / "o.csv")]) == 1
    assert "has no worksheet 'no_such_sheet'" in capsys.readouterr().err


@pytest.mark.parametrize("content", [b"id,filing_status,ct_agi\ncaf\xe9,single,100\n",
                                     b"id,fil\xe9ng_status,ct_agi\na,single,100\n",  # found by fuzzing
                                     b"id,filing_status,ct_agi\na,sing\xe9le,100\n",
                                     b"id,filing_status,ct_agi\n" + b"a,single,1\n" * 10000 + b"b,single,1\xe9\n"])
def test_latin1_bytes_in_a_csv_are_a_clear_error(tmp_path, capsys, content):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_bytes(content)
    status, _, err = run(capsys, "batch", "2013", "tax_calculation", str(source), str(target), "--quiet")
    assert status == 1 and "UTF-8" in err and "Traceback" not in err
    assert not target.exists()
