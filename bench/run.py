"""ctax benchmarks for issue 13's targets, run on demand (never part of the test suite).

``python bench/run.py`` measures every target of issue 13 on this machine, each beside a reference
measured in the same run (candidates interleaved, medians kept), and prints a JSON report whose
``targets`` list gives, per target, the figure, the reference, the ratio, the goal and whether it is
met; ``--markdown`` prints the same as table rows for the README. Parts (``--only``, comma-separated):

  single      one evaluation of 2024 tax_calculation, traced and untraced, vs the hand-written
              Decimal function of bench/references.py (goals: <= 4x, <= 2x); and, no goal, that function
              with what every engine call must also do (read $CTAX_RULES, its own decimal context)
  batch       evaluate_batch of 2024 tax_calculation at each --batch-rows (default 1M and 10M) vs the
              hand-written numpy function on the same columns (goal: >= 70% of its throughput)
  memory      peak memory of evaluate_batch at 1M vs 10M rows above the inputs and the result
              (goal: bounded working memory: the 10M figure within 10% of the 1M one)
  worksheets  every worksheet of 2023 and 2024 and 2013's ct_w4p on --worksheet-rows rows generated
              from its input specs (bench/generate.py): rows/s, whether it ran as columns (goal: columns,
              >= 1M rows/s); a worksheet without a column form runs row by row on --fallback-rows rows
              and its rate is extrapolated (said in the note)
  cold        `python -m engine evaluate 2024 tax_calculation ...` as a whole process, rule cache warm,
              vs `python -c pass` (goal: <= 5x). Both run with Python's bytecode cache warm, as for an
              installed package: PYTHONDONTWRITEBYTECODE is unset for them, .pyc files go to a
              temporary PYTHONPYCACHEPREFIX, and a warm-up run fills it (and the rule cache) first;
              and, no goal, the floor: a process importing only the modules outside the engine that
              the command imports (standard library and third-party), none of the engine's own code
  cli         `ctax batch` of CSV and Parquet at each --cli-rows (default 1M, 4M, 16M): peak RSS of the
              process (goal: 16M within 10% of 1M) and whether pandas was imported (goal: no)
  peer        PolicyEngine-US (bench/peer_policyengine.py, run with --peer-python) and ctax on the same
              households at the same sizes (--peer-sizes, default 1, 10k, 100k, 1M)
  load        loading and validating every year from scratch (`ctax validate`, no cache); no goal

Only the public API is used (engine.evaluate, engine.evaluate_batch, engine.load, the CLI).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from measure import commit, interleaved, machine, target
from peer_policyengine import sample_rows  # the households both tools are compared on

PARTS = ("single", "batch", "memory", "worksheets", "cold", "cli", "peer", "load")
YEAR = 2024  # the year of the references (bench/references.py)


# ---------------------------------------------------------------- single


def single(rounds: int) -> list[dict]:
    import decimal

    from references import tax_2024_decimal

    import engine

    inputs = {"filing_status": "single", "ct_agi": 60000}
    private = decimal.Context()  # Python's defaults, which the engine's context has too

    def floor() -> Decimal:
        """The reference plus what every engine call must also do whatever its worksheet: read $CTAX_RULES
        (a changed variable is seen at once) and compute in a decimal context of its own, not the caller's."""
        os.environ.get("CTAX_RULES")
        outer = decimal.getcontext()
        decimal.setcontext(private)
        try:
            return tax_2024_decimal("single", Decimal(60000))
        finally:
            decimal.setcontext(outer)

    seconds = interleaved({
        # each reads the tax, as the reference returns it: a result builds its outputs' dict when asked
        "traced": lambda: engine.evaluate(YEAR, "tax_calculation", inputs, trace=True)["ct_income_tax"],
        "untraced": lambda: engine.evaluate(YEAR, "tax_calculation", inputs, trace=False)["ct_income_tax"],
        "reference": lambda: tax_2024_decimal("single", Decimal(60000)),
        "floor": floor,
    }, rounds=rounds, inner=500)
    reference = seconds["reference"] * 1e6
    out = []
    for name, goal in (("traced", 4), ("untraced", 2)):
        ratio = seconds[name] * 1e6 / reference
        out.append(target(f"2024 tax_calculation, one return, {name}", seconds[name] * 1e6, "µs", reference,
                          "hand-written Decimal function", ratio, f"<= {goal}x", ratio <= goal,
                          "median per call, single filer, CT AGI $60,000"))
    out.append(target("the reference plus the fixed cost of any engine call (read $CTAX_RULES; enter and leave a "
                      "decimal context of its own)", seconds["floor"] * 1e6, "µs", reference,
                      "hand-written Decimal function", seconds["floor"] * 1e6 / reference, "", None,
                      f"no goal: what the untraced goal leaves for the lines is {2 - seconds['floor'] * 1e6 / reference:.2f}"
                      " of the reference's time"))
    return out


