"""``ctax batch YEAR WORKSHEET IN OUT``: evaluate a CSV or Parquet file of returns, chunk by chunk.

The input is read in chunks of about ``--chunk-rows`` rows (a CSV file in small blocks joined into chunks),
each chunk is evaluated with ``engine.evaluate_batch`` and appended to the output as it completes, so memory
stays flat however large the file is. Nothing on this path imports pandas. The output holds the input columns,
then one column per output, then ``error_field`` and ``error`` (empty for good rows). In a CSV output a text
cell that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return, other than
a plain number) gets a leading ``'`` unless ``--keep-formulas`` is given. Bad rows are listed on standard
error by 0-based row number and field (and, for a CSV input, as FILE:LINE: with the line the row starts on, so
an editor opens it), and make the exit status 1; the other rows are still written. The format of each file
follows its extension: .csv or .parquet (.pq)."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import engine
from engine.arguments import positive_whole_number
from engine.errors import CtaxError, MissingExtraError, RowError
from engine.present.terminal import terminal_text
from engine.safefiles import atomic_output, interrupts_as_exceptions, same_file

MAX_LISTED = 20
CSV_BLOCK_BYTES = 1 << 18  # at most this many bytes of CSV parsed at a time (the reader holds up to 32 blocks)
_UTF8_HINT = "ctax batch reads CSV files as UTF-8 (save the file as UTF-8, e.g. from Latin-1)"


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
            return _row_groups(handle, chunk_rows), handle.metadata.num_rows, "rows"
        # Inputs are read as text so a later block cannot break a type guessed from the first;
        # evaluate_batch reads plain numbers exactly and hands anything else to the scalar path.
        # The reader reads up to 32 blocks ahead whatever the file's size: small blocks keep that
        # small (and flat from 1M rows up); _regrouped joins them into chunks of chunk_rows rows.
        block = min(CSV_BLOCK_BYTES, max(1 << 16, chunk_rows * 48))
        reader = csv.open_csv(path, read_options=csv.ReadOptions(block_size=block),
                              convert_options=csv.ConvertOptions(column_types={n: pa.string() for n in inputs},
                                                                 strings_can_be_null=True))
        return iter(reader), Path(path).stat().st_size, "bytes"
    except (OSError, pa.ArrowException) as error:
        hint = f"; {_UTF8_HINT}" if "UTF8" in str(error) else ""
        raise BatchFileError(f"{path}: cannot read: {error}{hint}") from None


def _row_groups(handle: Any, chunk_rows: int) -> Iterator[Any]:
    """A Parquet file's record batches, one row group at a time: read over the whole file at once,
    the reader holds several row groups ahead (so more memory for a longer file); one thread, as
    the worksheet's evaluation, not the decoding, takes the time."""
    for group in range(handle.num_row_groups):
        yield from handle.iter_batches(batch_size=chunk_rows, row_groups=[group], use_threads=False)


def _regrouped(batches: Iterator[Any], chunk_rows: int, source: str, target: str) -> Iterator[tuple[Any, int]]:
    """Tables of exactly ``chunk_rows`` rows (the last may have fewer) cut from the reader's record
    batches, whatever their size, each with the bytes read since the one before (for the progress bar)."""
    import pyarrow as pa

    pending: list[Any] = []
    rows = read = size = 0
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            break
        except pa.ArrowException as error:
            hint = f"; {_UTF8_HINT}" if "UTF8" in str(error) else ""
            raise BatchFileError(f"{source}: cannot read after row {read}: {error}{hint}; "
                                 f"{target} was left unchanged") from None
        pending.append(batch)
        rows, read, size = rows + batch.num_rows, read + batch.num_rows, size + batch.nbytes
        while rows >= chunk_rows:
            table = pa.Table.from_batches(pending)
            yield table.slice(0, chunk_rows), size
            rest = table.slice(chunk_rows)
            pending, rows, size = rest.to_batches(), rest.num_rows, 0
    if rows:
        yield pa.Table.from_batches(pending), size


