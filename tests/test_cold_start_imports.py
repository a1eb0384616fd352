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
# numpy and pandas belong to evaluate_batch, yaml and jsonschema to reading rule files the cache already holds;
# simpleeval (and the random module it imports) is not needed to parse an expression (engine.lang.expressions.parse)
HEAVY = ("numpy", "pandas", "pyarrow", "yaml", "jsonschema", "referencing", "simpleeval")

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


_ERRORS_ALONE = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("errors_alone", {path!r})
errors = importlib.util.module_from_spec(spec)
sys.modules["errors_alone"] = errors
spec.loader.exec_module(errors)
before = "difflib" in sys.modules
hint = errors.did_you_mean("filing_stauts", ["filing_status", "ct_agi"])
print(before, "difflib" in sys.modules, hint)
"""


def test_a_did_you_mean_hint_imports_difflib_only_when_made():
    # engine.errors, loaded on its own (the package would import engine.model.inputs, which still imports
    # difflib at the top), imports difflib inside did_you_mean: only when a mistake needs a hint
    code = _ERRORS_ALONE.format(path=str(ROOT / "engine" / "errors.py"))
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=True)
    assert done.stdout.strip() == "False True  (did you mean 'filing_status'?)"
