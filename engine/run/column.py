"""The column evaluator: the typed form as numpy operations over whole columns of returns.

A worksheet is compiled once (and kept as long as the worksheet) into a program of closures
``run(env, reach)``: ``env`` maps inputs and earlier lines to columns (int64 scaled amounts,
booleans, integer codes of a filing status or choice), ``reach`` is the mask of rows where the
closure's value is used (None: every row), as the scalar evaluator's short-circuits would have it.
What each value is (kind, decimal places, bound on its size) is known from the typed form before
any row is seen (engine.lang.fixed.Static), so every operation is checked then for int64 range
and every function takes its column meaning from the registry. Whether a worksheet runs as
columns is decided by this compilation: ColumnUnsupported names the line that has no column form.

Rows the columns cannot decide go to the scalar evaluator, which gives them its own result or its
own error: an optional input used where it was not given, a required_if input missing, inputs a
check refuses, a step input outside the bounds of the step's worksheet. Those rows are marked in
``env[SLOW]``; the batch layer runs them one by one.

Tables: range rows and brackets find each row's position from the column's own position data
(``Column.bounds`` and ``Column.side``, which the scalar lookup bisects): by an integer division
where those bounds lie on one grid (the printed tables' rows of equal width), else by
``numpy.searchsorted``; stepped formulas use exact floor and ceiling division.
"""
from __future__ import annotations

import datetime as dt
import itertools
import weakref
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from math import gcd
from typing import Any, Literal, cast

import numpy as np

from engine.lang import dates_column, typed
from engine.lang.arithmetic import in_engine_context
from engine.lang.dates_column import Dates, day_number
from engine.lang.expressions import Expression
from engine.lang.fixed import (
    INPUT_SCALE,
    LIMIT,
    NUMBER_SCALE,
    SLOW,
    Bool,
    Cat,
    ColumnUnsupported,
    Num,
    Run,
    Static,
    checked,
    decimals,
    mark_slow,
    scaled,
)
from engine.lang.registry import Rounding
from engine.model.inputs import MAX_AMOUNT, Fill, InputSpec
from engine.model.status import FILING_STATUSES
from engine.model.tables import Column, Table
from engine.model.worksheet import Check, Line, Worksheet
from engine.run import loop

Compiled = tuple[Run, Static]
Side = Literal["left", "right"]  # numpy.searchsorted's side


def missing_key(name: str) -> str:
    """The environment key of the mask of rows where optional input ``name`` was not given (its value is None)."""
    return f"<missing>{name}"


def absent_key(name: str) -> str:
    """The environment key of the mask of rows where input ``name``, which has a ``required_if``, was not
    given (its default, if any, stands in; the scalar path raises where the condition holds)."""
    return f"<absent>{name}"


def _no_text(compiled: Compiled) -> Compiled:
    """``compiled`` where its value must be an amount: rows where it is a text take the scalar path."""
    run, static = compiled
    key = static.text_key
    if key is None:
        return compiled

    def amount(env: dict, reach: Any) -> Any:
        value = run(env, reach)
        mark_slow(env, np.asarray(env[key]) >= 0, reach)
        return value
    return amount, replace(static, text_key=None, texts=())


def _strict(compiled: Compiled) -> Compiled:
    """``compiled`` where its value must not be None (nor a text where it may be one): rows where it
    is take the scalar path (which computes with None there, or raises), so a None never becomes a number."""
    run, static = _no_text(compiled)
    key = static.none_key
    if key is None:
        return compiled

    def strict(env: dict, reach: Any) -> Any:
        value = run(env, reach)
        none = env.get(key)
        if none is not None:
            mark_slow(env, np.asarray(none), reach)
        return value
    return strict, replace(static, none_key=None)


def _none_of(env: dict, static: Static) -> Any:
    """The mask of rows where a value just run is None (False: none)."""
    return np.asarray(env.get(static.none_key, False)) if static.none_key else np.bool_(False)


def _exact(static: Static, what: str) -> Static:
    """``static``, unless it is a cut quotient (see _quotient), which ``what`` cannot take exactly."""
    if static.inexact:
        raise ColumnUnsupported(f"{what} of a quotient not yet rounded has no exact column form")
    return static


def _truth(compiled: Compiled) -> Run:
    """A value as a condition, as Python tests it: a None is false (``not x`` holds where x is None)."""
    run, static = _no_text(compiled)
    _exact(static, "a condition")
    if static.kind == "bool":
        test = run
    elif static.kind == "num":
        def test(env: dict, reach: Any) -> Any:
            return np.asarray(run(env, reach)) != 0
    else:
        raise ColumnUnsupported("this value cannot be used as a condition over columns")
    key = static.none_key
    if key is None:
        return test
    return lambda env, reach: np.asarray(test(env, reach)) & ~np.asarray(env.get(key, False))


def _and(reach: Any, mask: Any) -> Any:
    return mask if reach is None else reach & mask


# ---------------------------------------------------------------- expressions


