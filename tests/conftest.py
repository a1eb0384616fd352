"""pytest set-up: the YAML test cases in tests/cases/<year>/*.yaml are collected by case_plugin."""
from case_plugin import pytest_collect_file  # noqa: F401  (a pytest hook, used by name)
