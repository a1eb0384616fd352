"""pytest set-up: the YAML test cases in tests/cases/<year>/*.yaml are collected by case_plugin; with
CTAX_COVERAGE_FILE set, engine.tools.pytest_plugin counts every evaluation for ``ctax coverage``."""
from case_plugin import pytest_collect_file  # noqa: F401  (a pytest hook, used by name)

pytest_plugins = ["engine.tools.pytest_plugin"]
