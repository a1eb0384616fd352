"""The scalar evaluator: the typed form as closures over exact Decimals, and the worksheet loop
that runs one return with its trace.

A closure is called as ``closure(env, rec)``: ``env`` maps inputs and earlier lines to values,
``rec`` is a list that table lookups append their Match to (None when nobody reads it). Every
function and rounding takes its meaning from the registry (engine.lang.registry).
"""
from __future__ import annotations

import operator
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Any

from engine.errors import (
    CtaxError,
    EvaluationError,
    InvalidInputError,
    MissingInputError,
    UnknownInputError,
    did_you_mean,
)
from engine.lang import typed
from engine.lang.arithmetic import in_engine_context
from engine.lang.expressions import Expression, Scope, check
from engine.lang.registry import Rounding
from engine.model.inputs import Fill, InputSpec
from engine.model.worksheet import Check, Line, Worksheet
from engine.run import loop, observe
from engine.run.result import CheckResult, LineTrace, Result
from engine.run.whole import whole_dollar_lines

Closure = Callable[[dict, "list | None"], Any]

_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul}
_COMPARE = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "in": lambda a, b: a in b, "not in": lambda a, b: a not in b,
}
_NOT_ARITHMETIC = (str, bytes, list, tuple, dict)
_PLAIN_NUMBERS = frozenset({Decimal, int, bool})  # the usual operands: one set lookup, no isinstance


def _no_sequences(left: Any, right: Any, text: str) -> None:
    if isinstance(left, _NOT_ARITHMETIC) or isinstance(right, _NOT_ARITHMETIC):
        raise EvaluationError(f"text or a list cannot be used in arithmetic in '{text}'")


def _closure(node: typed.Node, text: str) -> Closure:
    """``node`` as a closure; ``text`` is the whole expression, for error messages."""
    if isinstance(node, typed.Constant):
        value = node.value
        return lambda env, rec: value
    if isinstance(node, typed.Name):
        name = node.name
        return lambda env, rec: env[name]
    if isinstance(node, typed.Items):
        items = [_closure(e, text) for e in node.elements]
        return lambda env, rec: tuple(item(env, rec) for item in items)
    if isinstance(node, typed.Negate):
        operand = _closure(node.operand, text)
        return lambda env, rec: -operand(env, rec)
    if isinstance(node, typed.Not):
        operand = _closure(node.operand, text)
        return lambda env, rec: not operand(env, rec)
    if isinstance(node, typed.Arithmetic):
        return _arithmetic(node, text)
    if isinstance(node, typed.Logic):
        parts = [_closure(p, text) for p in node.parts]
        if node.op == "and":
            return lambda env, rec: all(p(env, rec) for p in parts)
        return lambda env, rec: any(p(env, rec) for p in parts)
    if isinstance(node, typed.Compare):
        return _compare(node, text)
    if isinstance(node, typed.Choose):
        test, body, orelse = (_closure(n, text) for n in (node.test, node.body, node.orelse))
        return lambda env, rec: body(env, rec) if test(env, rec) else orelse(env, rec)
    if isinstance(node, typed.Call):
        function = node.function.exact
        args = [_closure(a, text) for a in node.args]
        if len(args) == 1:
            only, = args
            return lambda env, rec: function(only(env, rec))
        if len(args) == 2:  # max(0, x), min(a, b): the usual calls, without a generator per call
            first, second = args
            if isinstance(node.args[0], typed.Constant):  # max(0, x): the constant passed as it is
                constant = node.args[0].value
                return lambda env, rec: function(constant, second(env, rec))
            return lambda env, rec: function(first(env, rec), second(env, rec))
        return lambda env, rec: function(*(a(env, rec) for a in args))
    if isinstance(node, typed.Lookup):
        return _lookup(node, text)
    raise TypeError(f"no scalar meaning for {type(node).__name__}")