class _Compiler:
    def __init__(self, statics: dict[str, Static], optional: frozenset[str]):
        # an optional input is None where it was not given: its missing mask says where
        self.statics = {name: replace(static, none_key=missing_key(name)) if name in optional else static
                        for name, static in statics.items()}
        self.optional = optional
        self.keys = itertools.count()  # env keys of the None masks of values inside an expression

    def compile(self, node: typed.Node) -> Compiled:
        """``node`` where a None must not reach (rows where it does take the scalar path)."""
        return _strict(self.maybe(node))

    def maybe(self, node: typed.Node) -> Compiled:
        """``node``, whose value may be None in some rows (its static's none_key then says where)."""
        method = getattr(self, "_" + type(node).__name__)
        return method(node)

    def none_key(self) -> str:
        return f"<none>{next(self.keys)}"

    def _Constant(self, node: typed.Constant) -> Compiled:
        value = node.value
        if isinstance(value, bool):
            return (lambda env, reach: value), Static("bool")
        if value is None:
            return (lambda env, reach: None), Static("none")
        if isinstance(value, str):
            return (lambda env, reach: value), Static("text", value=value)
        scale = decimals(value)
        number = scaled(value, scale)
        exponent = value.as_tuple().exponent
        return (lambda env, reach: number), Static("num", scale, checked(abs(number), "a constant"), nonneg=number >= 0,
                                                   exponent=exponent if isinstance(exponent, int) else None)

    def _Name(self, node: typed.Name) -> Compiled:
        name = node.name
        if name not in self.statics:
            raise ColumnUnsupported(f"'{name}' has no column form")
        return (lambda env, reach: env[name]), self.statics[name]

    def _Items(self, node: typed.Items) -> Compiled:
        items = []
        for element in node.elements:
            if not isinstance(element, typed.Constant) or not isinstance(element.value, str):
                raise ColumnUnsupported("only lists of text have a column form")
            items.append(element.value)
        return (lambda env, reach: None), Static("items", value=tuple(items))

    def _Negate(self, node: typed.Negate) -> Compiled:
        run, static = self.number(node.operand, "'-'")
        return (lambda env, reach: -run(env, reach)), replace(static, nonneg=False)

    def _Not(self, node: typed.Not) -> Compiled:
        run = _truth(self.maybe(node.operand))
        return (lambda env, reach: ~np.asarray(run(env, reach))), Static("bool")

    def number(self, node: typed.Node, what: str) -> Compiled:
        run, static = self.compile(node)
        if static.kind != "num":
            raise ColumnUnsupported(f"{what} needs an amount")
        return run, static

    def _Arithmetic(self, node: typed.Arithmetic) -> Compiled:
        left, a = self.number(node.left, "arithmetic")
        right, b = self.number(node.right, "arithmetic")
        if node.op != "/":
            _exact(a, "arithmetic")
            _exact(b, "arithmetic")
        if node.op == "*":
            bound = checked(a.bound * b.bound, "a product")
            return (lambda env, reach: left(env, reach) * right(env, reach)), \
                Static("num", a.scale + b.scale, bound, nonneg=a.nonneg and b.nonneg)
        if node.op == "/":
            run, static = _quotient(left, a, right, b, self.none_key())
            return run, replace(static, nonneg=a.nonneg and b.nonneg)
        scale = max(a.scale, b.scale)
        fa, fb = 10 ** (scale - a.scale), 10 ** (scale - b.scale)
        bound = checked(a.bound * fa + b.bound * fb, "a sum")  # before computing: int64 must not overflow
        if node.op == "+":
            total = Static("num", scale, bound, nonneg=a.nonneg and b.nonneg)
            if fa == fb == 1:
                return (lambda env, reach: left(env, reach) + right(env, reach)), total
            return (lambda env, reach: left(env, reach) * fa + right(env, reach) * fb), total
        if fa == fb == 1:
            return (lambda env, reach: left(env, reach) - right(env, reach)), Static("num", scale, bound)
        return (lambda env, reach: left(env, reach) * fa - right(env, reach) * fb), Static("num", scale, bound)

    def _Logic(self, node: typed.Logic) -> Compiled:
        parts = [_truth(self.maybe(p)) for p in node.parts]
        conjunction = node.op == "and"

        def logic(env: dict, reach: Any) -> Any:
            result = None
            for part in parts:
                # a later part is reached only where the earlier ones did not decide (short-circuit)
                here = reach if result is None else _and(reach, result if conjunction else ~result)
                value = np.asarray(part(env, here))
                result = value if result is None else (result & value if conjunction else result | value)
            return result
        return logic, Static("bool")

    def _Compare(self, node: typed.Compare) -> Compiled:
        if len(node.ops) == 1 and node.ops[0] in ("==", "!="):
            left, right = (self.maybe(o) for o in node.operands)
            if left[1].text_key or right[1].text_key:
                return _equal_or_text(left, right, node.ops[0] == "=="), Static("bool")
            if left[1].none_key or right[1].none_key or "none" in (left[1].kind, right[1].kind):
                return _equal_or_none(left, right, node.ops[0] == "=="), Static("bool")
        operands = [self.compile(o) for o in node.operands]
        steps = [_comparison(op, left, right) for op, left, right in zip(node.ops, operands, operands[1:])]
        if len(steps) == 1:
            return steps[0], Static("bool")

        def chain(env: dict, reach: Any) -> Any:
            result = None
            for step in steps:
                value = np.asarray(step(env, reach if result is None else _and(reach, result)))
                result = value if result is None else result & value
            return result
        return chain, Static("bool")

    def _Choose(self, node: typed.Choose) -> Compiled:
        test = _truth(self.maybe(node.test))
        body, orelse = _no_text(self.maybe(node.body)), _no_text(self.maybe(node.orelse))
        if body[1].none_key or orelse[1].none_key or "none" in (body[1].kind, orelse[1].kind):
            return self._choose_none(test, body, orelse)
        return self._choose(test, body, orelse)

    def _choose(self, test: Run, first: Compiled, second: Compiled) -> Compiled:
        (body, b), (orelse, o) = first, second
        if b.kind in ("text", "cat") and o.kind in ("text", "cat"):
            (body, b), (orelse, o) = _same_choices(_categorical((body, b)), _categorical((orelse, o)))
        if b.kind == o.kind == "date":
            def choose_date(env: dict, reach: Any) -> Any:
                condition = np.asarray(test(env, reach))
                return np.where(condition, body(env, _and(reach, condition)), orelse(env, _and(reach, ~condition)))
            return choose_date, b
        if b.kind == o.kind == "list":
            static = dates_column.list_static(b, o)

            def choose_list(env: dict, reach: Any) -> Any:
                condition = np.asarray(test(env, reach))
                yes, no = body(env, _and(reach, condition)), orelse(env, _and(reach, ~condition))
                return dates_column.choose_lists(condition, yes, no, b, o)[0]
            return choose_list, static
        if b.kind == o.kind == "num":
            scale = max(b.scale, o.scale)
            fb, fo = 10 ** (scale - b.scale), 10 ** (scale - o.scale)
            static = Static("num", scale, max(checked(b.bound * fb, "an amount"), checked(o.bound * fo, "an amount")),
                            inexact=b.inexact or o.inexact, nonneg=b.nonneg and o.nonneg,
                            exponent=b.exponent if b.exponent == o.exponent else None)

            def choose(env: dict, reach: Any) -> Any:
                condition = np.asarray(test(env, reach))
                yes = body(env, _and(reach, condition))
                no = orelse(env, _and(reach, ~condition))
                return np.where(condition, yes * fb if fb != 1 else yes, no * fo if fo != 1 else no)
            return choose, static
        if b.kind == o.kind == "bool" or (b.kind == o.kind == "cat" and b.choices == o.choices):
            def pick(env: dict, reach: Any) -> Any:
                condition = np.asarray(test(env, reach))
                return np.where(condition, body(env, _and(reach, condition)), orelse(env, _and(reach, ~condition)))
            return pick, b
        raise ColumnUnsupported("both branches of 'a if c else b' must be amounts, or both true/false values")

    def _choose_none(self, test: Run, body: Compiled, orelse: Compiled) -> Compiled:
        """``a if c else b`` where a branch may be None: the value where it is not, and a None mask."""
        def placeholder(value: Compiled, like: Compiled) -> Compiled:
            if value[1].kind != "none":
                return value
            if like[1].kind not in ("num", "bool", "cat", "text", "date"):
                raise ColumnUnsupported("None beside a list or None has no column form")
            static = _categorical(like)[1] if like[1].kind in ("text", "cat") else like[1]
            zero = False if static.kind == "bool" else 0
            return (lambda env, reach: zero), replace(static, none_key=_ALWAYS, inexact=False)
        body, orelse = placeholder(body, orelse), placeholder(orelse, body)
        keys = [static.none_key for _, static in (body, orelse)]
        condition_key, key = self.none_key(), self.none_key()

        def tested(env: dict, reach: Any) -> Any:
            condition = env[condition_key] = np.asarray(test(env, reach))
            return condition
        value_run, static = self._choose(tested, *((run, replace(s, none_key=None)) for run, s in (body, orelse)))

        def choose(env: dict, reach: Any) -> Any:
            value = value_run(env, reach)
            masks = [np.bool_(True) if k == _ALWAYS else (np.asarray(env.get(k, False)) if k else np.bool_(False))
                     for k in keys]
            env[key] = np.where(env[condition_key], masks[0], masks[1])
            return value
        return choose, replace(static, none_key=key)

    def _Call(self, node: typed.Call) -> Compiled:
        if node.function.column is None:
            raise ColumnUnsupported(f"function {node.function.name}() has no column form")
        compile = self.maybe if node.function.takes_none else self.compile
        result: Compiled = node.function.column([compile(a) for a in node.args])
        return result

    def _Lookup(self, node: typed.Lookup) -> Compiled:
        table: Table = node.table
        status = self.compile(node.status) if node.status is not None else None
        amount = self.number(node.amount, f"table '{table.name}'") if node.amount is not None else None
        if amount is not None:
            _exact(amount[1], f"a lookup in table '{table.name}'")
        return _lookup(table, status, amount, self.none_key())


