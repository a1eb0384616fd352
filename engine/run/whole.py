"""Which worksheet lines are already whole dollars, so the scalar loop need not round them.

Rounding a line to dollars (``HALF_UP.quantize(value, 1)``) gives back a value unchanged when it is
an int, or a Decimal with exponent 0 whose digits fit the engine's 28-digit context. That holds, for
every input, of a line built only by ``+``, ``-``, negation, ``max``, ``min`` and ``a if c else b``
from whole values (integer constants, lines already rounded to dollars, lookups of tables whose every
value is a whole number), as long as every sum is exact: ``whole_dollar_lines`` asks for a bound on
the size of each such line that keeps it below 10**27, with a digit to spare, derived from the
inputs' own limit (engine.model.inputs.MAX_AMOUNT) and the tables' figures. A line it cannot bound is
rounded as before.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from engine.lang import typed
from engine.model.inputs import MAX_AMOUNT
from engine.model.worksheet import Worksheet

EXACT_LIMIT = Decimal(10) ** 27  # a sum of whole numbers below this is exact in a 28-digit context
_AMOUNT_TYPES = ("money", "number", "integer")  # inputs read by to_decimal, refused beyond MAX_AMOUNT


def whole_dollar_lines(sheet: Worksheet) -> frozenset[str]:
    """The ids of ``sheet``'s lines rounded to dollars whose value is already whole dollars (see above)."""
    bounds: dict[str, Decimal] = {name: MAX_AMOUNT for name, spec in sheet.inputs.items()
                                  if spec.type in _AMOUNT_TYPES}
    whole: set[str] = set()  # inputs are never whole: an amount may carry cents
    skipped = set()
    for line in sheet.lines:
        node = line.expression.node if line.expression is not None else None
        bound = _bound(node, bounds) if node is not None else None
        dollars = line.rounding == "dollars"
        exact = node is not None and _whole(node, whole) and bound is not None and bound < EXACT_LIMIT
        if exact and line.rounding in ("dollars", "none"):  # rounding to cents would give it two places
            whole.add(line.id)
            if dollars:
                skipped.add(line.id)
        else:
            if dollars:
                whole.add(line.id)  # once rounded
            if bound is not None and line.rounding != "none":
                bound += 1  # rounding half up moves a value by less than a dollar
        if bound is not None:
            bounds[line.id] = bound
    return frozenset(skipped)


def _whole(node: typed.Node, whole: set[str]) -> bool:
    """Whether every value ``node`` takes is an int or a Decimal with exponent 0 (given sums stay exact)."""
    if isinstance(node, typed.Constant):
        return _is_whole(node.value)
    if isinstance(node, typed.Name):
        return node.name in whole
    if isinstance(node, typed.Negate):
        return _whole(node.operand, whole)
    if isinstance(node, typed.Arithmetic):
        return node.op in ("+", "-") and _whole(node.left, whole) and _whole(node.right, whole)
    if isinstance(node, typed.Call):
        return node.function.exact in (max, min) and all(_whole(a, whole) for a in node.args)
    if isinstance(node, typed.Choose):
        return _whole(node.body, whole) and _whole(node.orelse, whole)
    if isinstance(node, typed.Lookup):
        values = _listed_values(node.table)
        return values is not None and all(_is_whole(v) for v in values)
    return False


def _bound(node: typed.Node, bounds: dict[str, Decimal]) -> Decimal | None:
    """A bound on the size of every number ``node`` takes, or None when none is known."""
    if isinstance(node, typed.Constant):
        return _size(node.value)
    if isinstance(node, typed.Name):
        return bounds.get(node.name)
    if isinstance(node, typed.Negate):
        return _bound(node.operand, bounds)
    if isinstance(node, typed.Arithmetic):
        left, right = _bound(node.left, bounds), _bound(node.right, bounds)
        if left is None or right is None or node.op == "/":
            return None
        return left + right if node.op in ("+", "-") else left * right
    if isinstance(node, typed.Call):
        if node.function.exact not in (max, min):
            return None
        return _largest(_bound(a, bounds) for a in node.args)
    if isinstance(node, typed.Choose):
        return _largest((_bound(node.body, bounds), _bound(node.orelse, bounds)))
    if isinstance(node, typed.Lookup):
        return _lookup_bound(node, bounds)
    return None


def _lookup_bound(node: typed.Lookup, bounds: dict[str, Decimal]) -> Decimal | None:
    table = node.table
    listed = _listed_values(table)
    if listed is not None:
        return _largest(_size(v) for v in listed)
    amount = _bound(node.amount, bounds) if node.amount is not None else None
    columns = table.distinct_columns()
    if amount is None or table.scalar or not all(c.brackets and not c.rows for c in columns):
        return None
    # a bracket's tax is base + rate * (max(amount, lower bound) - excess over)
    return max(abs(b.base_tax) + abs(b.rate) * (max(amount, abs(b.lo)) + abs(b.excess_over))
               for c in columns for b in c.brackets)


def _listed_values(table: Any) -> list[Any] | None:
    """Every value a lookup of ``table`` can give when they are all printed (range rows, the value at or
    below the floor, scalar values); None when a lookup computes its value (brackets, a formula)."""
    values = list(table.scalar.values())
    for column in table.distinct_columns():
        if not column.rows:
            return None
        values.extend(row.value for row in column.rows)
        values.append(column.at_or_below_floor)
    return values


def _is_whole(value: Any) -> bool:
    if value.__class__ is int:
        return True
    return value.__class__ is Decimal and value.is_finite() and value.as_tuple().exponent == 0


def _size(value: Any) -> Decimal | None:
    if value.__class__ is int or (value.__class__ is Decimal and value.is_finite()):
        return abs(Decimal(value))
    return None


def _largest(sizes: Iterable[Decimal | None]) -> Decimal | None:
    found = list(sizes)
    return None if not found or None in found else max(found)  # type: ignore[type-var]
