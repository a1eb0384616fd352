"""Compiles a worksheet's parsed expressions a second time, to numpy operations over whole columns.

Exactness: every number is a scaled integer, an int64 array ``a`` with a fixed number of decimal
places ``scale`` (value = a / 10**scale). Adding, subtracting, multiplying, comparing and rounding
half up are then exact integer operations, so each row's result is the same number the scalar
path computes with Decimal. The scale of every node is known when the worksheet compiles, and so
is a bound on its size: a worksheet whose amounts could leave the int64 range is refused then,
never wrapped around silently. Division cannot be made exact this way and is refused too
(``VectorUnsupported``); the batch layer then falls back to the scalar path row by row, or says
why it cannot. Filing statuses and choices are integer codes into their list of choices.

Tables: range rows and brackets use ``numpy.searchsorted`` on the rows' upper bounds with the same
"more than / at least" convention as the scalar lookup; stepped formulas use exact floor and
ceiling division; ``a if c else b`` is ``numpy.where``.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

import numpy as np

from engine.lang.expressions import parse
from engine.model.status import FILING_STATUSES
from engine.model.tables import MORE_THAN, Column, Table

LIMIT = 2 ** 62  # every intermediate stays below this in size, far from int64's 2**63
INPUT_SCALE = 2  # money and numbers arrive as whole cents


def missing_key(name: str) -> str:
    """The environment key of the mask of rows where input ``name`` is not given (its default is None)."""
    return f"<missing>{name}"


class VectorUnsupported(Exception):
    """This worksheet (or one of its lines) cannot be computed exactly over columns."""


@dataclass
class Num:
    arr: Any  # int64 array, or a Python int for a constant
    scale: int
    bound: int  # no |value| (scaled) exceeds this


@dataclass
class Bool:
    arr: Any


@dataclass
class Cat:
    codes: Any  # int array of indexes into ``choices``
    choices: tuple[str, ...]


@dataclass
class Text:
    value: str


@dataclass
class Items:
    items: tuple


def _check(bound: int, what: str) -> int:
    if bound > LIMIT:
        raise VectorUnsupported(f"{what} could exceed the exact 64-bit integer range")
    return bound


def scaled(value: Decimal, scale: int) -> int:
    """``value`` as an integer count of 10**-scale units; it must be exact."""
    number = value.scaleb(scale)
    if number != number.to_integral_value():
        raise VectorUnsupported(f"{value} has more than {scale} decimal places")
    return int(number)


def decimals(value: Decimal) -> int:
    return max(0, -value.normalize().as_tuple().exponent) if value else 0


def const(value: Decimal) -> Num:
    scale = decimals(value)
    number = scaled(value, scale)
    return Num(number, scale, _check(abs(number), "a constant"))


def rescale(value: Num, scale: int) -> Num:
    if scale == value.scale:
        return value
    factor = 10 ** (scale - value.scale)
    bound = _check(value.bound * factor, "a rescaled amount")  # before multiplying: int64 must not overflow
    return Num(value.arr * factor, scale, bound)


def align(*values: Num) -> list[Num]:
    scale = max(v.scale for v in values)
    return [rescale(v, scale) for v in values]


def round_half_up(value: Num, scale: int) -> Num:
    """Round to ``scale`` places, halves away from zero (Decimal's ROUND_HALF_UP)."""
    if value.scale <= scale:
        return value
    factor = 10 ** (value.scale - scale)
    half = factor // 2
    arr = value.arr
    if isinstance(arr, int):
        magnitude = (abs(arr) + half) // factor
        return Num(magnitude if arr >= 0 else -magnitude, scale, magnitude)
    magnitude = (np.abs(arr) + half) // factor
    return Num(np.where(arr < 0, -magnitude, magnitude), scale, (value.bound + half) // factor)


def truth(value: Any) -> Any:
    if isinstance(value, Bool):
        return value.arr
    if isinstance(value, Num):
        return np.asarray(value.arr) != 0
    raise VectorUnsupported("this value cannot be used as a condition")


ROUND_SCALES = {"dollars": 0, "cents": 2, "four_decimals": 4}
_FUNCTION_SCALES = {"round_dollars": 0, "round_cents": 2, "round_four_decimals": 4}


def _num(value: Any, what: str) -> Num:
    if not isinstance(value, Num):
        raise VectorUnsupported(f"{what} needs an amount")
    return value


def _compare(op: ast.cmpop, left: Any, right: Any) -> Any:
    if isinstance(op, (ast.In, ast.NotIn)):
        if not isinstance(left, Cat) or not isinstance(right, Items):
            raise VectorUnsupported("'in' is supported only as filing_status in ('a', 'b')")
        codes = [left.choices.index(t) for t in right.items if isinstance(t, str) and t in left.choices]
        found = np.isin(left.codes, codes)
        return found if isinstance(op, ast.In) else ~found
    if isinstance(left, Cat) or isinstance(right, Cat):
        cat, other = (left, right) if isinstance(left, Cat) else (right, left)
        if not isinstance(op, (ast.Eq, ast.NotEq)):
            raise VectorUnsupported("choices can only be compared with == or !=")
        if isinstance(other, Text):
            if other.value in cat.choices:
                equal = cat.codes == cat.choices.index(other.value)
            else:
                equal = np.zeros(np.shape(cat.codes), dtype=bool)
        elif isinstance(other, Cat) and other.choices == cat.choices:
            equal = cat.codes == other.codes
        else:
            raise VectorUnsupported("a choice can only be compared with text or the same kind of choice")
        return equal if isinstance(op, ast.Eq) else ~equal
    if isinstance(left, Num) and isinstance(right, Num):
        a, b = align(left, right)
        function = {ast.Eq: np.equal, ast.NotEq: np.not_equal, ast.Lt: np.less, ast.LtE: np.less_equal,
                    ast.Gt: np.greater, ast.GtE: np.greater_equal}[type(op)]
        return function(a.arr, b.arr)
    if isinstance(left, Bool) and isinstance(right, Bool) and isinstance(op, (ast.Eq, ast.NotEq)):
        return (left.arr == right.arr) if isinstance(op, ast.Eq) else (left.arr != right.arr)
    raise VectorUnsupported("these values cannot be compared over columns")


def where(condition: Any, body: Any, orelse: Any) -> Any:
    if isinstance(body, Num) and isinstance(orelse, Num):
        a, b = align(body, orelse)
        return Num(np.where(condition, a.arr, b.arr), a.scale, max(a.bound, b.bound))
    if isinstance(body, Bool) and isinstance(orelse, Bool):
        return Bool(np.where(condition, body.arr, orelse.arr))
    if isinstance(body, Cat) and isinstance(orelse, Cat) and body.choices == orelse.choices:
        return Cat(np.where(condition, body.codes, orelse.codes), body.choices)
    raise VectorUnsupported("both branches of 'a if c else b' must be amounts, or both true/false values")


def _maximum(values: list[Num], pick: Callable) -> Num:
    aligned = align(*values)
    result = aligned[0].arr
    for value in aligned[1:]:
        result = pick(result, value.arr)
    return Num(result, aligned[0].scale, max(v.bound for v in aligned))


def call_function(name: str, args: list[Any]) -> Any:
    if name in ("max", "min"):
        return _maximum([_num(a, f"{name}()") for a in args], np.maximum if name == "max" else np.minimum)
    if name == "abs":
        value = _num(args[0], "abs()")
        return Num(np.abs(value.arr), value.scale, value.bound)
    if name == "clamp":
        value, low, high = (_num(a, "clamp()") for a in args)
        return _maximum([_maximum([value, low], np.maximum), high], np.minimum)
    if name in _FUNCTION_SCALES:
        return round_half_up(_num(args[0], f"{name}()"), _FUNCTION_SCALES[name])
    raise VectorUnsupported(f"function {name}() has no column form")


# ---------------------------------------------------------------- tables


def _column_scale(column: Column) -> tuple[int, int]:
    """(decimal places of the bounds, decimal places of the values) of a range or brackets column."""
    bounds = [r.lo for r in column.rows] + [r.hi for r in column.rows if r.hi is not None]
    values = [r.value for r in column.rows] + ([column.at_or_below_floor] if column.rows else [])
    for b in column.brackets:
        bounds += [b.lo, b.excess_over] + ([b.hi] if b.hi is not None else [])
        values += [b.base_tax, b.rate]
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, Decimal)):
            raise VectorUnsupported(f"table value {v!r} is not an amount")
    return max((decimals(Decimal(b)) for b in bounds), default=0), max((decimals(Decimal(v)) for v in values), default=0)


