"""Mutation fuzzing of what ctax reads: the shipped rule files, case/input files and amount text.

Each case mutates one shipped file (bytes, lines, tokens, indentation, truncation, hostile values),
checks the year from an in-memory snapshot (no cache), then evaluates and lints what still loads.
Only the package's own errors (CtaxError) may come out; anything else is a finding.

Used by tests/test_fuzz_reading.py (a few dozen cases, by default) and run on demand for longer::

    python tests/fuzz_rules.py --seconds 600 [--seed N]

which prints the time, the number of cases and every finding (each with the seed to replay it),
and stops a case that runs longer than --case-timeout seconds as a hang.
"""
from __future__ import annotations

import argparse
import random
import signal
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import CtaxError  # noqa: E402
from engine.loading.ruleset import check_files  # noqa: E402
from engine.loading.snapshot import Snapshot  # noqa: E402
from engine.loading.yaml_reader import load_bytes  # noqa: E402
from engine.model.inputs import to_decimal  # noqa: E402
from engine.run import scalar  # noqa: E402
from engine.tools.cases import load_cases, run_case  # noqa: E402
from engine.tools.lint import lint_ruleset  # noqa: E402

RULES = ROOT / "rules"
CASES = ROOT / "tests" / "cases"
YEARS = sorted(p.name for p in RULES.iterdir() if p.is_dir() and p.name.isdigit())

HOSTILE = [
    "060000", "075000.5", "1:20", "0x1F", "0b11", "0o17", "1_000", "1e999999999", "-1e-999", "9" * 50, "9" * 4300,
    ".nan", ".inf", "-.inf", "~", "null", "yes", "no", "on", '""', '"\\x1b]0;T\\a"', '"\\u202e"', '"a\\nb"',
    "&a x", "*a", "!!python/object/apply:os.system ['true']", "!!binary aGk=", "!local x", "[", "]", "{", "}",
    "- ", "? x", "<<: {a: 1}", "2024-02-30", "9999-12-31", "0001-01-01", "'", '"', "|", ">-",
    "table_b(filing_status, 1e20)", "1/0", "x" * 3000, "(" * 300 + "1" + ")" * 300, '__import__("os")',
    "max()", "min(1)", "1 if", "[1, [2, [3]]]", "{a: 1, a: 2}", "-0", "+5", "0.00000000000000000000001",
    "true * 'a'", "'a' * 10**9", "0", "-1", "1e20", "\t", "\x00", "\udcff", "é", "٣", "²",
]


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to three random edits of a file's bytes."""
    for _ in range(rng.randint(1, 3)):
        lines = data.split(b"\n")
        choice = rng.randrange(8)
        where = rng.randrange(len(lines))
        if choice == 0 and data:  # overwrite a few bytes
            at = rng.randrange(len(data))
            data = data[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) + data[at + 8:]
        elif choice == 1:  # delete a line
            del lines[where]
            data = b"\n".join(lines)
        elif choice == 2:  # duplicate a line
            lines.insert(where, lines[where])
            data = b"\n".join(lines)
        elif choice == 3:  # a hostile value after a key
            line = lines[where]
            key, colon, _ = line.partition(b": ")
            value = rng.choice(HOSTILE).encode("utf-8", "surrogatepass")
            lines[where] = key + b": " + value if colon else line + b" " + value
            data = b"\n".join(lines)
        elif choice == 4:  # indentation
            lines[where] = lines[where][2:] if rng.random() < 0.5 else b"  " + lines[where]
            data = b"\n".join(lines)
        elif choice == 5 and data:  # truncate
            data = data[:rng.randrange(len(data))]
        elif choice == 6:  # a hostile line
            lines.insert(where, rng.choice(HOSTILE).encode("utf-8", "surrogatepass"))
            data = b"\n".join(lines)
        else:  # swap two lines
            other = rng.randrange(len(lines))
            lines[where], lines[other] = lines[other], lines[where]
            data = b"\n".join(lines)
    return data


def _year_files(year: str) -> dict[str, bytes]:
    directory = RULES / year
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*.yaml"))}


_FILES = {year: _year_files(year) for year in YEARS}


def rule_case(rng: random.Random, lint: bool = False) -> str:
    """Mutate one shipped rule file, check the year, evaluate (and lint) what loads; returns what was done."""
    year = rng.choice(YEARS)
    files = dict(_FILES[year])
    name = rng.choice(sorted(files))
    files[name] = mutate(files[name], rng)
    snapshot = Snapshot(RULES / year, files, [])
    try:
        ruleset, documents, _ = check_files(RULES / year, use_cache=False, snapshot=snapshot)
    except CtaxError:
        return f"{year}/{name}: refused"
    if ruleset is None:
        return f"{year}/{name}: problems"
    for sheet in ruleset.worksheets.values():
        inputs = {"filing_status": "single", "ct_agi": rng.choice([0, 1, 60000, "60000.50", 10 ** 9])}
        try:
            scalar.evaluate(sheet, {k: v for k, v in inputs.items() if k in sheet.inputs})
        except CtaxError:
            pass
    if lint:
        lint_ruleset(ruleset, documents)
    return f"{year}/{name}: loaded"


def case_file_case(rng: random.Random) -> str:
    """Mutate one shipped case file; read it and run its cases."""
    paths = sorted(CASES.glob("*/*.yaml"))
    path = rng.choice(paths)
    data = mutate(path.read_bytes(), rng)
    doc, _problems = load_bytes(data, path.name)
    if doc is None:
        return "case file: refused"
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / path.parent.name / path.name
        copy.parent.mkdir()
        copy.write_bytes(data)
        try:
            cases = load_cases(copy)
        except CtaxError:
            return "case file: problems"
        for case in cases[:5]:
            run_case(case)
    return "case file: ran"


def amount_case(rng: random.Random) -> str:
    """Random amount text built from digits, separators, signs and hostile pieces."""
    alphabet = "0123456789,.$-+eE _x٣²\t"
    text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
    if rng.random() < 0.2:
        text = rng.choice(HOSTILE) + text
    try:
        to_decimal("ct_agi", text)
    except CtaxError:
        pass
    return "amount"


def one_case(seed: int, lint: bool = False) -> str:
    """The case of ``seed``: the same seed always makes the same case."""
    rng = random.Random(seed)
    kind = rng.random()
    if kind < 0.7:
        return rule_case(rng, lint)
    if kind < 0.85:
        return case_file_case(rng)
    return amount_case(rng)


class _Hang(Exception):
    pass


def _alarm(signum, frame):
    raise _Hang()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--case-timeout", type=int, default=30)
    parser.add_argument("--lint", action="store_true", help="also lint every rule set that loads")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGALRM, _alarm)
    started = time.monotonic()
    count, findings, outcomes = 0, [], {}
    seed = args.seed
    while time.monotonic() - started < args.seconds:
        signal.alarm(args.case_timeout)
        try:
            outcome = one_case(seed, args.lint).split(":")[-1].strip()
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        except _Hang:
            findings.append((seed, f"hang: more than {args.case_timeout} s"))
        except Exception:  # noqa: BLE001 - every other exception is a finding
            findings.append((seed, traceback.format_exc(limit=-3)))
        finally:
            signal.alarm(0)
        count += 1
        seed += 1
    elapsed = time.monotonic() - started
    print(f"{count} cases in {elapsed:.0f} s (seeds {args.seed}..{seed - 1}); outcomes: {outcomes}; "
          f"findings: {len(findings)}")
    for found_seed, text in findings:
        print(f"--- seed {found_seed}\n{text}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
