"""Renders a Result as a filled-in worksheet: terminal table, Markdown or JSON."""
from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from .tables import plain_text
from .trace import LineTrace, Result

# a quoted text, or a name (with a following '=' when it is a step's keyword, which stays as written)
_TOKEN = re.compile(r"""(?P<text>'[^']*'|"[^"]*")|(?P<name>\b[a-z_][a-z0-9_]*\b)(?P<keyword>\s*=(?!=))?""")


def show(value: Any) -> str:
    """A value as a person reads it on the form."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return plain_text(value) if value == value.to_integral_value() else format(value, "f")
    if isinstance(value, (list, tuple)):
        return "; ".join(show(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {show(v)}" for k, v in value.items())
    return str(value)


def heading_of(result: Result) -> str:
    """The worksheet's title with its year, once: a title that already names its year is kept as it is."""
    year = str(result.year)
    return result.title if re.search(rf"\b{year}\b", result.title) else f"{result.title} ({year})"


def output_lines(result: Result) -> list[LineTrace]:
    """The traced lines that are the worksheet's outputs, in the order of the form."""
    return [line for line in result.lines if line.output]


def substituted(line: LineTrace) -> str:
    """The line's formula with the values it read written in place of their names."""
    def replace(match: re.Match) -> str:
        name = match.group("name")
        if name is None or match.group("keyword") or name not in line.reads:
            return match.group(0)
        value = line.reads[name]
        return f"'{value}'" if isinstance(value, str) else show(value)  # text stays quoted, as in the formula

    return _TOKEN.sub(replace, line.expression)


def table_rows(line: LineTrace) -> str:
    return "; ".join(f"{m.table} [{m.column}] {m.description}" if m.column else f"{m.table} {m.description}"
                     for m in line.matches)


def to_json(result: Result) -> str:
    return json.dumps(result.to_dict(), indent=2)


def to_markdown(result: Result) -> str:
    out = [f"# {heading_of(result)}", "", "| Line | Label | Value | Formula | Table row | Source |",
           "|---:|---|---:|---|---|---|"]
    for line in result.lines:
        cells = [line.line, line.label, show(line.value), f"`{line.expression}` = `{substituted(line)}`",
                 table_rows(line), line.source.cite()]
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    if result.checks:
        out += ["", "| Check | Holds |", "|---|---|"]
        out += [f"| {c.label} | {show(c.holds)} |" for c in result.checks]
    return "\n".join(out) + "\n"


def print_text(result: Result, console: Any = None) -> None:
    """For the terminal (rich): the outputs first, a short summary, then the table of every line."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = console or Console()
    console.print(f"[bold]{escape(heading_of(result))}[/bold]")
    outputs = output_lines(result)
    name_width = max((len(line.id) for line in outputs), default=0)
    value_width = max((len(show(line.value)) for line in outputs), default=0)
    for line in outputs:  # one line each, cut to the terminal's width: the full label is in the table
        console.print(f"  {escape(line.id.ljust(name_width))}  [bold]{escape(show(line.value).rjust(value_width))}"
                      f"[/bold]  {escape(f'Line {line.line}: {line.label}')}", no_wrap=True, overflow="ellipsis",
                      highlight=False)
    console.print()
    table = Table(show_lines=True)  # the title is printed once, above the summary
    for heading, justify in (("Line", "right"), ("Label", "left"), ("Value", "right"), ("Formula", "left"),
                             ("Table row", "left"), ("Source", "left")):
        table.add_column(heading, justify=justify, overflow="fold")
    for line in result.lines:
        value = show(line.value)
        table.add_row(line.line, line.label, f"[bold]{value}[/bold]" if line.output else value,
                      f"{line.expression}\n= {substituted(line)}", table_rows(line), line.source.cite())
    console.print(table)
    for check in result.checks:
        console.print(f"check {check.label}: {'holds' if check.holds else '[red]FAILS[/red]'}")
