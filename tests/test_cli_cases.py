"""The YAML case plugin: a wrong expectation fails with the file, line, case name and the difference."""
from __future__ import annotations

import os
import subprocess
import sys

from cli_helpers import ROOT

BAD = """worksheet: tax_calculation
cases:
  - name: right
    inputs: {filing_status: single, ct_agi: 60000}
    expected: {ct_income_tax: 2813}
  - name: wrong_on_purpose
    inputs: {filing_status: single, ct_agi: 60000}
    expected: {ct_income_tax: 2800, exemption: 0}
  - name: within_tolerance
    inputs: {filing_status: single, ct_agi: 60000}
    expected: {ct_income_tax: 2815}
    tolerance: 2
"""


def run_pytest(tmp_path, text: str) -> subprocess.CompletedProcess:
    (tmp_path / "cases" / "2013").mkdir(parents=True)
    (tmp_path / "cases" / "2013" / "mine.yaml").write_text(text)
    (tmp_path / "conftest.py").write_text("from case_plugin import pytest_collect_file  # noqa: F401\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c",
                           str(tmp_path / "pytest.ini"), str(tmp_path)], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120)


def test_failing_case_names_file_line_and_case(tmp_path):
    done = run_pytest(tmp_path, BAD)
    assert done.returncode == 1, done.stdout
    assert "2 passed" in done.stdout and "1 failed" in done.stdout
    assert ("cases/2013/mine.yaml:6: case 'wrong_on_purpose' (2013 tax_calculation) failed:\n"
            "  ct_income_tax: expected 2800, got 2813") in done.stdout
    assert "exemption: expected" not in done.stdout  # only the outputs that differ


def test_malformed_case_file_is_a_located_collection_error(tmp_path):
    done = run_pytest(tmp_path,
                      "worksheet: tax_calculation\ncases:\n  - name: x\n    input: {}\n    expected: {a: 1}\n")
    assert done.returncode != 0
    assert "cases/2013/mine.yaml:4:5: unknown key 'input' in a case" in done.stdout
