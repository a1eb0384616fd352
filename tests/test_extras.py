"""An optional feature used without its extra says, in one line, which extra to install."""
from __future__ import annotations

import sys

import pytest

import engine
from cli_helpers import run


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
    status, out, err = run(capsys, "batch", "2024", "tax_calculation", str(source), str(tmp_path / "out.csv"))
    assert status == 1
    assert err.splitlines() == ["error: ctax batch needs the 'batch' extra: pip install 'ctax[batch]' "
                                "(no module named 'pyarrow')"]


def test_evaluate_batch_without_numpy_raises_the_package_error(monkeypatch):
    for name in [m for m in sys.modules if m == "engine.batch" or m.startswith(("engine.vector", "numpy"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "numpy", None)
    with pytest.raises(engine.MissingExtraError, match=r"evaluate_batch needs the 'batch' extra"):
        engine.evaluate_batch(2024, "tax_calculation", [])
