"""Showing results and rules to people: text and Markdown traces, HTML pages, the docs site,
plots, and the escaping of everything printed to a terminal."""

DOCS_BASE = "docs/rules"  # where ``ctax docs`` writes by default (its --out), and what pages link to
