"""Output escapes: nothing from a name, label or cell reaches a terminal, a Markdown page or a spreadsheet as code.

Control characters in anything the command line prints appear as ``\\x1b``-style escapes, Rich markup
in a label is printed as written, Markdown output escapes every cell, and CSV cells that a spreadsheet
would run as a formula get a leading ``'``.
"""
from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pytest
from cli_helpers import copy_2013, run

import engine
from engine.batch.cli import neutralise_formulas
from engine.present.terminal import terminal_text
from engine.present.text import markdown_code, markdown_text, print_text, to_markdown

ESC_TITLE = "\x1b]0;TITLE\x07"  # OSC 0: retitles the terminal


# ---------------------------------------------------------------- terminal, Markdown, spreadsheet


def _relabelled(tmp_path, label: str, title: str | None = None):
    """A real result whose Line 1 label (and title) are replaced; the rule files may refuse such text
    at validation, but printing must be safe whatever a Result holds."""
    result = engine.evaluate(2013, "tax_calculation", {"filing_status": "single", "ct_agi": 50000})
    result.lines[0].label = label
    if title is not None:
        result.title = title
    return result


@pytest.mark.parametrize("label", ["[/]", "[bold]x[/bold]", "[link=file:///etc/passwd]click[/link]", "a [/ b"])
def test_rich_markup_in_a_label_is_printed_as_written(tmp_path, label):
    from rich.console import Console

    result = _relabelled(tmp_path, label)
    buffer = io.StringIO()
    print_text(result, Console(file=buffer, width=400, color_system=None))
    assert label in buffer.getvalue()


def test_control_characters_in_an_input_name_do_not_reach_the_terminal(capsys):
    status, out, err = run(capsys, "evaluate", "2024", "tax_calculation", f"{ESC_TITLE}=1")
    assert status == 1
    assert "\x1b" not in err + out and "\x07" not in err + out
    assert "\\x1b]0;TITLE\\x07" in err


@pytest.mark.parametrize("argv", [("evaluate", "2024", f"sheet{ESC_TITLE}"), ("evaluate", f"20{ESC_TITLE}", "x"),
                                  ("worksheets", f"\x1b[2J{ESC_TITLE}"), ("evaluate", "--bogus\x1b[2J", "x")])
def test_control_characters_in_any_argument_are_escaped(capsys, argv):
    status, out, err = run(capsys, *argv)
    assert status == 1
    assert "\x1b" not in out + err and "\x07" not in out + err


def test_control_characters_in_a_csv_header_are_escaped(tmp_path, capsys):
    source = tmp_path / "in.csv"
    source.write_text(f"filing_status,ct_agi,note{ESC_TITLE}\nsingle,1,x\n", encoding="utf-8")
    # not --quiet: the note naming the copied column is what prints the header
    status, out, err = run(capsys, "batch", "2013", "tax_calculation", str(source), str(tmp_path / "o.csv"))
    assert status == 0 and "\x1b" not in out + err and "note\\x1b]0;TITLE\\x07" in err


def test_control_characters_in_labels_and_titles_are_escaped_in_text_output(tmp_path):
    from rich.console import Console

    result = _relabelled(tmp_path, "Line\x1b[31m red \u202e", title="Title\x1b]0;X\x07")
    buffer = io.StringIO()
    print_text(result, Console(file=buffer, width=400, color_system=None))
    text = buffer.getvalue()
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "\\x1b[31m" in text and "\\u202e" in text


def test_terminal_text_escapes_c0_c1_del_and_bidi_but_keeps_tabs():
    assert terminal_text("a\x00b\x1bc\x7fd\x9be\u202ef\tg\nh") == "a\\x00b\\x1bc\\x7fd\\x9be\\u202ef\tg\\x0ah"
    assert terminal_text("one\ntwo\r", keep_newlines=True) == "one\ntwo\\x0d"


