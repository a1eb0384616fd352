"""An optional feature used without its extra says, in one line, which extra to install."""
from __future__ import annotations

import sys

import pytest
from cli_helpers import run

import engine


def test_plot_without_matplotlib_names_the_plot_extra(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ModuleNotFoundError
    status, out, err = run(capsys, "plot", "--years", "2024", "--out", str(tmp_path / "p.png"))
    assert status == 1 and out == ""
    assert err.strip() == ("error: ctax plot needs the 'plot' extra: pip install 'ctax[plot]' "
                           "(no module named 'matplotlib')")
    assert not (tmp_path / "p.png").exists()


def test_batch_without_pyarrow_names_the_batch_extra(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    source = tmp_path / "in.csv"
    source.write_text("filing_status,ct_agi\nsingle,60000\n")
    status, _, err = run(capsys, "batch", "2024", "tax_calculation", str(source), str(tmp_path / "out.csv"))
    assert status == 1
    assert err.splitlines() == ["error: ctax batch needs the 'batch' extra: pip install 'ctax[batch]' "
                                "(no module named 'pyarrow')"]


def test_evaluate_batch_without_numpy_raises_the_package_error(monkeypatch):
    for name in [m for m in sys.modules
                 if m == "engine.batch.evaluate" or m.startswith(("engine.run.column", "numpy"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "numpy", None)
    with pytest.raises(engine.MissingExtraError, match=r"evaluate_batch needs the 'batch' extra"):
        engine.evaluate_batch(2024, "tax_calculation", [])


CORE_ONLY = """
import importlib.abc, sys
OPTIONAL = {"starlette", "uvicorn", "httpx", "numpy", "pandas", "pyarrow", "dask", "matplotlib"}
class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in OPTIONAL:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, NotInstalled())
from engine.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("argv, status, stream, expected", [
    # the README's first command on a core install: 2024 single $60,000 is $2,317 (hand-worked in
    # tests/cases/2024/tax_calculation_hand_worked.yaml)
    (["evaluate", "2024", "tax_calculation", "filing_status=single", "ct_agi=60000", "--output", "ct_income_tax"],
     0, "stdout", "2317\n"),
    (["serve"], 1, "stderr", "error: ctax serve needs the 'serve' extra: pip install 'ctax[serve]' "
                             "(no module named 'uvicorn')\n"),
])
def test_the_command_line_works_with_no_extra_installed(argv, status, stream, expected):
    import subprocess
    from pathlib import Path

    # a fresh interpreter in which no optional module can be imported, as after `pip install ctax`:
    # building the parser must not import any extra (ctax serve's options included)
    done = subprocess.run([sys.executable, "-c", CORE_ONLY, *argv], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == status, done.stderr
    assert getattr(done, stream) == expected
