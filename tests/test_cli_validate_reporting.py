"""How ctax validate and lint report problems (issue 14): every unknown name of an expression, no
cascade from a file that failed to load, and paths that open from the folder the command ran in."""
from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from cli_helpers import FIXTURES, ROOT, run


def minimal_copy(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(FIXTURES / "minimal" / "2013", rules / "2013")
    return rules


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def validate(capsys, rules: Path) -> tuple[int, list[str]]:
    with contextlib.chdir(rules.parent):
        status, out, err = run(capsys, "validate", "--rules", str(rules))
    assert "Traceback" not in out + err
    return status, out.splitlines()


def test_every_unknown_name_of_an_expression_is_reported(capsys, tmp_path):
    rules = minimal_copy(tmp_path)
    edit(rules / "2013" / "worksheets" / "tax.yaml", "max(0, agi - exemption_amount)",
         "max(0, agl - exemption_amuont - agl - credit)")
    status, lines = validate(capsys, rules)
    assert status == 1
    where = "rules/2013/worksheets/tax.yaml:17:17: line 2 (taxable)"
    # each name once (agl is written twice); problems at one place are listed sorted by message
    assert lines == [f"{where}: unknown name 'agl' (did you mean 'agi'?)",
                     f"{where}: unknown name 'credit'",
                     f"{where}: unknown name 'exemption_amuont' (did you mean 'exemption_amount'?)"]


def test_a_later_line_and_an_unknown_name_are_both_reported(capsys, tmp_path):
    rules = minimal_copy(tmp_path)
    edit(rules / "2013" / "worksheets" / "tax.yaml", "max(0, agi - exemption_amount)", "tax_due + nothing")
    status, lines = validate(capsys, rules)
    assert status == 1 and len(lines) == 2
    assert "'tax_due' is line 3, which comes later" in lines[0] and "unknown name 'nothing'" in lines[1]


def test_a_table_file_that_fails_to_parse_does_not_cascade(capsys, tmp_path):
    rules = minimal_copy(tmp_path)
    (rules / "2013" / "tables" / "rates.yaml").write_text("table: rates\nbrackets: [ {\n")
    status, lines = validate(capsys, rules)
    assert status == 1
    assert len(lines) == 1 and lines[0].startswith("rules/2013/tables/rates.yaml:") and "YAML syntax" in lines[0]


def test_a_table_file_that_fails_its_schema_does_not_cascade(capsys):
    status, lines = validate(capsys, FIXTURES / "broken" / "wrong_type")
    assert status == 1
    assert lines == ["wrong_type/2013/tables/rates.yaml:10:59: brackets.1.rate: 'five' is not of type 'number'"]


def test_a_broken_worksheet_file_does_not_cascade_into_its_steps(capsys, tmp_path):
    rules = minimal_copy(tmp_path)
    (rules / "2013" / "worksheets" / "tax.yaml").write_text("worksheet: tax\nlines: [\n")
    status, lines = validate(capsys, rules)
    assert status == 1
    assert len(lines) == 1 and lines[0].startswith("rules/2013/worksheets/tax.yaml:"), lines


def test_a_misspelt_table_is_still_reported(capsys, tmp_path):
    # a table that does not exist at all (no file) is still an unknown name
    rules = minimal_copy(tmp_path)
    edit(rules / "2013" / "worksheets" / "tax.yaml", "rates(taxable)", "ratez(taxable)")
    status, lines = validate(capsys, rules)
    assert status == 1 and lines == ["rules/2013/worksheets/tax.yaml:23:17: line 3 (tax_due): unknown name "
                                     "'ratez' (did you mean 'rates'?)"]


def test_paths_are_relative_to_the_current_folder(capsys, tmp_path, monkeypatch):
    broken = FIXTURES / "broken" / "gap"
    monkeypatch.chdir(ROOT)
    status, out, _ = run(capsys, "validate", "--rules", str(broken))
    assert status == 1 and out.startswith("tests/fixtures/broken/gap/2013/tables/exemption.yaml:25:9: gap:")
    status, out, _ = run(capsys, "lint", "--rules", str(broken))
    assert status == 1 and out.startswith("tests/fixtures/broken/gap/2013/tables/exemption.yaml:25:9: gap:")
    monkeypatch.chdir(broken / "2013")
    status, out, _ = run(capsys, "validate", "--rules", "..")
    assert out.startswith("tables/exemption.yaml:25:9: gap:")
    # outside the current folder: the absolute path, which opens from anywhere
    monkeypatch.chdir(tmp_path)
    status, out, _ = run(capsys, "validate", "--rules", str(broken))
    assert out.startswith(f"{broken}/2013/tables/exemption.yaml:25:9: gap:")
    assert Path(out.split(":")[0]).is_file()
