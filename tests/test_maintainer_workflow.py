"""The maintainer guide's workflow (README, "Add next year's rules"), step by step (issue 14)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from cli_helpers import ROOT, run
from engine.cases import load_cases, run_case

CASES = ROOT / "tests" / "cases"


@pytest.mark.parametrize("year", ["2023", "2024"])
def test_every_recent_year_has_hand_worked_cases(year):
    # "add tests/cases/2025/*.yaml (copy a 2024 file ...)": there is a file to copy.
    files = sorted((CASES / year).glob("*.yaml"))
    assert files, f"tests/cases/{year}/ holds no case file"
    assert {c.worksheet for f in files for c in load_cases(f)} >= {"tax_calculation", "income_tax_return"}


def test_copying_a_2024_case_file_into_a_new_year_runs_it_there(tmp_path):
    """Step 1 then step 6: new-year 2024 -> 2025, copy a 2024 case file, the copy runs on 2025."""
    from engine.newyear import new_year

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules" / "2024", rules / "2024")
    new_year(rules, "2024", "2025")
    target = tmp_path / "cases" / "2025"
    target.mkdir(parents=True)
    shutil.copy(CASES / "2024" / "tax_calculation_hand_worked.yaml", target)
    cases = load_cases(target / "tax_calculation_hand_worked.yaml")
    assert {c.year for c in cases} == {2025}  # the year comes from the folder
    # same figures until the maintainer edits them: the 2024 hand calculation still holds
    assert all(run_case(c, rules=rules).passed for c in cases)


def test_readme_guide_names_only_paths_that_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guide = readme.split("## Add next year's rules", 1)[1].split("\n## ", 1)[0]
    assert "copy a 2024 file" in guide
    for path in re.findall(r"`?(tests/cases/2024/)", guide):
        assert (ROOT / path).is_dir()
    assert "engine/cases.py" in guide and (ROOT / "engine" / "cases.py").is_file()


def test_diff_with_a_2024_case_file_from_the_guide(capsys):
    # Step 5: ctax diff 2023 2024 --case tests/cases/2024/<file>.yaml
    status, out, err = run(capsys, "diff", "2023", "2024", "--case",
                           str(CASES / "2024" / "tax_calculation_hand_worked.yaml"))
    assert status == 0, err
    assert "Case single_60000: tax_calculation, 2023 -> 2024" in out
