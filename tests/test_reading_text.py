"""Issue 11: control characters are refused in every text field of a rule file, with a located error.

The issue's example: a title carrying ``\\ntouch ...\\n`` reached a Markdown heading of ``ctax docs``
(and a shell startup file through a symlink). Newlines and tabs stay allowed where text runs over
several lines: expressions (a newline is a space there) and prose notes.
"""
from __future__ import annotations

import pytest
from cli_helpers import copy_2013, run

from engine.loading.ruleset import check_ruleset

TITLE = "title: Table B - Tax Calculation for 2013 Taxable Year"


@pytest.fixture
def rules(tmp_path, monkeypatch):
    monkeypatch.setenv("CTAX_CACHE_DIR", "off")
    return copy_2013(tmp_path)


def _edit(rules, relative: str, old: str, new: str) -> None:
    path = rules / "2013" / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _errors(rules) -> list[str]:
    _, problems = check_ruleset(rules / "2013")
    return [str(p) for p in problems if p.severity == "error"]


@pytest.mark.parametrize("written, code, position", [
    # the example: a newline and a shell command in a title (double-quoted YAML escapes)
    ('title: "Table B\\ntouch /tmp/pwned\\n"', "U+000A", 8),
    ('title: |\n  Table B\n  touch /tmp/pwned', "U+000A", 8),  # a literal block scalar keeps its newlines
    ('title: "Table B\\e]0;TITLE\\a"', "U+001B", 8),          # terminal escape (retitles the terminal)
    ('title: "Table B\\x85more"', "U+0085", 8),                # C1 control (NEL)
    ('title: "Table B\\x7f"', "U+007F", 8),                    # DEL
    ('title: "Table B\\tTax"', "U+0009", 8),                   # a tab in a one-line field
    ('title: "Table B \\u202egnp.exe"', "U+202E", 9),          # right-to-left override ("Trojan Source")
    ('title: "Table B\\u2028more"', "U+2028", 8),              # Unicode line separator
])
def test_a_control_character_in_a_title_is_a_located_error(rules, written, code, position):
    _edit(rules, "tables/table_b.yaml", TITLE, written)
    (error,) = _errors(rules)
    assert error.startswith("rules/2013/tables/table_b.yaml:3:8: text 'Table B")
    assert f"holds the control character {code} at character {position}; rule files may not hold control " \
           "characters in text" in error


def test_labels_names_and_sources_are_checked_too(rules):
    _edit(rules, "worksheets/tax_calculation.yaml", "label: Enter the amount from Line 3 above.",
          'label: "Enter the amount\\rfrom Line 3 above."')
    _edit(rules, "tables/table_b.yaml", "  - label: Single or Filing Separately",
          '  - label: "Single\\x1b[2J"')
    errors = _errors(rules)
    assert any(e.startswith("rules/2013/worksheets/tax_calculation.yaml:27:12: text 'Enter the amount\\r")
               and "U+000D" in e for e in errors), errors
    assert any(e.startswith("rules/2013/tables/table_b.yaml:15:12: text 'Single\\x1b[2J'") and "U+001B" in e
               for e in errors), errors


def test_a_control_character_in_a_key_is_located_at_the_key(rules):
    _edit(rules, "tables/table_b.yaml", TITLE, TITLE + '\n"x\\ey": 1')
    errors = _errors(rules)
    assert any(e.startswith("rules/2013/tables/table_b.yaml:4:1: key 'x\\x1by' holds the control character "
                            "U+001B") for e in errors), errors


def test_newlines_stay_allowed_in_expressions_and_notes(rules):
    _edit(rules, "tables/table_b.yaml", TITLE, TITLE + "\ndescription: |\n  First paragraph.\n\n  Second\tparagraph.")
    _edit(rules, "worksheets/tax_calculation.yaml", "note: Entered on the form in whole dollars,",
          "note: |\n      Entered on the form\n      in whole dollars,")
    _edit(rules, "worksheets/tax_calculation.yaml", "expression: ct_agi", "expression: |\n      ct_agi\n")
    assert _errors(rules) == []


def test_validate_reports_it_and_exits_1(capsys, rules):
    _edit(rules, "tables/table_b.yaml", TITLE, 'title: "Table B\\ntouch /tmp/pwned\\n"')
    status, out, _ = run(capsys, "validate", "--rules", str(rules), "2013")
    assert status == 1 and "table_b.yaml:3:8:" in out and "U+000A" in out
    assert "\ntouch" not in out  # the excerpt is escaped and one line
