"""Peak memory and throughput of ``ctax batch`` by input size and format, run on demand.

``python bench/batch_io.py [--sizes 1000000 4000000 16000000] [--formats csv parquet]`` writes
each input with pyarrow (filing statuses and amounts with cents, a copied ``id`` column) into a
temporary folder, runs ``python -m engine batch YEAR tax_calculation IN OUT --quiet`` under
``/usr/bin/time`` (a small parent, so the child's peak is its own) and prints one JSON object per
run: rows, seconds, rows per second, peak RSS in MB, input and output size. Each input and output
is deleted before the next size is written, so the disk holds one pair at a time.  The target is
a peak memory that does not grow with the input (within 10% from 1M to 16M rows).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATUSES = ("single", "married_filing_jointly", "married_filing_separately", "head_of_household",
            "qualifying_surviving_spouse")


def write_input(path: Path, rows: int, kind: str, seed: int = 13) -> None:
    """``rows`` returns in ``path`` (.csv or .parquet), written piece by piece to keep this process small."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as csv
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    piece = 1 << 20
    writer = None
    for start in range(0, rows, piece):
        n = min(piece, rows - start)
        cents = rng.integers(0, 100_000_000, n)
        table = pa.table({
            "id": pa.array(np.arange(start, start + n)),
            "filing_status": pa.array(np.array(STATUSES, dtype=object)[rng.integers(0, len(STATUSES), n)], pa.string()),
            "ct_agi": pa.array(cents / 100, pa.float64()),
        })
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema) if kind == "parquet" else csv.CSVWriter(path, table.schema)
        writer.write_table(table)
    writer.close()


def measure(year: str, source: Path, target: Path, rows: int, extra: list[str]) -> dict:
    command = ["/usr/bin/time", "-f", "%M %e", sys.executable, "-m", "engine", "batch", year, "tax_calculation",
               str(source), str(target), "--quiet", *extra]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"ctax batch failed ({done.returncode}): {done.stderr[-2000:]}")
    peak_kb = int(done.stderr.strip().splitlines()[-1].split()[0])
    return {"rows": rows, "format": source.suffix[1:], "seconds": round(seconds, 2),
            "rows_per_s": round(rows / seconds), "peak_rss_mb": round(peak_kb / 1024, 1),
            "input_mb": round(source.stat().st_size / 2 ** 20, 1), "output_mb": round(target.stat().st_size / 2 ** 20, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", default="2024")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000_000, 4_000_000, 16_000_000])
    parser.add_argument("--formats", nargs="*", default=["csv", "parquet"])
    parser.add_argument("--folder", default=None, help="where the temporary files go (default: the system's)")
    parser.add_argument("extra", nargs="*", help="more arguments for ctax batch (after --)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.folder) as folder:
        for rows in args.sizes:
            for kind in args.formats:
                source, target = Path(folder) / f"in.{kind}", Path(folder) / f"out.{kind}"
                write_input(source, rows, kind)
                try:
                    print(json.dumps(measure(args.year, source, target, rows, args.extra)), flush=True)
                finally:
                    for path in (source, target):
                        if path.exists():
                            os.remove(path)


if __name__ == "__main__":
    main()
