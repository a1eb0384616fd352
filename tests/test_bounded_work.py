"""Issue 11, "bounded work": rule files that would make an evaluation, a check or a suggestion run
unboundedly are refused when the rules load, with a located error; nothing recurses without bound."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.errors import EvaluationError, did_you_mean
from engine.lang.expressions import Scope
from engine.loading.ruleset import check_ruleset
from engine.loading.worksheets import MAX_LINES_PER_EVALUATION, MAX_STEP_DEPTH
from engine.run.scalar import compile_expression

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "fixtures" / "minimal"
SOURCE = "{document: Test Doc, section: Schedule, page: 3}"


def _ruleset(tmp_path: Path, worksheets: dict[str, str]) -> Path:
    """The minimal rule set plus the worksheets given (name -> YAML text)."""
    year = tmp_path / "rules" / "2013"
    shutil.copytree(MINIMAL / "2013", year)
    for name, text in worksheets.items():
        (year / "worksheets" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return year


def _sheet(name: str, lines: list[str], inputs: str = "  x: {type: money, label: An amount}\n") -> str:
    return (f"worksheet: {name}\ntitle: {name}\nsource: {SOURCE}\ninputs:\n{inputs}lines:\n" + "".join(lines))


def _expression_line(line_id: str, expression: str, number: int = 1, output: bool = True) -> str:
    return (f"  - id: {line_id}\n    line: \"{number}\"\n    label: Line {number}\n    expression: \"{expression}\"\n"
            f"    source: {SOURCE}\n" + ("    output: true\n" if output else ""))


def _step_line(line_id: str, target: str, number: int, output: bool = False) -> str:
    return (f"  - id: {line_id}\n    line: \"{number}\"\n    label: Line {number}\n    step:\n"
            f"      worksheet: {target}\n      inputs: {{x: x}}\n      output: y\n    source: {SOURCE}\n"
            + ("    output: true\n" if output else ""))


def _errors(year: Path) -> list[str]:
    _, problems = check_ruleset(year)
    return [str(p) for p in problems if p.severity == "error"]


# ---------------------------------------------------------------- text in arithmetic


@pytest.mark.parametrize("expression", [
    "filing_status * (flag + flag + flag)",          # a text input times an integer built from booleans
    "status_line * 1000",                             # a line whose value is text
    "(filing_status if flag else 'single') * 2",
    "(1, 2) * 1000",                                  # a list repeated
    "'a' * (True + True)"])
def test_text_or_a_list_in_arithmetic_is_refused_when_the_rules_load(tmp_path, expression):
    inputs = ("  x: {type: money, label: An amount}\n  filing_status: {type: filing_status, label: Status}\n"
              "  flag: {type: boolean, label: A flag}\n")
    lines = [_expression_line("status_line", "filing_status", 1, output=False),
             _expression_line("y", expression, 2)]
    year = _ruleset(tmp_path, {"texty": _sheet("texty", lines, inputs)})
    errors = _errors(year)
    assert len(errors) == 1 and "texty.yaml:" in errors[0]
    assert "cannot be used in arithmetic" in errors[0]


def test_text_reaching_arithmetic_at_run_time_is_an_evaluation_error():
    # a value whose kind is not known when the rules load (here: no kinds in the scope at all)
    compiled = compile_expression("x * (b + b + b)", Scope(values={"x", "b"}, tables={}))
    with pytest.raises(EvaluationError, match="cannot be used in arithmetic"):
        compiled.run({"x": "abc", "b": True}, None)
    with pytest.raises(EvaluationError, match="cannot be used in arithmetic"):
        compile_expression("x / 2", Scope(values={"x"}, tables={})).run({"x": ("a",)}, None)


# ---------------------------------------------------------------- steps


def test_step_fan_out_is_bounded(tmp_path):
    # 6 worksheets of 30 steps each: 30**6 = 729 million lines per evaluation
    sheets = {"w6": _sheet("w6", [_expression_line("y", "x")])}
    for level in range(5, -1, -1):
        steps = [_step_line(f"s{i}", f"w{level + 1}", i + 1) for i in range(29)]
        steps.append(_step_line("y", f"w{level + 1}", 30, output=True))
        sheets[f"w{level}"] = _sheet(f"w{level}", steps)
    errors = _errors(_ruleset(tmp_path, sheets))  # before the bound: minutes, then a result
    fan_out = [e for e in errors if "would run" in e]
    assert fan_out and all(f"at most {MAX_LINES_PER_EVALUATION:,}" in e for e in fan_out)
    assert any(e.split(":")[0].endswith("w0.yaml") for e in fan_out)


def test_a_long_step_chain_is_a_located_error_not_a_recursion_error(tmp_path):
    count = 1200  # deeper than Python's default recursion limit (1000)
    sheets = {f"c{i}": _sheet(f"c{i}", [_step_line("y", f"c{i + 1}", 1, output=True)]) for i in range(count)}
    sheets[f"c{count}"] = _sheet(f"c{count}", [_expression_line("y", "x")])
    errors = _errors(_ruleset(tmp_path, sheets))
    assert errors and all(f"at most {MAX_STEP_DEPTH}" in e for e in errors)
    assert any(e.startswith(str(Path("worksheets") / "c0.yaml")) or "c0.yaml:" in e for e in errors)


def test_a_long_step_cycle_is_found_without_recursion(tmp_path):
    count = 1200
    sheets = {f"c{i}": _sheet(f"c{i}", [_step_line("y", f"c{(i + 1) % count}", 1, output=True)])
              for i in range(count)}
    errors = _errors(_ruleset(tmp_path, sheets))
    assert len(errors) == 1 and "worksheet cycle: c0 -> c1 -> c2" in errors[0]


def test_a_chain_within_the_bound_still_evaluates(tmp_path):
    import engine

    count = MAX_STEP_DEPTH - 1
    sheets = {f"c{i}": _sheet(f"c{i}", [_step_line("y", f"c{i + 1}", 1, output=True)]) for i in range(count)}
    sheets[f"c{count}"] = _sheet(f"c{count}", [_expression_line("y", "x + 1")])
    year = _ruleset(tmp_path, sheets)
    assert _errors(year) == []
    assert engine.evaluate(2013, "c0", {"x": 41}, rules=year.parent)["y"] == 42


# ---------------------------------------------------------------- printed rows against the formula

COMPONENT = ("        - {amount: 500, for_each: 1000, or_fraction_thereof: true, over: 10000, up_to: 1000, "
             "effect: subtract}\n")


def _exemption(tmp_path: Path, components: str) -> Path:
    year = _ruleset(tmp_path, {})
    table = year / "tables" / "exemption.yaml"
    text = table.read_text(encoding="utf-8")
    assert COMPONENT in text
    table.write_text(text.replace(COMPONENT, components), encoding="utf-8")
    return year


def test_a_formula_with_too_many_components_is_refused(tmp_path):
    # the red-team table: 4.6 KB of components, each probed up to 100,000 times (179 s)
    many = "".join(f"        - {{amount: 1, for_each: 0.01, or_fraction_thereof: true, over: {10000 + i}, "
                   f"up_to: 1000, effect: subtract}}\n" for i in range(60))
    errors = _errors(_exemption(tmp_path, many))
    assert len(errors) == 1 and "exemption.yaml:" in errors[0] and "60 components; at most 20" in errors[0]


def test_a_formula_with_too_many_steps_is_refused_before_probing(tmp_path):
    huge = ("        - {amount: 0.01, for_each: 0.01, or_fraction_thereof: true, over: 10000, up_to: 100000000000, "
            "effect: subtract}\n")
    errors = _errors(_exemption(tmp_path, huge))
    assert len(errors) == 1 and "more than 10,000 steps" in errors[0]


def test_the_shipped_check_still_finds_a_disagreement(tmp_path):
    # within the bounds the check is as before: $500 for each $1,000 over $10,000 up to $1,000 gives
    # 1000 - 500 = 500 just above $10,000, which the printed row (500) matches; 400 would not
    wrong = COMPONENT.replace("amount: 500", "amount: 600")
    errors = _errors(_exemption(tmp_path, wrong))
    assert len(errors) == 1 and "printed rows and formula disagree" in errors[0]


# ---------------------------------------------------------------- suggestions


def test_did_you_mean_compares_a_bounded_number_of_short_names(monkeypatch):
    import difflib

    from engine import errors

    compared = []
    real = difflib.get_close_matches

    def counting(word, possibilities, *args, **kwargs):
        compared.append((len(word), len(possibilities), max(map(len, possibilities), default=0)))
        return real(word, possibilities, *args, **kwargs)

    monkeypatch.setattr(difflib, "get_close_matches", counting)  # did_you_mean imports difflib when called
    names = [f"line_{i:05d}_" + "x" * 40 for i in range(4000)]  # the red-team file: 4,000 lines (267 s)
    assert did_you_mean("line_00007_" + "x" * 39, names) == f" (did you mean 'line_00007_{'x' * 40}'?)"
    assert did_you_mean("z" * 100_000, names) == ""  # never compared at all
    assert compared == [(50, errors.MAX_SUGGESTION_CANDIDATES, 51)]
    assert did_you_mean("ct_agii", ["ct_agi", "filing_status"]) == " (did you mean 'ct_agi'?)"


# ---------------------------------------------------------------- lint


def test_the_lint_grid_is_bounded_whatever_the_largest_bound(monkeypatch):
    from decimal import Decimal

    from engine.tools import lint

    # a row ending at $1e12: the grid ran to 120% of it in $1,000 steps (1.2 billion points, out of memory)
    monkeypatch.setattr(lint, "_bounds", lambda ruleset: {Decimal(10) ** 12, Decimal(50_000)})
    amounts = lint.probe_amounts(None)
    assert len(amounts) <= lint.MAX_GRID_POINTS + 2 + 6
    assert Decimal(10) ** 12 in amounts and Decimal(50_001) in amounts  # each bound is still probed
    assert max(a for a in amounts if a < 10 ** 11) == lint.GRID_STEP * (lint.MAX_GRID_POINTS + 1)


def test_the_lint_grid_of_the_shipped_rules_is_unchanged():
    import engine
    from engine.tools import lint

    # the largest bound of 2024 is $1,100,000 (Table D); 120% is $1,320,000 and the grid takes one
    # $1,000 step past it: $1,321,000, far below the $10,000,000 bound
    amounts = lint.probe_amounts(engine.load(2024))
    assert max(amounts) == 1_321_000
