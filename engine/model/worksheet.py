"""Compiles a worksheet file into runnable lines, and runs it on a caller's inputs."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any, Callable

from engine.run import observe
from engine.lang.arithmetic import in_engine_context
from engine.errors import (CtaxError, EvaluationError, InvalidInputError, MissingInputError, UnknownInputError,
                     did_you_mean)
from engine.lang.expressions import Compiled
from engine.lang.functions import ROUNDINGS
from engine.model.inputs import InputSpec
from engine.model.source import Source
from engine.run.result import CheckResult, LineTrace, Result


@dataclass
class Line:
    """One printed line: an expression, or a step that runs another worksheet and takes one of its outputs."""

    id: str
    line: str
    label: str
    source: Source
    rounding: str
    output: bool
    expression: Compiled | None = None
    step_worksheet: str | None = None
    step_inputs: dict[str, Compiled] = field(default_factory=dict)
    step_output: str | None = None
    step_target: "Worksheet | None" = None
    note: str | None = None

    # Derived once, on first use after the worksheet is built (cached_property stores the value on
    # the instance, so later reads in Worksheet.run are plain attribute reads).
    @cached_property
    def reads(self) -> tuple[str, ...]:
        """The inputs and earlier lines this line reads."""
        if self.expression is not None:
            return self.expression.reads
        return tuple(dict.fromkeys(n for c in self.step_inputs.values() for n in c.reads))

    @cached_property
    def rounder(self) -> Callable[[Decimal], Decimal] | None:
        """The function that rounds this line's value, or None."""
        return ROUNDINGS[self.rounding]

    @property
    def text(self) -> str:
        if self.expression is not None:
            return self.expression.text
        args = ", ".join(f"{k}={v.text}" for k, v in self.step_inputs.items())
        return f"{self.step_worksheet}({args}).{self.step_output}"


@dataclass
class Check:
    """A cross-check the form states; one that ``rejects_inputs`` is tested before any line runs."""

    id: str
    label: str
    source: Source
    expression: Compiled
    rejects_inputs: bool = False


@dataclass
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

    def _typed_inputs(self, given: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(given, dict):
            raise UnknownInputError("inputs", f"inputs must be a mapping of names to values, not "
                                              f"{type(given).__name__}")
        for name in given:
            if name not in self.inputs:
                hint = did_you_mean(str(name), self.inputs)
                raise UnknownInputError(str(name), f"unknown input '{name}' for worksheet '{self.name}'{hint}; "
                                                   f"inputs: {', '.join(self.inputs)}")
        env: dict[str, Any] = {}
        for name, spec in self.inputs.items():
            if name in given and given[name] is not None:
                env[name] = spec.coerce(given[name])
            elif spec.has_default:
                env[name] = spec.default
            else:
                raise MissingInputError(name, f"missing input '{name}' ({spec.label}) for worksheet '{self.name}'")
        for name, spec in self.inputs.items():
            if spec.required_if is not None and (name not in given or given[name] is None):
                if spec.required_if.run(env, None):
                    raise MissingInputError(name, f"missing input '{name}' ({spec.label}): worksheet '{self.name}' "
                                                  f"needs it when {spec.required_if.text}")
        return env

    @in_engine_context
    def run(self, given: dict[str, Any], trace: bool = True) -> Result:
        env = self._typed_inputs(given)
        for check in self.input_checks:
            if not check.expression.run(env, None):
                reads = check.expression.reads
                if not reads:  # a check of tables or constants only: no one input is at fault
                    raise InvalidInputError("inputs", f"worksheet '{self.name}' refuses these inputs: {check.label}")
                if len(reads) == 1:  # one input out of bounds, not two at odds
                    raise InvalidInputError(reads[0], f"input '{reads[0]}' of worksheet '{self.name}' is refused: "
                                                      f"{check.label}")
                raise InvalidInputError(reads[0], f"inputs {' and '.join(reads)} of worksheet '{self.name}' "
                                                  f"contradict each other: {check.label}")
        inputs = dict(env)
        traces: list[LineTrace] = []
        record = observe.recorder  # set only while the coverage plugin counts (engine/run/observe.py)
        keep = trace or record is not None
        for line in self.lines:
            rec: list | None = [] if keep else None
            sub_result = None
            try:
                if line.expression is not None:
                    value = line.expression.run(env, rec)
                else:
                    sub_inputs = {k: c.run(env, rec) for k, c in line.step_inputs.items()}
                    sub_result = line.step_target.run(sub_inputs, trace)
                    value = sub_result.outputs[line.step_output]
            except CtaxError as error:
                if isinstance(error, EvaluationError) or line.expression is None:
                    raise EvaluationError(f"worksheet '{self.name}' line {line.line} ({line.id}): {error}") from None
                raise
            rounding = line.rounder
            if rounding is not None and isinstance(value, Decimal):
                value = rounding(value)
            env[line.id] = value
            if record is not None and rec:
                record(self.year, rec)
            if trace:
                traces.append(LineTrace(line.id, line.line, line.label, value, line.text,
                                        {name: env[name] for name in line.reads}, rec, line.source,
                                        line.output, line.rounding, sub_result, line.note))
        if record is not None:
            record(self.year, None)  # one evaluation done
        checks = []
        for check in self.result_checks:
            holds = bool(check.expression.run(env, None))
            checks.append(CheckResult(check.id, check.label, holds, check.expression.text,
                                      {n: env[n] for n in check.expression.reads}, check.source))
        outputs = {name: env[name] for name in self.outputs}
        return Result(self.year, self.name, self.title, inputs, outputs, traces, checks, money=self.money,
                      draft=self.draft)
