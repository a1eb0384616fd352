"""The worksheet model: typed inputs, ordered lines (each a checked expression or a step into another
worksheet) and the form's cross-checks. Built by engine.loading.worksheets, run by engine.run."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from engine.lang.expressions import Expression
from engine.model.inputs import InputSpec
from engine.model.source import Source


@dataclass(frozen=True)
class Line:
    """One printed line: an expression, or a step that runs another worksheet and takes one of its outputs."""

    id: str
    line: str
    label: str
    source: Source
    rounding: str
    output: bool
    expression: Expression | None = None
    step_worksheet: str | None = None
    step_inputs: dict[str, Expression] = field(default_factory=dict)
    step_output: str | None = None
    step_target: Worksheet | None = None
    note: str | None = None
    position: str = ""  # where the rule file writes the line: file:line:column

    # Derived once, on first use (cached_property stores the value on the frozen instance, so later
    # reads while running are plain attribute reads).
    @cached_property
    def reads(self) -> tuple[str, ...]:
        """The inputs and earlier lines this line reads."""
        if self.expression is not None:
            return self.expression.reads
        return tuple(dict.fromkeys(n for c in self.step_inputs.values() for n in c.reads))

    @property
    def text(self) -> str:
        if self.expression is not None:
            return self.expression.text
        args = ", ".join(f"{k}={v.text}" for k, v in self.step_inputs.items())
        return f"{self.step_worksheet}({args}).{self.step_output}"


@dataclass(frozen=True)
class Check:
    """A cross-check the form states; one that ``rejects_inputs`` is tested before any line runs."""

    id: str
    label: str
    source: Source
    expression: Expression
    rejects_inputs: bool = False


@dataclass(frozen=True, eq=False)  # one worksheet is one object: compiled programs are kept per worksheet (engine.run)
class Worksheet:
    """A compiled worksheet: typed inputs, ordered lines and the form's cross-checks."""

    name: str
    title: str
    form: str | None
    source: Source
    inputs: dict[str, InputSpec]
    lines: list[Line]
    checks: list[Check]
    file: str
    year: int = 0
    draft: bool = False  # the year's files still carry review markers (engine/tools/review.py)

    # A worksheet is not changed once built, so these are worked out once instead of on every run.
    @cached_property
    def input_checks(self) -> list[Check]:
        return [check for check in self.checks if check.rejects_inputs]

    @cached_property
    def result_checks(self) -> list[Check]:
        return [check for check in self.checks if not check.rejects_inputs]

    @cached_property
    def outputs(self) -> list[str]:
        return [line.id for line in self.lines if line.output]

    @cached_property
    def output_names(self) -> frozenset[str]:
        return frozenset(self.outputs)

    @cached_property
    def money(self) -> frozenset[str]:
        """The inputs and lines that hold dollar amounts (pages show them as $1,234): money inputs, lines
        rounded to dollars or cents, a line that is just one of those, and a step taking a money output."""
        names = {name for name, spec in self.inputs.items() if spec.type == "money"}
        for line in self.lines:
            if line.rounding in ("dollars", "cents"):
                names.add(line.id)
            elif line.expression is not None:
                if line.expression.text.strip() in names:
                    names.add(line.id)
            elif line.step_target is not None and line.step_output in line.step_target.money:
                names.add(line.id)
        return frozenset(names)
