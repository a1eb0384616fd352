"""The worksheet loop, written once for both evaluators.

``build(sheet, backend)`` walks a worksheet in the order it runs and asks the backend to compile each
piece: the ``required_if`` conditions, the checks that refuse inputs, every line (an expression, or a
step into another worksheet with the inputs it passes) followed by its rounding, and the result
checks. What each piece means is decided here: the order, which inputs a step passes and how the
target's other inputs are filled (engine.model.inputs.Fill), which rounding of the registry applies.
A backend supplies only the leaves: the scalar one closures over exact Decimals with a trace
(engine.run.scalar), the column one numpy closures over many returns (engine.run.column), each
taking function and rounding meanings from the one registry (engine.lang.registry).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from engine.lang.expressions import Expression
from engine.lang.registry import ROUNDINGS, Rounding
from engine.model.inputs import Fill, InputSpec
from engine.model.worksheet import Check, Line, Worksheet

Value = TypeVar("Value")  # what a backend compiles an expression to
Program = TypeVar("Program")  # what a backend compiles a worksheet to


@dataclass(frozen=True)
class Step:
    """A step line: the worksheet it runs, what it passes to which input, and the output it takes.
    Every other input of the target is filled as its spec says (``fills``: a default or None; an input
    without either is refused when the rules load, engine.loading.worksheets.check_steps)."""

    target: Worksheet
    passes: dict[str, Expression]
    fills: dict[str, Fill]
    output: str


def step_of(line: Line) -> Step:
    target = line.step_target
    assert target is not None and line.step_output is not None  # a step line of a loaded rule set
    fills = {name: spec.fill for name, spec in target.inputs.items() if name not in line.step_inputs}
    return Step(target, line.step_inputs, fills, line.step_output)


class Backend(ABC, Generic[Value, Program]):
    """What the loop asks of an evaluator: the leaves, each compiled once per worksheet."""

    # the errors by which this backend refuses to compile a line (it has no form for it); the loop
    # names the line in them
    refused: tuple[type[Exception], ...] = ()

    @abstractmethod
    def expression(self, expression: Expression) -> Value:
        """A checked expression over the inputs and earlier lines."""

    @abstractmethod
    def required(self, spec: InputSpec, needed: Value) -> Any:
        """The guard for an input with ``required_if``: left out where ``needed`` holds, it is missing."""

    @abstractmethod
    def refusal(self, check: Check, holds: Value) -> Any:
        """The guard for a check with ``rejects_inputs``: the inputs are refused where it does not hold."""

    @abstractmethod
    def for_step(self, step: Step, passes: dict[str, Value]) -> Backend[Value, Program]:
        """The backend that compiles the step's worksheet for the values passed to it."""

    def worksheet(self, sheet: Worksheet) -> Program:
        """``sheet`` compiled by this backend (a backend may keep compiled worksheets)."""
        return build(sheet, self)

    @abstractmethod
    def step(self, step: Step, passes: dict[str, Value], program: Program, target: Backend[Value, Program]) -> Value:
        """The step's value: ``program`` (its worksheet, compiled by ``target``, the backend for_step gave)
        run on ``passes``, its output taken."""

    @abstractmethod
    def line(self, line: Line, value: Value, rounding: Rounding | None) -> Any:
        """A line's value rounded as the form says (``rounding`` from the registry), bound to its id."""

    @abstractmethod
    def result_check(self, check: Check, holds: Value) -> Any:
        """A cross-check of the results."""

    @abstractmethod
    def program(self, sheet: Worksheet, required: list[Any], refusals: list[Any], lines: list[Any],
                checks: list[Any]) -> Program:
        """The worksheet compiled: the required_if guards and the refusals first, then the lines in
        order, then the checks."""


def build(sheet: Worksheet, backend: Backend[Value, Program]) -> Program:
    """``sheet`` compiled by ``backend``; a line the backend refuses is named in its error."""
    required = [backend.required(spec, backend.expression(spec.required_if))
                for spec in sheet.inputs.values() if spec.required_if is not None]
    refusals = [backend.refusal(check, backend.expression(check.expression)) for check in sheet.input_checks]
    lines = []
    for line in sheet.lines:
        try:
            if line.expression is not None:
                value = backend.expression(line.expression)
            else:
                step = step_of(line)
                passes = {name: backend.expression(e) for name, e in step.passes.items()}
                target = backend.for_step(step, passes)
                value = backend.step(step, passes, target.worksheet(step.target), target)
            lines.append(backend.line(line, value, ROUNDINGS[line.rounding]))
        except backend.refused as problem:
            raise type(problem)(f"worksheet '{sheet.name}' line {line.line} ({line.id}), {line.position}: "
                                    f"{problem}") from None
    checks = [backend.result_check(check, backend.expression(check.expression)) for check in sheet.result_checks]
    return backend.program(sheet, required, refusals, lines, checks)