def _range_column(column: Column, amount: Num) -> Num:
    bound_scale, value_scale = _column_scale(column)
    amount = rescale(amount, max(amount.scale, bound_scale))
    uppers = np.array([scaled(Decimal(h), amount.scale) for h in column._uppers], dtype=np.int64)
    floor = scaled(Decimal(column.floor), amount.scale)
    values = [scaled(Decimal(r.value), value_scale) for r in column.rows]
    below = scaled(Decimal(column.at_or_below_floor), value_scale)
    side = "left" if column._convention == MORE_THAN else "right"
    index = np.searchsorted(uppers, amount.arr, side=side)
    picked = np.array(values, dtype=np.int64)[index]
    under = amount.arr <= floor if column._convention == MORE_THAN else amount.arr < floor
    return Num(np.where(under, below, picked), value_scale, max(abs(v) for v in values + [below]))


def _bracket_column(column: Column, amount: Num) -> Num:
    bound_scale, _ = _column_scale(column)
    amount = rescale(amount, max(amount.scale, bound_scale))
    s = amount.scale
    rate_scale = max(decimals(b.rate) for b in column.brackets)
    base_scale = max(decimals(b.base_tax) for b in column.brackets)
    out_scale = max(base_scale, s + rate_scale)
    uppers = np.array([scaled(b.hi, s) for b in column.brackets[:-1]], dtype=np.int64)
    lows = np.array([scaled(b.lo, s) for b in column.brackets], dtype=np.int64)
    excess = np.array([scaled(b.excess_over, s) for b in column.brackets], dtype=np.int64)
    rates = np.array([scaled(b.rate, rate_scale) for b in column.brackets], dtype=np.int64)
    bases = np.array([scaled(b.base_tax, out_scale) for b in column.brackets], dtype=np.int64)
    span = amount.bound + max(abs(int(v)) for v in np.concatenate([lows, excess]))
    bound = _check(max(abs(int(v)) for v in bases) + max(abs(int(r)) for r in rates) * 10 ** (out_scale - s - rate_scale)
                   * _check(2 * span, "a bracket amount"), "a bracket's tax")
    index = np.searchsorted(uppers, amount.arr, side="left")
    base_part = np.maximum(amount.arr, lows[index]) - excess[index]
    tax = bases[index] + rates[index] * base_part * 10 ** (out_scale - s - rate_scale)
    return Num(tax, out_scale, bound)


