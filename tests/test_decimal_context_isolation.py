"""A caller's decimal context never reaches the engine's figures: an evaluation made inside a
low-precision, round-down context (the first of its process, so the tables' prepared lookup data are
built inside it) neither raises a bare decimal signal nor changes what later evaluations give. Each
case runs in a fresh process, because the prepared data are kept for the life of the process."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import decimal, json, sys
import engine
cases = [{"filing_status": s, "ct_agi": a} for s in ("single", "married_filing_jointly")
         for a in (12345.67, 60000, 250001, 987654.32)]
def results():
    return [{k: str(v) for k, v in engine.evaluate(2024, "tax_calculation", c).outputs.items()} for c in cases]
if sys.argv[1] == "low-first":
    with decimal.localcontext() as context:
        context.prec = 1
        context.rounding = decimal.ROUND_FLOOR
        context.traps[decimal.Inexact] = True
        results()
print(json.dumps(results()))
"""


def _run(mode: str) -> list[dict]:
    done = subprocess.run([sys.executable, "-c", SCRIPT, mode], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_callers_context_changes_no_later_answer():
    assert _run("low-first") == _run("clean")
