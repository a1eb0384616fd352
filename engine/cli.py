"""The ``ctax`` command line: a thin dispatcher to the modules that do the work.

evaluate (render, html; --case: cases), validate (rules), lint (lint), diff (diff), new-year (newyear),
review (review), docs (docs), plot (plot), coverage (coverage), years, worksheets. Every subcommand
exits 0 on success and 1 on an error, which is printed as one readable line (rule-file problems one
per line, file:line:column).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import engine
from engine import api
from engine.arguments import positive_whole_number
from engine.errors import EXTRAS, CtaxError, DraftYearWarning, MissingExtraError, Problem, RuleSetError, did_you_mean
from engine.loading.ruleset import check_files, check_ruleset, is_year_folder_name, rules_dir
from engine.present import DOCS_BASE  # not from present.html: the html module is imported only for HTML
from engine.present.terminal import terminal_text
from engine.run.result import plain


def _say(text: Any = "", *, file: Any = None, end: str = "\n") -> None:
    """print(), with control characters from names, labels and file names shown as visible escapes."""
    print(terminal_text(text, keep_newlines=True), file=file, end=end)


class CliError(Exception):
    """A usage problem to report in one line, exit status 1."""


def _parse_pairs(pairs: Sequence[str]) -> dict[str, Any]:
    inputs: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise CliError(f"expected key=value, got {pair!r}")
        name = name.strip()
        if name in inputs:  # "last one wins" would hide a typo in a long command
            raise CliError(f"input '{name}' is given twice ({name}={inputs[name]} and {pair}); give it once")
        inputs[name] = value
    return inputs


def _read_case(path: str) -> dict[str, Any]:
    from engine.tools.cases import read_yaml  # YAML is read only when a file of inputs is given

    data = read_yaml(path).data
    if isinstance(data, dict) and isinstance(data.get("inputs"), dict):
        data = data["inputs"]
    if not isinstance(data, dict):
        raise CliError(f"{path}: expected a mapping of input names to values")
    return data


def cmd_evaluate(args: argparse.Namespace) -> int:
    # key=value pairs land in the optional YEAR/WORKSHEET slots when those are left out (--case)
    given = [a for a in (args.year, args.worksheet) if a is not None]
    args.pairs = [a for a in given if "=" in a] + list(args.pairs)
    year, worksheet = ([a for a in given if "=" not in a] + [None, None])[:2]
    if args.case:
        return _evaluate_case(args, year, worksheet)
    if year is None or worksheet is None:
        raise CliError("evaluate needs YEAR and WORKSHEET (or --input FILE --case NAME)")
    inputs = _read_case(args.input) if args.input else {}
    inputs.update(_parse_pairs(args.pairs))
    result = api.evaluate(year, worksheet, inputs, rules=args.rules)
    if args.output:
        _say(_picked(result, args.output, args.format))
    else:
        _print_result(result, args.format, args.docs)
    return 0


def _print_result(result: Any, fmt: str, docs: str = DOCS_BASE, extra: dict | None = None) -> None:
    if fmt == "json":
        print(json.dumps({**result.to_dict(), **(extra or {})}, indent=2))  # JSON escapes control characters
    elif fmt == "markdown":
        from engine.present import text as render  # the text forms only: --format json does not import it

        _say(render.to_markdown(result), end="")
    elif fmt == "html":
        from engine.present import html

        _say(html.to_html(result, docs))
    else:
        from engine.present import text as render

        render.print_text(result)


def _evaluate_case(args: argparse.Namespace, year: str | None, worksheet: str | None) -> int:
    """One named case of a case file: the filled-in worksheet, then expected vs got per output."""
    from engine.present.text import show
    from engine.tools.cases import compare, find_case

    if not args.input:
        raise CliError("--case NAME needs --input FILE, the case file that holds it")
    case = find_case(args.input, args.case)
    for given, own, what in ((year, str(case.year), "year"), (worksheet, case.worksheet, "worksheet")):
        if given is not None and given != own:
            raise CliError(f"case '{case.name}' ({case.where}) is for {what} {own}, not {given}")
    inputs = {**case.inputs, **_parse_pairs(args.pairs)}
    result = api.evaluate(case.year, case.worksheet, inputs, rules=args.rules)
    rows = compare(case, result)
    failed = [r for r in rows if not r.ok]
    if args.format == "json":
        _print_result(result, "json", extra={"case": {
            "file": case.file, "line": case.line, "name": case.name, "passed": not failed,
            "outputs": [{"name": r.name, "expected": str(r.expected), "got": show(r.got) if not r.problem else None,
                         "ok": r.ok} for r in rows]}})
        return 1 if failed else 0
    _print_result(result, args.format, args.docs)
    # HTML keeps standard output one page: the comparison goes to standard error there
    out = sys.stderr if args.format == "html" else sys.stdout
    heading = f"Case {case.name} ({case.where}): {case.year} {case.worksheet}" + (
        f", tolerance {case.tolerance}" if case.tolerance else "")
    verdicts = [(r.name, str(r.expected), "(none)" if r.problem else show(r.got), "ok" if r.ok else "DIFFERS")
                for r in rows]
    if args.format == "markdown":
        from engine.present.docs import md

        _say(f"\n## {md(heading)}\n\n| Output | Expected | Got | |\n|---|---:|---:|---|", file=out)
        for cells in verdicts:
            _say("| " + " | ".join(md(c) for c in cells) + " |", file=out)
        _say(file=out)
    else:
        width = max(len(r.name) for r in rows)
        _say(f"\n{heading}\n  {'output':<{width}}  {'expected':>14}  {'got':>14}", file=out)
        for name, expected, got, verdict in verdicts:
            _say(f"  {name:<{width}}  {expected:>14}  {got:>14}  {verdict}", file=out)
    _say(f"{len(failed)} of {len(rows)} output(s) differ" if failed else f"ok: all {len(rows)} output(s) as expected",
          file=out)
    return 1 if failed else 0


def _from_here(problem: Problem, base: Path) -> Problem:
    """``problem`` with its file named from the current folder (absolute when outside it), so it opens from there.

    Rule-file problems name files relative to the folder holding the rules folder (see rules._display).
    """
    path = Path(problem.file)
    path = path if path.is_absolute() else base.parent / path
    path = path.parent.resolve() / path.name  # a refused symlink is named itself, never its target
    try:
        shown = str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        shown = str(path)
    return dataclasses.replace(problem, file=shown)


def _picked(result: Any, names: Sequence[str], fmt: str) -> str:
    """Just the values asked for with --output: one name gives the bare value, several give name=value lines,
    in the order asked; --format json gives an object of name -> value."""
    values = {line.id: line.value for line in result.lines}
    for name in names:
        if name not in values:
            hint = did_you_mean(name, values)
            raise CliError(f"worksheet '{result.worksheet}' has no output or line '{name}'{hint}; outputs: "
                           f"{', '.join(result.outputs)}")
    if fmt == "json":
        return json.dumps({name: plain(values[name]) for name in names}, indent=2)
    if fmt != "text":
        raise CliError(f"--output prints values as text or json, not {fmt}")
    from engine.present.text import show

    if len(names) == 1:
        return show(values[names[0]])
    return "\n".join(f"{name}={show(values[name])}" for name in names)


def cmd_validate(args: argparse.Namespace) -> int:
    base = rules_dir(args.rules)
    years = _years_to_check(args)
    problems: list[Problem] = []
    for year in years:
        try:
            _, found = check_ruleset(base / str(year), use_cache=False)  # validate reads and checks every file
        except RuleSetError as error:
            found = error.problems
        problems.extend(_from_here(p, base) for p in found if p.severity == "error")
    for problem in sorted(problems):
        _say(terminal_text(problem))  # one line each: a newline in a key cannot forge another problem
    if problems:
        _say(f"{len(problems)} error(s)", file=sys.stderr)
        return 1
    _say(f"ok: {', '.join(map(str, years))} valid")
    return 0


def _years_to_check(args: argparse.Namespace) -> list[str]:
    base = rules_dir(args.rules)
    years = args.years or [str(y) for y in api.years(args.rules)]
    if not years:
        raise CliError(f"no year folders under {base}")
    for year in years:
        if not is_year_folder_name(str(year)) or not (base / str(year)).is_dir():
            raise CliError(f"no rules for tax year {year} under {base}")
    return years


def cmd_lint(args: argparse.Namespace) -> int:
    from engine.tools.lint import lint_ruleset

    base = rules_dir(args.rules)
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for year in _years_to_check(args):
        ruleset, documents, found = check_files(base / str(year))
        errors.extend(_from_here(p, base) for p in found if p.severity == "error")
        if ruleset is not None:
            warnings.extend(_from_here(p, base) for p in lint_ruleset(ruleset, documents))
    drafts = []
    if args.release or args.strict:  # a release has no review markers left: each is an error
        from engine.tools.lint import REVIEW_MESSAGE

        drafts = [p for p in warnings if p.message.startswith(REVIEW_MESSAGE)]
        warnings = [p for p in warnings if p not in drafts]
    for problem in sorted(errors):
        _say(terminal_text(problem))  # one line each: a newline in a key cannot forge another problem
    for problem in sorted(drafts):
        _say(f"{problem.file}:{problem.line}:{problem.column}: not releasable: {problem.message} "
              f"(after checking the file: ctax review {problem.file})")
    for problem in sorted(warnings):
        _say(terminal_text(f"{problem.file}:{problem.line}:{problem.column}: warning: {problem.message}"))
    if errors:
        _say(f"{len(errors)} error(s); run 'ctax validate' for details", file=sys.stderr)
        return 1
    if drafts:
        _say(f"{len(drafts)} review marker(s) left: a draft year cannot be released"
              + (f"; {len(warnings)} warning(s)" if warnings else ""), file=sys.stderr)
        return 1
    if warnings:
        _say(f"{len(warnings)} warning(s)", file=sys.stderr)
        return 1 if args.strict else 0
    _say("ok: no warnings")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from engine.tools import diff

    old, new = api.load(args.year_a, args.rules), api.load(args.year_b, args.rules)
    grouped = diff.year_changes(old, new)
    if not args.case:
        _say(diff.format_year_diff(old, new, grouped), end="")
        return 0
    # the case first: that is what was asked; the whole figure diff only on request
    _say(diff.case_diff(args.year_a, args.year_b, args.case, grouped, args.rules), end="")
    if args.tables:
        _say()
        _say(diff.format_year_diff(old, new, grouped), end="")
    else:
        count = sum(len(c) for c in grouped.values())
        _say(f"{count} figure(s) changed in {len(grouped)} table(s) from {old.year} to {new.year}; "
              f"--tables lists them all")
    return 0


def cmd_new_year(args: argparse.Namespace) -> int:
    from engine.tools.newyear import new_year

    base = rules_dir(args.rules)
    written = new_year(base, args.source, args.target)
    _, problems = check_ruleset(base / args.target)
    errors = [_from_here(p, base) for p in problems if p.severity == "error"]
    for problem in errors:
        _say(terminal_text(problem))  # one line each: a newline in a key cannot forge another problem
    if errors:
        return 1
    _say(f"wrote {len(written)} files to {base / args.target}, every file marked 'review:'. Next: edit the "
          f"figures, then ctax validate {args.target}; ctax lint {args.target}; ctax diff {args.source} {args.target}")
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from engine.present.docs import write_docs

    rulesets = [api.load(year, args.rules) for year in _years_to_check(args)]
    out = Path(args.out)
    written = write_docs(rulesets, out, force=args.force)
    _say(f"wrote {len(written)} pages under {out} (start at {out / 'index.html'}; search at {out / 'search.html'})")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from engine.tools.review import review

    removed = 0
    for name in args.files:
        count = review(Path(name))
        removed += count
        _say(f"{name}: {'removed ' + str(count) + ' review marker(s)' if count else 'no review marker'}")
    _say(f"ok: {removed} marker(s) removed; run ctax validate and ctax lint --release to see what is left")
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    from engine.model.inputs import to_filing_status
    from engine.present.plot import plot

    status = to_filing_status("--status", args.status)
    out = Path(args.out or f"ctax-rates-{status}.png")
    plot(args.years, status, out, top=args.top, step=args.step, rules=args.rules, window=args.window)
    _say(f"wrote {out}")
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    from engine.tools import coverage

    record = None
    status = 0
    if args.run_tests is not None:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "coverage.json"
            status, failed = coverage.run_tests(Path(args.run_tests) if args.run_tests else coverage.TESTS_DIR, path)
            for line in failed[:20]:
                _say(line, file=sys.stderr)
            if not path.is_file():
                raise CliError(f"the test run (pytest exit status {status}) wrote no coverage record")
            record = coverage.read_record(path)
    elif args.record:
        record = coverage.read_record(Path(args.record))
    report = coverage.measure(Path(args.cases) if args.cases else None, Path(args.golden) if args.golden else None,
                              args.rules, record)
    _say(coverage.format_report(report), end="")
    if record is None:
        _say("(YAML cases and golden files only; --run-tests counts every evaluation the test suite makes)")
    if status:
        _say(f"warning: the test suite failed (pytest exit status {status}); rows it did not reach may be missing",
              file=sys.stderr)
        return 1
    return 0


def cmd_years(args: argparse.Namespace) -> int:
    for year in api.years(args.rules):
        _say(year)
    return 0


def cmd_worksheets(args: argparse.Namespace) -> int:
    ruleset = api.load(args.year, args.rules)
    for name, sheet in sorted(ruleset.worksheets.items()):
        _say(f"{name}: {sheet.title}\n  inputs: {', '.join(sheet.inputs)}\n  outputs: {', '.join(sheet.outputs)}")
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake exits 1 (not 2) with one line, like every other error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(1, terminal_text(f"{self.prog}: error: {message} (see {self.prog} --help)") + "\n")


class _Version(argparse.Action):
    """--version: the installed version, looked up only when asked for (see engine.__getattr__)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        print(f"ctax {engine.__version__}")
        parser.exit()


