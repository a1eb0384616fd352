"""Each year's tables and worksheets as a navigable site with citations and a search box (``ctax docs``).

Every page is built once as a short list of blocks (headings, paragraphs, tables whose cells may
be links) and written twice: as Markdown and as a self-contained HTML page (engine.present.html's shell).
Layout of ``--out DIR`` (one link scheme: ``<year>/<kind>/<name>`` plus the suffix)::

    DIR/index.md|html                      the years, and the search box
    DIR/search.html                        search over every page (an index inlined in the page)
    DIR/<year>/index.md|html               the year's sources, tables and worksheets
    DIR/<year>/citations.md|html           every citation of the year, by publication, with the pages citing it
    DIR/<year>/tables/<table>.md|html      a table, and the worksheet lines that use it
    DIR/<year>/worksheets/<name>.md|html   a worksheet; each line links to the tables it uses

Why hand-built pages rather than a static-site generator such as MkDocs: the site must work when
opened straight from disk (``file://``), where MkDocs' search cannot load its index; ctax must
control every write into DIR (engine/present/outputs.py: no symlink followed, no file of the user's
replaced without ``--force``), while a generator writes and cleans its own site folder; and the
pages are a few tables, which the page shell already styles, so a generator would add a dependency
tree for the core install without removing code. The search is a dozen lines of inline script over
an inlined JSON index; every page also works without scripts.

Text from rule files is escaped for each format: HTML-escaped, and in Markdown, control characters
become spaces and Markdown's syntax characters are backslash-escaped, so a title cannot start a
new line, a heading, a link or raw HTML.
"""
from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from engine.model.ruleset import RuleSet
from engine.model.source import Source
from engine.model.tables import Column, Table
from engine.model.text import money_text, plain_text, value_text
from engine.present import html as html_pages


@dataclass(frozen=True)
class Link:
    """A link to another page of the site: ``target`` is its path without suffix, from the site's root."""

    text: str
    target: str
    anchor: str = ""


Cell = str | Link | Sequence[str | Link]
Block = tuple  # ("h2", text) | ("p", text) | ("quote", text) | ("code", text) | ("links", [Link]) |
#                ("table", headers, rows[, row_ids]) | ("search",)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|&~#!])")
_BLOCK_START = re.compile(r"^(\s*)(?:([-+=>])|(\d+)([.)]))")


def one_line(text: Any) -> str:
    """Text of a rule file as one line: every control character (newlines too) becomes a space."""
    return _CONTROL.sub(" ", str(text))