def test_markdown_output_escapes_labels_titles_and_formulas(tmp_path):
    result = _relabelled(tmp_path, "see <script>alert(1)</script> [x](javascript:1) | *b* \n# h",
                         title="T\n## injected")
    result.lines[0].expression = "ct_agi ` | `x"
    markdown = to_markdown(result)
    assert "<script>" not in markdown and "[x](javascript" not in markdown and "\\[x\\](javascript" in markdown
    assert "``ct_agi ` \\| `x``" in markdown  # a backtick cannot close the code span early
    assert "\n## injected" not in markdown and "\n# h" not in markdown
    row = next(line for line in markdown.splitlines() if "alert" in line)
    assert row.count(" | ") == 5  # six cells: the '|' in the label did not open a seventh
    assert "\\<script\\>" in row and "\\*b\\*" in row


def test_markdown_helpers():
    assert markdown_text("a|b_c*d") == "a\\|b\\_c\\*d"
    assert markdown_code("x ` y") == "``x ` y``"
    assert markdown_code("`") == "`` ` ``"
    assert markdown_code("a|b") == "`a\\|b`"


FORMULAS = ["=HYPERLINK(\"http://evil\",\"click\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def test_formula_cells_are_neutralised_in_csv_output(tmp_path, capsys):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    import csv

    with open(source, "w", newline="", encoding="utf-8") as handle:
        rows = csv.writer(handle, quoting=csv.QUOTE_ALL)  # a bare carriage return would end the record
        rows.writerows([["note", "filing_status", "ct_agi"], *([n, "single", "1000"] for n in FORMULAS),
                        ["-12.5", "single", "1000"], ["plain", "single", "1000"]])
    assert run(capsys, "batch", "2013", "tax_calculation", str(source), str(target), "--quiet")[0] == 0
    with open(target, newline="", encoding="utf-8") as handle:
        notes = [row["note"] for row in csv.DictReader(handle)]
    assert notes == ["'" + f for f in FORMULAS] + ["-12.5", "plain"]


def test_keep_formulas_keeps_them(tmp_path, capsys):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    pd.DataFrame({"note": FORMULAS[:4], "filing_status": "single", "ct_agi": "1000"}).to_csv(source, index=False)
    assert run(capsys, "batch", "2013", "tax_calculation", str(source), str(target), "--quiet",
               "--keep-formulas")[0] == 0
    assert pd.read_csv(target, dtype=str, keep_default_na=False)["note"].tolist() == FORMULAS[:4]


def test_a_bad_formula_input_is_a_bad_row_and_neutralised(tmp_path, capsys):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text('filing_status,ct_agi\nsingle,"=HYPERLINK(""x"")"\n', encoding="utf-8")
    assert run(capsys, "batch", "2013", "tax_calculation", str(source), str(target), "--quiet")[0] == 1
    out = pd.read_csv(target, dtype=str, keep_default_na=False)
    assert out["ct_agi"][0] == "'=HYPERLINK(\"x\")" and out["error_field"][0] == "ct_agi"


def test_neutralise_formulas_leaves_other_types_alone():
    table = pa.table({"n": [-1, 2], "s": ["-1", "=1"], "b": [True, None]})
    out = neutralise_formulas(table)
    assert out.column("n").to_pylist() == [-1, 2] and out.column("s").to_pylist() == ["-1", "'=1"]
    assert out.column("b").to_pylist() == [True, None]


def test_a_hostile_yaml_key_is_escaped_and_stays_on_its_line(tmp_path, capsys):
    rules = copy_2013(tmp_path)
    table = rules / "2013" / "tables" / "table_a.yaml"
    # a key carrying an escape sequence and a newline followed by a forged problem line
    table.write_text(table.read_text(encoding="utf-8") + '"k\\e]0;T\\a\\nforged.yaml:1:1: all fine": 1\n',
                     encoding="utf-8")
    status, out, err = run(capsys, "validate", "2013", "--rules", str(rules))
    assert status == 1
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert not any(line.startswith("forged.yaml") for line in (out + err).splitlines())
    status, out, err = run(capsys, "evaluate", "2013", "tax_calculation", "--rules", str(rules),
                           "filing_status=single", "ct_agi=1")
    assert status == 1 and "\x1b" not in out + err
    assert not any(line.startswith("forged.yaml") for line in (out + err).splitlines())
