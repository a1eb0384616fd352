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
    out = [f"# {result.title} ({result.year})", "", "| Line | Label | Value | Formula | Table row | Source |",
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
    """A table for the terminal (rich)."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    table = Table(title=f"{result.title} ({result.year})", show_lines=True)
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
