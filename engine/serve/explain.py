"""A result as the explainer shows it: each line's label, value as printed, the expression with the
values substituted, the table row it matched and its citation (engine.present.text's wording), outputs first."""
from __future__ import annotations

from typing import Any

from engine.present.text import show, substituted, table_rows
from engine.run.result import LineTrace, Result, plain


def _line(line: LineTrace) -> dict[str, Any]:
    data = {"id": line.id, "line": line.line, "label": line.label, "value": show(line.value),
            "raw": plain(line.value), "expression": line.expression, "substituted": substituted(line),
            "table_row": table_rows(line), "citation": line.source.cite(), "output": line.output}
    if line.step is not None:
        data["step"] = explain(line.step)
    return data


def explain(result: Result) -> dict[str, Any]:
    """The filled-in worksheet, ready to print: outputs (label and value) on top, then every line."""
    by_id = {line.id: line for line in result.lines}
    return {"format": "ctax.explained/1", "year": result.year, "worksheet": result.worksheet, "title": result.title,
            "outputs": [{"id": name, "line": by_id[name].line if name in by_id else "",
                         "label": by_id[name].label if name in by_id else name, "value": show(value),
                         "raw": plain(value)} for name, value in result.outputs.items()],
            "lines": [_line(line) for line in result.lines],
            "checks": [{"label": c.label, "holds": c.holds, "citation": c.source.cite()} for c in result.checks]}