# ---------------------------------------------------------------- batch tax_calculation


def _tax_columns(n: int, seed: int = 0) -> tuple[Any, Any, Any]:
    """(status codes, CT AGI in cents, the same as an Arrow table of status names and whole dollars)."""
    import numpy as np
    import pyarrow as pa
    from references import STATUSES

    rng = np.random.default_rng(seed)
    codes = rng.integers(0, len(STATUSES), n)
    dollars = rng.integers(-1_000, 2_000_000, n)
    statuses = pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(STATUSES)).cast(pa.string())
    return codes, dollars * 100, pa.table({"filing_status": statuses, "ct_agi": pa.array(dollars)})


def batch(sizes: list[int], rounds: int) -> list[dict]:
    from references import tax_2024_numpy

    import engine

    out = []
    for n in sizes:
        codes, cents, table = _tax_columns(n)
        engine.evaluate_batch(YEAR, "tax_calculation", table.slice(0, 1000))  # imports, rules loaded
        got = engine.evaluate_batch(YEAR, "tax_calculation", table.slice(0, 100_000)).column("ct_income_tax")
        if got.to_pylist() != tax_2024_numpy(codes[:100_000], cents[:100_000]).tolist():
            raise SystemExit("evaluate_batch and the numpy reference disagree: no ratio is taken against a wrong answer")
        seconds = interleaved({
            "ctax": lambda t=table: engine.evaluate_batch(YEAR, "tax_calculation", t),
            "reference": lambda c=codes, a=cents: tax_2024_numpy(c, a),
        }, rounds=rounds if n <= 2_000_000 else max(3, rounds // 2))
        ratio = seconds["reference"] / seconds["ctax"]  # share of the reference's throughput
        out.append(target(f"2024 tax_calculation, evaluate_batch, {n:,} rows", n / seconds["ctax"] / 1e6,
                          "million rows/s", n / seconds["reference"] / 1e6, "hand-written numpy function, same columns",
                          ratio, ">= 0.70 of the reference", ratio >= 0.70,
                          "Arrow table in (status names, whole dollars); ratio = ctax throughput / reference throughput"))
    return out


# ---------------------------------------------------------------- memory of evaluate_batch

_MEMORY_CHILD = r"""
import gc, json, sys
sys.path[:0] = [{root!r}, {bench!r}]
import engine
from measure import peak, reset_peak
from run import _tax_columns
n = {n}
codes, cents, table = _tax_columns(n)
del codes, cents
engine.evaluate_batch({year}, "tax_calculation", table.slice(0, 1000))
gc.collect()
before = reset_peak()
result = engine.evaluate_batch({year}, "tax_calculation", table)
top = peak()
print(json.dumps({{"input_bytes": table.nbytes, "result_bytes": result.nbytes, "before": before, "peak": top}}))
"""


def memory(sizes: list[int]) -> list[dict]:
    figures = {}
    for n in sizes:
        code = _MEMORY_CHILD.format(root=str(ROOT), bench=str(ROOT / "bench"), n=n, year=YEAR)
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
        if done.returncode != 0:
            raise SystemExit(f"memory child failed: {done.stderr.strip()[-500:]}")
        m = json.loads(done.stdout)
        m["working"] = m["peak"] - m["before"] - m["result_bytes"]
        figures[n] = m
    small, large = min(sizes), max(sizes)
    out = []
    for n, m in figures.items():
        out.append(target(f"evaluate_batch working memory, {n:,} rows", m["working"] / 2 ** 20, "MB", None,
                          "", None, "", None,
                          f"peak above the resident inputs ({m['input_bytes'] / 2 ** 20:.0f} MB) minus the result "
                          f"({m['result_bytes'] / 2 ** 20:.0f} MB, which grows with the rows by nature)"))
    ratio = figures[large]["working"] / figures[small]["working"]
    out.append(target(f"evaluate_batch working memory, {large:,} vs {small:,} rows", figures[large]["working"] / 2 ** 20,
                      "MB", figures[small]["working"] / 2 ** 20, f"same at {small:,} rows", ratio,
                      "<= 1.10 (bounded by an internal chunk, not by the input)", ratio <= 1.10))
    return out


# ---------------------------------------------------------------- every worksheet as columns


def _worksheet_list() -> list[tuple[int, str]]:
    import engine

    names = [(2013, "ct_w4p")]
    for year in (2023, 2024):
        names += [(year, name) for name in engine.load(year).worksheets]
    return names


def _comparable(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value)).normalize()
    if isinstance(value, (dt.date, str)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_comparable(v) for v in value]
    return str(value)


def _same(batch: Any, scalar: Any) -> bool:
    if isinstance(scalar, (list, tuple, dict)) and isinstance(batch, str):
        return batch == str(scalar)  # evaluate_batch gives a structured output as its Python text
    return _comparable(batch) == _comparable(scalar)


def _agrees(year: int, name: str, table: Any, result: Any, rows: int) -> tuple[int, str]:
    """How many of the first ``rows`` rows have every output equal to engine.evaluate's (and a first difference)."""
    import engine

    inputs = table.slice(0, rows).to_pylist()
    outputs = result.slice(0, rows).to_pylist()
    agreed, first = 0, ""
    for i, (row, got) in enumerate(zip(inputs, outputs)):
        given = {k: v for k, v in row.items() if v is not None}
        try:
            expected = engine.evaluate(year, name, given, trace=False).outputs
        except Exception as problem:  # noqa: BLE001  the batch reports such a row in its error column
            expected = {"error": str(problem)}
        same = all(_same(got.get(k), v) for k, v in expected.items())
        agreed += same
        if not same and not first:
            first = f"row {i}: batch {got} vs evaluate {expected}"
    return agreed, first


def worksheets(rows: int, fallback_rows: int, rounds: int, check_rows: int) -> list[dict]:
    import generate

    import engine
    from engine.errors import BatchInputError, BatchUnsupportedError

    out = []
    for year, name in _worksheet_list():
        sheet = engine.load(year).worksheet(name)
        try:
            engine.evaluate_batch(year, name, generate.table(sheet, 1000, year), errors="report")
            columns = True
        except BatchUnsupportedError as problem:
            columns, why = False, str(problem).split("; it has no exact column form")[0]
        n = rows if columns else fallback_rows
        table = generate.table(sheet, n, year)
        options = {"fallback": not columns}
        try:
            result = engine.evaluate_batch(year, name, table, **options)
        except BatchInputError:
            options["errors"] = "report"
            result = engine.evaluate_batch(year, name, table, **options)
        bad = n - result.column("error").null_count if "error" in result.column_names else 0
        seconds = interleaved({"ctax": lambda y=year, w=name, t=table, o=options: engine.evaluate_batch(y, w, t, **o)},
                              rounds=rounds if columns else 1)["ctax"]
        agreed, first = _agrees(year, name, table, result, min(check_rows, n))
        rate = n / seconds
        note = "" if columns else f"row by row on {n:,} rows, rate extrapolated to 1M rows ({why})"
        if bad:
            note += f"; {bad:,} generated rows refused by the worksheet (errors='report')"
        note += f"; equal to engine.evaluate on {agreed}/{min(check_rows, n)} sampled rows"
        if first:
            note += f" (first difference: {first[:300]})"
        out.append(target(f"{year} {name}, as columns" if columns else f"{year} {name}, row by row",
                          rate / 1e6, "million rows/s", None, "", None, "runs as columns, >= 1M rows/s",
                          columns and rate >= 1e6, note.lstrip("; ")))
    return out


# ---------------------------------------------------------------- cold start


# a child's modules, written when it exits
_MODULES_AT_EXIT = """import atexit, json, sys
atexit.register(lambda: open({report!r}, "w").write(json.dumps(sorted(sys.modules))))
"""
_RUN_CLI = """import runpy
sys.argv = ["ctax"] + {args!r}
runpy.run_module("engine", run_name="__main__", alter_sys=True)
"""
_FLOOR = r"""
import importlib
for name in {modules!r}:
    try:
        importlib.import_module(name)
    except ImportError:  # a name only an import of its package makes (typing.io)
        pass
"""


def _libraries_imported(args: list[str], env: dict[str, str]) -> list[str]:
    """The modules outside the engine that ``python -m engine ARGS`` imports and `python -c pass` does not."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "modules.json"
        modules = []
        for code in (_MODULES_AT_EXIT + _RUN_CLI.format(args=args), _MODULES_AT_EXIT):
            subprocess.run([sys.executable, "-c", code.format(report=str(report))], check=True,
                           stdout=subprocess.DEVNULL, cwd=ROOT, env=env)
            modules.append(json.loads(report.read_text()))
    used, bare = modules
    return [name for name in used if name not in bare and name.split(".")[0] not in ("engine", "runpy")]


def _installed(names: set[str]) -> list[str]:
    """Those of the top-level module ``names`` that come from site-packages, not the standard library."""
    import importlib.util

    found = []
    for name in sorted(names):
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):  # a module without a spec (ValueError) counts as not installed
            continue
        if spec is not None and "-packages" in str(spec.origin):
            found.append(name)
    return found


def cold(rounds: int) -> list[dict]:
    args = ["evaluate", str(YEAR), "tax_calculation", "filing_status=single", "ct_agi=60000"]
    command = [sys.executable, "-m", "engine", *args]
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as pycache:
        # A user's installed package has its .pyc files: measure with the bytecode cache warm (in a private prefix,
        # so a read-only tree works too and nothing is left behind), not compiling the engine in every run.
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env.update({"CTAX_CACHE_DIR": cache, "PYTHONPYCACHEPREFIX": pycache})
        for warm_up in (command, [sys.executable, "-c", "pass"]):  # fills the rule cache and the bytecode cache
            subprocess.run(warm_up, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=env)
        # The floor: a process importing only the standard-library and third-party modules the command imports
        # with the rule cache warm (runpy, which `-m` itself needs, included), none of the engine's own code run
        libraries = _libraries_imported(args, env)
        floor = [sys.executable, "-c", _FLOOR.format(modules=["runpy", *libraries])]
        subprocess.run(floor, check=True, cwd=ROOT, env=env)
        seconds = interleaved({
            "ctax": lambda: subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=env),
            "python": lambda: subprocess.run([sys.executable, "-c", "pass"], check=True, cwd=ROOT, env=env),
            "floor": lambda: subprocess.run(floor, check=True, cwd=ROOT, env=env),
        }, rounds=rounds)
    ratio = seconds["ctax"] / seconds["python"]
    tops = {name.split(".")[0] for name in libraries}
    installed = _installed(tops)
    return [target("cold `python -m engine evaluate 2024 tax_calculation filing_status=single ct_agi=60000`, "
                   "rule cache warm", seconds["ctax"] * 1000, "ms", seconds["python"] * 1000, "`python -c pass`",
                   ratio, "<= 5x", ratio <= 5, "whole process, median, bytecode cache warm"),
            target(f"the same command's libraries alone: `python -c 'import ...'` of the {len(libraries)} modules "
                   "outside the engine it imports, no engine code", seconds["floor"] * 1000, "ms",
                   seconds["python"] * 1000, "`python -c pass`", seconds["floor"] / seconds["python"], "", None,
                   f"no goal: {len(tops) - len(installed)} standard-library modules, and {', '.join(installed)}")]


# ---------------------------------------------------------------- ctax batch end to end

_CLI_CHILD = r"""
import json, re, runpy, sys, time
sys.argv = ["ctax"] + {args!r}
start = time.perf_counter()
try:
    runpy.run_module("engine", run_name="__main__", alter_sys=True)
except SystemExit as done:
    if done.code not in (0, None):
        raise
seconds = time.perf_counter() - start
hwm = int(re.search(r"VmHWM:\s+(\d+)", open("/proc/self/status").read()).group(1)) * 1024
with open({report!r}, "w") as f:
    json.dump({{"seconds": seconds, "peak_rss": hwm, "pandas_imported": "pandas" in sys.modules}}, f)
"""


def _write_inputs(path: Path, n: int, kind: str, chunk: int = 1_000_000) -> None:
    """``n`` rows of filing_status and ct_agi written chunk by chunk (flat memory, a few seconds per 16M)."""
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    writer = None
    try:
        for start in range(0, n, chunk):
            _, _, table = _tax_columns(min(chunk, n - start), seed=start)
            if writer is None:
                writer = (pcsv.CSVWriter(path, table.schema) if kind == "csv"
                          else pq.ParquetWriter(path, table.schema, compression="snappy"))
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


def cli(sizes: list[int]) -> list[dict]:
    figures: dict[tuple[str, int], dict] = {}
    for kind in ("csv", "parquet"):
        for n in sizes:
            with tempfile.TemporaryDirectory(prefix="ctax-bench-") as folder:
                source, result, report = Path(folder) / f"in.{kind}", Path(folder) / f"out.{kind}", Path(folder) / "r.json"
                _write_inputs(source, n, kind)
                args = ["batch", str(YEAR), "tax_calculation", str(source), str(result), "--quiet"]
                subprocess.run([sys.executable, "-c", _CLI_CHILD.format(args=args, report=str(report))], check=True,
                               cwd=ROOT)
                figures[(kind, n)] = {**json.loads(report.read_text()), "input_mb": source.stat().st_size / 2 ** 20,
                                      "output_mb": result.stat().st_size / 2 ** 20}
    out = []
    small, large = min(sizes), max(sizes)
    for kind in ("csv", "parquet"):
        for n in sizes:
            f = figures[(kind, n)]
            out.append(target(f"`ctax batch` {kind.upper()}, {n:,} rows: peak RSS", f["peak_rss"] / 2 ** 20, "MB", None, "",
                              None, "", None, f"{f['seconds']:.1f} s, {n / f['seconds'] / 1e6:.2f} million rows/s; "
                              f"input {f['input_mb']:.0f} MB, output {f['output_mb']:.0f} MB"))
        ratio = figures[(kind, large)]["peak_rss"] / figures[(kind, small)]["peak_rss"]
        out.append(target(f"`ctax batch` {kind.upper()} peak RSS, {large:,} vs {small:,} rows",
                          figures[(kind, large)]["peak_rss"] / 2 ** 20, "MB", figures[(kind, small)]["peak_rss"] / 2 ** 20,
                          f"same at {small:,} rows", ratio, "<= 1.10", ratio <= 1.10))
        imported = any(figures[(kind, n)]["pandas_imported"] for n in sizes)
        out.append(target(f"`ctax batch` {kind.upper()}: pandas imported", "yes" if imported else "no", "", None, "",
                          None, "no", not imported, "checked in sys.modules of the process after the run"))
    return out


# ---------------------------------------------------------------- PolicyEngine-US


def _ctax_households(n: int, worksheet: str) -> tuple[float, Any]:
    """Seconds for ctax on PolicyEngine's households: single filers with wages 0..500,000 spread evenly."""
    import numpy as np
    import pyarrow as pa

    import engine

    wages = np.rint(np.linspace(0, 500_000, n)).astype(np.int64)
    agi = "federal_agi" if worksheet == "income_tax_return" else "ct_agi"
    table = pa.table({"filing_status": pa.array(["single"] * n), agi: pa.array(wages)})
    options = {"fallback": True}
    engine.evaluate_batch(YEAR, worksheet, table.slice(0, min(n, 100)), **options)
    seconds = interleaved({"ctax": lambda: engine.evaluate_batch(YEAR, worksheet, table, **options)},
                          rounds=3 if n <= 100_000 else 1)["ctax"]
    return seconds, engine.evaluate_batch(YEAR, worksheet, table.take(sample_rows(n)), **options)


def peer(python: str | None, sizes: list[int], timeout: float) -> list[dict]:
    import engine

    if not python:
        return [target("PolicyEngine-US comparison", None, "", None, "", None, "same households, same sizes",
                       None, "not run: pass --peer-python (an interpreter with policyengine-us)")]
    command = [python, str(ROOT / "bench" / "peer_policyengine.py"), "--year", str(YEAR),
               "--sizes", ",".join(str(s) for s in sizes), "--timeout", str(timeout)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        why = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"
        return [target("PolicyEngine-US comparison", None, "", None, "", None, "", None, f"peer failed: {why}")]
    pe = json.loads(done.stdout)
    out = []
    household = {"filing_status": "single", "federal_agi": 60000}
    for n in sizes:
        got = pe["sizes"].get(str(n), {})
        if "error" in got:
            out.append(target(f"PolicyEngine-US vs ctax, {n:,} households", None, "", None, "", None, "",
                              None, f"PolicyEngine at {n:,} households: {got['error']} (not compared)"))
            continue
        if n == 1:
            seconds = interleaved({"ctax": lambda: engine.evaluate(YEAR, "income_tax_return", household)},
                                  rounds=31, inner=50)["ctax"]
            out.append(target("one household (single, $60,000 of wages), ctax income_tax_return traced vs "
                              "PolicyEngine-US Simulation(...).calculate('ct_income_tax')", seconds * 1e6, "µs",
                              got["seconds"] * 1e6, "PolicyEngine-US, same household", got["seconds"] / seconds,
                              "", None, f"tax: PolicyEngine ${pe['ct_income_tax_single_60000']:,.2f} (unrounded), "
                              f"ctax ${engine.evaluate(YEAR, 'income_tax_return', household)['ct_income_tax']:,}; "
                              "ratio = PolicyEngine time / ctax time"))
            continue
        for worksheet in ("income_tax_return", "tax_calculation"):
            seconds, sample = _ctax_households(n, worksheet)
            ratio = got["seconds"] / seconds
            same = sum(1 for a, b in zip(sample.column("ct_income_tax").to_pylist(), got.get("sample", []))
                       if abs(float(a) - b) < 1.0)
            out.append(target(f"{n:,} households: ctax {worksheet} vs PolicyEngine-US", n / seconds / 1e6,
                              "million households/s", n / got["seconds"] / 1e6, "PolicyEngine-US, same households",
                              ratio, "", None, f"ratio = ctax throughput / PolicyEngine's; ct_income_tax equal within "
                              f"$1 on {same}/{len(got.get('sample', []))} households spread over the range (PolicyEngine's "
                              "ct_income_tax_before_refundable_credits: its ct_income_tax nets the CT EITC, an input "
                              "of ctax)"))
    out.append(target("PolicyEngine-US import", pe["import_seconds"] * 1000, "ms", None, "", None, "", None,
                      f"policyengine-us {pe.get('version', '?')}; computes far more than the CT tax (federal AGI from "
                      "wages, every credit): the ratios compare the cost of this answer from each tool, not equal work"))
    return out


# ---------------------------------------------------------------- load all years


def load(rounds: int) -> list[dict]:
    command = [sys.executable, "-m", "engine", "validate"]
    env = {**os.environ, "CTAX_CACHE_DIR": "off"}
    seconds = interleaved({"ctax": lambda: subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=env),
                           "python": lambda: subprocess.run([sys.executable, "-c", "pass"], check=True, cwd=ROOT)},
                          rounds=rounds)
    return [target("`python -m engine validate` (every year from scratch, no cache)", seconds["ctax"] * 1000, "ms",
                   seconds["python"] * 1000, "`python -c pass`", seconds["ctax"] / seconds["python"], "", None)]


# ---------------------------------------------------------------- report


def _number(value: float | str | None, unit: str = "") -> str:
    if isinstance(value, str):
        return value
    if value is None or math.isnan(value):
        return ""
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3g}"
    return f"{text} {unit}".strip()


