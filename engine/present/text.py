"""Renders a Result as a filled-in worksheet: terminal table, Markdown or JSON."""
from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from engine.model.text import plain_text
from engine.present.terminal import terminal_text
from engine.run.result import LineTrace, Result

if TYPE_CHECKING:
    from rich.console import JustifyMethod  # rich itself is imported only when a result is printed

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


# Markdown's inline punctuation, '|' (a table cell's end) and '&' (entities); each is backslash-escaped.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&!#])")


def markdown_text(text: Any) -> str:
    """``text`` as literal Markdown inline text (safe in a table cell or heading): no markup, links,
    HTML or line breaks get through; control characters are shown as visible escapes."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", terminal_text(text))


def markdown_code(text: Any) -> str:
    """``text`` as a Markdown code span that no backtick inside can close, safe in a table cell."""
    body = terminal_text(text).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall("`+", body)), default=0) + 1)
    if body.startswith("`") or body.endswith("`"):
        body = f" {body} "
    return f"{fence}{body}{fence}"


def to_markdown(result: Result) -> str:
    """The worksheet as a Markdown table; every text from the rule files or inputs is escaped."""
    out = [f"# {markdown_text(heading_of(result))}", "",
           "| Line | Label | Value | Formula | Table row | Source |", "|---:|---|---:|---|---|---|"]
    for line in result.lines:
        cells = [markdown_text(line.line), markdown_text(line.label), markdown_text(show(line.value)),
                 f"{markdown_code(line.expression)} = {markdown_code(substituted(line))}",
                 markdown_text(table_rows(line)), markdown_text(line.source.cite())]
        out.append("| " + " | ".join(cells) + " |")
    if result.checks:
        out += ["", "| Check | Holds |", "|---|---|"]
        out += [f"| {markdown_text(c.label)} | {show(c.holds)} |" for c in result.checks]
    return "\n".join(out) + "\n"


def print_text(result: Result, console: Any = None) -> None:
    """For the terminal (rich): the outputs first, a short summary, then the table of every line."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    def plain(text: Any, style: str = "") -> Text:
        # rich Text, not a markup string: '[/]' or '[link=...]' in a label is printed as written;
        # control characters (escape sequences) are shown as visible escapes
        return Text(terminal_text(text), style=style)

    console = console or Console()
    console.print(plain(heading_of(result), "bold"))
    outputs = output_lines(result)
    name_width = max((len(line.id) for line in outputs), default=0)
    value_width = max((len(show(line.value)) for line in outputs), default=0)
    for line in outputs:  # one line each, cut to the terminal's width: the full label is in the table
        console.print(Text.assemble("  ", plain(line.id.ljust(name_width)), "  ",
                                    plain(show(line.value).rjust(value_width), "bold"), "  ",
                                    plain(f"Line {line.line}: {line.label}")),
                      no_wrap=True, overflow="ellipsis", highlight=False)
    console.print()
    table = Table(show_lines=True)  # the title is printed once, above the summary
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("Line", "right"), ("Label", "left"), ("Value", "right"), ("Formula", "left"), ("Table row", "left"),
        ("Source", "left"))
    for heading, justify in columns:
        table.add_column(Text(heading), justify=justify, overflow="fold")  # Text, not markup: no emoji table to load
    for line in result.lines:
        value = show(line.value)
        formula = Text.assemble(plain(line.expression), "\n= ", plain(substituted(line)))
        table.add_row(plain(line.line), plain(line.label), plain(value, "bold" if line.output else ""), formula,
                      plain(table_rows(line)), plain(line.source.cite()))
    console.print(table)
    for check in result.checks:
        console.print(Text.assemble("check ", plain(check.label), ": ",
                                    ("holds", "") if check.holds else ("FAILS", "red")))
