"""Issue 11, "No crash" and "Output escapes": each red-team example gives the package's own error (or a
reported bad row), and nothing from a name, label or cell reaches a terminal or spreadsheet as code."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pytest
from cli_helpers import copy_2013, run

import engine
from engine.batch.cli import neutralise_formulas
from engine.errors import EvaluationError, InputError
from engine.lang import dates
from engine.present.terminal import terminal_text
from engine.present.text import markdown_code, markdown_text, print_text, to_markdown

ESC_TITLE = "\x1b]0;TITLE\x07"  # OSC 0: retitles the terminal


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("function,args", [
    ("business_day", (pd.NaT,)), ("is_business_day", (pd.NaT,)), ("add_months", (pd.NaT, Decimal(1))),
    ("weekday_name", (pd.NaT,)), ("days_between", (pd.NaT, dt.date(2024, 1, 1)))])
def test_nat_is_not_a_date(function, args):
    # pandas.NaT subclasses datetime; business_day used to loop forever on it
    with pytest.raises(EvaluationError, match="must be a date, not NaT"):
        dates.DATE_FUNCTIONS[function][0](*args)


def test_nat_as_a_date_input_is_the_input_error():
    with pytest.raises(InputError) as error:
        engine.evaluate(2013, "payment_due_date", {"classification": "monthly", "payment_date": pd.NaT})
    assert error.value.field == "payment_date"


def test_a_pandas_timestamp_is_still_its_date():
    result = engine.evaluate(2013, "payment_due_date", {"classification": "monthly",
                                                        "payment_date": pd.Timestamp("2013-03-05 17:30")})
    # "Monthly remitter: Fifteenth day of the month following the month during which the nonpayroll
    # amounts were paid": 2013-04-15, a Monday and no holiday
    assert result["due_date"] == dt.date(2013, 4, 15)


@pytest.mark.parametrize("function,args", [
    ("add_months", (dt.date(9999, 12, 1), Decimal(1))), ("add_months", (dt.date(1, 1, 1), Decimal(-1))),
    ("add_days", (dt.date(9999, 12, 31), Decimal(1))), ("business_day", (dt.date(9999, 12, 31),)),
    ("fifteenth_of_following_month", (dt.date(9999, 12, 20),)),
    ("last_day_of_month_following_quarter", (dt.date(9999, 11, 1),)),
    ("wednesday_following", (dt.date(9999, 12, 30), Decimal(1))),
    ("make_date", (Decimal(10000), Decimal(1), Decimal(1)))])
def test_dates_beyond_year_9999_are_evaluation_errors(function, args):
    try:
        dates.DATE_FUNCTIONS[function][0](*args)
    except EvaluationError:
        pass  # any other exception fails the test; a result inside the calendar is fine too


@pytest.mark.parametrize("count", [Decimal("1e999999"), Decimal("-1e30"), 10 ** 100, Decimal("Infinity"),
                                   Decimal("NaN")])
def test_huge_counts_in_date_functions_are_refused_quickly(count):
    for name in ("add_days", "add_months", "wednesday_following"):
        with pytest.raises(EvaluationError, match="whole number"):
            dates.DATE_FUNCTIONS[name][0](dt.date(2024, 1, 1), count)


def test_a_date_near_9999_is_one_bad_row_not_an_aborted_batch():
    frame = pd.DataFrame({"tax_due": ["1000", "1000"], "due_date": ["2024-04-15", "9999-10-01"],
                          "payment_date": ["2024-05-01", "9999-10-02"]})
    out = engine.evaluate_batch(2024, "late_payment", frame, errors="report", fallback=True)
    assert out["error"].isna().tolist() == [True, False]
    assert "outside years 1 to 9999" in out["error"][1]
    # 2024-04-15 is a Monday; paid 2024-05-01: "1% per month or fraction of a month": one month
    assert out["months_late"][0] == 1


# ---------------------------------------------------------------- batch tables


def test_duplicate_column_names_in_a_dataframe_are_an_input_error():
    frame = pd.DataFrame([["single", 1, 2]], columns=["filing_status", "ct_agi", "ct_agi"])
    with pytest.raises(InputError, match="more than one column named 'ct_agi'"):
        engine.evaluate_batch(2013, "tax_calculation", frame)
    arrow = pa.table([pa.array(["single"]), pa.array([1]), pa.array([2])], names=["filing_status", "ct_agi", "ct_agi"])
    with pytest.raises(InputError, match="more than one column"):
        engine.evaluate_batch(2013, "tax_calculation", arrow)


def test_names_that_are_the_same_text_are_duplicates():
    frame = pd.DataFrame([["single", 1, 2]], columns=["filing_status", "ct_agi", "ct_agi"])
    frame.columns = ["filing_status", 1, "1"]
    with pytest.raises(InputError, match="more than one column named '1'"):
        engine.evaluate_batch(2013, "tax_calculation", frame)


@pytest.mark.parametrize("content", [b"id,filing_status,ct_agi\ncaf\xe9,single,100\n",
                                     b"id,fil\xe9ng_status,ct_agi\na,single,100\n",  # found by fuzzing
                                     b"id,filing_status,ct_agi\na,sing\xe9le,100\n",
                                     b"id,filing_status,ct_agi\n" + b"a,single,1\n" * 10000 + b"b,single,1\xe9\n"])
def test_latin1_bytes_in_a_csv_are_a_clear_error(tmp_path, capsys, content):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_bytes(content)
    status, _, err = run(capsys, "batch", "2013", "tax_calculation", str(source), str(target), "--quiet")
    assert status == 1 and "UTF-8" in err and "Traceback" not in err
    assert not target.exists()


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


# ---------------------------------------------------------------- found by fuzzing mutated expressions


@pytest.mark.parametrize("expression", ["1e20 - x", "x * 1e20", "x / 3 + 1e20"])
def test_outputs_beyond_64_bits_are_refused_or_exact_not_an_overflow(tmp_path, expression):
    from test_bounded_work import _expression_line, _ruleset, _sheet

    from engine.errors import BatchUnsupportedError

    year = _ruleset(tmp_path, {"huge": _sheet("huge", [_expression_line("y", expression)])})
    frame = pd.DataFrame({"x": ["1", "2"]})
    expected = [engine.evaluate(2013, "huge", {"x": x}, rules=year.parent)["y"] for x in (1, 2)]
    # 1e20 is above 2**63 (about 9.2e18): the column form is refused, naming the reason ...
    with pytest.raises(BatchUnsupportedError, match=r"64-bit|division"):
        engine.evaluate_batch(2013, "huge", frame, rules=year.parent)
    # ... and row by row every value is exact (as text: no 64-bit column holds it)
    out = engine.evaluate_batch(2013, "huge", frame, fallback=True, rules=year.parent)
    assert [Decimal(str(v)) for v in out["y"]] == expected


def test_a_fallback_column_mixing_many_decimals_and_large_amounts_stays_exact(tmp_path):
    from test_bounded_work import _expression_line, _ruleset, _sheet

    # x / 3 has 28 significant digits; at that many decimals, 1e12 no longer fits 64 bits: exact text then
    year = _ruleset(tmp_path, {"thirds": _sheet("thirds", [_expression_line("y", "x / 3")])})
    out = engine.evaluate_batch(2013, "thirds", pd.DataFrame({"x": ["1", "3000000000000"]}), fallback=True,
                                rules=year.parent)
    assert [Decimal(str(v)) for v in out["y"]] == [Decimal(1) / 3, Decimal(1_000_000_000_000)]


@pytest.mark.parametrize("text", ["1e20filing_status", "1if True else 2"])
def test_a_syntax_warning_is_a_located_refusal_not_noise_on_stderr(text):
    import warnings

    from engine.lang.expressions import ExpressionProblem, parse

    # found by fuzzing: Python printed "<unknown>:1: SyntaxWarning: invalid decimal literal" to stderr
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ExpressionProblem, match="syntax error"):
            parse(text)
    assert not [w for w in caught if issubclass(w.category, SyntaxWarning)]
