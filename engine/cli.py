"""The ``ctax`` command line: evaluate a worksheet, validate rule sets, list years and worksheets."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Sequence

from . import api, render
from .errors import CtaxError, RuleSetError
from .loader import load_file
from .rules import check_ruleset, rules_dir


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
    doc, problems = load_file(Path(path), path)
    if problems:
        raise CliError("\n".join(map(str, problems)))
    data = doc.data
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
    years = args.years or [str(y) for y in api.years(args.rules)]
    if not years:
        raise CliError(f"no year folders under {base}")
    problems = []
    for year in years:
        directory = base / str(year)
        if not directory.is_dir():
            raise CliError(f"no rules for tax year {year} under {base}")
        _, found = check_ruleset(directory)
        problems.extend(p for p in found if p.severity == "error")
    for problem in sorted(problems):
        print(problem)
    if problems:
        print(f"{len(problems)} error(s)", file=sys.stderr)
        return 1
    print(f"ok: {', '.join(map(str, years))} valid")
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ctax", description="Connecticut income-tax rules as YAML, evaluated "
                                                              "line by line with citations.")
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

    p = add("years", "List the tax years that have rules.")
    p.set_defaults(func=cmd_years)

    p = add("worksheets", "List a year's worksheets with their inputs and outputs.")
    p.add_argument("year")
    p.set_defaults(func=cmd_worksheets)
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
    except RuleSetError as error:
        print(error, file=sys.stderr)
        return 1
    except (CtaxError, CliError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
