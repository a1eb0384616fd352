"""Self-contained HTML pages (inline CSS, no scripts, no external assets): a filled worksheet, and
the page shell ``ctax docs`` uses."""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape
from typing import Any

from engine.model.tables import Match
from engine.model.text import money_text
from engine.present import DOCS_BASE
from engine.present.text import heading_of, output_lines, show, substituted
from engine.run.result import Result

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
tr.bottom-line td { border-top: 2px solid #1b1b1b; border-bottom: 2px solid #1b1b1b; background: #fff8d6; }
.mark { display: inline-block; margin-left: 0.4rem; padding: 0 0.3rem; border: 1px solid #1b1b1b;
        font-size: 0.75rem; font-weight: bold; text-transform: uppercase; }
dl.summary { display: grid; grid-template-columns: max-content max-content; gap: 0.2rem 1rem; }
dl.summary dt { font-family: ui-monospace, Menlo, Consolas, monospace; } dl.summary dd { margin: 0; text-align: right; }
@media print {
  @page { margin: 1.5cm; }
  body { margin: 0; font-size: 9pt; color: #000; }
  table { font-size: 8pt; width: 100%; table-layout: auto; }
  th, td { padding: 0.15rem 0.3rem; overflow-wrap: break-word; }
  code { font-size: 7.5pt; overflow-wrap: anywhere; }  /* long names may break rather than widen the page */
  .cite, .mark { font-size: 7pt; }
  thead { display: table-header-group; }  /* the header row again on every page */
  tr { break-inside: avoid; }
  h1, h2 { break-after: avoid; }
  a { color: #000; text-decoration: none; }
  .cite { color: #000; }
  dl.summary dt { font-size: 8pt; }
  tr.bottom-line td { background: none; }
}
.draft { border: 2px solid #b36b00; background: #fff4e0; padding: 0.5rem; font-weight: bold; }
"""

DRAFT_NOTE = ("Draft: this tax year's rule files are still marked for review; the figures may not yet match "
              "the publication.")


def docs_page(year: int | str, kind: str, name: str) -> str:
    """The path of a ``ctax docs`` page, without its .md/.html suffix, under the docs folder: the one link scheme
    (``kind`` is "tables" or "worksheets")."""
    return f"{year}/{kind}/{name}"


def _money(value: Any) -> str:
    """A dollar amount as the form prints it ($60,000, $1,234.50); more decimals than cents are kept."""
    if isinstance(value, Decimal) and value != value.quantize(Decimal("0.01")):
        return f"-${-value:,f}" if value < 0 else f"${value:,f}"
    return money_text(value)


def _value(result: Result, name: str, value: Any) -> str:
    return _money(value) if name in result.money and isinstance(value, Decimal) else show(value)


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


def _match_link(match: Match, year: int, docs: str) -> str:
    column = f" [{match.column}]" if match.column else ""
    text = f"{match.table}{column} {match.description}"
    href = f"{docs.rstrip('/')}/{docs_page(year, 'tables', match.table)}.html"
    return f'<a href="{escape(href)}">{escape(text)}</a>'


def _lines_table(result: Result, docs: str, main: bool = True) -> str:
    rows = []
    outputs = output_lines(result)
    bottom = outputs[-1] if outputs and main else None  # the last output: the figure the worksheet is for
    for line in result.lines:
        cls = ' class="output bottom-line"' if line is bottom else ' class="output"' if line.output else ""
        mark = '<span class="mark">bottom line</span>' if line is bottom else ""
        formula = f"<code>{escape(line.expression)}</code><br>= <code>{escape(substituted(line))}</code>"
        matches = "; ".join(_match_link(m, result.year, docs) for m in line.matches)
        rows.append(f"<tr{cls}><td class=\"num\">{escape(line.line)}</td><td>{escape(line.label)}{mark}</td>"
                    f"<td class=\"num value\">{escape(_value(result, line.id, line.value))}</td><td>{formula}</td>"
                    f"<td>{matches}</td><td class=\"cite\">{escape(line.source.cite())}</td></tr>")
    head = "".join(f"<th>{h}</th>" for h in ("Line", "Label", "Value", "Formula", "Table row", "Source"))
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"


def _summary(result: Result) -> str:
    items = "".join(f"<dt>{escape(line.id)}</dt><dd>{escape(_value(result, line.id, line.value))}</dd>"
                    for line in output_lines(result))
    return f'<dl class="summary">{items}</dl>'


def to_html(result: Result, docs: str = DOCS_BASE) -> str:
    """The filled worksheet as one self-contained HTML page; each table row used links to its page under
    ``docs`` (the folder or URL of ``ctax docs`` output)."""
    title = heading_of(result)
    inputs = ", ".join(f"{k} = {_value(result, k, v)}" for k, v in result.inputs.items())
    parts = [f"<h1>{escape(title)}</h1>", f"<p>Inputs: {escape(inputs)}</p>", "<h2>Outputs</h2>", _summary(result),
             "<h2>Line by line</h2>", _lines_table(result, docs)]
    if result.draft:
        parts.insert(1, f'<p class="draft" data-draft="true">{escape(DRAFT_NOTE)}</p>')
    for line in result.lines:
        if line.step is not None:
            parts += [f"<h2>Line {escape(line.line)}: {escape(line.step.title)}</h2>",
                      _lines_table(line.step, docs, main=False)]
    if result.checks:
        fails = '<span class="fails">FAILS</span>'
        rows = "".join(f"<tr><td>{escape(c.label)}</td><td>{'holds' if c.holds else fails}</td></tr>"
                       for c in result.checks)
        parts.append(f"<h2>Checks</h2>\n<table><thead><tr><th>Check</th><th>Result</th></tr></thead>"
                     f"<tbody>{rows}</tbody></table>")
    return page(title, "\n".join(parts))