def _evaluate_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("year", nargs="?", metavar="YEAR")
    p.add_argument("worksheet", nargs="?", metavar="WORKSHEET")
    p.add_argument("pairs", nargs="*", metavar="key=value", help="inputs, e.g. filing_status=single ct_agi=60000")
    p.add_argument("--input", metavar="FILE", help="YAML file of inputs (a mapping, or a case with 'inputs:')")
    p.add_argument("--case", metavar="NAME", help="run the case NAME of the case file --input FILE (YEAR and "
                                                  "WORKSHEET come from the file) and show expected vs got per "
                                                  "output; exit 1 when one differs")
    p.add_argument("--format", choices=("text", "markdown", "json", "html"), default="text")
    p.add_argument("--docs", metavar="URL", default=DOCS_BASE,
                   help="with --format html: the folder or URL of the 'ctax docs' pages the table rows link to "
                        f"(default {DOCS_BASE}, ctax docs' default --out)")
    p.add_argument("--output", action="append", metavar="NAME",
                   help="print just this output's (or line's) value, for scripts; repeat for several "
                        "(then one name=value a line)")
    p.set_defaults(func=cmd_evaluate)


def _validate_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("years", nargs="*", metavar="YEAR")
    p.set_defaults(func=cmd_validate)


def _lint_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("years", nargs="*", metavar="YEAR")
    p.add_argument("--strict", action="store_true", help="exit 1 when there is any warning (implies --release)")
    p.add_argument("--release", action="store_true", help="exit 1 while any file is still marked 'review:' (a "
                                                          "draft year); other warnings stay warnings")
    p.set_defaults(func=cmd_lint)


