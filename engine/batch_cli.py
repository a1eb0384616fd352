"""``ctax batch YEAR WORKSHEET IN OUT``: evaluate a CSV or Parquet file of returns, chunk by chunk.

The input is read in chunks (``--chunk-rows`` rows of Parquet, or blocks of about that many CSV
rows), each chunk is evaluated with ``engine.evaluate_batch`` and appended to the output, so memory
stays flat however large the file is. The output holds the input columns, then one column per
output, then ``error_field`` and ``error`` (empty for good rows). Bad rows are listed on standard
error by 0-based row number and field (and, for a CSV input, as FILE:LINE: with the line the row starts
on, so an editor opens it), and make the exit status 1; the other rows are still written.
The format of each file follows its extension: .csv or .parquet (.pq).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Iterator

from .errors import CtaxError, MissingExtraError, RowError

MAX_LISTED = 20


class BatchFileError(CtaxError):
    """The input or output file cannot be used."""


def _format(path: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise BatchFileError(f"{path}: expected a .csv or .parquet file")


def _chunks(path: str, kind: str, inputs: list[str], chunk_rows: int) -> tuple[Iterator[Any], int, str]:
    """(iterator of Arrow record batches, total units for the progress bar, unit name)."""
    import pyarrow as pa
    import pyarrow.csv as csv
    import pyarrow.parquet as pq

    try:
        if kind == "parquet":
            handle = pq.ParquetFile(path)
            return handle.iter_batches(batch_size=chunk_rows), handle.metadata.num_rows, "rows"
        # Inputs are read as text so a later block cannot break a type guessed from the first;
        # evaluate_batch reads plain numbers exactly and hands anything else to the scalar path.
        reader = csv.open_csv(path, read_options=csv.ReadOptions(block_size=max(1 << 16, chunk_rows * 48)),
                              convert_options=csv.ConvertOptions(column_types={n: pa.string() for n in inputs},
                                                                 strings_can_be_null=True))
        return iter(reader), Path(path).stat().st_size, "bytes"
    except (OSError, pa.ArrowException) as error:
        raise BatchFileError(f"{path}: cannot read: {error}") from None


class _Writer:
    def __init__(self, path: str, kind: str):
        self.path, self.kind, self.writer = path, kind, None

    def write(self, table: Any) -> None:
        import pyarrow.csv as csv
        import pyarrow.parquet as pq

        if self.writer is None:
            self.writer = (pq.ParquetWriter(self.path, table.schema) if self.kind == "parquet"
                           else csv.CSVWriter(self.path, table.schema))
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def evaluate_chunk(year: str, worksheet: str, chunk: Any, offset: int = 0,
                   rules: str | None = None) -> tuple[Any, list[RowError]]:
    """One Arrow table of rows evaluated: (its columns, then the outputs, ``error_field`` and ``error``;
    the bad rows numbered from ``offset``). Columns that are not inputs are copied unchanged."""
    from . import api
    from .batch import evaluate_batch

    sheet = api.load(year, rules).worksheet(worksheet)
    inputs = chunk.select([n for n in chunk.column_names if n in sheet.inputs])
    result = evaluate_batch(year, worksheet, inputs, errors="report", fallback=True, rules=rules)
    bad = [RowError(offset + row, field or "", message)
           for row, (field, message) in enumerate(zip(result.column("error_field").to_pylist(),
                                                      result.column("error").to_pylist()))
           if message is not None]
    out = chunk
    for name in result.column_names:
        if name in out.column_names:
            out = out.drop_columns([name])
        out = out.append_column(name, result.column(name))
    # the result's metadata (year, worksheet, draft) joins the input's own
    return out.replace_schema_metadata({**(chunk.schema.metadata or {}), **(result.schema.metadata or {})}), bad


def run_batch(year: str, worksheet: str, source: str, target: str, *, chunk_rows: int = 100_000,
              rules: str | None = None, progress: bool = True, notes: bool = True) -> list[RowError]:
    """Evaluate every row of ``source`` into ``target``; returns the bad rows (RowError list)."""
    try:
        import pyarrow as pa
    except ModuleNotFoundError as error:
        raise MissingExtraError("ctax batch", error) from None
    from . import api

    sheet = api.load(year, rules).worksheet(worksheet)
    kind_in, kind_out = _format(source), _format(target)
    if Path(source).resolve() == Path(target).resolve():
        raise BatchFileError("the output file must not be the input file")
    batches, total, unit = _chunks(source, kind_in, list(sheet.inputs), chunk_rows)
    writer = _Writer(target, kind_out)
    bad: list[RowError] = []
    offset = 0
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn(f"{worksheet} {year}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn(),
                   TextColumn("{task.fields[rows]:,} rows"), disable=not progress, transient=False,
                   console=None)
    try:
        with bar:
            task = bar.add_task("batch", total=total, rows=0)
            while True:
                try:
                    batch = next(batches)
                except StopIteration:
                    break
                except pa.ArrowException as error:
                    raise BatchFileError(f"{source}: cannot read after row {offset}: {error}") from None
                chunk = pa.Table.from_batches([batch])
                if offset == 0:
                    extra = [n for n in chunk.column_names if n not in sheet.inputs]
                    if extra and notes:
                        print(f"note: columns {', '.join(extra)} are not inputs of '{worksheet}'; copied to the "
                              f"output unchanged", file=sys.stderr)
                out, chunk_bad = evaluate_chunk(year, worksheet, chunk, offset, rules=rules)
                bad += chunk_bad
                writer.write(out)
                offset += chunk.num_rows
                bar.update(task, advance=batch.nbytes if unit == "bytes" else chunk.num_rows, rows=offset)
            if unit == "bytes":
                bar.update(task, completed=total)
    finally:
        writer.close()
    return bad


def csv_lines(path: str, rows: list[int]) -> dict[int, int]:
    """The 1-based line of the file on which each 0-based data row starts (quoted newlines counted)."""
    import csv

    wanted, found = set(rows), {}
    if not wanted:
        return found
    last = max(wanted)
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.reader(handle)
        row = -1  # the header comes first
        start = 1
        for record in reader:
            if record:  # the Arrow reader skips empty lines, so they hold no row
                if row in wanted:
                    found[row] = start
                row += 1
                if row > last:
                    break
            start = reader.line_num + 1
        if row in wanted:
            found[row] = start
    return found


def cmd_batch(args: argparse.Namespace) -> int:
    bad = run_batch(args.year, args.worksheet, args.input, args.output, chunk_rows=args.chunk_rows,
                    rules=args.rules, progress=not args.quiet and sys.stderr.isatty(), notes=not args.quiet)
    shown = bad[:MAX_LISTED]
    lines = csv_lines(args.input, [e.row for e in shown]) if _format(args.input) == "csv" else {}
    for error in shown:
        where = f"{args.input}:{lines[error.row]}: " if error.row in lines else ""
        print(f"{where}{error}", file=sys.stderr)
    if len(bad) > MAX_LISTED:
        print(f"... and {len(bad) - MAX_LISTED} more bad rows (see the 'error' column of {args.output})",
              file=sys.stderr)
    if bad:
        print(f"{len(bad)} row(s) with bad inputs; their outputs are empty", file=sys.stderr)
        return 1
    return 0


def add_parser(sub: Any, add: Any) -> None:
    """Register ``batch`` on the ctax command line (``add`` is cli.build_parser's helper)."""
    p = add("batch", "Evaluate a worksheet for every row of a CSV or Parquet file, in chunks.")
    p.add_argument("year")
    p.add_argument("worksheet")
    p.add_argument("input", metavar="IN", help="a .csv or .parquet file whose columns are the inputs")
    p.add_argument("output", metavar="OUT", help="a .csv or .parquet file: the input columns, the outputs, errors")
    p.add_argument("--chunk-rows", type=int, default=100_000, metavar="N", help="rows per chunk (default 100000)")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no notes (bad rows are still listed)")
    p.set_defaults(func=cmd_batch)
