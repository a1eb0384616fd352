"""ctax benchmarks, run on demand (never part of the test suite): ``python bench/run.py``.

Measures, on this machine, in one run, each against a reference measured in the same run:
  single   one evaluation of tax_calculation with and without the trace (median per call), and
           the ratio to the hand-written Decimal function of bench/references.py
  cold     `python -m engine evaluate YEAR tax_calculation filing_status=single ct_agi=60000` as a
           whole process: with the on-disk rule cache warm, with an empty cache, and with it off
  load     loading and validating every year from scratch (no cache) in a fresh process
  batch    engine.evaluate_batch returns per second over 1,000,000 rows, and the ratio to the
           hand-written numpy function of bench/references.py on the same columns
  memory   peak memory of `ctax batch` on 1,000,000 and 4,000,000 rows (flat in the input size)
  peer     PolicyEngine-US (bench/peer_policyengine.py) with --peer-python, and the ratios
Prints a JSON report; ``--markdown`` also prints the README table.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def single(year: int) -> dict:
    """Median time per call, the engine traced and untraced interleaved with the hand-written
    Decimal function of bench/references.py (2024 only), and the ratios to it."""
    from decimal import Decimal

    import engine
    from references import tax_2024_decimal

    inputs = {"filing_status": "single", "ct_agi": 60000}
    candidates = {"trace_us": lambda: engine.evaluate(year, "tax_calculation", inputs, trace=True),
                  "no_trace_us": lambda: engine.evaluate(year, "tax_calculation", inputs, trace=False)}
    if year == 2024:
        candidates["reference_us"] = lambda: tax_2024_decimal("single", Decimal(60000))
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(31):
        for name, call in candidates.items():
            call()
            start = time.perf_counter_ns()
            for _ in range(500):
                call()
            samples[name].append((time.perf_counter_ns() - start) / 500 / 1000)
    out = {name: statistics.median(values) for name, values in samples.items()}
    if "reference_us" in out:
        out["trace_ratio_to_reference"] = out["trace_us"] / out["reference_us"]
        out["no_trace_ratio_to_reference"] = out["no_trace_us"] / out["reference_us"]
    return out


def _run(args: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=env)
    return time.perf_counter() - start


def cold(year: int, runs: int = 15) -> dict:
    command = [sys.executable, "-m", "engine", "evaluate", str(year), "tax_calculation", "filing_status=single",
               "ct_agi=60000"]
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "CTAX_CACHE_DIR": cache}
        _run(command, env)  # fills the cache
        warm = [_run(command, env) for _ in range(runs)]
    empty = []
    for _ in range(5):
        with tempfile.TemporaryDirectory() as cache:
            empty.append(_run(command, {**os.environ, "CTAX_CACHE_DIR": cache}))
    off = [_run(command, {**os.environ, "CTAX_CACHE_DIR": "off"}) for _ in range(5)]
    bare = [_run([sys.executable, "-c", "pass"]) for _ in range(runs)]
    return {"warm_cache_ms": statistics.median(warm) * 1000, "empty_cache_ms": statistics.median(empty) * 1000,
            "cache_off_ms": statistics.median(off) * 1000, "python_startup_ms": statistics.median(bare) * 1000}


def load_all() -> dict:
    code = ("import time; t=time.perf_counter(); import engine; from engine.loading.ruleset import check_ruleset, rules_dir; "
            "i=time.perf_counter(); years=engine.years(); "
            "[check_ruleset(rules_dir()/str(y)) for y in years]; e=time.perf_counter(); "
            "print(i-t, e-i, len(years), sum(1 for y in years for p in (rules_dir()/str(y)).rglob('*.yaml')))")
    results = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT,
                             env={**os.environ, "CTAX_CACHE_DIR": "off"}).stdout.split()
        results.append(out)
    return {"import_ms": statistics.median(float(r[0]) for r in results) * 1000,
            "load_validate_all_years_ms": statistics.median(float(r[1]) for r in results) * 1000,
            "years": int(results[0][2]), "rule_files": int(results[0][3])}


def batch(year: int, n: int = 1_000_000) -> dict:
    """Rows per second of evaluate_batch, interleaved with the hand-written numpy function of
    bench/references.py on the same columns (2024 only), and the ratio to it."""
    import numpy as np
    import pandas as pd

    from engine.batch.evaluate import evaluate_batch
    from references import STATUSES, tax_2024_numpy

    rng = np.random.default_rng(0)
    codes = rng.integers(0, 5, n)
    statuses = np.array(STATUSES, dtype=object)[codes]
    cents = rng.integers(-100_000, 200_000_000, n)
    frames = {
        "int_dollars": pd.DataFrame({"filing_status": statuses, "ct_agi": cents // 100}),
        "float_cents": pd.DataFrame({"filing_status": statuses, "ct_agi": cents / 100}),
    }
    candidates = {f"{name}_rows_per_s": (lambda frame=frame: evaluate_batch(year, "tax_calculation", frame))
                  for name, frame in frames.items()}
    if year == 2024:
        candidates["reference_numpy_rows_per_s"] = lambda: tax_2024_numpy(codes, cents)
    evaluate_batch(year, "tax_calculation", frames["int_dollars"].head(100))
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(5):
        for name, call in candidates.items():
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    out = {name: n / statistics.median(values) for name, values in times.items()}
    if "reference_numpy_rows_per_s" in out:
        out["ratio_to_reference"] = out["int_dollars_rows_per_s"] / out["reference_numpy_rows_per_s"]
    return out


def memory(year: int) -> dict:
    import numpy as np
    import pandas as pd

    import engine

    out = {}
    with tempfile.TemporaryDirectory() as folder:
        for n in (1_000_000, 4_000_000):
            rng = np.random.default_rng(n)
            frame = pd.DataFrame({"filing_status": np.array(engine.FILING_STATUSES, dtype=object)[rng.integers(0, 5, n)],
                                  "ct_agi": rng.integers(0, 1_000_000, n)})
            for kind in ("csv", "parquet"):
                source = Path(folder) / f"in.{kind}"
                frame.to_csv(source, index=False) if kind == "csv" else frame.to_parquet(source)
                # VmHWM (this process's own peak); ru_maxrss would include the parent's peak at fork
                code = ("import re, time; from engine.cli import main; t=time.perf_counter(); "
                        f"main(['batch', '{year}', 'tax_calculation', '{source}', '{Path(folder) / ('out.' + kind)}', "
                        "'--quiet']); print(time.perf_counter()-t, "
                        "re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))")
                seconds, rss = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                                              cwd=ROOT).stdout.split()
                out[f"{kind}_{n}"] = {"seconds": float(seconds), "peak_rss_mb": int(rss) / 1024,
                                      "input_mb": source.stat().st_size / 2 ** 20, "rows_per_s": n / float(seconds)}
    return out


def peer(python: str, year: int) -> dict:
    result = subprocess.run([python, str(ROOT / "bench" / "peer_policyengine.py"), "--year", str(year)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        return {"error": result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "failed"}
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--peer-python", help="an interpreter with policyengine-us (the 'bench' extra)")
    parser.add_argument("--only", nargs="*", default=["single", "cold", "load", "batch", "memory", "peer"])
    args = parser.parse_args()
    report = {"machine": machine(), "year": args.year}
    if "single" in args.only:
        report["single"] = single(args.year)
    if "cold" in args.only:
        report["cold"] = cold(args.year)
    if "load" in args.only:
        report["load"] = load_all()
    if "batch" in args.only:
        report["batch"] = batch(args.year)
    if "memory" in args.only:
        report["memory"] = memory(args.year)
    if "peer" in args.only and args.peer_python:
        report["peer"] = peer(args.peer_python, args.year)
        p = report["peer"]
        if "error" not in p and "single" in report:
            report["ratios"] = {
                "single_household": p["household_median_seconds"] * 1e6 / report["single"]["trace_us"],
                "batch": report["batch"]["int_dollars_rows_per_s"] / p["batch_households_per_second"]
                if "batch" in report else None,
                "cold_start": p["import_seconds"] * 1000 / report["cold"]["warm_cache_ms"] if "cold" in report else None,
            }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
