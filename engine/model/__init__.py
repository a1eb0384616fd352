"""Frozen data, no I/O: filing statuses, citations, tables with their lookups, input specs,
worksheets and rule sets, as the loader builds them from the rule files."""