_ALWAYS = "<always>"  # the none_key of a None written in an expression: None in every row


def _categorical(compiled: Compiled) -> Compiled:
    """A text constant as a choice of one (code 0); a choice as it is."""
    static = compiled[1]
    if static.kind == "text":
        return (lambda env, reach: 0), Static("cat", choices=(static.value,), none_key=static.none_key)
    return compiled


def _same_choices(first: Compiled, second: Compiled) -> tuple[Compiled, Compiled]:
    """Two choices recoded over the union of their choices (the first's order, then the second's new ones)."""
    (run_a, a), (run_b, b) = first, second
    if a.choices == b.choices:
        return first, second
    choices = a.choices + tuple(c for c in b.choices if c not in a.choices)
    recode = np.array([choices.index(c) for c in b.choices], dtype=np.int64)
    return (run_a, replace(a, choices=choices)), \
        ((lambda env, reach: recode[run_b(env, reach)]), replace(b, choices=choices))


def _equal_or_text(left: Compiled, right: Compiled, equal: bool) -> Run:
    """``a == b`` (or !=) where a is an amount or a text (its text_key): equal to a text only where it
    is that text, to an amount only where it is an amount of that size."""
    (run_a, a), (run_b, b) = left if left[1].text_key else right, right if left[1].text_key else left
    key = a.text_key
    assert key is not None
    if a.none_key or b.none_key or b.text_key:
        raise ColumnUnsupported("comparing an amount-or-text value with this has no column form")
    if b.kind == "text":
        code = a.texts.index(b.value) if b.value in a.texts else -2

        def with_text(env: dict, reach: Any) -> Any:
            run_a(env, reach)
            return (np.asarray(env[key]) == code) == equal
        return with_text
    amounts = _comparison("==", (run_a, replace(a, text_key=None, texts=())), (run_b, b))

    def with_amount(env: dict, reach: Any) -> Any:
        same = np.asarray(amounts(env, reach)) & (np.asarray(env[key]) < 0)
        return same == equal
    return with_amount


def _equal_or_none(left: Compiled, right: Compiled, equal: bool) -> Run:
    """``a == b`` (or !=) where either may be None: None equals None only (as Python compares them)."""
    (run_a, a), (run_b, b) = left, right
    if "none" in (a.kind, b.kind):  # "x == None"
        (run_x, x) = right if a.kind == "none" else left
        if x.kind == "none":
            return lambda env, reach: np.bool_(equal)

        def is_none(env: dict, reach: Any) -> Any:
            run_x(env, reach)
            return _none_of(env, x) == equal
        return is_none
    values = _comparison("==", (run_a, replace(a, none_key=None)), (run_b, replace(b, none_key=None)))

    def compare(env: dict, reach: Any) -> Any:
        same = np.asarray(values(env, reach))
        none_a, none_b = _none_of(env, a), _none_of(env, b)
        result = np.where(none_a | none_b, none_a & none_b, same)
        return result if equal else ~result
    return compare


QUOTIENT_PLACES = 6  # a quotient is cut (toward zero) to this many places; every rounding of one asks for fewer


def _quotient(left: Run, a: Static, right: Run, b: Static, rest_key: str) -> Compiled:
    """``left / right`` cut toward zero at QUOTIENT_PLACES. Cut, not rounded: rounding half up to
    fewer places then decides exactly as on the exact quotient (the cut keeps whether the rest is at
    least one half), and so does clamping to bounds with few places. Anything else would need the
    digits cut off, so a cut quotient may flow only through clamp, min, max and a rounding. The scalar
    path divides with 28 significant digits: with every amount below 2**62 units, the exact quotient
    is never within 10**-19 of a rounding boundary without being on it, so those digits decide the
    same way. Where the exact quotient lies from the cut (``env[rest_key]``) lets a comparison
    decide exactly too (see _against_quotient). Rows dividing by zero go to the scalar path (its error)."""
    if a.inexact or b.inexact:
        raise ColumnUnsupported("a quotient of a quotient has no exact column form")
    shift = QUOTIENT_PLACES + b.scale - a.scale  # (a / 10**sa) / (b / 10**sb) at 10**-QUOTIENT_PLACES
    if shift < 0:
        raise ColumnUnsupported("a quotient of a finer amount by a coarser one has no exact column form")
    checked(a.bound * 10 ** shift, "a quotient")
    factor = 10 ** shift

    def divide(env: dict, reach: Any) -> Any:
        numerator = np.asarray(left(env, reach), dtype=np.int64)
        denominator = np.asarray(right(env, reach), dtype=np.int64)
        zero = denominator == 0
        if zero.any():
            mark_slow(env, np.broadcast_to(zero, np.broadcast(numerator, zero).shape), reach)
            denominator = np.where(zero, 1, denominator)
        magnitude, rest = np.divmod(np.abs(numerator) * factor, np.abs(denominator))
        negative = (numerator < 0) != (denominator < 0)
        env[rest_key] = np.where(rest != 0, np.where(negative, -1, 1), 0).astype(np.int8)
        return np.where(negative, -magnitude, magnitude)
    # |a / b| <= |a| when |b| >= 1 unit; a denominator below one unit in size is zero
    bound = checked(a.bound * factor, "a quotient")
    return divide, Static("num", QUOTIENT_PLACES, bound, inexact=True, rest_key=rest_key)


_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _against_quotient(op: str, left: Compiled, right: Compiled) -> Run:
    """``x op q`` with q a cut quotient that knows where its exact value lies (rest_key) and x an exact
    amount, decided exactly: the exact quotient is within one unit of the cut, above it, on it or
    below it as its rest says, and x in those units is a whole number. ``q op x`` is flipped first."""
    if left[1].inexact:
        left, right, op = right, left, _FLIPPED[op]
    (run_x, x), (run_q, q) = left, right
    if x.kind != "num" or x.inexact or q.rest_key is None or x.scale > q.scale:
        raise ColumnUnsupported("a comparison of a quotient not yet rounded has no exact column form")
    lift = 10 ** (q.scale - x.scale)
    checked(x.bound * lift, "an amount")
    key = q.rest_key

    def compare(env: dict, reach: Any) -> Any:
        cut = np.asarray(run_q(env, reach))
        value = np.asarray(run_x(env, reach)) * lift
        rest = env[key]
        below, on = value < cut, value == cut  # x < cut: x is below the exact quotient too, and so on
        if op == "<=":
            return below | (on & (rest >= 0))
        if op == "<":
            return below | (on & (rest > 0))
        if op == ">=":
            return ~below & ~(on & (rest > 0))
        if op == ">":
            return ~below & ~(on & (rest >= 0))
        equal = on & (rest == 0)
        return equal if op == "==" else ~equal
    return compare


