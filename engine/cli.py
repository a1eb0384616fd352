"""The ``ctax`` command line: a thin dispatcher to the modules that do the work.

evaluate (render, html), validate (rules), lint (lint), diff (diff), new-year (newyear), docs (docs),
plot (plot), coverage (coverage), years, worksheets. Every subcommand exits 0 on success and 1 on
an error, which is printed as one readable line (rule-file problems one per line, file:line:column).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Sequence

from . import __version__, api, render
from .errors import EXTRAS, CtaxError, MissingExtraError, RuleSetError
from .cases import read_yaml
from .rules import check_ruleset, is_year_folder_name, rules_dir


class CliError(Exception):
    """A usage problem to report in one line, exit status 1."""


def _parse_pairs(pairs: Sequence[str]) -> dict[str, Any]:
    inputs: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise CliError(f"expected key=value, got {pair!r}")
        inputs[name.strip()] = value
    return inputs


def _read_case(path: str) -> dict[str, Any]:
    data = read_yaml(path).data
    if isinstance(data, dict) and isinstance(data.get("inputs"), dict):
        data = data["inputs"]
    if not isinstance(data, dict):
        raise CliError(f"{path}: expected a mapping of input names to values")
    return data


def cmd_evaluate(args: argparse.Namespace) -> int:
    inputs = _read_case(args.input) if args.input else {}
    inputs.update(_parse_pairs(args.pairs))
    result = api.evaluate(args.year, args.worksheet, inputs, rules=args.rules)
    if args.format == "json":
        print(render.to_json(result))
    elif args.format == "markdown":
        print(render.to_markdown(result), end="")
    elif args.format == "html":
        from . import html

        print(html.to_html(result))
    else:
        render.print_text(result)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    base = rules_dir(args.rules)
    years = _years_to_check(args)
    problems = []
    for year in years:
        try:
            _, found = check_ruleset(base / str(year), use_cache=False)  # validate reads and checks every file
        except RuleSetError as error:
            found = error.problems
        problems.extend(p for p in found if p.severity == "error")
    for problem in sorted(problems):
        print(problem)
    if problems:
        print(f"{len(problems)} error(s)", file=sys.stderr)
        return 1
    print(f"ok: {', '.join(map(str, years))} valid")
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
    from .lint import lint_ruleset

    base = rules_dir(args.rules)
    errors, warnings = [], []
    for year in _years_to_check(args):
        ruleset, found = check_ruleset(base / str(year))
        errors.extend(p for p in found if p.severity == "error")
        if ruleset is not None:
            warnings.extend(lint_ruleset(ruleset))
    for problem in sorted(errors):
        print(problem)
    for problem in sorted(warnings):
        print(f"{problem.file}:{problem.line}:{problem.column}: warning: {problem.message}")
    if errors:
        print(f"{len(errors)} error(s); run 'ctax validate' for details", file=sys.stderr)
        return 1
    if warnings:
        print(f"{len(warnings)} warning(s)", file=sys.stderr)
        return 1 if args.strict else 0
    print("ok: no warnings")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from . import diff

    old, new = api.load(args.year_a, args.rules), api.load(args.year_b, args.rules)
    grouped = diff.year_changes(old, new)
    print(diff.format_year_diff(old, new, grouped), end="")
    if args.case:
        print()
        print(diff.case_diff(args.year_a, args.year_b, args.case, grouped, args.rules), end="")
    return 0


def cmd_new_year(args: argparse.Namespace) -> int:
    from .newyear import new_year

    base = rules_dir(args.rules)
    written = new_year(base, args.source, args.target)
    _, problems = check_ruleset(base / args.target)
    errors = [p for p in problems if p.severity == "error"]
    for problem in errors:
        print(problem)
    if errors:
        return 1
    print(f"wrote {len(written)} files to {base / args.target}, every file marked 'review:'. Next: edit the "
          f"figures, then ctax validate {args.target}; ctax lint {args.target}; ctax diff {args.source} {args.target}")
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from .docs import write_docs

    rulesets = [api.load(year, args.rules) for year in _years_to_check(args)]
    out = Path(args.out)
    try:
        written = write_docs(rulesets, out)
    except OSError as error:
        raise CliError(f"cannot write to {out}: {error}") from None
    print(f"wrote {len(written)} pages under {out} (start at {out / 'index.html'})")
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    from .inputs import to_filing_status
    from .plot import plot

    status = to_filing_status("--status", args.status)
    out = Path(args.out or f"ctax-rates-{status}.png")
    plot(args.years, status, out, top=args.top, step=args.step, rules=args.rules)
    print(f"wrote {out}")
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    from . import coverage

    report = coverage.measure(Path(args.cases) if args.cases else None, Path(args.golden) if args.golden else None,
                              args.rules)
    print(coverage.format_report(report), end="")
    return 0


def cmd_years(args: argparse.Namespace) -> int:
    for year in api.years(args.rules):
        print(year)
    return 0


def cmd_worksheets(args: argparse.Namespace) -> int:
    ruleset = api.load(args.year, args.rules)
    for name, sheet in sorted(ruleset.worksheets.items()):
        print(f"{name}: {sheet.title}\n  inputs: {', '.join(sheet.inputs)}\n  outputs: {', '.join(sheet.outputs)}")
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake exits 1 (not 2) with one line, like every other error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(1, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ctax", description="Connecticut income-tax rules as YAML, evaluated "
                                                              "line by line with citations.")
    parser.add_argument("--version", action="version", version=f"ctax {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--rules", metavar="DIR", help="rules folder to use instead of the shipped rules/")
        return p

    p = add("evaluate", "Evaluate a worksheet and print the filled-in lines.")
    p.add_argument("year")
    p.add_argument("worksheet")
    p.add_argument("pairs", nargs="*", metavar="key=value", help="inputs, e.g. filing_status=single ct_agi=60000")
    p.add_argument("--input", metavar="FILE", help="YAML file of inputs (a mapping, or a case with 'inputs:')")
    p.add_argument("--format", choices=("text", "markdown", "json", "html"), default="text")
    p.set_defaults(func=cmd_evaluate)

    p = add("validate", "Check rule files against the schemas and the loader's checks; list every error.")
    p.add_argument("years", nargs="*", metavar="YEAR")
    p.set_defaults(func=cmd_validate)

    p = add("lint", "Warn about judgement calls: a rate over 1, a cap that is not a whole number of steps, tax "
                    "falling as income rises, a citation without a page, an unused table, a 'review' marker.")
    p.add_argument("years", nargs="*", metavar="YEAR")
    p.add_argument("--strict", action="store_true", help="exit 1 when there is any warning")
    p.set_defaults(func=cmd_lint)

    p = add("diff", "Every figure that changed between two years, by table; with --case, why a case's tax changed.")
    p.add_argument("year_a", metavar="YEAR_A")
    p.add_argument("year_b", metavar="YEAR_B")
    p.add_argument("--case", metavar="FILE", help="a case (worksheet: and inputs:) or a case file (cases:) to "
                                                  "evaluate in both years, line by line")
    p.set_defaults(func=cmd_diff)

    p = add("new-year", "Copy year FROM to a new year TO, every file marked for review and dates moved forward.")
    p.add_argument("source", metavar="FROM")
    p.add_argument("target", metavar="TO")
    p.set_defaults(func=cmd_new_year)

    p = add("docs", "Write each year's tables and worksheets as Markdown and HTML pages with citations.")
    p.add_argument("years", nargs="*", metavar="YEAR")
    p.add_argument("--out", metavar="DIR", default="docs/rules", help="output folder (default docs/rules)")
    p.set_defaults(func=cmd_docs)

    p = add("plot", "Plot the effective and marginal rate of tax_calculation against CT AGI (PNG).")
    p.add_argument("--years", nargs="+", required=True, metavar="YEAR")
    p.add_argument("--status", default="single", help="filing status (default single)")
    p.add_argument("--out", metavar="FILE.png", help="output file (default ctax-rates-<status>.png)")
    p.add_argument("--top", type=_positive, default=600_000, help="highest CT AGI plotted (default 600000)")
    p.add_argument("--step", type=_positive, default=250, help="CT AGI step in dollars (default 250)")
    p.set_defaults(func=cmd_plot)

    p = add("coverage", "Which table rows the YAML test cases and golden files reach, and which none does.")
    p.add_argument("--cases", metavar="DIR", help="case folder (default tests/cases)")
    p.add_argument("--golden", metavar="DIR", help="folder searched for saved results (default tests/)")
    p.set_defaults(func=cmd_coverage)

    p = add("years", "List the tax years that have rules.")
    p.set_defaults(func=cmd_years)

    p = add("worksheets", "List a year's worksheets with their inputs and outputs.")
    p.add_argument("year")
    p.set_defaults(func=cmd_worksheets)

    from .batch_cli import add_parser as add_batch

    add_batch(sub, add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    # key=value pairs may follow options (``--input case.yaml ct_agi=1``); argparse leaves those over.
    if getattr(args, "pairs", None) is not None and all("=" in e and not e.startswith("-") for e in extra):
        args.pairs = [*args.pairs, *extra]
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return args.func(args)
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] not in EXTRAS:
            raise
        print(f"error: {MissingExtraError(f'ctax {args.command}', error)}", file=sys.stderr)
        return 1
    except RuleSetError as error:
        print(error, file=sys.stderr)
        return 1
    except (CtaxError, CliError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
