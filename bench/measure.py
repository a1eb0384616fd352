"""Timing and memory helpers of ``bench/run.py``: interleaved medians, peak memory, the machine.

On a shared, noisy machine a figure is only worth its ratio to a reference measured beside it:
``interleaved`` runs every candidate once per round, in turn, and keeps each one's median, so a
burst of load hits all candidates alike. Peak memory is the kernel's high-water mark (``VmHWM``),
reset with ``/proc/self/clear_refs`` before the measured call, so it counts only what that call
needed on top of what was already resident.
"""
from __future__ import annotations

import os
import platform
import re
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


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


def commit(root: Path) -> str:
    """The commit measured (with '+dirty' when the work tree has changes)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, check=False).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def interleaved(candidates: dict[str, Callable[[], object]], rounds: int, inner: int = 1) -> dict[str, float]:
    """Median seconds per call of each candidate, the candidates taking turns in every round."""
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, call in candidates.items():
            start = time.perf_counter()
            for _ in range(inner):
                call()
            samples[name].append((time.perf_counter() - start) / inner)
    return {name: statistics.median(values) for name, values in samples.items()}


def _status_kib(field: str) -> int:
    match = re.search(rf"{field}:\s+(\d+)", Path("/proc/self/status").read_text())
    return int(match.group(1)) if match else 0


def reset_peak() -> int:
    """Reset this process's peak resident memory to its current size; returns that size in bytes."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_kib("VmRSS") * 1024


def peak() -> int:
    """This process's peak resident memory (VmHWM) in bytes since start or the last reset_peak."""
    return _status_kib("VmHWM") * 1024


def target(what: str, ctax: float | str | None, unit: str, reference: float | None, reference_what: str, ratio: float | None,
           goal: str, met: bool | None, note: str = "") -> dict:
    """One line of the report: a figure, its reference in the same run, the ratio and the goal."""
    return {"what": what, "ctax": ctax, "unit": unit, "reference": reference, "reference_what": reference_what,
            "ratio": ratio, "target": goal, "met": met, "note": note}