def _diff_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("year_a", metavar="YEAR_A")
    p.add_argument("year_b", metavar="YEAR_B")
    p.add_argument("--case", metavar="FILE", help="a case (worksheet: and inputs:) or a case file (cases:) to "
                                                  "evaluate in both years, line by line (printed first)")
    p.add_argument("--tables", action="store_true", help="with --case, also list every changed figure by table")
    p.set_defaults(func=cmd_diff)


def _new_year_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", metavar="FROM")
    p.add_argument("target", metavar="TO")
    p.set_defaults(func=cmd_new_year)


def _review_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=cmd_review)


def _docs_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("years", nargs="*", metavar="YEAR")
    p.add_argument("--out", metavar="DIR", default=DOCS_BASE, help=f"output folder (default {DOCS_BASE})")
    p.add_argument("--force", action="store_true", help="replace files in DIR that ctax did not write (never "
                                                        "writing through a symlink)")
    p.set_defaults(func=cmd_docs)


def _plot_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--years", nargs="+", required=True, metavar="YEAR")
    p.add_argument("--status", default="single", help="filing status (default single)")
    p.add_argument("--out", metavar="FILE.png", help="output file (default ctax-rates-<status>.png)")
    p.add_argument("--top", type=positive_whole_number, default=600_000, help="highest CT AGI plotted (default 600000)")
    p.add_argument("--step", type=positive_whole_number, default=250, help="CT AGI step in dollars (default 250)")
    p.add_argument("--window", type=positive_whole_number, default=5000,
                   help="CT AGI window the marginal rate is averaged over, a multiple of twice the step "
                        "(default 5000, the width of the tables' phase-out steps)")
    p.set_defaults(func=cmd_plot)