def _arithmetic(node: typed.Arithmetic, text: str) -> Closure:
    if node.op == "/":
        left, right = _closure(node.left, text), _closure(node.right, text)

        def divide(env: dict, rec: list | None) -> Any:
            denominator = right(env, rec)  # first: traces list the table rows in this order
            numerator = left(env, rec)
            _no_sequences(numerator, denominator, text)
            if denominator == 0:
                raise EvaluationError(f"division by zero in '{text}'")
            return numerator / denominator
        return divide
    function = _ARITHMETIC[node.op]
    if node.left.kind == "number" and node.right.kind == "number":
        return _numbers(function, node.left, node.right, text)
    left, right = _closure(node.left, text), _closure(node.right, text)

    def arithmetic(env: dict, rec: list | None) -> Any:
        a, b = left(env, rec), right(env, rec)
        if a.__class__ not in _PLAIN_NUMBERS or b.__class__ not in _PLAIN_NUMBERS:
            _no_sequences(a, b, text)  # a value whose kind was not known when the rules loaded
        return function(a, b)
    return arithmetic


def _numbers(function: Callable[[Any, Any], Any], left_node: typed.Node, right_node: typed.Node,
             text: str) -> Closure:
    """``left op right`` over two numbers (kinds the checker made sure of, so no test of the values per
    call); an input or line operand is read straight from ``env``, without a closure of its own."""
    left_name = left_node.name if isinstance(left_node, typed.Name) else None
    right_name = right_node.name if isinstance(right_node, typed.Name) else None
    if left_name is not None and right_name is not None:
        return lambda env, rec: function(env[left_name], env[right_name])
    if right_name is not None:
        left = _closure(left_node, text)
        return lambda env, rec: function(left(env, rec), env[right_name])
    right = _closure(right_node, text)
    if left_name is not None:
        return lambda env, rec: function(env[left_name], right(env, rec))
    left = _closure(left_node, text)
    return lambda env, rec: function(left(env, rec), right(env, rec))


def _compare(node: typed.Compare, text: str) -> Closure:
    first = _closure(node.operands[0], text)
    steps = [(_COMPARE[op], _closure(c, text)) for op, c in zip(node.ops, node.operands[1:])]

    def compare(env: dict, rec: list | None) -> bool:
        left = first(env, rec)
        for function, comparator in steps:
            right = comparator(env, rec)
            if not function(left, right):
                return False
            left = right
        return True
    return compare


def _lookup(node: typed.Lookup, text: str) -> Closure:
    """A table lookup; its Match goes to ``rec``, and is not made when ``rec`` is None (an evaluation
    computes with the value alone; a trace runs the expression again to collect the Match). One
    closure per shape: no test of the shape per call."""
    lookup, value_of = node.table.lookup, node.table.value
    if isinstance(node.status, typed.Name) and isinstance(node.amount, typed.Name):
        # table(filing_status, amount): the usual lookup, its arguments read straight from env
        status_name, amount_name = node.status.name, node.amount.name
        row_values, bracket_terms = node.table.row_values, node.table.bracket_terms

        def by_names(env: dict, rec: list | None) -> Any:
            if rec is None:  # Table.value without its call
                status, amount = env[status_name], env[amount_name]
                if amount is not None:
                    found = row_values.get(status)
                    if found is not None:  # a range row
                        find, bounds, values = found
                        return values[find(bounds, amount)]
                    taxed = bracket_terms.get(status)
                    if taxed is not None:  # a bracket
                        find, bounds, terms = taxed
                        lower, base, rate, excess = terms[find(bounds, amount)]
                        return base + rate * ((lower if lower > amount else amount) - excess)
                return value_of(status, amount)
            value, match = lookup(env[status_name], env[amount_name])
            rec.append(match)
            return value
        return by_names
    status_of = _closure(node.status, text) if node.status is not None else None
    amount_of = _closure(node.amount, text) if node.amount is not None else None
    if status_of is not None and amount_of is not None:
        def by_status_and_amount(env: dict, rec: list | None) -> Any:
            status, amount = status_of(env, rec), amount_of(env, rec)
            if rec is None:
                return value_of(status, amount)
            value, match = lookup(status, amount)
            rec.append(match)
            return value
        return by_status_and_amount
    if status_of is None and amount_of is None:
        def plain(env: dict, rec: list | None) -> Any:
            if rec is None:
                return value_of(None, None)
            value, match = lookup(None, None)
            rec.append(match)
            return value
        return plain

    def by_one(env: dict, rec: list | None) -> Any:
        argument = (status_of or amount_of)(env, rec)  # type: ignore[misc]
        status, amount = (argument, None) if status_of is not None else (None, argument)
        if rec is None:
            return value_of(status, amount)
        value, match = lookup(status, amount)
        rec.append(match)
        return value
    return by_one