def _comparison(op: str, left: Compiled, right: Compiled) -> Run:
    (run_a, a), (run_b, b) = left, right
    if (a.inexact or b.inexact) and op not in ("in", "not in"):
        return _against_quotient(op, left, right)
    _exact(a, "a comparison")
    _exact(b, "a comparison")
    if op in ("in", "not in"):
        if a.kind != "cat" or b.kind != "items":
            raise ColumnUnsupported("'in' has a column form only as filing_status in ('a', 'b')")
        codes = [a.choices.index(t) for t in b.value if t in a.choices]
        inside = op == "in"
        return lambda env, reach: np.isin(run_a(env, reach), codes) == inside
    if a.kind == "cat" or b.kind == "cat":
        (run_cat, cat), (run_other, other) = (left, right) if a.kind == "cat" else (right, left)
        if op not in ("==", "!="):
            raise ColumnUnsupported("choices can only be compared with == or !=")
        equal = op == "=="
        if other.kind == "text":
            if other.value not in cat.choices:
                return lambda env, reach: np.zeros(np.shape(run_cat(env, reach)), dtype=bool) == equal
            code = cat.choices.index(other.value)
            return lambda env, reach: (run_cat(env, reach) == code) == equal
        if other.kind == "cat" and other.choices == cat.choices:
            return lambda env, reach: (run_cat(env, reach) == run_other(env, reach)) == equal
        raise ColumnUnsupported("a choice can only be compared with text or the same kind of choice")
    if a.kind == b.kind == "num":
        scale = max(a.scale, b.scale)
        fa, fb = 10 ** (scale - a.scale), 10 ** (scale - b.scale)
        checked(a.bound * fa, "an amount")
        checked(b.bound * fb, "an amount")
        function = {"==": np.equal, "!=": np.not_equal, "<": np.less, "<=": np.less_equal, ">": np.greater,
                    ">=": np.greater_equal}[op]
        if fa == fb == 1:
            return lambda env, reach: function(run_a(env, reach), run_b(env, reach))
        return lambda env, reach: function(run_a(env, reach) * fa, run_b(env, reach) * fb)
    if a.kind == b.kind == "date":
        ordered = {"==": np.equal, "!=": np.not_equal, "<": np.less, "<=": np.less_equal, ">": np.greater,
                   ">=": np.greater_equal}[op]
        return lambda env, reach: ordered(run_a(env, reach), run_b(env, reach))
    if a.kind == b.kind == "bool" and op in ("==", "!="):
        equal = op == "=="
        return lambda env, reach: (np.asarray(run_a(env, reach)) == np.asarray(run_b(env, reach))) == equal
    raise ColumnUnsupported("these values cannot be compared over columns")


# ---------------------------------------------------------------- tables


def _amounts(values: list[Any], what: str) -> int:
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, Decimal)):
            raise ColumnUnsupported(f"{what} value {v!r} is not an amount")
    return max((decimals(Decimal(v)) for v in values), default=0)


@dataclass(frozen=True)
class _Segment:
    """One column of a range or brackets table, ready for searchsorted: boundaries (amounts at the
    lookup's scale), the side, and per interval the value (range) or base, rate times the scale
    factor, lower bound and excess-over (brackets), all at ``scale``."""

    bounds: list[int]
    side: Side
    values: list[int]  # range: [below the floor, row 1, ...]; brackets: the bases
    rates: list[int] = field(default_factory=list)
    lows: list[int] = field(default_factory=list)
    excess: list[int] = field(default_factory=list)
    scale: int = 0
    bound: int = 0


def _range_segment(column: Column, amount: Static, choices: tuple[str, ...] | None = None) -> _Segment:
    """``choices``: the rows' values are texts, looked up as their codes among ``choices``."""
    values = [column.at_or_below_floor] + [r.value for r in column.rows]
    if choices is not None:
        picks = [choices.index(v) for v in values]
        return _Segment([scaled(Decimal(b), amount.scale) for b in column.bounds], cast(Side, column.side), picks,
                        bound=len(choices))
    value_scale = _amounts(values, "a row's")
    picks = [scaled(Decimal(v), value_scale) for v in values]
    bounds = [scaled(Decimal(b), amount.scale) for b in column.bounds]
    return _Segment(bounds, cast(Side, column.side), picks, scale=value_scale, bound=max(abs(v) for v in picks))


def _bracket_segment(column: Column, amount: Static) -> _Segment:
    s = amount.scale
    rate_scale = max(decimals(b.rate) for b in column.brackets)
    base_scale = max(decimals(b.base_tax) for b in column.brackets)
    out_scale = max(base_scale, s + rate_scale)
    factor = 10 ** (out_scale - s - rate_scale)
    lows = [scaled(b.lo, s) for b in column.brackets]
    excess = [scaled(b.excess_over, s) for b in column.brackets]
    rates = [scaled(b.rate, rate_scale) * factor for b in column.brackets]
    bases = [scaled(b.base_tax, out_scale) for b in column.brackets]
    span = amount.bound + max(abs(v) for v in lows + excess)
    bound = checked(max(abs(v) for v in bases) + max(abs(r) for r in rates) * checked(2 * span, "a bracket amount"),
                    "a bracket's tax")
    return _Segment([scaled(b, s) for b in column.bounds], cast(Side, column.side), bases, rates, lows, excess,
                    out_scale, bound)


def _rescaled(segment: _Segment, scale: int) -> _Segment:
    """``segment`` with its values at ``scale`` (at least its own)."""
    factor = 10 ** (scale - segment.scale)
    checked(segment.bound * factor, "a table value")
    return _Segment(segment.bounds, segment.side, [v * factor for v in segment.values],
                    [r * factor for r in segment.rates], segment.lows, segment.excess, scale, segment.bound * factor)


# A lookup by grid cell keeps one entry per cell and column; beyond this many (bounds on a fine grid
# over a wide range) the tables would leave the CPU's cache and searchsorted is used instead.
GRID_CELLS = 1 << 14


