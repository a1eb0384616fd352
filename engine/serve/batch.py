"""``evaluate-batch`` bodies: a JSON array of input objects, a CSV or a Parquet file, answered in the
same format and streamed chunk by chunk; a bad row gets ``error_field`` and ``error`` (as in ``ctax
batch``) and does not stop the others."""
from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine import api
from engine.errors import CtaxError, MissingExtraError
from engine.run.result import plain
from engine.serve.limits import Limits, check_rows, timed_out
from engine.serve.problems import HttpProblem

JSON, CSV, PARQUET = "application/json", "text/csv", "application/vnd.apache.parquet"
_MEDIA = {"application/json": JSON, "text/csv": CSV, "application/csv": CSV, PARQUET: PARQUET,
          "application/x-parquet": PARQUET, "application/parquet": PARQUET}
JSON_CHUNK_ROWS = 500
ARROW_CHUNK_ROWS = 10_000


def media_type(content_type: str) -> str:
    """The body's format from its Content-Type; 415 for anything else."""
    kind = _MEDIA.get(content_type.partition(";")[0].strip().lower())
    if kind is None:
        raise HttpProblem(415, "Unsupported media type", f"the body must be a JSON array ({JSON}), a CSV file "
                                                         f"({CSV}) or a Parquet file ({PARQUET}); got "
                                                         f"{content_type or 'no Content-Type'}",
                          kind="unsupported-media-type", field="Content-Type")
    return kind


def parse_json(body: bytes) -> Any:
    """JSON with exact decimals; 422 naming the position for malformed text."""
    try:
        return json.loads(body, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise HttpProblem(422, "Malformed JSON", f"the body is not valid JSON: {error.msg} at line {error.lineno} "
                                                 f"column {error.colno}", kind="malformed-body", field="body") from None
    except (ValueError, RecursionError) as error:  # bad UTF-8, a number of more than 4300 digits, deep nesting
        raise HttpProblem(422, "Malformed JSON", f"the body is not valid JSON: {error}", kind="malformed-body",
                          field="body") from None


@dataclass
class Batch:
    """A parsed batch: the rows (a list for JSON, an Arrow table for CSV and Parquet) and their format."""

    kind: str
    rows: Any

    @property
    def count(self) -> int:
        return len(self.rows) if self.kind == JSON else self.rows.num_rows


def read(year: str, worksheet: str, body: bytes, kind: str, limits: Limits,
         rules: str | os.PathLike | None = None) -> Batch:
    """The rows of the body, checked against the row limit; 422 for a body that cannot be read."""
    sheet = api.load(year, rules).worksheet(worksheet)
    if kind == JSON:
        rows = parse_json(body)
        if not isinstance(rows, list):
            raise HttpProblem(422, "Invalid batch", f"the body must be a JSON array of input objects, not "
                                                    f"{type(rows).__name__}", kind="invalid-batch", field="body")
        batch = Batch(kind, rows)
    else:
        batch = Batch(kind, _read_arrow(body, kind, list(sheet.inputs)))
    check_rows(batch.count, limits)
    return batch


def _read_arrow(body: bytes, kind: str, inputs: list[str]) -> Any:
    try:
        import pyarrow as pa
        import pyarrow.csv as csv
        import pyarrow.parquet as pq
    except ModuleNotFoundError as error:
        raise MissingExtraError("evaluate-batch with CSV or Parquet", error) from None
    name = "CSV" if kind == CSV else "Parquet"
    try:
        if kind == CSV:
            # Inputs as text, as ctax batch reads them: evaluate_batch reads plain numbers exactly.
            options = csv.ConvertOptions(column_types={n: pa.string() for n in inputs}, strings_can_be_null=True)
            return csv.read_csv(pa.BufferReader(body), convert_options=options)
        return pq.read_table(pa.BufferReader(body))
    except (pa.ArrowException, OSError, ValueError) as error:
        raise HttpProblem(422, f"Malformed {name}", f"the body is not a readable {name} file: {error}",
                          kind="malformed-body", field="body") from None


def _json_rows(year: str, worksheet: str, rows: list, start: int, rules: Any) -> list[dict[str, Any]]:
    out = []
    for row, given in enumerate(rows, start):
        entry: dict[str, Any] = {"row": row, "outputs": None, "error_field": None, "error": None}
        try:
            if not isinstance(given, dict):
                raise CtaxError(f"inputs must be a mapping of names to values, not {type(given).__name__}")
            entry["outputs"] = plain(api.evaluate(year, worksheet, given, trace=False, rules=rules).outputs)
        except CtaxError as error:
            entry["error_field"] = getattr(error, "field", "inputs")
            entry["error"] = str(error)
        out.append(entry)
    return out


class _Spool(io.RawIOBase):
    """A write-only file whose bytes are taken out as they are written (the Parquet writer's sink)."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.position = 0

    def tell(self) -> int:
        return self.position

    def writable(self) -> bool:
        return True

    def write(self, chunk: Any) -> int:
        self.data += chunk
        self.position += len(chunk)
        return len(chunk)

    def take(self) -> bytes:
        out, self.data = bytes(self.data), bytearray()
        return out


def chunks(year: str, worksheet: str, batch: Batch, limits: Limits, started: float,
           rules: str | os.PathLike | None = None) -> Iterator[bytes]:
    """The answer's bytes, one evaluated chunk at a time (blocking: run it on a worker thread).

    The time limit is checked after every chunk: a batch that passes it before the first bytes
    are sent is answered 503; later, the answer is cut off (the connection closes early).
    """
    def check_time() -> None:
        if time.monotonic() - started > limits.time_limit:
            raise timed_out(limits.time_limit)

    if batch.kind == JSON:
        for start in range(0, max(batch.count, 1), JSON_CHUNK_ROWS):
            rows = _json_rows(year, worksheet, batch.rows[start:start + JSON_CHUNK_ROWS], start, rules)
            check_time()
            text = ",\n".join(json.dumps(r) for r in rows)
            yield (("[\n" if start == 0 else ",\n") + text).encode()
        yield b"\n]\n"
        return
    import pyarrow.csv as csv
    import pyarrow.parquet as pq

    from engine.batch.cli import evaluate_chunk

    spool = _Spool()
    if batch.kind == CSV:
        for start in range(0, max(batch.count, 1), ARROW_CHUNK_ROWS):
            # until evaluate_chunk's annotation says what it passes on to engine.api: a str or a path
            out, _ = evaluate_chunk(year, worksheet, batch.rows.slice(start, ARROW_CHUNK_ROWS), start,
                                    rules=rules)  # type: ignore[arg-type]
            check_time()
            csv.write_csv(out, spool, write_options=csv.WriteOptions(include_header=start == 0))
            yield spool.take()
        return
    # A Parquet file has one schema, and a chunk of only bad rows has null-typed outputs: the chunks
    # are evaluated first, given one schema, then written as row groups.
    import pyarrow as pa

    parts = []
    for start in range(0, max(batch.count, 1), ARROW_CHUNK_ROWS):
        parts.append(evaluate_chunk(year, worksheet, batch.rows.slice(start, ARROW_CHUNK_ROWS), start,
                                    rules=rules)[0])  # type: ignore[arg-type]
        check_time()
    table = pa.concat_tables(parts, promote_options="permissive")
    with pq.ParquetWriter(spool, table.schema) as writer:
        for start in range(0, max(table.num_rows, 1), ARROW_CHUNK_ROWS):
            writer.write_table(table.slice(start, ARROW_CHUNK_ROWS))
            yield spool.take()
    yield spool.take()
