"""Self-contained HTML pages (inline CSS, no scripts, no external assets): a filled worksheet, and
the page shell ``ctax docs`` uses."""
from __future__ import annotations

from html import escape
from typing import Sequence

from .render import show, substituted, table_rows
from .trace import Result

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem; color: #1b1b1b; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #c8c8c8; padding: 0.35rem 0.5rem; vertical-align: top; text-align: left; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.output td.value { font-weight: bold; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.85rem; }
.cite { color: #555; font-size: 0.8rem; }
.fails { color: #b00020; font-weight: bold; }
.draft { border: 2px solid #b36b00; background: #fff4e0; padding: 0.5rem; font-weight: bold; }
"""

DRAFT_NOTE = ("Draft: this tax year's rule files are still marked for review; the figures may not yet match "
              "the publication.")


def page(title: str, body: str) -> str:
    """A complete HTML document with the shared inline style."""
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{escape(title)}</title>\n'
            f"<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = (),
          row_classes: Sequence[str] | None = None) -> str:
    """An HTML table of already-plain text cells (escaped here)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for index, row in enumerate(rows):
        cls = f' class="{row_classes[index]}"' if row_classes and row_classes[index] else ""
        cells = "".join(f'<td class="num">{escape(c)}</td>' if i in numeric else f"<td>{escape(c)}</td>"
                        for i, c in enumerate(row))
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>"


def _lines_table(result: Result) -> str:
    rows = []
    for line in result.lines:
        cls = ' class="output"' if line.output else ""
        formula = f"<code>{escape(line.expression)}</code><br>= <code>{escape(substituted(line))}</code>"
        rows.append(f"<tr{cls}><td class=\"num\">{escape(line.line)}</td><td>{escape(line.label)}</td>"
                    f"<td class=\"num value\">{escape(show(line.value))}</td><td>{formula}</td>"
                    f"<td>{escape(table_rows(line))}</td><td class=\"cite\">{escape(line.source.cite())}</td></tr>")
    head = "".join(f"<th>{h}</th>" for h in ("Line", "Label", "Value", "Formula", "Table row", "Source"))
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"


def to_html(result: Result) -> str:
    """The filled worksheet as one self-contained HTML page."""
    title = f"{result.title} ({result.year})"
    inputs = ", ".join(f"{k} = {show(v)}" for k, v in result.inputs.items())
    parts = [f"<h1>{escape(title)}</h1>", f"<p>Inputs: {escape(inputs)}</p>", _lines_table(result)]
    if result.draft:
        parts.insert(1, f'<p class="draft" data-draft="true">{escape(DRAFT_NOTE)}</p>')
    for line in result.lines:
        if line.step is not None:
            parts += [f"<h2>Line {escape(line.line)}: {escape(line.step.title)}</h2>", _lines_table(line.step)]
    if result.checks:
        fails = '<span class="fails">FAILS</span>'
        rows = "".join(f"<tr><td>{escape(c.label)}</td><td>{'holds' if c.holds else fails}</td></tr>"
                       for c in result.checks)
        parts.append(f"<h2>Checks</h2>\n<table><thead><tr><th>Check</th><th>Result</th></tr></thead>"
                     f"<tbody>{rows}</tbody></table>")
    return page(title, "\n".join(parts))