def _formula_column(column: Column, amount: Num) -> Num:
    formula = column.formula
    parts = [formula.start] + [v for c in formula.components for v in (c.amount, c.for_each, c.over, c.up_to)]
    scale = max([amount.scale] + [decimals(Decimal(p)) for p in parts])
    amount = rescale(amount, scale)
    total = Num(scaled(Decimal(formula.start), scale), scale, abs(scaled(Decimal(formula.start), scale)))
    for c in formula.components:
        over, each = scaled(c.over, scale), scaled(c.for_each, scale)
        excess = amount.arr - over
        steps = -((-excess) // each) if c.or_fraction_thereof else excess // each
        steps = np.where(amount.arr <= over, 0, steps)
        step_value, up_to = scaled(c.amount, scale), scaled(c.up_to, scale)
        _check((amount.bound + abs(over)) * abs(step_value), "a stepped formula")
        part = np.minimum(step_value * steps, up_to)
        total = Num(total.arr - part if c.subtract else total.arr + part, scale,
                    _check(total.bound + abs(up_to) + abs(step_value), "a stepped formula"))
    return total


def table_call(table: Table, args: list[Any]) -> Num:
    status = args[0] if table.by_status else None
    amount = args[-1] if table.kind != "scalar" else None
    if table.by_status and not (isinstance(status, Cat) and status.choices == FILING_STATUSES):
        if isinstance(status, Text) and status.value in FILING_STATUSES:
            status = Cat(np.int64(FILING_STATUSES.index(status.value)), FILING_STATUSES)
        else:
            raise VectorUnsupported(f"table '{table.name}' needs a filing status as its first argument")
    if table.kind == "scalar":
        values = [table.scalar[s] for s in (FILING_STATUSES if table.by_status else (None,))]
        if any(isinstance(v, bool) or not isinstance(v, (int, Decimal)) for v in values):
            raise VectorUnsupported(f"table '{table.name}' does not hold amounts")
        scale = max(decimals(Decimal(v)) for v in values)
        ints = [scaled(Decimal(v), scale) for v in values]
        if not table.by_status:
            return Num(ints[0], scale, abs(ints[0]))
        return Num(np.array(ints, dtype=np.int64)[status.codes], scale, max(map(abs, ints)))
    amount = _num(amount, f"table '{table.name}'")

    def one(column: Column) -> Num:
        if column.rows:
            return _range_column(column, amount)
        if column.brackets:
            return _bracket_column(column, amount)
        return _formula_column(column, amount)

    if not table.by_status:
        return one(table.columns[None])
    results = {id(c): one(c) for c in table.distinct_columns()}
    aligned = dict(zip(results, align(*results.values())))
    # a lookup from status code to column number; codes of rows that go to the scalar path
    # (unknown statuses, code -1) take the last entry and are overwritten later
    order = list(aligned)
    which = np.array([order.index(id(table.columns[s])) for s in FILING_STATUSES] + [0], dtype=np.int64)
    column_of_row = which[status.codes]
    first = aligned[order[0]]
    result = first.arr
    for number, key in enumerate(order[1:], start=1):
        result = np.where(column_of_row == number, aligned[key].arr, result)
    return Num(result, first.scale, max(v.bound for v in aligned.values()))


# ---------------------------------------------------------------- expressions


class _Compiler:
    """Turns one parsed expression into a function of the column environment."""

    def __init__(self, text: str, tables: dict[str, Table]):
        self.text = text
        self.tables = tables

    def run(self, env: dict[str, Any]) -> Any:
        return self.node(parse(self.text), env)

    def node(self, node: ast.AST, env: dict[str, Any]) -> Any:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise VectorUnsupported(f"{type(node).__name__} has no column form")
        return method(node, env)

    def _Constant(self, node: ast.Constant, env: dict) -> Any:
        value = node.value
        if isinstance(value, bool):
            return Bool(np.bool_(value))
        if isinstance(value, str):
            return Text(value)
        if isinstance(value, (int, float)):
            raw = ast.get_source_segment(self.text.strip(), node) or repr(value)
            return const(Decimal(raw.replace("_", "")))
        raise VectorUnsupported(f"constant {value!r} has no column form")

    def _Name(self, node: ast.Name, env: dict) -> Any:
        if node.id in ("True", "False"):
            return Bool(np.bool_(node.id == "True"))
        if node.id in env:
            return env[node.id]
        if node.id in self.tables:
            return table_call(self.tables[node.id], [])
        raise VectorUnsupported(f"unknown name '{node.id}'")

    def _Tuple(self, node: ast.Tuple, env: dict) -> Items:
        items = []
        for element in node.elts:
            value = self.node(element, env)
            if not isinstance(value, Text):
                raise VectorUnsupported("only tuples of text have a column form")
            items.append(value.value)
        return Items(tuple(items))

    _List = _Tuple

    def _UnaryOp(self, node: ast.UnaryOp, env: dict) -> Any:
        operand = self.node(node.operand, env)
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(node.op, ast.USub):
            value = _num(operand, "'-'")
            return Num(-value.arr, value.scale, value.bound)
        if isinstance(node.op, ast.Not):
            return Bool(~np.asarray(truth(operand)))
        raise VectorUnsupported("operator has no column form")

    def _BinOp(self, node: ast.BinOp, env: dict) -> Num:
        left = _num(self.node(node.left, env), "arithmetic")
        right = _num(self.node(node.right, env), "arithmetic")
        if isinstance(node.op, (ast.Add, ast.Sub)):
            a, b = align(left, right)
            bound = _check(a.bound + b.bound, "a sum")  # checked before computing: int64 must not overflow
            arr = a.arr + b.arr if isinstance(node.op, ast.Add) else a.arr - b.arr
            return Num(arr, a.scale, bound)
        if isinstance(node.op, ast.Mult):
            bound = _check(left.bound * right.bound, "a product")
            return Num(left.arr * right.arr, left.scale + right.scale, bound)
        raise VectorUnsupported("division has no exact column form")

    def _BoolOp(self, node: ast.BoolOp, env: dict) -> Bool:
        parts = [np.asarray(truth(self.node(v, env))) for v in node.values]
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        result = parts[0]
        for part in parts[1:]:
            result = combine(result, part)
        return Bool(result)

    def _Compare(self, node: ast.Compare, env: dict) -> Bool:
        if len(node.ops) == 1 and isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            sides = (node.left, node.comparators[0])
            names = [s for s in sides if isinstance(s, ast.Name)]
            if names and any(isinstance(s, ast.Constant) and s.value is None for s in sides):
                # "x == None": true where an optional input (default None) was not given
                name = names[0].id
                if name not in env:
                    raise VectorUnsupported(f"unknown name '{name}'")
                missing = np.asarray(env.get(missing_key(name), False))
                return Bool(missing if isinstance(node.ops[0], ast.Eq) else ~missing)
        left = self.node(node.left, env)
        result = None
        for op, comparator in zip(node.ops, node.comparators):
            right = self.node(comparator, env)
            step = _compare(op, left, right)
            result = step if result is None else np.logical_and(result, step)
            left = right
        return Bool(result)

    def _IfExp(self, node: ast.IfExp, env: dict) -> Any:
        condition = truth(self.node(node.test, env))
        return where(condition, self.node(node.body, env), self.node(node.orelse, env))

    def _Call(self, node: ast.Call, env: dict) -> Any:
        name = node.func.id  # the scalar compiler has already refused anything else
        args = [self.node(a, env) for a in node.args]
        if name in self.tables:
            return table_call(self.tables[name], args)
        return call_function(name, args)


def evaluate(text: str, tables: dict[str, Table], env: dict[str, Any]) -> Any:
    """The column value of expression ``text`` given the columns in ``env``."""
    return _Compiler(text, tables).run(env)
