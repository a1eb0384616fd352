"""``ctax batch`` loses nothing: OUT is replaced only by a complete output,
never is the input, never silently replaces a column or a file ctax did not write."""
from __future__ import annotations

import os
import signal

import pandas as pd
import pyarrow.parquet as pq
import pytest
from cli_helpers import run

import engine.batch.evaluate
from engine.safefiles import atomic_output, same_file

PREVIOUS = "id,filing_status,ct_agi,ct_income_tax,error_field,error\nold,single,1,0,,\n"


def _returns(path, rows: int = 6) -> None:
    lines = ["id,filing_status,ct_agi"] + [f"r{i},single,{10_000 + i}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _interrupt_on_second_chunk(monkeypatch, interrupt) -> None:
    real = engine.batch.evaluate.evaluate_batch
    calls = []

    def evaluate_then_interrupt(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the first chunk is already written to the temporary file
            interrupt()
        return real(*args, **kwargs)

    monkeypatch.setattr(engine.batch.evaluate, "evaluate_batch", evaluate_then_interrupt)


@pytest.mark.parametrize("interrupt", ["sigint", "sigterm"])
def test_an_interrupt_leaves_the_previous_output_untouched(tmp_path, capsys, monkeypatch, interrupt):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    _returns(source, rows=8000)  # about 170 KB: CSV chunks are blocks of at least 64 KB, so three chunks
    target.write_text(PREVIOUS, encoding="utf-8")

    def sigint():
        raise KeyboardInterrupt  # what Python makes of SIGINT (Ctrl-C)

    def sigterm():
        os.kill(os.getpid(), signal.SIGTERM)  # kill PID: without a handler the process would just die

    _interrupt_on_second_chunk(monkeypatch, sigint if interrupt == "sigint" else sigterm)
    previous_handler = signal.getsignal(signal.SIGTERM)
    status, _, err = run(capsys, "batch", "2013", "tax_calculation", str(source), str(target),
                         "--chunk-rows", "2", "--quiet")
    assert status == 1
    assert "interrupted" in err and "left unchanged" in err
    assert target.read_text(encoding="utf-8") == PREVIOUS
    assert _leftovers(tmp_path) == []
    assert signal.getsignal(signal.SIGTERM) == previous_handler  # the handler is only set while writing


def test_an_interrupt_leaves_no_output_when_there_was_none(tmp_path, capsys, monkeypatch):
    source, target = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pd.DataFrame({"filing_status": ["single"] * 6, "ct_agi": range(6)}).to_parquet(source)

    def sigint():
        raise KeyboardInterrupt

    _interrupt_on_second_chunk(monkeypatch, sigint)
    status, _, _ = run(capsys, "batch", "2013", "tax_calculation", str(source), str(target), "--chunk-rows", "2",
                       "--quiet")
    assert status == 1
    assert not target.exists() and _leftovers(tmp_path) == []


def test_a_read_error_late_in_the_input_leaves_the_previous_output(tmp_path, capsys):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    # 8,000 good rows (three 64 KB blocks), then a row with one field too many: Arrow fails on a later block
    good = "".join(f"r{i},single,{20_000 + i}\n" for i in range(8000))
    source.write_text("id,filing_status,ct_agi\n" + good + "bad,single,1,extra\n", encoding="utf-8")
    target.write_text(PREVIOUS, encoding="utf-8")
    status, _, err = run(capsys, "batch", "2013", "tax_calculation", str(source), str(target),
                         "--chunk-rows", "10", "--quiet")
    assert status == 1
    assert "cannot read after row" in err and "left unchanged" in err
    assert target.read_text(encoding="utf-8") == PREVIOUS
    assert _leftovers(tmp_path) == []


def test_a_complete_run_replaces_a_previous_ctax_output(tmp_path, capsys):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    _returns(source, rows=3)
    target.write_text(PREVIOUS, encoding="utf-8")
    assert run(capsys, "batch", "2013", "tax_calculation", str(source), str(target), "--quiet")[0] == 0
    out = pd.read_csv(target, dtype=str, keep_default_na=False)
    assert list(out["id"]) == ["r0", "r1", "r2"]
    assert _leftovers(tmp_path) == []
    # and the output just written is recognised as ctax's own: a second run needs no --force
    assert run(capsys, "batch", "2013", "tax_calculation", str(source), str(target), "--quiet")[0] == 0


def test_a_parquet_output_is_marked_and_replaced_without_force(tmp_path, capsys):
    source, target = tmp_path / "in.csv", tmp_path / "out.parquet"
    _returns(source, rows=2)
    assert run(capsys, "batch", "2013", "tax_calculation", str(source), str(target), "--quiet")[0] == 0
    assert b"ctax.batch" in pq.read_schema(target).metadata
    assert run(capsys, "batch", "2013", "tax_calculation", str(source), str(target), "--quiet")[0] == 0


@pytest.mark.parametrize("name,content", [("out.csv", "my,own,spreadsheet\n1,2,3\n"),
                                          ("out.parquet", "not parquet at all")])
def test_an_existing_file_ctax_did_not_write_needs_force(tmp_path, capsys, name, content):
    source, target = tmp_path / "in.csv", tmp_path / name
    _returns(source, rows=2)
    target.write_text(content, encoding="utf-8")
    status, _, err = run(capsys, "batch", "2013", "tax_calculation", str(source), str(target), "--quiet")
    assert status == 1 and "was not written by ctax batch; pass --force" in err
    assert target.read_text(encoding="utf-8") == content
    assert run(capsys, "batch", "2013", "tax_calculation", str(source), str(target), "--quiet", "--force")[0] == 0
    assert target.read_bytes() != content.encode()


def test_output_hard_linked_to_the_input_is_refused(tmp_path, capsys):
    source = tmp_path / "in.csv"
    _returns(source, rows=2)
    before = source.read_bytes()
    link = tmp_path / "out.csv"
    os.link(source, link)  # a different path, the same file: resolve() cannot tell them apart
    status, _, err = run(capsys, "batch", "2013", "tax_calculation", str(source), str(link), "--quiet", "--force")
    assert status == 1 and "must not be the input file" in err
    assert source.read_bytes() == before


def test_output_symlinked_to_the_input_is_refused(tmp_path, capsys):
    source = tmp_path / "in.csv"
    _returns(source, rows=2)
    before = source.read_bytes()
    (tmp_path / "out.csv").symlink_to(source)
    status, _, err = run(capsys, "batch", "2013", "tax_calculation", str(source), str(tmp_path / "out.csv"),
                         "--quiet", "--force")
    assert status == 1 and "must not be the input file" in err
    assert source.read_bytes() == before


@pytest.mark.parametrize("column", ["ct_income_tax", "error", "error_field"])
def test_a_non_input_column_named_like_an_output_is_refused(tmp_path, capsys, column):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(f"filing_status,ct_agi,{column}\nsingle,50000,keep me\n", encoding="utf-8")
    status, _, err = run(capsys, "batch", "2013", "tax_calculation", str(source), str(target), "--quiet")
    assert status == 1
    assert f"'{column}'" in err and "name of an output or error column" in err
    assert not target.exists()


def test_duplicate_column_names_are_refused(tmp_path, capsys):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("filing_status,ct_agi,ct_agi\nsingle,50000,60000\n", encoding="utf-8")
    status, _, err = run(capsys, "batch", "2013", "tax_calculation", str(source), str(target), "--quiet")
    assert status == 1 and "more than one column named 'ct_agi'" in err
    assert not target.exists()


@pytest.mark.parametrize("rows", ["0", "-3", "two"])
def test_chunk_rows_must_be_positive(tmp_path, capsys, rows):
    source = tmp_path / "in.csv"
    _returns(source, rows=1)
    status, _, err = run(capsys, "batch", "2013", "tax_calculation", str(source), str(tmp_path / "o.csv"),
                         "--chunk-rows", rows)
    assert status == 1 and "expected a positive whole number" in err
    assert not (tmp_path / "o.csv").exists()


def test_an_input_with_a_header_only_gives_a_complete_empty_output(tmp_path, capsys):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("id,filing_status,ct_agi\n", encoding="utf-8")
    assert run(capsys, "batch", "2013", "tax_calculation", str(source), str(target), "--quiet")[0] == 0
    header = target.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith('"id","filing_status","ct_agi"') and header.endswith('"error_field","error"')


# ---------------------------------------------------------------- the writer itself


def test_atomic_output_replaces_a_symlink_not_its_target(tmp_path):
    precious = tmp_path / "bashrc"
    precious.write_text("original\n", encoding="utf-8")
    link = tmp_path / "index.md"
    link.symlink_to(precious)
    with atomic_output(link) as handle:
        handle.write(b"# page\n")
    assert precious.read_text(encoding="utf-8") == "original\n"
    assert not link.is_symlink() and link.read_text(encoding="utf-8") == "# page\n"


def test_atomic_output_keeps_the_old_file_on_an_exception(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_output(target) as handle:
        handle.write(b"half")
        raise RuntimeError("read error")
    assert target.read_bytes() == b"old" and _leftovers(tmp_path) == []


def test_same_file_sees_hard_links_and_tells_different_files_apart(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("x", encoding="utf-8")
    b.write_text("x", encoding="utf-8")
    os.link(a, tmp_path / "c")
    assert same_file(a, tmp_path / "c")
    assert not same_file(a, b)
    assert not same_file(a, tmp_path / "missing")


def test_a_fifo_at_out_is_never_opened_without_force(tmp_path, capsys):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    _returns(source, rows=2)
    os.mkfifo(target)  # opening it to read its header would block forever
    status, _, err = run(capsys, "batch", "2013", "tax_calculation", str(source), str(target), "--quiet")
    assert status == 1 and "was not written by ctax batch" in err
    assert run(capsys, "batch", "2013", "tax_calculation", str(source), str(target), "--quiet", "--force")[0] == 0
    assert target.is_file() and target.read_text(encoding="utf-8").startswith('"id"')