def markdown(targets: list[dict]) -> str:
    lines = ["| What | ctax | reference in the same run | ratio | target | met |", "|---|---:|---:|---:|---|---|"]
    for t in targets:
        reference = f"{t['reference_what']} {_number(t['reference'], t['unit'])}".strip() if t["reference"] else ""
        ratio = f"{t['ratio']:.2f}" if t["ratio"] is not None else ""
        met = {True: "yes", False: "**no**", None: ""}[t["met"]]
        what = t["what"] + (f" ({t['note']})" if t["note"] else "")
        lines.append(f"| {what} | {_number(t['ctax'], t['unit'])} | {reference} | {ratio} | {t['target']} | {met} |")
    return "\n".join(lines)


def _sizes(text: str) -> list[int]:
    return [int(float(part)) for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(p for p in PARTS if p != "load"),
                        help=f"comma-separated parts: {','.join(PARTS)} (default: all but load)")
    parser.add_argument("--rounds", type=int, default=9, help="interleaved rounds per timing (median kept)")
    parser.add_argument("--batch-rows", type=_sizes, default=[1_000_000, 10_000_000])
    parser.add_argument("--memory-rows", type=_sizes, default=[1_000_000, 10_000_000])
    parser.add_argument("--worksheet-rows", type=int, default=1_000_000)
    parser.add_argument("--fallback-rows", type=int, default=20_000)
    parser.add_argument("--check-rows", type=int, default=200, help="rows per worksheet compared with engine.evaluate")
    parser.add_argument("--cli-rows", type=_sizes, default=[1_000_000, 4_000_000, 16_000_000])
    parser.add_argument("--peer-python", help="an interpreter with policyengine-us, e.g. /work/pe-venv/bin/python")
    parser.add_argument("--peer-sizes", type=_sizes, default=[1, 10_000, 100_000, 1_000_000])
    parser.add_argument("--peer-timeout", type=float, default=1800, help="seconds PolicyEngine may take per size")
    parser.add_argument("--quick", action="store_true", help="small sizes and few rounds (a smoke run)")
    parser.add_argument("--markdown", action="store_true", help="also print the targets as README table rows")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.batch_rows, args.memory_rows = 3, [100_000, 1_000_000], [100_000, 1_000_000]
        args.worksheet_rows, args.fallback_rows, args.check_rows = 100_000, 2_000, 50
        args.cli_rows, args.peer_sizes = [100_000, 400_000], [1, 10_000]
    only = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = sorted(set(only) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; parts: {', '.join(PARTS)}")
    started = time.time()
    report: dict[str, Any] = {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                              "machine": machine(), "commit": commit(ROOT), "load_average": os.getloadavg(),
                              "targets": []}
    runs = {"single": lambda: single(args.rounds * 3),
            "batch": lambda: batch(args.batch_rows, args.rounds),
            "memory": lambda: memory(args.memory_rows),
            "worksheets": lambda: worksheets(args.worksheet_rows, args.fallback_rows, min(args.rounds, 3),
                                             args.check_rows),
            "cold": lambda: cold(args.rounds * 2),
            "cli": lambda: cli(args.cli_rows),
            "peer": lambda: peer(args.peer_python, args.peer_sizes, args.peer_timeout),
            "load": lambda: load(args.rounds)}
    for part in PARTS:
        if part in only:
            print(f"bench: {part} ...", file=sys.stderr, flush=True)
            for t in runs[part]():
                report["targets"].append({"part": part, **t})
    report["seconds"] = time.time() - started
    print(json.dumps(report, indent=2, default=str))
    if args.markdown:
        print(markdown(report["targets"]))


if __name__ == "__main__":
    main()
