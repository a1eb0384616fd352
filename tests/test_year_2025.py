"""Tax year 2025 against its source (tests/reference/sources/ct-1040-2025-and-credits.md).

* ``ctax diff 2024 2025`` shows exactly the changes the source states (the non-Roth IRA share
  "2024: 50%, 2025: 75%"; the CT EITC additional amount "| 2024 | 40.0% | none |" ->
  "| 2025 | 40.0% | $250 |"), plus the estimated-tax dates, which the source does not print and
  which carry over from 2024 one year later; nothing else.
* 2025 has every worksheet 2024 has, with the same inputs and outputs; it validates and lints clean.
* Every 2025 file either cites the 2025 booklet or says in its source note that the 2024 figure
  carries over.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import yaml
from cli_helpers import run

import engine
from engine.tools.diff import year_changes

ROOT = Path(__file__).resolve().parent.parent
STATED_BY_THE_SOURCE = {
    # table: (2024 figure, 2025 figure), both read from the source by hand
    "ira_distribution_share": (Decimal("0.50"), Decimal("0.75")),  # "2024: 50%, 2025: 75%"
    "ct_eitc_child_amount": (Decimal(0), Decimal(250)),  # "none" -> "$250"
}
DATES_ONE_YEAR_LATER = {
    "estimated_tax_first_installment_due_date", "estimated_tax_second_installment_due_date",
    "estimated_tax_third_installment_due_date", "estimated_tax_fourth_installment_due_date",
    "estimated_tax_interest_end_date", "farmer_fisherman_installment_due_date",
    "farmer_fisherman_return_exception_date", "january_return_exception_date",
    # the taxable year itself and the return's due date (issue 10): the same rule, one year later
    "calendar_year_end", "calendar_year_return_due_date", "taxable_year_first_day",
}


def test_diff_2024_2025_is_exactly_what_the_source_states():
    changes = year_changes(engine.load(2024), engine.load(2025))
    assert set(changes) == set(STATED_BY_THE_SOURCE) | DATES_ONE_YEAR_LATER
    for name, (old, new) in STATED_BY_THE_SOURCE.items():
        [change] = changes[name]
        assert (change.figure, change.old, change.new) == ("value", old, new)
    for name in DATES_ONE_YEAR_LATER:
        [change] = changes[name]
        old, new = dt.date.fromisoformat(str(change.old)), dt.date.fromisoformat(str(change.new))
        assert new == old.replace(year=old.year + 1), name


def test_diff_cli_lists_the_same_tables(capsys):
    status, out, _ = run(capsys, "diff", "2024", "2025")
    assert status == 0
    listed = {line.split(":")[0] for line in out.splitlines() if line and not line.startswith((" ", "Figures"))}
    assert listed == set(STATED_BY_THE_SOURCE) | DATES_ONE_YEAR_LATER
    assert "value: 0.5 -> 0.75" in out and "value: 0 -> 250" in out


def test_2025_has_every_2024_worksheet_with_the_same_inputs_and_outputs():
    old, new = engine.load(2024), engine.load(2025)
    assert set(new.worksheets) == set(old.worksheets)
    for name, sheet in old.worksheets.items():
        assert list(new.worksheets[name].inputs) == list(sheet.inputs), name
        assert new.worksheets[name].outputs == sheet.outputs, name


def test_2025_validates_and_lints_clean(capsys):
    assert run(capsys, "validate", "2025")[:2] == (0, "ok: 2025 valid\n")
    assert run(capsys, "lint", "--strict", "2025")[:2] == (0, "ok: no warnings\n")


def test_every_2025_file_cites_2025_or_says_the_2024_figure_carries_over():
    for path in sorted((ROOT / "rules" / "2025").glob("*/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert "review" not in data, path
        source = data["source"]
        cites_2025 = source["document"] == "CT-1040 2025 Instructions" or "2025 Form CT-1040" in source["section"]
        assert cites_2025 or re.search(r"carr(y|ies) over", source.get("note", "")), path
