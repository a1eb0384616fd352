"""One case in two years, line by line, for the explainer's "compare with another year" (what
``ctax diff --case`` computes: engine.tools.diff.compare_lines and the changed figures of each table)."""
from __future__ import annotations

import os
from typing import Any

from engine import api
from engine.present.text import show
from engine.run.result import plain
from engine.tools.diff import compare_lines, year_changes


def compare(year: str, other: str, worksheet: str, inputs: dict[str, Any],
            rules: str | os.PathLike | None = None) -> dict[str, Any]:
    """Both results and every line of ``other`` against ``year``: both values, the change, the figures behind it."""
    a = api.evaluate(year, worksheet, inputs, rules=rules)
    b = api.evaluate(other, worksheet, inputs, rules=rules)
    old_set, new_set = api.load(year, rules), api.load(other, rules)
    grouped = year_changes(old_set, new_set)
    lines = [{"id": row.key, "line": row.line.line, "label": row.line.label,
              "old": plain(row.old_value), "new": plain(row.line.value), "old_text": show(row.old_value),
              "new_text": show(row.line.value), "change": row.change,
              "because": [{"table": c.table, "title": c.title, "filing_statuses": list(c.statuses),
                           "figure": c.figure, "old": show(c.old) if c.old is not None else None,
                           "new": show(c.new) if c.new is not None else None, "text": c.describe(),
                           "old_citation": c.old_source, "new_citation": c.new_source} for c in row.because]}
             for row in compare_lines(old_set, new_set, a, b, grouped)]
    return {"format": "ctax.compare/1", "worksheet": worksheet, "years": [a.year, b.year],
            "results": [a.to_dict(), b.to_dict()], "lines": lines}