# What a closure may raise that the kinds could not rule out when the rules loaded (a value of an
# unknown kind, an optional input left out): each becomes EvaluationError naming the expression.
_RUN_TIME = (TypeError, InvalidOperation, DivisionByZero, KeyError, ArithmeticError)


def _cannot_compute(text: str, error: Exception) -> EvaluationError:
    return EvaluationError(f"cannot compute '{text}': {error}")


def _wrapped(inner: Closure, text: str) -> Closure:
    """``inner`` with the errors the kinds could not rule out as EvaluationError naming ``text``."""
    def run(env: dict, rec: list | None) -> Any:
        try:
            return inner(env, rec)
        except EvaluationError:
            raise
        except _RUN_TIME as error:
            raise _cannot_compute(text, error) from None
    return run


def closure(expression: Expression) -> Closure:
    """The closure of a checked expression; errors the kinds could not rule out become EvaluationError."""
    return _wrapped(_closure(expression.node, expression.text), expression.text)


@dataclass(frozen=True)
class Compiled:
    """A checked expression with its closure: what tests and tools evaluate one expression with."""

    expression: Expression
    run: Closure

    @property
    def text(self) -> str:
        return self.expression.text

    @property
    def reads(self) -> tuple[str, ...]:
        return self.expression.reads


def compile_expression(text: str, scope: Scope) -> Compiled:
    """Check ``text`` and compile it to a closure (ExpressionProblem when it is not acceptable)."""
    expression = check(text, scope)
    return Compiled(expression, closure(expression))


# ---------------------------------------------------------------- the scalar backend of the worksheet loop


@dataclass(frozen=True)
class _Step:
    """A step line: the compiled worksheet it runs, the closures of what it passes, the output taken."""

    program: _Program
    passes: tuple[tuple[str, Closure], ...]
    output: str


@dataclass(frozen=True)
class _Line:
    """A compiled line: its closure (an expression line) or step, its rounding, and what a trace reads."""

    line: Line
    run: Closure | None  # an expression line, unwrapped: the runtime loop words its errors
    step: _Step | None
    rounding: Rounding | None
    id: str
    text: str
    reads: tuple[str, ...]


# What an evaluation reads of a line, as one tuple to unpack: its closure (None for a step), the
# rounding's quantize and exponent (None, None: not rounded), its id, and the line itself.
_Plan = tuple[Closure | None, Callable[[Decimal, Decimal], Decimal] | None, Decimal | None, str, _Line]
# What an evaluation reads of an input: its name, its reader (InputSpec.reader), whether it is
# required (Fill.REQUIRED) and the value it stands for when left out.
_Reader = tuple[str, Callable[[Any], Any], bool, Any]


@dataclass(frozen=True)
class _Program:
    """A compiled worksheet: its lines, guards and checks, and the runtime's plan worked out from them."""

    sheet: Worksheet
    lines: tuple[_Line, ...]
    required_if: tuple[tuple[InputSpec, Closure], ...]
    input_checks: tuple[tuple[Check, Closure], ...]
    result_checks: tuple[tuple[Check, Closure], ...]
    # worked out once from the above and the sheet, for the runtime
    plan: tuple[_Plan, ...]
    readers: tuple[_Reader, ...]
    input_names: frozenset[str]
    outputs: tuple[str, ...]


