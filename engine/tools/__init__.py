"""The maintainers' tools over a loaded rule set: lint, diff between years, new-year, review
markers, case files, coverage of rule rows by the tests."""
