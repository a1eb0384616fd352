"""Peer timing: PolicyEngine-US computing Connecticut income tax (``ct_income_tax``).

Run with an interpreter that has policyengine-us installed (the ``bench`` extra, or a venv of its
own outside the repository), e.g. ``/work/pe-venv/bin/python bench/peer_policyengine.py --year 2024
--sizes 1,10000,100000,1000000``. Prints one JSON object of measured figures: import time, one
household (median of repeated fresh simulations), and for every other size the seconds of one
simulation of that many households with PolicyEngine's own vectorisation (axes over employment
income, 0 to $500,000 spread evenly: single filers with wages only, the households
``bench/run.py`` gives ctax), plus the tax before refundable credits of 1,000 of them, spread
over the range, to check both agree.
Each size runs in a child process with a timeout, so a size that runs out of time or memory is
reported as such instead of ending the comparison.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

INCOME_MAX = 500_000
SAMPLE = 1_000


def household(year: int, income: float, count: int | None = None) -> dict:
    people = {"you": {"age": {year: 40}, "employment_income": {year: income}}}
    situation = {
        "people": people,
        "tax_units": {"tu": {"members": ["you"]}},
        "families": {"f": {"members": ["you"]}},
        "spm_units": {"s": {"members": ["you"]}},
        "marital_units": {"m": {"members": ["you"]}},
        "households": {"h": {"members": ["you"], "state_name": {year: "CT"}}},
    }
    if count:
        situation["axes"] = [[{"name": "employment_income", "count": count, "min": 0, "max": INCOME_MAX,
                               "period": year}]]
    return situation


def one_size(year: int, n: int) -> dict:
    """Seconds of one simulation of ``n`` households (after one small warm-up simulation)."""
    from policyengine_us import Simulation

    Simulation(situation=household(year, 0, count=10)).calculate("ct_income_tax", year)
    import numpy as np

    start = time.perf_counter()
    simulation = Simulation(situation=household(year, 0, count=n))
    tax = simulation.calculate("ct_income_tax", year)
    seconds = time.perf_counter() - start
    # ct_income_tax nets the refundable CT EITC, which ctax takes as an input (federal_eitc): compare
    # the tax before refundable credits, on households spread over the whole income range
    before = np.asarray(simulation.calculate("ct_income_tax_before_refundable_credits", year))
    return {"households": len(tax), "seconds": seconds, "sample": [float(t) for t in before[sample_rows(n)]]}


def sample_rows(n: int) -> list[int]:
    """The households compared with ctax: up to SAMPLE of them, evenly spread (bench/run.py uses the same)."""
    count = min(n, SAMPLE)
    return sorted({round(i * (n - 1) / max(count - 1, 1)) for i in range(count)})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--sizes", default="1,10000,100000,1000000")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed per size (child process)")
    parser.add_argument("--one-size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_size:
        print(json.dumps(one_size(args.year, args.one_size)))
        return
    timed_import = ("import time; t=time.perf_counter(); from policyengine_us import Simulation; "
                    "print(time.perf_counter()-t)")
    cold = [float(subprocess.run([sys.executable, "-c", timed_import],
                                 capture_output=True, text=True, check=True).stdout) for _ in range(2)]
    from importlib.metadata import version

    from policyengine_us import Simulation

    tax = Simulation(situation=household(args.year, 60_000)).calculate("ct_income_tax", args.year)
    sizes: dict[str, dict] = {}
    for n in (int(s) for s in args.sizes.split(",") if s.strip()):
        if n == 1:
            singles = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                Simulation(situation=household(args.year, 60_000)).calculate("ct_income_tax", args.year)
                singles.append(time.perf_counter() - t)
            sizes["1"] = {"households": 1, "seconds": statistics.median(singles)}
            continue
        try:
            done = subprocess.run([sys.executable, __file__, "--year", str(args.year), "--one-size", str(n)],
                                  capture_output=True, text=True, timeout=args.timeout, check=False)
        except subprocess.TimeoutExpired:
            sizes[str(n)] = {"error": f"did not finish within {args.timeout:.0f} s"}
            continue
        if done.returncode != 0:
            last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
            killed = ", killed: out of memory?" if done.returncode < 0 else ""
            sizes[str(n)] = {"error": f"failed (exit {done.returncode}{killed}{': ' + last if last else ''})"}
            continue
        sizes[str(n)] = json.loads(done.stdout)
    print(json.dumps({
        "peer": "policyengine-us",
        "version": version("policyengine-us"),
        "year": args.year,
        "ct_income_tax_single_60000": float(tax[0]),
        "import_seconds": min(cold),
        "sizes": sizes,
    }))


if __name__ == "__main__":
    main()
