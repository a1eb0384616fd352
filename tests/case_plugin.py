"""A pytest plugin collecting YAML test cases (``cases/<year>/*.yaml``): each case is one pytest item.

A failing case reports its file, line and name, and every expected output that differs, so a
maintainer adds cases without writing Python (see engine/tools/cases.py for the format).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.tools.cases import Case, CaseFileError, load_cases, run_case


class CaseFailure(Exception):
    """A YAML case gave different outputs than expected."""


def pytest_collect_file(parent: pytest.Collector, file_path: Path):
    # any cases/<year>/*.yaml (so a test can run the plugin on a case folder of its own)
    if file_path.suffix == ".yaml" and file_path.parent.name.isdigit() and file_path.parent.parent.name == "cases":
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFile(pytest.File):
    def collect(self):
        try:
            display = str(self.path.relative_to(self.config.rootpath))
        except ValueError:
            display = str(self.path)
        try:
            cases = load_cases(self.path, display)
        except CaseFileError as error:
            raise self.CollectError(str(error)) from None
        for case in cases:
            yield CaseItem.from_parent(self, name=case.name, case=case)


class CaseItem(pytest.Item):
    def __init__(self, *, case: Case, **kwargs):
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        outcome = run_case(self.case)
        if not outcome.passed:
            raise CaseFailure("\n".join(outcome.mismatches))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CaseFailure):
            case = self.case
            return (f"{case.where}: case '{case.name}' ({case.year} {case.worksheet}) failed:\n  "
                    + str(excinfo.value).replace("\n", "\n  "))
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, self.case.line - 1, f"case {self.case.name}"