class _Scalar(loop.Backend[Any, _Program]):
    """Closures over exact Decimals; a worksheet's program is compiled once and kept with it."""

    def expression(self, expression: Expression) -> tuple[Closure, str]:
        return _closure(expression.node, expression.text), expression.text

    def required(self, spec: InputSpec, needed: tuple[Closure, str]) -> tuple[InputSpec, Closure]:
        return spec, _wrapped(*needed)

    def refusal(self, check: Check, holds: tuple[Closure, str]) -> tuple[Check, Closure]:
        return check, _wrapped(*holds)

    def result_check(self, check: Check, holds: tuple[Closure, str]) -> tuple[Check, Closure]:
        return check, _wrapped(*holds)

    def for_step(self, step: loop.Step, passes: dict[str, Any]) -> _Scalar:
        return self  # a step's worksheet is compiled once for every caller: its inputs are read at run time

    def worksheet(self, sheet: Worksheet) -> _Program:
        return program(sheet)

    def step(self, step: loop.Step, passes: dict[str, tuple[Closure, str]], program: _Program,
             target: loop.Backend[Any, _Program]) -> _Step:
        return _Step(program, tuple((name, _wrapped(*given)) for name, given in passes.items()), step.output)

    def line(self, line: Line, value: Any, rounding: Rounding | None) -> _Line:
        run = value[0] if isinstance(value, tuple) else None
        return _Line(line, run, value if isinstance(value, _Step) else None, rounding, line.id, line.text,
                     line.reads)

    def program(self, sheet: Worksheet, required: list[Any], refusals: list[Any], lines: list[Any],
                checks: list[Any]) -> _Program:
        whole = whole_dollar_lines(sheet)  # rounding gives these back unchanged
        rounds = [line.rounding if line.id not in whole else None for line in lines]
        plan = tuple((line.run, rounding.quantize if rounding is not None else None,
                      rounding.exponent if rounding is not None else None, line.id, line)
                     for line, rounding in zip(lines, rounds))
        readers = tuple((name, spec.reader(), spec.fill is Fill.REQUIRED, spec.default)
                        for name, spec in sheet.inputs.items())
        return _Program(sheet, tuple(lines), tuple(required), tuple(refusals), tuple(checks), plan, readers,
                        frozenset(sheet.inputs), tuple(sheet.outputs))


_PROGRAMS: weakref.WeakKeyDictionary[Worksheet, _Program] = weakref.WeakKeyDictionary()


@in_engine_context  # compiling prepares tables' figures (Table.row_values)
def program(sheet: Worksheet) -> _Program:
    """The closures of ``sheet``, compiled once by the worksheet loop and kept as long as the worksheet."""
    found = _PROGRAMS.get(sheet)
    if found is None:
        found = _PROGRAMS[sheet] = loop.build(sheet, _Scalar())
    return found


def typed_inputs(sheet: Worksheet, given: dict[str, Any], compiled: _Program | None = None) -> dict[str, Any]:
    """The caller's inputs read by their specs, left-out ones filled as their specs say, required ones
    present; each refusal is the package's InputError naming the input."""
    if not isinstance(given, dict):
        raise UnknownInputError("inputs", f"inputs must be a mapping of names to values, not "
                                          f"{type(given).__name__}")
    compiled = compiled or program(sheet)
    if not compiled.input_names.issuperset(given):
        for name in given:
            if name not in sheet.inputs:
                hint = did_you_mean(str(name), sheet.inputs)
                raise UnknownInputError(str(name), f"unknown input '{name}' for worksheet '{sheet.name}'{hint}; "
                                                   f"inputs: {', '.join(sheet.inputs)}")
    env: dict[str, Any] = {}
    for name, read, required, default in compiled.readers:
        value = given.get(name)
        if value is not None:
            env[name] = read(value)
        elif required:
            raise MissingInputError(name, f"missing input '{name}' ({sheet.inputs[name].label}) for worksheet "
                                          f"'{sheet.name}'")
        else:
            env[name] = default  # None for an optional input
    for spec, needed in compiled.required_if:
        name = spec.name
        if given.get(name) is None and needed(env, None):
            raise MissingInputError(name, f"missing input '{name}' ({spec.label}): worksheet '{sheet.name}' "
                                          f"needs it when {spec.required_if.text}")
    for check_, holds in compiled.input_checks:
        if not holds(env, None):
            raise refusal(sheet, check_)
    return env


def _line_error(sheet: Worksheet, line: Line, error: CtaxError) -> EvaluationError:
    return EvaluationError(f"worksheet '{sheet.name}' line {line.line} ({line.id}): {error} (rule at {line.position})")


def refusal(sheet: Worksheet, check_: Check) -> InvalidInputError:
    """The error for inputs that a check with ``rejects_inputs`` refuses."""
    reads = check_.expression.reads
    if not reads:  # a check of tables or constants only: no one input is at fault
        return InvalidInputError("inputs", f"worksheet '{sheet.name}' refuses these inputs: {check_.label}")
    if len(reads) == 1:  # one input out of bounds, not two at odds
        return InvalidInputError(reads[0], f"input '{reads[0]}' of worksheet '{sheet.name}' is refused: "
                                           f"{check_.label}")
    return InvalidInputError(reads[0], f"inputs {' and '.join(reads)} of worksheet '{sheet.name}' "
                                       f"contradict each other: {check_.label}")