# A CSV cell starting with one of these is run as a formula by spreadsheet programs (=HYPERLINK(...),
# @SUM(...), a tab or carriage return before one); plain numbers such as -12.5 are left as they are.
_FORMULA_START = r"^[=+\-@\t\r]"
_PLAIN_NUMBER = r"^[+-]?[0-9]+(\.[0-9]+)?$"


def neutralise_formulas(table: Any) -> Any:
    """``table`` with every text cell that a spreadsheet would run as a formula prefixed with ``'``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from engine.batch.arrow import text_scalar

    for index, field in enumerate(table.schema):
        if not (pa.types.is_string(field.type) or pa.types.is_large_string(field.type)):
            continue
        column = table.column(index)
        risky = pc.and_(pc.match_substring_regex(column, _FORMULA_START),
                        pc.invert(pc.match_substring_regex(column, _PLAIN_NUMBER)))
        quoted = pc.binary_join_element_wise(text_scalar("'", field.type), column, text_scalar("", field.type))
        risky = pc.and_kleene(risky, risky.is_valid())  # a null cell stays null
        table = table.set_column(index, field, pc.if_else(risky, quoted, column))
    return table


def parquet_options(schema: Any) -> dict[str, Any]:
    """How a Parquet output is written: chosen for speed (measured in bench/batch_io.py).

    Dictionary encoding only for text columns: a filing status or a copied name column shrinks to a
    few bytes per row, while hashing every amount of a numeric column costs more than half the
    writing time and saves little. Snappy: about as fast as no compression here (the file is
    three times smaller, so less to write) and read by every Parquet reader, unlike LZ4's two
    variants. Each chunk is written as it completes, so a row group is one chunk (--chunk-rows).
    """
    import pyarrow as pa

    def is_text(kind: Any) -> bool:
        if pa.types.is_dictionary(kind):
            return True
        return pa.types.is_string(kind) or pa.types.is_large_string(kind)

    return {"compression": "snappy", "use_dictionary": [f.name for f in schema if is_text(f.type)]}


class _Writer:
    """Writes Arrow tables to an open file as CSV or Parquet, created on the first table."""

    def __init__(self, handle: Any, kind: str, metadata: dict[bytes, bytes], keep_formulas: bool = False):
        self.handle, self.kind, self.metadata, self.writer = handle, kind, metadata, None
        self.keep_formulas = keep_formulas

    def write(self, table: Any) -> None:
        import pyarrow.csv as csv
        import pyarrow.parquet as pq

        if self.writer is None:
            # the result's own metadata (year, worksheet, draft) beside the writer's key
            self.metadata = {**(table.schema.metadata or {}), **self.metadata}
            schema = table.schema.with_metadata(self.metadata)
            self.writer = (pq.ParquetWriter(self.handle, schema, **parquet_options(schema))
                           if self.kind == "parquet" else csv.CSVWriter(self.handle, table.schema))
        if self.kind == "parquet":
            table = table.replace_schema_metadata(self.metadata)
        elif not self.keep_formulas:
            table = neutralise_formulas(table)
        assert self.writer is not None  # made above for the first chunk
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


# A Parquet output carries this key in its schema metadata; a CSV output is recognised by its last
# two header cells, error_field and error. Any other existing OUT needs --force to be replaced.
WRITER_KEY = b"ctax.batch"
RESULT_COLUMNS = ("error_field", "error")


def written_by_ctax(path: str, kind: str) -> bool:
    """True when ``path`` looks like an output of ``ctax batch`` (so replacing it loses nothing new)."""
    if not os.path.isfile(path):
        return False  # a FIFO or device is never opened (reading it could block forever)
    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            return WRITER_KEY in (pq.read_schema(path).metadata or {})
        import csv as csv_text

        with open(path, encoding="utf-8", errors="replace", newline="") as handle:
            header = next(csv_text.reader([handle.readline(1 << 20)]), [])
        return tuple(header[-2:]) == RESULT_COLUMNS
    except Exception:  # noqa: BLE001 - any failure to read it (OSError, a pyarrow error, bad text) means it is not ours
        return False


def _check_target(source: str, target: str, kind_out: str, force: bool) -> None:
    if same_file(source, target) or Path(source).resolve() == Path(target).resolve():
        raise BatchFileError(f"the output file {target} must not be the input file (it is the same file)")
    if os.path.lexists(target):
        if os.path.isdir(target):
            raise BatchFileError(f"{target}: is a folder, not a file")
        if not force and not written_by_ctax(target, kind_out):
            raise BatchFileError(f"{target} exists and was not written by ctax batch; pass --force to replace it")


def _check_columns(names: list[str], sheet: Any) -> None:
    """Refuse non-input columns whose names an output or an error column would take over."""
    taken = set(sheet.outputs) | set(RESULT_COLUMNS)
    clashes = [n for n in names if n not in sheet.inputs and n in taken]
    if clashes:
        raise BatchFileError(f"column(s) {', '.join(map(repr, clashes))} of the input are not inputs of "
                             f"'{sheet.name}' but have the name of an output or error column; rename them")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise BatchFileError(f"the input has more than one column named {', '.join(map(repr, repeated))}")


def _schema(path: str, kind: str, inputs: list[str]) -> Any:
    import pyarrow as pa
    import pyarrow.csv as csv
    import pyarrow.parquet as pq

    try:
        if kind == "parquet":
            return pq.read_schema(path)
        with csv.open_csv(path, read_options=csv.ReadOptions(block_size=1 << 16),
                          convert_options=csv.ConvertOptions(column_types={n: pa.string() for n in inputs})) as r:
            schema = r.schema
            schema.names  # noqa: B018 - decodes the header: Latin-1 bytes in it fail here, not later
            return schema
    except UnicodeDecodeError:
        raise BatchFileError(f"{path}: the header is not UTF-8 text; {_UTF8_HINT}") from None
    except (OSError, pa.ArrowException) as error:
        hint = f"; {_UTF8_HINT}" if "UTF8" in str(error) else ""
        raise BatchFileError(f"{path}: cannot read: {error}{hint}") from None


def evaluate_chunk(year: str, worksheet: str, chunk: Any, offset: int = 0,
                   rules: str | None = None) -> tuple[Any, list[RowError]]:
    """One Arrow table of rows evaluated: (its columns, then the outputs, ``error_field`` and ``error``;
    the bad rows numbered from ``offset``). Columns that are not inputs are copied unchanged."""
    from engine import api
    from engine.batch.evaluate import evaluate_batch

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
              rules: str | None = None, progress: bool = True, force: bool = False,
              keep_formulas: bool = False, notes: bool = True) -> list[RowError]:
    """Evaluate every row of ``source`` into ``target``; returns the bad rows (RowError list).

    ``target`` is replaced only when every row has been written: on an error or an interrupt it keeps
    its previous content. An existing ``target`` that ctax batch did not write needs ``force``. In a
    CSV output, text cells a spreadsheet would run as formulas get a leading ``'`` unless ``keep_formulas``.
    """
    try:
        import pyarrow as pa
    except ModuleNotFoundError as error:
        raise MissingExtraError("ctax batch", error) from None
    from engine import api

    if chunk_rows < 1:
        raise BatchFileError(f"chunk_rows must be 1 or more, not {chunk_rows}")
    sheet = api.load(year, rules).worksheet(worksheet)
    kind_in, kind_out = _format(source), _format(target)
    _check_target(source, target, kind_out, force)
    schema = _schema(source, kind_in, list(sheet.inputs))
    _check_columns(list(schema.names), sheet)
    extra = [n for n in schema.names if n not in sheet.inputs]
    if extra and notes:
        how = "unchanged" if kind_out == "parquet" or keep_formulas else "(text starting with = + - @ gets a leading ')"
        print(f"note: columns {', '.join(map(terminal_text, extra))} are not inputs of '{terminal_text(worksheet)}'; "
              f"copied to the output {how}", file=sys.stderr)
    batches, total, unit = _chunks(source, kind_in, list(sheet.inputs), chunk_rows)
    bad: list[RowError] = []
    offset = 0
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn(terminal_text(f"{worksheet} {year}"), markup=False), BarColumn(), TaskProgressColumn(),
                   TimeRemainingColumn(), TextColumn("{task.fields[rows]:,} rows"), disable=not progress,
                   transient=False, console=None)

    def evaluate(chunk: Any) -> Any:
        out, chunk_bad = evaluate_chunk(year, worksheet, chunk, offset, rules=rules)
        bad.extend(chunk_bad)
        return out

    def write_all(writer: _Writer, task: Any) -> None:
        nonlocal offset
        for chunk, size in _regrouped(batches, chunk_rows, source, target):
            for field in chunk.schema:
                if pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type):
                    raise BatchFileError(f"{source}: column '{field.name}' is not UTF-8 text; {_UTF8_HINT}")
            try:
                writer.write(evaluate(chunk))
            except pa.ArrowException as error:
                raise BatchFileError(f"cannot write {target}: {error}; it was left unchanged") from None
            offset += chunk.num_rows
            bar.update(task, advance=size if unit == "bytes" else chunk.num_rows, rows=offset)
        if writer.writer is None:  # no rows at all: still a complete file with every column
            writer.write(evaluate(schema.empty_table()))
        if unit == "bytes":
            bar.update(task, completed=total)

    try:
        with atomic_output(target) as handle, bar:
            writer = _Writer(handle, kind_out, {WRITER_KEY: engine.__version__.encode()}, keep_formulas)
            try:
                write_all(writer, bar.add_task("batch", total=total, rows=0))
            finally:
                writer.close()  # after a failure this only completes the temporary file, which is removed
    except OSError as error:
        raise BatchFileError(f"cannot write {target}: {error}") from None
    return bad


def csv_lines(path: str, rows: list[int]) -> dict[int, int]:
    """The 1-based line of the file on which each 0-based data row starts (quoted newlines counted)."""
    import csv

    wanted = set(rows)
    found: dict[int, int] = {}
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
    try:
        with interrupts_as_exceptions():
            bad = run_batch(args.year, args.worksheet, args.input, args.output, chunk_rows=args.chunk_rows,
                            rules=args.rules, progress=not args.quiet and sys.stderr.isatty(), force=args.force,
                            keep_formulas=args.keep_formulas, notes=not args.quiet)
    except KeyboardInterrupt:
        print(f"error: interrupted; {terminal_text(args.output)} was left unchanged", file=sys.stderr)
        return 1
    shown = bad[:MAX_LISTED]
    lines = csv_lines(args.input, [e.row for e in shown]) if _format(args.input) == "csv" else {}
    for error in shown:
        where = f"{args.input}:{lines[error.row]}: " if error.row in lines else ""
        print(terminal_text(f"{where}{error}"), file=sys.stderr)
    if len(bad) > MAX_LISTED:
        print(f"... and {len(bad) - MAX_LISTED} more bad rows (see the 'error' column of "
              f"{terminal_text(args.output)})",
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
    p.add_argument("--chunk-rows", type=positive_whole_number, default=100_000, metavar="N",
                   help="rows per chunk (default 100000)")
    p.add_argument("--force", action="store_true", help="replace an existing OUT that ctax batch did not write")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no notes (bad rows are still listed)")
    p.add_argument("--keep-formulas", action="store_true",
                   help="CSV output: keep text cells starting with = + - @ as they are (by default they get a "
                        "leading ' so that a spreadsheet shows them instead of running them)")
    p.set_defaults(func=cmd_batch)
