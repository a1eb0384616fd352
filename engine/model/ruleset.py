"""A tax year's rule set: its validated tables and compiled worksheets, the publications they cite,
and whether it is still a draft. Built by engine.loading.ruleset; frozen once built."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import Problem, UnknownWorksheetError, did_you_mean
from engine.model.tables import Table
from engine.model.worksheet import Worksheet


@dataclass(frozen=True, eq=False)
class RuleSet:
    """One tax year's validated tables and compiled worksheets (each mapping may build its entries when
    first read: a year from the cache compiles only what is asked for)."""

    year: int
    title: str
    directory: Path
    sources: dict[str, dict]
    tables: Mapping[str, Table]
    worksheets: Mapping[str, Worksheet]
    warnings: list[Problem] = field(default_factory=list)
    draft_files: list[str] = field(default_factory=list)  # files still carrying a review: marker

    @property
    def draft(self) -> bool:
        """A draft year: some file is still marked for review (see engine/tools/review.py)."""
        return bool(self.draft_files)

    def worksheet(self, name: str) -> Worksheet:
        """The worksheet called ``name``; UnknownWorksheetError lists the year's worksheets."""
        sheet = self.worksheets.get(name) if isinstance(name, str) else None
        if sheet is None:
            hint = did_you_mean(name, self.worksheets) if isinstance(name, str) else ""
            raise UnknownWorksheetError(f"tax year {self.year} has no worksheet {name!r}{hint}; worksheets: "
                                        f"{', '.join(sorted(self.worksheets))}")
        return sheet