def _coverage_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cases", metavar="DIR", help="case folder (default tests/cases)")
    p.add_argument("--golden", metavar="DIR", help="folder searched for saved results (default tests/)")
    p.add_argument("--run-tests", nargs="?", const="",
                   metavar="DIR", help="run the test suite (default tests/) and count every evaluation it makes")
    p.add_argument("--record", metavar="FILE", help="count the evaluations of an earlier test run "
                                                    "(CTAX_COVERAGE_FILE=FILE python -m pytest)")
    p.set_defaults(func=cmd_coverage)


def _years_arguments(p: argparse.ArgumentParser) -> None:
    p.set_defaults(func=cmd_years)


def _worksheets_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("year")
    p.set_defaults(func=cmd_worksheets)


# name -> (help, the function that adds its arguments), in the order --help lists them
_COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "evaluate": ("Evaluate a worksheet and print the filled-in lines.", _evaluate_arguments),
    "validate": ("Check rule files against the schemas and the loader's checks; list every error.",
                 _validate_arguments),
    "lint": (("Warn about judgement calls: a rate over 1, a cap that is not a whole number of steps, tax falling as "
             "income rises, a citation without a page, an unused table, a 'review' marker."), _lint_arguments),
    "diff": ("Every figure that changed between two years, by table; with --case, why a case's tax changed.",
             _diff_arguments),
    "new-year": ("Copy year FROM to a new year TO, every file marked for review and dates moved forward.",
                 _new_year_arguments),
    "review": ("Mark rule files as checked: delete their 'review:' markers (the year is a draft while any remains).",
               _review_arguments),
    "docs": (("Write each year's tables and worksheets as a linked site (Markdown and HTML) with citations and a "
             "search page."), _docs_arguments),
    "plot": ("Plot the effective and marginal rate of tax_calculation against CT AGI (PNG).", _plot_arguments),
    "coverage": ("Which table rows the YAML test cases and golden files reach, and which none does.",
                 _coverage_arguments),
    "years": ("List the tax years that have rules.", _years_arguments),
    "worksheets": ("List a year's worksheets with their inputs and outputs.", _worksheets_arguments),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; given the ``command`` about to run, only as much of it as that command needs.

    A known command gets its own subparser only: parsing its arguments never reads the others, and every
    usage error of a known command is reported without the top-level usage, so nothing it prints changes;
    building all twelve costs a cold ``ctax evaluate`` several milliseconds. No command, an unknown one,
    batch or serve get the whole parser (``ctax --help`` and the invalid-choice message list every command).
    """
    parser = _Parser(prog="ctax", description="Connecticut income-tax rules as YAML, evaluated "
                                                              "line by line with citations.")
    parser.add_argument("--version", action=_Version, nargs=0, help="show ctax's version and exit")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--rules", metavar="DIR", help="rules folder to use instead of the shipped rules/")
        return p

    only = command in _COMMANDS
    for name, (help_text, arguments) in _COMMANDS.items():
        if not only or name == command:
            arguments(add(name, help_text))
    # batch and serve are defined in their own packages: a run of another command does not import them (an unknown
    # command, or none, gets the whole list)
    if not only:
        from engine.batch.cli import add_parser as add_batch
        from engine.serve.cli import add_parser as add_serve

        add_batch(sub, add)
        add_serve(sub, add)
    return parser


def _show_warning(message: Warning | str, category: type, filename: str, lineno: int, file: Any = None,
                  line: str | None = None) -> None:
    """A warning as one line on standard error, like an error."""
    _say(f"warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    # the command is the first argument when it is no option: after a top-level option (-h, --version or a
    # mistake) the whole parser is built, so ``ctax -h evaluate`` lists every command as ``ctax -h`` does
    parser = build_parser(arguments[0] if arguments and not arguments[0].startswith("-") else None)
    args, extra = parser.parse_known_args(arguments)
    # key=value pairs may follow options (``--input case.yaml ct_agi=1``); argparse leaves those over.
    if getattr(args, "pairs", None) is not None and all("=" in e and not e.startswith("-") for e in extra):
        args.pairs = [*args.pairs, *extra]
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", DraftYearWarning)
            warnings.showwarning = _show_warning
            return args.func(args)
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] not in EXTRAS:
            raise
        _say(f"error: {MissingExtraError(f'ctax {args.command}', error)}", file=sys.stderr)
        return 1
    except RuleSetError as error:
        head = str(error).partition("\n")[0]
        _say("\n".join([head, *(terminal_text(p) for p in error.problems)]), file=sys.stderr)
        return 1
    except (CtaxError, CliError) as error:
        _say(f"error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except OSError as error:
        _say(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