def evaluate(sheet: Worksheet, given: dict[str, Any], trace: bool = True) -> Result:
    """Run ``sheet`` on the caller's inputs: every line in order, each rounded as the form says."""
    return run(program(sheet), given, trace)


@in_engine_context
def run(compiled: _Program, given: dict[str, Any], trace: bool) -> Result:
    """The scalar backend's runtime: the lines of a compiled worksheet (``program``) in order, on the
    caller's inputs. The trace is not built here: a traced result gets a _Trace, which builds the lines
    when they are first read."""
    sheet = compiled.sheet
    env = typed_inputs(sheet, given, compiled)
    record = observe.recorder  # set only while the coverage plugin counts (engine/run/observe.py)
    steps: dict[str, Result] | None = {} if trace or record is not None else None  # step results by line id
    try:
        for compute, quantize, exponent, line_id, step in compiled.plan:
            try:
                if compute is not None:
                    value = compute(env, None)
                else:
                    call = step.step
                    assert call is not None  # a line is an expression or a step
                    sub_result = run(call.program, {name: given_by(env, None) for name, given_by in call.passes},
                                     trace)
                    if steps is not None:
                        steps[line_id] = sub_result
                    value = sub_result[call.output]
                if quantize is not None and value.__class__ is Decimal:
                    value = quantize(value, exponent)  # type: ignore[arg-type]  # a rounding has both
            except _RUN_TIME as error:
                raise _line_error(sheet, step.line, _cannot_compute(step.text, error)) from None
            except CtaxError as error:
                if isinstance(error, EvaluationError) or compute is None:
                    raise _line_error(sheet, step.line, error) from None
                raise
            env[line_id] = value
    finally:
        if record is not None:  # the rows matched by the lines computed, an error or not
            for line in _trace_lines(compiled, env, steps or {}):
                if line.matches:
                    record(sheet.year, line.matches)
    if record is not None:
        record(sheet.year, None)  # one evaluation done
    checks = [CheckResult(check_.id, check_.label, bool(holds(env, None)), check_.expression.text,
                          {n: env[n] for n in check_.expression.reads}, check_.source)
              for check_, holds in compiled.result_checks] if compiled.result_checks else []
    return Result(sheet, env, _Trace(compiled, env, steps or {}) if trace else [], checks)


@in_engine_context
def _trace_lines(compiled: _Program, env: dict[str, Any], steps: dict[str, Result]) -> list[LineTrace]:
    """The trace of the lines computed in ``env``. Each expression (a step's: what it passes) is run
    again on the same values, which are final, to collect the table rows it matched: the same pure
    expression over the same values matches the same rows."""
    lines = []
    for step in compiled.lines:
        if step.id not in env:
            break  # an evaluation stopped by an error: the lines before it
        rec: list = []
        if step.run is not None:
            step.run(env, rec)
        else:
            assert step.step is not None
            for _, given_by in step.step.passes:
                given_by(env, rec)
        line = step.line
        lines.append(LineTrace(step.id, line.line, line.label, env[step.id], step.text,
                               {name: env[name] for name in step.reads}, rec, line.source, line.output,
                               line.rounding, steps.get(step.id), line.note, line.position))
    return lines


class _Trace(Sequence[LineTrace]):
    """A traced result's lines (``Result.lines``), built when first read (see _trace_lines), so an
    evaluation whose trace nobody reads does not pay for it."""

    def __init__(self, compiled: _Program, env: dict[str, Any], steps: dict[str, Result]):
        self._source: tuple[_Program, dict[str, Any], dict[str, Result]] | None = (compiled, env, steps)
        self._lines: list[LineTrace] = []

    def _built(self) -> list[LineTrace]:
        if self._source is not None:
            self._lines = _trace_lines(*self._source)
            self._source = None
        return self._lines

    def __getitem__(self, index: Any) -> Any:
        return self._built()[index]

    def __len__(self) -> int:
        return len(self._built())

    def __iter__(self) -> Iterator[LineTrace]:
        return iter(self._built())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    def __repr__(self) -> str:
        return repr(self._built())
