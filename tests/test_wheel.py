"""The built wheel carries the law: installed (not editable) into a fresh venv, it evaluates from any folder.

The wheel is built without build isolation (hatchling is in the ``test`` extra) and installed with
``--no-deps`` into a fresh venv that borrows this environment's site-packages for the dependencies
(a ``.pth`` file; the checkout's own editable install is not carried over), so the test runs offline;
what it checks is the package itself: rules/ and schemas/ inside it (engine/_data/), found from the package,
the ``ctax`` script and ``python -m engine``, all from a folder outside the checkout.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_YEARS = sorted(p.name for p in (ROOT / "rules").iterdir() if p.name.isdigit())


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(ROOT)], check=True, capture_output=True)
    (built,) = out.glob("ctax-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed; returns its bin folder."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(env_dir)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    own_site = subprocess.run([str(bin_dir / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                              check=True, capture_output=True, text=True).stdout.strip()
    # Only folders named site-packages: a path an editable install's .pth added (this checkout) stays out.
    borrowed = [p for p in sys.path if Path(p).name in ("site-packages", "dist-packages") and Path(p).is_dir()]
    (Path(own_site) / "borrowed-dependencies.pth").write_text("\n".join(borrowed) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(bin_dir / "python"), "install", "--no-deps",
                    "--no-index", "-q", str(wheel)], check=True, capture_output=True)
    return bin_dir


def run_outside(bin_dir: Path, tmp_path: Path, *argv: str) -> str:
    """Run a command of the venv from an empty folder, with no rules override and an empty cache."""
    env = {k: v for k, v in os.environ.items() if k not in ("CTAX_RULES", "PYTHONPATH")}
    env["CTAX_CACHE_DIR"] = str(tmp_path / "cache")
    done = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_wheel_holds_every_rule_file_and_schema(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in [*(ROOT / "rules").rglob("*.yaml"), *(ROOT / "schemas").glob("*.json")]:
        assert f"engine/_data/{path.relative_to(ROOT).as_posix()}" in names
    assert not any(name.startswith(("tests/", "rules/", "schemas/")) for name in names)


def test_installed_wheel_evaluates_from_any_folder(installed: Path, tmp_path: Path) -> None:
    python = str(installed / "python")
    where = run_outside(installed, tmp_path, python, "-c", "import engine; print(engine.__file__)")
    assert Path(where.strip()).is_relative_to(installed.parent), where  # the wheel, not this checkout

    assert run_outside(installed, tmp_path, str(installed / "ctax"), "years").split() == SHIPPED_YEARS
    assert run_outside(installed, tmp_path, python, "-m", "engine", "years").split() == SHIPPED_YEARS
    assert "ok" in run_outside(installed, tmp_path, str(installed / "ctax"), "validate")
    # Tax Calculation Schedule 2024, single, CT AGI $60,000: Table B "$10,000 ... $60,000: $2,350 ..." less
    # the Table C/D/E steps gives $2,317 (the README's example; tests/test_rules_2023_2024.py checks the rows).
    out = run_outside(installed, tmp_path, str(installed / "ctax"), "evaluate", "2024", "tax_calculation",
                      "filing_status=single", "ct_agi=60000", "--format", "json")
    assert '"ct_income_tax": "2317"' in out


def test_installed_wheel_reads_a_working_copy_of_the_rules(installed: Path, tmp_path: Path) -> None:
    """``--rules DIR`` and ``CTAX_RULES`` point an installed ctax at rules outside the package."""
    copy = tmp_path / "my-rules"
    shutil.copytree(ROOT / "rules" / "2024", copy / "2024")
    assert run_outside(installed, tmp_path, str(installed / "ctax"), "years", "--rules", str(copy)).split() == ["2024"]
    assert "ok" in run_outside(installed, tmp_path, str(installed / "ctax"), "validate", "--rules", str(copy))
    script = f"import os, engine; os.environ['CTAX_RULES'] = {str(copy)!r}; print(engine.years())"
    assert run_outside(installed, tmp_path, str(installed / "python"), "-c", script).strip() == "[2024]"


def test_installed_wheel_runs_batch(installed: Path, tmp_path: Path) -> None:
    # 2024 single, $60,000 -> $2,317 (as above); the batch path's exactness is tests/test_batch.py's job.
    (tmp_path / "in.csv").write_text("filing_status,ct_agi\nsingle,60000\n")
    run_outside(installed, tmp_path, str(installed / "ctax"), "batch", "2024", "tax_calculation", "in.csv", "out.csv",
                "--quiet")
    assert "2317" in (tmp_path / "out.csv").read_text()
    script = ("import pandas, engine\n"
              "out = engine.evaluate_batch(2024, 'tax_calculation', "
              "pandas.DataFrame({'filing_status': ['single'], 'ct_agi': [60000]}))\n"
              "print(out['ct_income_tax'][0])")
    assert run_outside(installed, tmp_path, str(installed / "python"), "-c", script).strip() == "2317"


def test_installed_wheel_evaluates_every_shipped_year(installed: Path, tmp_path: Path) -> None:
    script = ("import engine\n"
              "for year in engine.years():\n"
              "    r = engine.evaluate(year, 'tax_calculation', {'filing_status': 'single', 'ct_agi': 60000})\n"
              "    print(year, r['ct_income_tax'])\n")
    out = run_outside(installed, tmp_path, str(installed / "python"), "-c", script)
    # 2013: $2,813 (IP 2013(8) tables), 2023: $2,583, 2024: $2,317 (the README's worked figures)
    expected = {"2013": "2813", "2023": "2583", "2024": "2317"}
    got = dict(line.split() for line in out.splitlines())
    assert {year: got[year] for year in expected} == expected
    assert sorted(got) == SHIPPED_YEARS


def test_version_comes_from_the_installed_metadata(installed: Path, tmp_path: Path) -> None:
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert run_outside(installed, tmp_path, str(installed / "ctax"), "--version").strip() == f"ctax {version}"
    out = run_outside(installed, tmp_path, str(installed / "python"), "-c", "import engine; print(engine.__version__)")
    assert out.strip() == version
