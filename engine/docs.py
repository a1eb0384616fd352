"""Each year's tables and worksheets as readable pages with their citations (``ctax docs``).

Every page is built once as a short list of blocks (headings, paragraphs, tables) and written
twice: as Markdown and as a self-contained HTML page (engine.html). Layout of ``--out DIR``::

    DIR/index.md|html                      the years
    DIR/<year>/index.md|html               the year's sources, tables and worksheets
    DIR/<year>/tables/<table>.md|html
    DIR/<year>/worksheets/<worksheet>.md|html
"""
from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any, Sequence, Union

from . import html as html_pages
from .rules import RuleSet
from .tables import Column, Source, Table, money_text, plain_text, value_text

Block = Union[tuple[str, str], tuple[str, Sequence[str], Sequence[Sequence[str]]]]


def _cite(source: Source | None) -> str:
    return f"Source: {source.cite()}" if source else "Source: (none)"


def _value(table: Table, value: Any) -> str:
    return value_text(value, table.unit)


def _column_blocks(table: Table, column: Column, statuses: list[str], lookup: str) -> list[Block]:
    blocks: list[Block] = [("h2", f"{column.label or 'All filers'}" + (f" ({', '.join(statuses)})" if statuses else ""))]
    if column.source:
        blocks.append(("p", _cite(column.source)))
    if column.rows:
        label = table.value_label or "Value"
        rows = [[f"at or below {money_text(column.floor)}", _value(table, column.at_or_below_floor)]]
        rows += [[row.describe(), _value(table, row.value)] for row in column.rows]
        blocks.append(("table", [lookup, label], rows))
    if column.brackets:
        rows = [[b.describe().split(":")[0], money_text(b.base_tax), f"{plain_text(b.rate * 100)}%",
                 money_text(b.excess_over)] for b in column.brackets]
        blocks.append(("table", [lookup, "Tax is", "plus", "of the excess over"], rows))
    if column.formula is not None:
        text = "; ".join(c.describe() for c in column.formula.components)
        start = f"start {money_text(column.formula.start)}; " if column.formula.start else ""
        blocks.append(("p", f"Formula: {start}{text}."))
    return blocks


def table_page(table: Table, lookup: str = "Amount") -> tuple[str, list[Block]]:
    blocks: list[Block] = [("p", f"Table '{table.name}' ({table.kind}). {_cite(table.source)}")]
    if table.source.text:
        blocks.append(("quote", table.source.text))
    if table.scalar:
        rows = [[status or "all filers", _value(table, value)] for status, value in table.scalar.items()]
        blocks.append(("table", ["Filing status", table.value_label or "Value"], rows))
    for column in table.distinct_columns():
        statuses = [s for s, c in table.columns.items() if c is column and s is not None]
        blocks += _column_blocks(table, column, statuses, lookup)
    return table.title, blocks


def worksheet_page(ruleset: RuleSet, name: str) -> tuple[str, list[Block]]:
    sheet = ruleset.worksheets[name]
    blocks: list[Block] = [("p", f"Worksheet '{sheet.name}'" + (f", {sheet.form}" if sheet.form else "") +
                            f". {_cite(sheet.source)}")]
    if sheet.source.text:
        blocks.append(("quote", sheet.source.text))
    rows = [[spec.name, spec.type, spec.label, "required" if not spec.has_default else plain_text(spec.default)]
            for spec in sheet.inputs.values()]
    blocks += [("h2", "Inputs"), ("table", ["Input", "Type", "Label", "Default"], rows)]
    rows = [[line.line, line.label, line.text, line.rounding, ("output: " + line.id) if line.output else line.id,
             line.source.cite()] for line in sheet.lines]
    blocks += [("h2", "Lines"), ("table", ["Line", "Label", "Formula", "Rounding", "Name", "Source"], rows)]
    if sheet.checks:
        rows = [[c.label, c.expression.text, c.source.cite()] for c in sheet.checks]
        blocks += [("h2", "Checks"), ("table", ["Check", "Holds when", "Source"], rows)]
    return sheet.title, blocks


def year_page(ruleset: RuleSet) -> tuple[str, list[Block]]:
    blocks: list[Block] = [("h2", "Sources")]
    rows = [[key, data.get("title", ""), data.get("publisher", "")] for key, data in ruleset.sources.items()]
    blocks.append(("table", ["Id", "Title", "Publisher"], rows))
    blocks += [("h2", "Tables"), ("links", [(f"tables/{n}", t.title) for n, t in sorted(ruleset.tables.items())])]
    blocks += [("h2", "Worksheets"),
               ("links", [(f"worksheets/{n}", w.title) for n, w in sorted(ruleset.worksheets.items())])]
    return ruleset.title, blocks


def to_markdown(title: str, blocks: list[Block]) -> str:
    out = [f"# {title}", ""]
    for block in blocks:
        kind = block[0]
        if kind == "h2":
            out += [f"## {block[1]}", ""]
        elif kind == "p":
            out += [block[1], ""]
        elif kind == "quote":
            out += [f"> {block[1]}", ""]
        elif kind == "links":
            out += [f"- [{text}]({target}.md)" for target, text in block[1]] + [""]
        else:
            headers, rows = block[1], block[2]
            out.append("| " + " | ".join(headers) + " |")
            out.append("|" + "---|" * len(headers))
            out += ["| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in row) + " |"
                    for row in rows]
            out.append("")
    return "\n".join(out)


def to_html(title: str, blocks: list[Block]) -> str:
    parts = [f"<h1>{escape(title)}</h1>"]
    for block in blocks:
        kind = block[0]
        if kind == "h2":
            parts.append(f"<h2>{escape(block[1])}</h2>")
        elif kind == "p":
            parts.append(f"<p>{escape(block[1])}</p>")
        elif kind == "quote":
            parts.append(f"<blockquote>{escape(block[1])}</blockquote>")
        elif kind == "links":
            items = "".join(f'<li><a href="{escape(t)}.html">{escape(x)}</a></li>' for t, x in block[1])
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append(html_pages.table(block[1], block[2]))
    return html_pages.page(title, "\n".join(parts))


def _write(base: Path, stem: str, title: str, blocks: list[Block]) -> list[Path]:
    paths = [base / f"{stem}.md", base / f"{stem}.html"]
    paths[0].parent.mkdir(parents=True, exist_ok=True)
    paths[0].write_text(to_markdown(title, blocks), encoding="utf-8")
    paths[1].write_text(to_html(title, blocks), encoding="utf-8")
    return paths


def write_docs(rulesets: list[RuleSet], out: Path) -> list[Path]:
    """Write every page for these years under ``out``; returns the files written."""
    written = _write(out, "index", "Connecticut income tax rules",
                     [("links", [(f"{r.year}/index", r.title) for r in rulesets])])
    for ruleset in rulesets:
        base = out / str(ruleset.year)
        written += _write(base, "index", *year_page(ruleset))
        for name, table in sorted(ruleset.tables.items()):
            doc = ruleset.documents.get(table.file)
            lookup = doc.data.get("lookup", "Amount") if doc else "Amount"
            written += _write(out, html_pages.docs_page(ruleset.year, "tables", name), *table_page(table, lookup))
        for name in sorted(ruleset.worksheets):
            written += _write(out, html_pages.docs_page(ruleset.year, "worksheets", name), *worksheet_page(ruleset, name))
    return written
