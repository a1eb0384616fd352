"""Peer timing: PolicyEngine-US computing Connecticut income tax (``ct_income_tax``).

Run with the interpreter that has the ``bench`` extra (policyengine-us) installed, e.g.
``python bench/peer_policyengine.py --year 2024``. Prints one JSON object of measured figures:
import time, one household (median of repeated fresh simulations), and households per second with
PolicyEngine's own vectorisation (axes over employment income), for the same households the ctax
benchmarks use: single filers with $60,000 of wages, and a sweep of incomes.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time


def household(year: int, income: float, status: str = "SINGLE", count: int | None = None) -> dict:
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
        situation["axes"] = [[{"name": "employment_income", "count": count, "min": 0, "max": 500_000,
                               "period": year}]]
    return situation


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    cold = [float(subprocess.run([sys.executable, "-c", "import time; t=time.perf_counter(); "
                                  "from policyengine_us import Simulation; print(time.perf_counter()-t)"],
                                 capture_output=True, text=True, check=True).stdout) for _ in range(2)]
    start = time.perf_counter()
    from policyengine_us import Simulation
    imported = time.perf_counter() - start
    first = time.perf_counter()
    tax = Simulation(situation=household(args.year, 60_000)).calculate("ct_income_tax", args.year)
    first = time.perf_counter() - first
    singles = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        Simulation(situation=household(args.year, 60_000)).calculate("ct_income_tax", args.year)
        singles.append(time.perf_counter() - t)
    t = time.perf_counter()
    swept = Simulation(situation=household(args.year, 0, count=args.batch)).calculate("ct_income_tax", args.year)
    batch_seconds = time.perf_counter() - t
    print(json.dumps({
        "peer": "policyengine-us",
        "year": args.year,
        "ct_income_tax_single_60000": float(tax[0]),
        "import_seconds": min(cold),
        "import_seconds_in_process": imported,
        "first_household_seconds": first,
        "household_median_seconds": statistics.median(singles),
        "batch_households": int(len(swept)),
        "batch_seconds": batch_seconds,
        "batch_households_per_second": len(swept) / batch_seconds,
    }, indent=2))


if __name__ == "__main__":
    main()