def md(text: Any) -> str:
    """Rule-file text for inline Markdown (a table cell, link text): one line, syntax characters escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", one_line(text))


def md_block(text: Any) -> str:
    """Rule-file text starting a Markdown paragraph: also no list, quote or heading marker at its start."""
    def neutral(m: re.Match) -> str:
        if m.group(2):
            return m.group(1) + "\\" + m.group(2)
        return m.group(1) + m.group(3) + "\\" + m.group(4)  # "1." -> "1\." (a backslash before a digit is literal)

    return _BLOCK_START.sub(neutral, md(text))


def md_code(text: Any) -> str:
    """Text as a Markdown code span, fenced with more backticks than it holds."""
    text = one_line(text).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}"


def _cite(source: Source | None) -> str:
    return f"Source: {source.cite()}" if source else "Source: (none)"


def _value(table: Table, value: Any) -> str:
    return value_text(value, table.unit)


# ---------------------------------------------------------------- what uses what


def table_users(ruleset: RuleSet) -> dict[str, list[tuple[str, str, str]]]:
    """For each table: (worksheet, line id, printed line) of every line, check or input rule that reads it."""
    users: dict[str, list[tuple[str, str, str]]] = {}
    for name, sheet in sorted(ruleset.worksheets.items()):
        for line in sheet.lines:
            compiled = [line.expression] if line.expression is not None else list(line.step_inputs.values())
            for table in dict.fromkeys(t for c in compiled for t in c.tables):
                users.setdefault(table, []).append((name, line.id, f"line {line.line}"))
        for check in sheet.checks:
            for table in check.expression.tables:
                users.setdefault(table, []).append((name, "", f"check: {check.label}"))
        for spec in sheet.inputs.values():
            if spec.required_if is not None:
                for table in spec.required_if.tables:
                    users.setdefault(table, []).append((name, "", f"input {spec.name}"))
    return users


def _line_links(ruleset: RuleSet, line: Any) -> list[Link | str]:
    compiled = [line.expression] if line.expression is not None else list(line.step_inputs.values())
    links: list[Link | str] = [Link(t, html_pages.docs_page(ruleset.year, "tables", t))
                               for t in dict.fromkeys(t for c in compiled for t in c.tables)]
    if line.step_worksheet:
        links.append(Link(f"worksheet {line.step_worksheet}",
                          html_pages.docs_page(ruleset.year, "worksheets", line.step_worksheet)))
    return links


# ---------------------------------------------------------------- pages


def _column_blocks(table: Table, column: Column, statuses: list[str], lookup: str) -> list[Block]:
    heading = f"{column.label or 'All filers'}" + (f" ({', '.join(statuses)})" if statuses else "")
    blocks: list[Block] = [("h2", heading)]
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
        if column.formula.text:
            blocks.append(("quote", column.formula.text))
    if column.note:
        blocks.append(("p", f"Note: {column.note}"))
    return blocks


def table_page(table: Table, lookup: str = "Amount", ruleset: RuleSet | None = None,
               users: dict[str, list[tuple[str, str, str]]] | None = None) -> tuple[str, list[Block]]:
    blocks: list[Block] = [("p", f"Table '{table.name}' ({table.kind}). {_cite(table.source)}")]
    if table.source.text:
        blocks.append(("quote", table.source.text))
    if table.source.note:
        blocks.append(("p", f"Note: {table.source.note}"))
    if table.scalar:
        rows: list[list[Cell]] = [[status or "all filers", _value(table, value)]
                                  for status, value in table.scalar.items()]
        blocks.append(("table", ["Filing status", table.value_label or "Value"], rows))
    for column in table.distinct_columns():
        statuses = [s for s, c in table.columns.items() if c is column and s is not None]
        blocks += _column_blocks(table, column, statuses, lookup)
    if ruleset is not None:
        used = (users or table_users(ruleset)).get(table.name, [])
        blocks.append(("h2", "Used by"))
        if used:
            rows = [[Link(sheet, html_pages.docs_page(ruleset.year, "worksheets", sheet),
                          f"line-{line_id}" if line_id else ""), where]
                    for sheet, line_id, where in used]
            blocks.append(("table", ["Worksheet", "Where"], rows))
        else:
            blocks.append(("p", "No worksheet uses this table."))
        blocks.append(("links", [Link(f"All of {ruleset.year}", f"{ruleset.year}/index")]))
    return table.title, blocks


def worksheet_page(ruleset: RuleSet, name: str) -> tuple[str, list[Block]]:
    sheet = ruleset.worksheets[name]
    blocks: list[Block] = [("p", f"Worksheet '{sheet.name}'" + (f", {sheet.form}" if sheet.form else "") +
                            f". {_cite(sheet.source)}")]
    if sheet.source.text:
        blocks.append(("quote", sheet.source.text))
    rows: list[list[Cell]] = [
        [spec.name, spec.type, spec.label, "required" if not spec.has_default else plain_text(spec.default)]
        for spec in sheet.inputs.values()]
    blocks += [("h2", "Inputs"), ("table", ["Input", "Type", "Label", "Default"], rows)]
    rows = [[line.line, line.label, ("code", line.text), line.rounding or "",
             ("output: " + line.id) if line.output else line.id, _line_links(ruleset, line), line.source.cite()]
            for line in sheet.lines]
    blocks += [("h2", "Lines"), ("table", ["Line", "Label", "Formula", "Rounding", "Name", "Tables", "Source"], rows,
                                 [f"line-{line.id}" for line in sheet.lines])]
    if sheet.checks:
        rows = [[c.label, ("code", c.expression.text), c.source.cite()] for c in sheet.checks]
        blocks += [("h2", "Checks"), ("table", ["Check", "Holds when", "Source"], rows)]
    blocks.append(("links", [Link(f"All of {ruleset.year}", f"{ruleset.year}/index")]))
    return sheet.title, blocks


def _citations(ruleset: RuleSet) -> dict[str, list[tuple[str, Link]]]:
    """Every citation of the year by document: (section and page, the page citing it)."""
    found: dict[str, dict[tuple[str, str], None]] = {}
    links: dict[tuple[str, str], Link] = {}

    def add(source: Source | None, link: Link) -> None:
        if source is None:
            return
        pin = source.section + (f", p. {source.page}" if source.page is not None else "")
        key = (pin, link.target + "#" + link.anchor)
        found.setdefault(source.document, {})[key] = None
        links[key] = link

    for name, table in sorted(ruleset.tables.items()):
        link = Link(table.title, html_pages.docs_page(ruleset.year, "tables", name))
        add(table.source, link)
        for column in table.distinct_columns():
            add(column.source, link)
    for name, sheet in sorted(ruleset.worksheets.items()):
        add(sheet.source, Link(sheet.title, html_pages.docs_page(ruleset.year, "worksheets", name)))
        for line in sheet.lines:
            add(line.source, Link(f"{sheet.title}, line {line.line}",
                                  html_pages.docs_page(ruleset.year, "worksheets", name), f"line-{line.id}"))
    return {doc: [(pin, links[(pin, target)]) for pin, target in keys] for doc, keys in found.items()}


def citations_page(ruleset: RuleSet) -> tuple[str, list[Block]]:
    blocks: list[Block] = []
    for document, cites in sorted(_citations(ruleset).items()):
        data = ruleset.sources.get(document, {})
        blocks.append(("h2", document))
        if data.get("title"):
            blocks.append(("p", f"{data['title']}" + (f" ({data['publisher']})" if data.get("publisher") else "")))
        blocks.append(("table", ["Section and page", "Cited by"], [[pin, link] for pin, link in cites]))
    blocks.append(("links", [Link(f"All of {ruleset.year}", f"{ruleset.year}/index")]))
    return f"Citations, {ruleset.title}", blocks


def year_page(ruleset: RuleSet) -> tuple[str, list[Block]]:
    blocks: list[Block] = [("search",)]
    if ruleset.draft:
        blocks.append(("p", (f"Draft: {len(ruleset.draft_files)} rule file(s) of {ruleset.year} are still marked "
                             f"for review; their figures may not yet match the publication.")))
    blocks.append(("h2", "Sources"))
    rows = [[key, data.get("title", ""), data.get("publisher", "")] for key, data in ruleset.sources.items()]
    blocks.append(("table", ["Id", "Title", "Publisher"], rows))
    blocks.append(("links", [Link("Every citation, by publication", f"{ruleset.year}/citations")]))
    blocks += [("h2", "Tables"), ("links", [Link(t.title, html_pages.docs_page(ruleset.year, "tables", n))
                                           for n, t in sorted(ruleset.tables.items())])]
    blocks += [("h2", "Worksheets"), ("links", [Link(w.title, html_pages.docs_page(ruleset.year, "worksheets", n))
                                               for n, w in sorted(ruleset.worksheets.items())])]
    blocks.append(("links", [Link("All years", "index")]))
    return ruleset.title, blocks


# ---------------------------------------------------------------- rendering


def _href(here: str, link: Link, suffix: str) -> str:
    target = posixpath.relpath(link.target, posixpath.dirname(here) or ".") + suffix
    return target + (f"#{link.anchor}" if link.anchor else "")


def _md_cell(here: str, cell: Any) -> str:
    if isinstance(cell, Link):
        return f"[{md(cell.text)}]({_href(here, cell, '.md')})"
    if isinstance(cell, tuple) and cell and cell[0] == "code":
        return md_code(cell[1])
    if isinstance(cell, list):
        return ", ".join(_md_cell(here, c) for c in cell)
    return md(cell)


def to_markdown(here: str, title: str, blocks: list[Block]) -> str:
    out = [f"# {md(title)}", ""]
    for block in blocks:
        kind = block[0]
        if kind == "h2":
            out += [f"## {md(block[1])}", ""]
        elif kind == "p":
            out += [md_block(block[1]), ""]
        elif kind == "quote":
            out += [f"> {md_block(block[1])}", ""]
        elif kind == "links":
            out += [f"- {_md_cell(here, link)}" for link in block[1]] + [""]
        elif kind == "search":
            out += [f"Search: open [the search page]({_href(here, Link('', 'search'), '.html')}) in a browser.", ""]
        else:
            headers, rows = block[1], block[2]
            out.append("| " + " | ".join(md(h) for h in headers) + " |")
            out.append("|" + "---|" * len(headers))
            out += ["| " + " | ".join(_md_cell(here, c) for c in row) + " |" for row in rows]
            out.append("")
    return "\n".join(out)


def _html_cell(here: str, cell: Any) -> str:
    if isinstance(cell, Link):
        return f'<a href="{escape(_href(here, cell, ".html"))}">{escape(one_line(cell.text))}</a>'
    if isinstance(cell, tuple) and cell and cell[0] == "code":
        return f"<code>{escape(one_line(cell[1]))}</code>"
    if isinstance(cell, list):
        return ", ".join(_html_cell(here, c) for c in cell)
    return escape(one_line(cell))


def _search_form(here: str) -> str:
    action = escape(_href(here, Link("", "search"), ".html"))
    return (f'<form class="search" role="search" action="{action}" method="get">'
            f'<input type="search" name="q" placeholder="Search tables, worksheets, lines, citations" '
            f'aria-label="Search"> <button type="submit">Search</button></form>')


def to_html(here: str, title: str, blocks: list[Block]) -> str:
    parts = [_search_form(here), f"<h1>{escape(one_line(title))}</h1>"]
    for block in blocks:
        kind = block[0]
        if kind == "h2":
            parts.append(f"<h2>{escape(one_line(block[1]))}</h2>")
        elif kind == "p":
            parts.append(f"<p>{escape(one_line(block[1]))}</p>")
        elif kind == "quote":
            parts.append(f"<blockquote>{escape(one_line(block[1]))}</blockquote>")
        elif kind == "links":
            items = "".join(f"<li>{_html_cell(here, link)}</li>" for link in block[1])
            parts.append(f"<ul>{items}</ul>")
        elif kind == "search":
            continue  # every page has the search box at its top
        else:
            headers, rows = block[1], block[2]
            ids = block[3] if len(block) > 3 else [""] * len(rows)
            head = "".join(f"<th>{escape(h)}</th>" for h in headers)
            body = "\n".join(f'<tr{f" id={chr(34)}{escape(i)}{chr(34)}" if i else ""}>'
                             + "".join(f"<td>{_html_cell(here, c)}</td>" for c in row) + "</tr>"
                             for row, i in zip(rows, ids))
            parts.append(f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>")
    return html_pages.page(one_line(title), "\n".join(parts))


# ---------------------------------------------------------------- search

SEARCH_SCRIPT = """
(function () {
  var index = JSON.parse(document.getElementById("search-index").textContent);
  var query = (new URLSearchParams(window.location.search).get("q") || "").trim().toLowerCase();
  var box = document.querySelector("form.search input[name=q]");
  var list = document.getElementById("results");
  box.value = query;
  if (!query) { return; }
  var words = query.split(/\\s+/);
  var hits = index.filter(function (entry) {
    var text = entry.text.toLowerCase();
    return words.every(function (word) { return text.indexOf(word) >= 0; });
  });
  document.getElementById("count").textContent = hits.length + " page(s) match \\u201c" + query + "\\u201d";
  hits.forEach(function (entry) {
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = entry.href;
    link.textContent = entry.title;
    item.appendChild(link);
    item.appendChild(document.createTextNode(" (" + entry.where + ")"));
    list.appendChild(item);
  });
})();
"""


def _block_text(blocks: list[Block]) -> str:
    words: list[str] = []

    def add(cell: Any) -> None:
        if isinstance(cell, Link):
            words.append(cell.text)
        elif isinstance(cell, tuple) and cell and cell[0] == "code":
            words.append(str(cell[1]))
        elif isinstance(cell, list):
            for c in cell:
                add(c)
        else:
            words.append(str(cell))

    for block in blocks:
        if block[0] in ("h2", "p", "quote"):
            add(block[1])
        elif block[0] == "table":
            for row in block[2]:
                for cell in row:
                    add(cell)
    return one_line(" ".join(words))


def search_page(entries: list[dict]) -> str:
    # the index is inlined (a file:// page cannot fetch one); '<' is escaped so no text can close the script
    data = json.dumps(entries, ensure_ascii=True).replace("<", "\\u003c").replace(">", "\\u003e")
    body = (_search_form("search") + "<h1>Search</h1>\n<p id=\"count\">Type words to find the pages holding all "
            "of them.</p>\n<ul id=\"results\"></ul>\n"
            f'<script type="application/json" id="search-index">{data}</script>\n<script>{SEARCH_SCRIPT}</script>')
    return html_pages.page("Search", body)


# ---------------------------------------------------------------- the site


def build_site(rulesets: list[RuleSet]) -> dict[str, str]:
    """Every file of the site: relative path -> text."""
    pages: list[tuple[str, str, list[Block], str]] = []  # (path, title, blocks, where)
    pages.append(("index", "Connecticut income tax rules",
                  [("search",), ("links", [Link(r.title, f"{r.year}/index") for r in rulesets])], "all years"))
    for ruleset in rulesets:
        year = ruleset.year
        users = table_users(ruleset)
        pages.append((f"{year}/index", *year_page(ruleset), f"{year}"))
        pages.append((f"{year}/citations", *citations_page(ruleset), f"{year} citations"))
        for name, table in sorted(ruleset.tables.items()):
            pages.append((html_pages.docs_page(year, "tables", name), *table_page(table, table.lookup_label, ruleset,
                                                                                  users),
                          f"{year} table {name}"))
        for name in sorted(ruleset.worksheets):
            pages.append((html_pages.docs_page(year, "worksheets", name), *worksheet_page(ruleset, name),
                          f"{year} worksheet {name}"))
    files: dict[str, str] = {}
    entries = []
    for path, title, blocks, where in pages:
        files[f"{path}.md"] = to_markdown(path, title, blocks)
        files[f"{path}.html"] = to_html(path, title, blocks)
        entries.append({"title": one_line(title), "href": f"{path}.html", "where": where,
                        "text": f"{one_line(title)} {where} {_block_text(blocks)}"})
    files["search.html"] = search_page(entries)
    return files


def write_docs(rulesets: list[RuleSet], out: Path, *, force: bool = False) -> list[Path]:
    """Write the site for these years under ``out`` (engine/present/outputs.py: safely); returns the files written."""
    from engine.present.outputs import write_files

    return [out / name for name in write_files(out, build_site(rulesets), force=force)]
