"""A warm start imports only what evaluating needs: issue 13's cold-start target, guarded without timing.

Each check runs in a fresh interpreter (a module imported by an earlier test would hide a regression) with
its own rule cache, filled by a first run; the second run evaluates and lists the heavy modules loaded.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# numpy and pandas belong to evaluate_batch, yaml and jsonschema to reading rule files the cache already holds
HEAVY = ("numpy", "pandas", "pyarrow", "yaml", "jsonschema", "referencing")

_CLI = """
import contextlib, io, json, sys
from engine import cli
with contextlib.redirect_stdout(io.StringIO()) as out:
    status = cli.main(["evaluate", "2024", "tax_calculation", "filing_status=single", "ct_agi=60000"{extra}])
print(json.dumps({{"status": status, "out": out.getvalue(), "modules": sorted(sys.modules)}}))
"""

_API = """
import json, sys
import engine
result = engine.evaluate(2024, "tax_calculation", {"filing_status": "single", "ct_agi": 60000})
print(json.dumps({"status": 0, "out": str(result["ct_income_tax"]) + " " + str(len(result.lines)),
                  "modules": sorted(sys.modules)}))
"""


def _run(code: str, cache: Path) -> dict:
    env = {**os.environ, "CTAX_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    env.pop("CTAX_RULES", None)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def _heavy(modules: list[str]) -> list[str]:
    return sorted({name for name in modules if name.partition(".")[0] in HEAVY})


@pytest.mark.parametrize("code, expected", [
    (_CLI.format(extra=""), "ct_income_tax"),
    (_CLI.format(extra=', "--output", "ct_income_tax"'), "2317"),  # 2024 Tax Calculation Schedule, single, $60,000
    (_CLI.format(extra=', "--format", "json"'), '"ct_income_tax": "2317"'),
    (_API, "2317 10"),  # the schedule's ten lines
], ids=["text", "output", "json", "api"])
def test_a_warm_evaluation_imports_no_batch_yaml_or_schema_library(tmp_path, code, expected):
    cold = _run(code, tmp_path)  # reads the rule files (YAML, schemas) and fills the cache
    assert {"yaml", "jsonschema"} <= set(cold["modules"]), "the first run did not read the files: no test"
    warm = _run(code, tmp_path)
    assert warm["status"] == 0 and expected in warm["out"]
    assert _heavy(warm["modules"]) == []
    # nor the batch and serve commands' own modules (the command line builds only the parser it runs)
    assert [name for name in warm["modules"] if name.startswith(("engine.batch", "engine.serve"))] == []


def test_only_the_text_format_imports_rich(tmp_path):
    _run(_CLI.format(extra=""), tmp_path)
    assert "rich" in _run(_CLI.format(extra=""), tmp_path)["modules"]
    assert "rich" not in _run(_CLI.format(extra=', "--output", "ct_income_tax"'), tmp_path)["modules"]
    assert "rich" not in _run(_API, tmp_path)["modules"]


def test_json_needs_neither_the_text_renderer_nor_the_other_commands(tmp_path):
    _run(_CLI.format(extra=""), tmp_path)
    assert "engine.present.text" in _run(_CLI.format(extra=""), tmp_path)["modules"]
    for code in (_CLI.format(extra=', "--format", "json"'), _API):
        modules = _run(code, tmp_path)["modules"]
        assert "engine.present.text" not in modules
        # the other commands' modules and argument types (the parser is built for evaluate only)
        assert [name for name in modules if name.startswith("engine.tools")] == []


_HINT = """
import json, sys
import engine
try:
    engine.evaluate(2024, "tax_calculation", {"filing_status": "singel", "ct_agi": 60000})
except engine.InvalidFilingStatusError as error:
    print(json.dumps({"status": 0, "out": str(error), "modules": sorted(sys.modules)}))
"""


def test_difflib_is_imported_only_for_a_did_you_mean_hint(tmp_path):
    _run(_API, tmp_path)
    assert "difflib" not in _run(_API, tmp_path)["modules"]
    hinted = _run(_HINT, tmp_path)
    assert "did you mean 'single'?" in hinted["out"] and "difflib" in hinted["modules"]
