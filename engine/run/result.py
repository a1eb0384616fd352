"""The result of evaluating a worksheet: outputs by name and the line-by-line trace."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from engine.model.source import Source
from engine.model.tables import Match

if TYPE_CHECKING:
    from engine.model.worksheet import Worksheet

RESULT_FORMAT = "ctax.result/1"


def plain(value: Any) -> Any:
    """JSON-ready form of a value: Decimal as exact text, dates as ISO text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    return value


@dataclass
class LineTrace:
    """One filled-in line: what it says, what it computed, from what, and where the law says so."""

    id: str
    line: str
    label: str
    value: Any
    expression: str
    reads: dict[str, Any]
    matches: list[Match]
    source: Source
    output: bool = False
    rounding: str = "none"
    step: Result | None = None
    note: str | None = None
    position: str | None = None  # the rule's file:line:column

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "line": self.line,
            "label": self.label,
            "value": plain(self.value),
            "expression": self.expression,
            "reads": plain(self.reads),
            "rounding": self.rounding,
            "table_rows": [m.to_dict() for m in self.matches],
            "source": self.source.to_dict(),
            "citation": self.source.cite(),
            "output": self.output,
        }
        if self.step is not None:
            data["step"] = self.step.to_dict()
        return data


@dataclass
class CheckResult:
    """A cross-check the form states, and whether it holds for these inputs."""

    id: str
    label: str
    holds: bool
    expression: str
    reads: dict[str, Any]
    source: Source

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "holds": self.holds, "expression": self.expression,
                "reads": plain(self.reads), "citation": self.source.cite()}


class Result(Mapping[str, Any]):
    """Outputs by name (``result["ct_income_tax"]``), and every line in order (``result.lines``).

    A result keeps the evaluation's values (inputs and lines by name) and the worksheet they came from;
    the other attributes are read from those when first asked for (and may be set like any attribute),
    so an evaluation whose caller reads one output does not build the others' dict first."""

    def __init__(self, sheet: Worksheet, values: dict[str, Any], lines: Sequence[LineTrace],
                 checks: list[CheckResult]):
        self._sheet = sheet
        self._values = values  # the inputs as read and every line computed; not changed once given here
        self.lines = lines  # a traced result's build when first read
        self.checks = checks

    @cached_property
    def year(self) -> int:
        return self._sheet.year

    @cached_property
    def worksheet(self) -> str:
        return self._sheet.name

    @cached_property
    def title(self) -> str:
        return self._sheet.title

    @cached_property
    def money(self) -> frozenset[str]:
        """Names of the inputs and lines that are dollar amounts."""
        return self._sheet.money

    @cached_property
    def draft(self) -> bool:
        """Computed from a draft year (files with review: markers)."""
        return self._sheet.draft

    @cached_property
    def inputs(self) -> dict[str, Any]:
        """The inputs as the worksheet read them, left-out ones filled."""
        values = self._values
        return {name: values[name] for name in self._sheet.inputs}

    @cached_property
    def outputs(self) -> dict[str, Any]:
        values = self._values
        return {name: values[name] for name in self._sheet.outputs}

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Result:
            return NotImplemented
        assert isinstance(other, Result)
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # equal results are equal by value, and results are not frozen

    def _fields(self) -> tuple[Any, ...]:
        return (self.year, self.worksheet, self.title, self.inputs, self.outputs, list(self.lines),
                list(self.checks), self.money, self.draft)

    def __repr__(self) -> str:
        return (f"Result(year={self.year!r}, worksheet={self.worksheet!r}, inputs={self.inputs!r}, "
                f"outputs={self.outputs!r})")

    def __getitem__(self, name: str) -> Any:
        if "outputs" not in self.__dict__ and name in self._sheet.output_names:
            return self._values[name]  # one output, without building the outputs' dict first
        try:
            return self.outputs[name]
        except KeyError:
            raise KeyError(f"worksheet '{self.worksheet}' has no output '{name}'; outputs: "
                           f"{', '.join(self.outputs)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.outputs)

    def __len__(self) -> int:
        return len(self.outputs)

    def line(self, id_or_number: str) -> LineTrace:
        """The traced line with this id or printed line number."""
        for entry in self.lines:
            if entry.id == id_or_number or entry.line == str(id_or_number):
                return entry
        raise KeyError(id_or_number)

    @property
    def checks_hold(self) -> bool:
        return all(c.holds for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format": RESULT_FORMAT,
            "year": self.year,
            "worksheet": self.worksheet,
            "title": self.title,
            "inputs": plain(self.inputs),
            "outputs": plain(self.outputs),
            "lines": [line.to_dict() for line in self.lines],
            "checks": [check.to_dict() for check in self.checks],
        }
        if self.draft:  # only then, so results of released years keep their exact form
            data["draft"] = True
        return data