@dataclass(frozen=True)
class _Grid:
    """Bounds that all lie on one grid ``origin + k * width`` (k = 0 .. cells - 2): the position of
    an amount is then found from its cell, an integer division, instead of a binary search. With
    ``c = (amount + shift) // width``, c is ceil((amount - origin) / width) for side 'left' and
    floor((amount - origin) / width) + 1 for side 'right', so that the bounds a position counts
    (those below the amount, or at or below it) are exactly those of grid index below c."""

    origin: int
    width: int
    cells: int  # grid indexes 0 .. cells - 2, plus one cell above every bound
    shift: int

    def position_of_cell(self, bounds: list[int]) -> list[int]:
        """Per cell, the position it stands for in ``bounds`` (how many have a grid index below it)."""
        indexes = [(b - self.origin) // self.width for b in bounds]
        return [bisect_left(indexes, cell) for cell in range(self.cells)]


def grid(columns: list[list[int]], side: Side, amount_bound: int) -> _Grid | None:
    """The one grid all ``columns``' bounds lie on (their greatest common step from the lowest bound),
    or None when it would take more than GRID_CELLS cells or an amount plus the shift could leave
    the exact range."""
    every = sorted({b for bounds in columns for b in bounds})
    origin = every[0] if every else 0
    width = 0
    for b in every:
        width = gcd(width, b - origin)
    width = width or 1  # at most one distinct bound: any width
    cells = (every[-1] - origin) // width + 2 if every else 1
    shift = width - 1 - origin if side == "left" else width - origin
    if cells * len(columns) > GRID_CELLS or amount_bound + abs(shift) > LIMIT:
        return None
    return _Grid(origin, width, cells, shift)


def _segment_lookup(segments: list[_Segment], amount_bound: int) -> tuple[Callable[[Any, Any], Any], int]:
    """One lookup for every row whatever its column: ``(lookup, stride)``, ``lookup(base, arr)`` with
    ``base`` the column of each row times ``stride`` (an array, or an int) and ``arr`` the amounts.

    Where every column's bounds lie on one grid (the printed tables' rows of equal width over a
    floor), a row's cell is an integer division and its value is read from per-cell arrays, one
    block of cells per column. Otherwise one searchsorted: each row's key is its column's number
    times a span wider than every amount, plus the amount; the columns' bounds are laid out the same
    way, each column closed by a bound above every key of its own, so that the index found is the
    column's offset plus the index in its own bounds.

    A range column gives its row's value; a brackets column the bracket's base plus its rate times
    the amount (at least the bracket's lower bound) over its excess-over, computed as an intercept
    (base - rate * excess-over) plus the rate times the amount."""
    side = segments[0].side
    brackets = bool(segments[0].rates)
    # per column and position: the value or intercept, the rate and the lower bound
    by_position = []
    for g in segments:
        if brackets:
            by_position.append([(base - rate * excess, rate, low)
                                for base, rate, low, excess in zip(g.values, g.rates, g.lows, g.excess)])
        else:
            by_position.append([(value, 0, 0) for value in g.values])
    found = grid([g.bounds for g in segments], side, amount_bound)
    if found is not None:
        layout = [[positions[p] for p in found.position_of_cell(g.bounds)]
                  for g, positions in zip(segments, by_position)]
        stride = found.cells
        last, shift, width = found.cells - 1, found.shift, found.width

        def cell(base: Any, arr: Any) -> Any:
            index = np.asarray(np.add(arr, shift, dtype=np.int64))  # 0-d for a constant amount: still in place
            index //= width
            np.clip(index, 0, last, out=index)
            if np.ndim(base) > np.ndim(index):  # a constant amount, a filing status per row
                index = index + base
            elif np.ndim(base) or base:
                index += base
            return index
    else:
        size = max(max((abs(b) for g in segments for b in g.bounds), default=0), 1)
        span = 2 * size + 4  # keys of a column lie in [number * span, number * span + 2 * size + 2]
        checked(span * (len(segments) + 1), "a table key")
        offset = size + 1  # an amount beyond +-size is compared with bounds clipped to +-(size + 1): the same answer
        keys: list[int] = []
        layout = []
        for number, (g, positions) in enumerate(zip(segments, by_position)):
            keys += [number * span + offset + min(max(b, -size - 1), size + 1) for b in g.bounds]
            keys.append(number * span + span - 1)  # above every key of this column
            layout.append(positions)  # one per key of the column: the closing key stands for the last position
        bounds = np.array(keys, dtype=np.int64)
        stride = span

        def cell(base: Any, arr: Any) -> Any:
            key = np.clip(arr, -size - 1, size + 1)
            key += base + offset
            return np.searchsorted(bounds, key, side=side)
    flat = [entry for positions in layout for entry in positions]
    values = np.array([v for v, _, _ in flat], dtype=np.int64)
    if not brackets:
        return (lambda base, arr: values.take(cell(base, arr))), stride
    rates = np.array([r for _, r, _ in flat], dtype=np.int64)
    lows = np.array([low for _, _, low in flat], dtype=np.int64)

    def bracket_lookup(base: Any, arr: Any) -> Any:
        index = cell(base, arr)
        result = np.maximum(arr, lows.take(index))
        result *= rates.take(index)
        result += values.take(index)
        return result
    return bracket_lookup, stride


def _formula_column(column: Column, amount: Static) -> tuple[Callable[[Any], Any], Static]:
    formula = column.formula
    assert formula is not None
    parts = [formula.start] + [v for c in formula.components for v in (c.amount, c.for_each, c.over, c.up_to)]
    scale = max(amount.scale, max(decimals(Decimal(p)) for p in parts))
    lift = 10 ** (scale - amount.scale)
    start = scaled(Decimal(formula.start), scale)
    bound = abs(start)
    components = []
    for c in formula.components:
        over, each = scaled(c.over, scale), scaled(c.for_each, scale)
        step_value, up_to = scaled(c.amount, scale), scaled(c.up_to, scale)
        checked((amount.bound * lift + abs(over)) * abs(step_value), "a stepped formula")
        bound = checked(bound + abs(up_to) + abs(step_value), "a stepped formula")
        components.append((over, each, step_value, up_to, c.or_fraction_thereof, c.subtract))

    def lookup(arr: Any) -> Any:
        arr = arr * lift if lift != 1 else arr
        total = start
        for over, each, step_value, up_to, fraction, subtract in components:
            excess = arr - over
            steps = -((-excess) // each) if fraction else excess // each
            part = np.minimum(step_value * np.where(arr <= over, 0, steps), up_to)
            total = total - part if subtract else total + part
        return total
    return lookup, Static("num", scale, bound)


def _lookup(table: Table, status: Compiled | None, amount: Compiled | None, text_key: str = "<text>") -> Compiled:
    if table.by_status and (status is None or status[1].kind not in ("cat", "text")
                            or (status[1].kind == "cat" and status[1].choices != FILING_STATUSES)):
        raise ColumnUnsupported(f"table '{table.name}' needs a filing status as its first argument")
    if table.kind == "scalar":
        values = [table.scalar[s] for s in (FILING_STATUSES if table.by_status else (None,))]
        if not table.by_status and isinstance(values[0], str):  # a text: a constant, as written
            text = values[0]
            return (lambda env, reach: text), Static("text", value=text)
        if all(isinstance(v, dt.date) for v in values):
            ints = np.array([day_number(v) for v in values], dtype=np.int64)
            static = Static("date")
        else:
            scale = _amounts(values, f"table '{table.name}'")
            ints = np.array([scaled(Decimal(v), scale) for v in values], dtype=np.int64)
            static = Static("num", scale, max(abs(int(v)) for v in ints), nonneg=all(v >= 0 for v in values))
        if not table.by_status:
            single = int(ints[0])
            return (lambda env, reach: single), static
        return _by_status(status, lambda code_rows, env, reach: ints[code_rows]), static
    assert amount is not None
    run_amount, amount_static = amount
    columns = table.distinct_columns()
    bound_places = 0
    for column in columns:
        bounds = [r.lo for r in column.rows] + [r.hi for r in column.rows if r.hi is not None]
        for b in column.brackets:
            bounds += [b.lo, b.excess_over] + ([b.hi] if b.hi is not None else [])
        bound_places = max([bound_places] + [decimals(Decimal(b)) for b in bounds])
    scale = max(amount_static.scale, bound_places)
    lift = 10 ** (scale - amount_static.scale)
    at = Static("num", scale, checked(amount_static.bound * lift, "an amount"))
    which_column = np.array([next(i for i, c in enumerate(columns) if c is table.columns[s]) if table.by_status else 0
                             for s in FILING_STATUSES] + [0], dtype=np.int64)  # code -1: unknown, a slow row

    def amounts(env: dict, reach: Any) -> Any:
        value = np.asarray(run_amount(env, reach), dtype=np.int64)
        return value * lift if lift != 1 else value

    texts = [v for c in columns for v in [c.at_or_below_floor, *(r.value for r in c.rows)]]
    choices = tuple(dict.fromkeys(texts)) if texts and all(isinstance(v, str) for v in texts) else None
    if texts and choices is None and any(isinstance(v, str) for v in texts) and all(c.rows for c in columns):
        return _mixed_lookup(table, columns, at, amounts, text_key)
    if all(c.rows for c in columns) or all(c.brackets and not c.rows for c in columns):
        segments = [_range_segment(c, at, choices) if c.rows else _bracket_segment(c, at) for c in columns]
        if len({g.side for g in segments}) == 1:
            out_scale = max(g.scale for g in segments)
            segments = [_rescaled(g, out_scale) for g in segments]
            static = Static("num", out_scale, max(g.bound for g in segments)) if choices is None else \
                Static("cat", choices=choices)  # a table of texts: codes into its texts
            lookup, stride = _segment_lookup(segments, at.bound)
            if not table.by_status:
                return (lambda env, reach: lookup(0, amounts(env, reach))), static
            base_of_code = which_column * stride

            def by_code(codes: Any, env: dict, reach: Any) -> Any:
                return lookup(base_of_code.take(codes), amounts(env, reach))
            return _by_status(status, by_code), static
    built = [_formula_column(c, at) if c.formula is not None and not c.rows and not c.brackets else
             _segment_function(c, at) for c in columns]
    out_scale = max(s.scale for _, s in built)
    lookups = []
    for function, s in built:
        factor = 10 ** (out_scale - s.scale)
        checked(s.bound * factor, "a table value")
        lookups.append((function, factor))
    static = Static("num", out_scale, max(s.bound * 10 ** (out_scale - s.scale) for _, s in built))
    if not table.by_status:
        (only, factor), = lookups
        return (lambda env, reach: only(amounts(env, reach)) * factor), static

    def by_column(codes: Any, env: dict, reach: Any) -> Any:
        arr = amounts(env, reach)
        which = which_column[codes]
        result = np.zeros(np.broadcast(arr, which).shape, dtype=np.int64)
        for number, (function, factor) in enumerate(lookups):
            rows = which == number
            if np.ndim(rows) == 0:
                if rows:
                    result = function(arr) * factor
                continue
            if rows.any():
                result[rows] = function(np.broadcast_to(arr, rows.shape)[rows]) * factor
        return result
    return _by_status(status, by_column), static


def _mixed_lookup(table: Table, columns: list[Column], at: Static, amounts: Run, text_key: str) -> Compiled:
    """A range table of amounts and texts (2013's EFT penalty limits beside 'no limit'): the amount, and
    in ``env[text_key]`` which rows have a text instead (-1: an amount, else the text's index)."""
    if table.by_status:
        raise ColumnUnsupported(f"table '{table.name}' of amounts and texts by filing status has no column form")
    column, = columns
    values = [column.at_or_below_floor] + [r.value for r in column.rows]
    texts = tuple(dict.fromkeys(v for v in values if isinstance(v, str)))
    numbers = [v for v in values if not isinstance(v, str)]
    scale = _amounts(numbers, "a row's")
    picks = [0 if isinstance(v, str) else scaled(Decimal(v), scale) for v in values]
    bounds = [scaled(Decimal(b), at.scale) for b in column.bounds]
    side = cast(Side, column.side)
    amount_of, _ = _segment_lookup([_Segment(bounds, side, picks, scale=scale, bound=max(abs(v) for v in picks))],
                                   at.bound)
    codes = [texts.index(v) if isinstance(v, str) else -1 for v in values]
    text_of, _ = _segment_lookup([_Segment(bounds, side, codes, bound=len(texts))], at.bound)

    def lookup(env: dict, reach: Any) -> Any:
        arr = amounts(env, reach)
        env[text_key] = text_of(0, arr)
        return amount_of(0, arr)
    return lookup, Static("num", scale, max(abs(v) for v in picks), nonneg=all(v >= 0 for v in numbers),
                          text_key=text_key, texts=texts)


def _segment_function(column: Column, amount: Static) -> tuple[Callable[[Any], Any], Static]:
    """One range or brackets column on its own (a table mixing kinds of columns)."""
    segment = _range_segment(column, amount) if column.rows else _bracket_segment(column, amount)
    lookup, _ = _segment_lookup([segment], amount.bound)
    return (lambda arr: lookup(0, arr)), Static("num", segment.scale, segment.bound)


def _by_status(status: Compiled | None, then: Callable[[Any, dict, Any], Any]) -> Run:
    assert status is not None  # _lookup refused a table by filing status looked up without one
    run_status, static = status
    if static.kind == "text":
        code = FILING_STATUSES.index(static.value) if static.value in FILING_STATUSES else None
        if code is None:
            raise ColumnUnsupported(f"'{static.value}' is not a filing status")
        return lambda env, reach: then(np.int64(code), env, reach)
    return lambda env, reach: then(np.asarray(run_status(env, reach)), env, reach)


# ---------------------------------------------------------------- worksheets


def input_static(spec: InputSpec) -> Static:
    """What the batch layer gives for an input: money as cents, numbers in millionths, integers as
    whole units, within the input's own bounds (rows outside them take the scalar path); statuses and
    choices as codes."""
    if spec.type in ("money", "number", "integer"):
        low = spec.minimum if spec.minimum is not None else -MAX_AMOUNT
        high = spec.maximum if spec.maximum is not None else MAX_AMOUNT
        size = int(max(abs(low), abs(high)))
        scale = {"money": INPUT_SCALE, "number": NUMBER_SCALE, "integer": 0}[spec.type]
        return Static("num", scale, min(size * 10 ** scale, LIMIT), nonneg=low >= 0,
                      exponent=0 if spec.type == "integer" else None)
    if spec.type == "boolean":
        return Static("bool")
    if spec.type == "filing_status":
        return Static("cat", choices=FILING_STATUSES)
    if spec.type == "choice":
        return Static("cat", choices=spec.choices)
    if spec.type == "date":
        return Static("date")
    raise ColumnUnsupported(f"input '{spec.name}' of type {spec.type} has no column form")


def constant(value: Any, spec: InputSpec) -> Compiled:
    """An input's default as a column value."""
    if isinstance(value, bool):
        return (lambda env, reach: value), Static("bool")
    if isinstance(value, Decimal):
        static = input_static(spec)
        number = scaled(value, static.scale)
        return (lambda env, reach: number), replace(static, bound=abs(number), nonneg=number >= 0)
    if isinstance(value, dt.date):
        day = day_number(value)
        return (lambda env, reach: day), Static("date")
    if isinstance(value, str):
        static = input_static(spec)
        code = static.choices.index(value)
        return (lambda env, reach: code), static
    raise ColumnUnsupported(f"default {value!r} has no column form")


@dataclass(frozen=True)
class Program:
    """A worksheet compiled to columns for given input values (``statics``): ``run(env, reach)``
    fills ``env`` with every line; ``outputs`` says what each output column is; ``inputs`` the
    inputs' statics it was compiled for (their bounds: rows beyond take the scalar path)."""

    run: Run
    outputs: dict[str, Static]
    inputs: dict[str, Static] = field(default_factory=dict)


@dataclass(frozen=True)
class _StepInputs:
    """How a step fills its worksheet's inputs over columns: what it passes (an optional input of
    the caller passed on as it is keeps its missing mask), the defaults of the others, and which
    inputs are optional there; ``statics`` what each input of the worksheet then is."""

    passed: dict[str, Compiled]
    passed_missing: dict[str, str]  # target input -> the caller's missing key
    defaults: dict[str, Compiled]
    optional: frozenset[str]
    statics: dict[str, Static]


class _Columns(loop.Backend[Compiled, Program]):
    """The column backend: numpy closures over columns described by ``statics``; rows the columns
    cannot decide as the scalar path would are marked for it (env[SLOW])."""

    refused = (ColumnUnsupported,)

    def __init__(self, statics: dict[str, Static], optional: frozenset[str], filled: _StepInputs | None = None):
        self.inputs = dict(statics)
        self.compiler = _Compiler(dict(statics), optional)
        self.filled = filled  # for a step's worksheet: how the step fills its inputs

    def expression(self, expression: Expression) -> Compiled:
        return self.compiler.maybe(expression.node)  # each use says whether a None may reach it

    def required(self, spec: InputSpec, needed: Compiled) -> Run:
        holds, key = _truth(needed), absent_key(spec.name)

        def guard(env: dict, reach: Any) -> None:  # left out where needed: the scalar path raises
            if key in env:
                mark_slow(env, np.asarray(holds(env, reach)) & env[key], reach)
        return guard

    def refusal(self, check: Check, holds: Compiled) -> Run:
        passes = _truth(holds)  # rows where it fails take the scalar path (its error)
        return lambda env, reach: mark_slow(env, ~np.asarray(passes(env, reach)), reach)

    def result_check(self, check: Check, holds: Compiled) -> None:
        return None  # a batch of returns reports outputs, not the form's cross-checks

    def _step_inputs(self, step: loop.Step, passes: dict[str, Compiled]) -> _StepInputs:
        passed: dict[str, Compiled] = {}
        passed_missing: dict[str, str] = {}
        for name in step.passes:
            run, static = passes[name]
            if static.none_key and step.target.inputs[name].fill is Fill.OPTIONAL:
                passed_missing[name] = static.none_key  # None there: the target's input is not given
                passed[name] = run, replace(static, none_key=None)
            else:  # a None passed where the target needs a value (or its default) takes the scalar path
                passed[name] = _strict(passes[name])
            _exact(passed[name][1], f"input '{name}' of worksheet '{step.target.name}'")
            _coercible(step.target.inputs[name], passed[name][1])
        statics = {name: static for name, (_, static) in passed.items()}
        defaults: dict[str, Compiled] = {}
        optional = set(passed_missing)
        for name, fill in step.fills.items():
            spec = step.target.inputs[name]
            if fill is Fill.OPTIONAL:
                statics[name] = input_static(spec)
                optional.add(name)
            elif fill is Fill.DEFAULT:
                defaults[name] = constant(spec.default, spec)
                statics[name] = defaults[name][1]
            else:
                raise ColumnUnsupported(f"input '{name}' of worksheet '{step.target.name}' is not given")
        statics = {name: statics[name] for name in step.target.inputs}
        return _StepInputs(passed, passed_missing, defaults, frozenset(optional), statics)

    def for_step(self, step: loop.Step, passes: dict[str, Compiled]) -> _Columns:
        filled = self._step_inputs(step, passes)
        return _Columns(filled.statics, filled.optional, filled)

    def step(self, step: loop.Step, passes: dict[str, Compiled], program: Program,
             target: loop.Backend[Compiled, Program]) -> Compiled:
        filled = cast(_Columns, target).filled
        assert filled is not None  # for_step made the target backend
        worksheet, output = step.target, step.output
        required_if = [name for name, spec in worksheet.inputs.items() if spec.required_if is not None]
        left_out = [name for name in filled.optional if name not in filled.passed]

        def run_step(env: dict, reach: Any) -> Any:
            sub = {SLOW: env[SLOW]}
            for name, (run, static) in filled.passed.items():
                value = run(env, reach)
                sub[name] = value
                _mark_uncoercible(env, worksheet.inputs[name], static, value, reach)
                if name in filled.passed_missing:
                    key = filled.passed_missing[name]
                    sub[missing_key(name)] = np.bool_(True) if key == _ALWAYS else env.get(key, np.bool_(False))
            for name, (run, _) in filled.defaults.items():
                sub[name] = run(env, reach)
            for name in left_out:
                sub[name] = 0 if filled.statics[name].kind != "bool" else False
                sub[missing_key(name)] = np.bool_(True)
            for name in required_if:  # not given by the step, or given an optional value that is None
                sub[absent_key(name)] = (sub.get(missing_key(name), np.bool_(False)) if name in filled.passed
                                         else np.bool_(True))
            program.run(sub, reach)
            env[SLOW] = sub[SLOW]
            return sub[output]
        return run_step, program.outputs[output]

    def line(self, line: Line, value: Compiled, rounding: Rounding | None) -> tuple[str, Run]:
        run, static = value
        none_key, text_key, texts = static.none_key, static.text_key, static.texts
        if text_key and line.output:
            raise ColumnUnsupported("an output that is an amount in some rows and a text in others has no column form")
        if rounding is not None and static.kind == "num":  # the scalar path rounds a Decimal, leaves None and text
            run, static = rounding.column([(run, replace(static, none_key=None, text_key=None, texts=()))])
            static = replace(static, text_key=text_key, texts=texts)
        if not (static.inexact and static.rest_key and not line.output):  # a cut quotient kept for comparisons
            _exact(static, f"line {line.line}: the value")
        if static.kind == "none":
            raise ColumnUnsupported("a line that is always None has no column form")
        if none_key is None:
            self.compiler.statics[line.id] = static
            return line.id, run
        # the line's None mask, kept under its own key for the lines and outputs that read it
        key = missing_key(line.id)
        self.compiler.statics[line.id] = replace(static, none_key=key)

        def maybe_none(env: dict, reach: Any) -> Any:
            value = run(env, reach)
            env[key] = np.asarray(True) if none_key == _ALWAYS else env.get(none_key, np.bool_(False))
            return value
        return line.id, maybe_none

    def program(self, sheet: Worksheet, required: list[Any], refusals: list[Any], lines: list[Any],
                checks: list[Any]) -> Program:
        guards = required + refusals

        def run_program(env: dict, reach: Any) -> Any:
            for guard in guards:
                guard(env, reach)
            for name, run in lines:
                env[name] = run(env, reach)
            return env
        return Program(run_program, {name: self.compiler.statics[name] for name in sheet.outputs}, self.inputs)


def _coercible(spec: InputSpec, static: Static) -> None:
    """Refuse a step input of another kind than the target input reads (the scalar path would coerce it)."""
    wanted = input_static(spec)
    if static.kind == "text" and wanted.kind == "cat" and static.value in wanted.choices:
        return
    if static.kind != wanted.kind or (static.kind == "cat" and static.choices != wanted.choices):
        raise ColumnUnsupported(f"a value of another kind passed to input '{spec.name}'")


def _mark_uncoercible(env: dict, spec: InputSpec, static: Static, value: Any, reach: Any) -> None:
    """Rows where a step input is outside the target input's bounds, or not whole for an integer:
    the scalar path refuses them (its error is the row's)."""
    if static.kind != "num":
        return
    arr = np.asarray(value)
    bad = np.zeros(arr.shape, dtype=bool)
    unit = 10 ** static.scale
    for limit, outside in ((spec.minimum, np.less), (spec.maximum, np.greater)):
        if limit is not None:
            bad |= outside(arr, scaled(limit, static.scale)) if decimals(limit) <= static.scale else \
                outside(arr * 10 ** (decimals(limit) - static.scale), scaled(limit, decimals(limit)))
    if static.bound > int(MAX_AMOUNT) * unit:
        bad |= np.abs(arr) > int(MAX_AMOUNT) * unit
    if spec.type == "integer" and static.scale > 0:
        bad |= arr % unit != 0
    if bad.any():
        mark_slow(env, bad, reach)


# What the column path knows of one worksheet: whether it has a column form at all (decided from the
# typed form, at sizes too small to matter), and the programs compiled for the sizes of the data seen.
_FORMS: weakref.WeakKeyDictionary[Worksheet, dict[Any, Program | str]] = weakref.WeakKeyDictionary()
_PROBE_SIZE = 10 ** 6  # scaled units: the sizes at which the form itself is judged


def _compiled(sheet: Worksheet, sizes: tuple[tuple[str, int], ...] | None) -> Program:
    """``sheet`` compiled for inputs no larger than ``sizes`` (name, scaled bound); None: the probe sizes."""
    forms = _FORMS.setdefault(sheet, {})
    found = forms.get(sizes)
    if found is None:
        bounds = dict(sizes or ())
        statics = {}
        for name, spec in sheet.inputs.items():
            static = input_static(spec)
            if static.kind == "num":
                size = _PROBE_SIZE if sizes is None else bounds.get(name, static.bound)
                static = replace(static, bound=min(static.bound, size))
            statics[name] = static
        optional = frozenset(n for n, s in sheet.inputs.items() if s.fill is Fill.OPTIONAL)
        try:
            found = loop.build(sheet, _Columns(statics, optional))
        except ColumnUnsupported as problem:
            found = str(problem)
        forms[sizes] = found
    if isinstance(found, str):
        raise ColumnUnsupported(found)
    return found


@in_engine_context  # compiling prepares tables' figures
def program(sheet: Worksheet) -> Program:
    """``sheet`` compiled to columns (kept with the worksheet): ColumnUnsupported, naming the line,
    when it has no exact column form whatever the sizes of the amounts."""
    return _compiled(sheet, None)


def _sized(sheet: Worksheet, sizes: dict[str, int]) -> Program:
    """The program for the data's sizes (each rounded up to a power of ten, so a few programs serve
    every chunk). Where a product could leave int64 at those sizes, the largest size is lowered
    until it fits: the rows beyond it take the scalar path instead of wrapping."""
    sizes = {name: 10 ** len(str(max(size, 1))) for name, size in sizes.items()}
    while True:
        try:
            return _compiled(sheet, tuple(sorted(sizes.items())))
        except ColumnUnsupported as problem:
            largest = max(sizes, key=lambda name: sizes[name], default=None)
            if "64-bit" not in str(problem) or largest is None or sizes[largest] <= _PROBE_SIZE:
                raise
            sizes[largest] //= 10


def run(sheet: Worksheet, env: dict[str, Any], n: int) -> tuple[dict[str, Any], Any]:
    """Every output of ``sheet`` over ``n`` rows, given the input columns (Num, Bool, Cat) and missing
    masks in ``env``; and the mask of rows the scalar evaluator must take."""
    program(sheet)  # no column form at all: say so before looking at the data
    columns: dict[str, Any] = {SLOW: np.zeros(n, dtype=bool)}
    sizes = {}
    for name, value in env.items():
        if isinstance(value, Num):
            scale = input_static(sheet.inputs[name]).scale  # the batch layer reads amounts at this scale
            arr = value.arr if value.scale == scale else value.arr * 10 ** (scale - value.scale)
            columns[name] = arr
            sizes[name] = int(np.abs(arr).max()) if np.size(arr) else 0
        elif isinstance(value, Bool):
            columns[name] = value.arr
        elif isinstance(value, Cat):
            columns[name] = value.codes
        elif isinstance(value, Dates):
            columns[name] = value.days
        else:
            columns[name] = value  # a missing mask
    compiled = _sized(sheet, sizes)
    for name, static in compiled.inputs.items():
        if name in sizes and sizes[name] > static.bound:
            columns[SLOW] |= np.abs(columns[name]) > static.bound  # beyond the size the program was compiled for
    compiled.run(columns, None)
    out: dict[str, Any] = {}
    for name, static in compiled.outputs.items():
        value = columns[name]
        none = columns.get(static.none_key) if static.none_key else None
        if static.kind == "num":
            out[name] = Num(value, static.scale, static.bound, none)
        elif static.kind == "bool":
            out[name] = Bool(value, none)
        elif static.kind == "cat":
            out[name] = Cat(value, static.choices, none)
        elif static.kind == "text":
            out[name] = Cat(0, (static.value,), none)
        elif static.kind == "date":
            out[name] = Dates(value, none)
        elif static.kind == "list":
            out[name] = Listed(static.value, value)
        else:
            raise ColumnUnsupported(f"output '{name}' has no column form")
    return out, columns[SLOW]


@dataclass
class Listed:
    """A list output per row (``engine.lang.dates_column.Where`` or ``Schedule``), written as text at output."""

    shape: Any
    value: Any
