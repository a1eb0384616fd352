"""The functions rule-file expressions may call, with their arity; nothing else is callable.

Each entry is (callable, minimum arguments, maximum arguments, one-line description).
Date functions for due dates and late periods live in ``engine.lang.dates`` and register here.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable

from engine.lang.dates import DATE_FUNCTIONS
from engine.errors import EvaluationError

CENT = Decimal("0.01")
DOLLAR = Decimal("1")
FOUR_PLACES = Decimal("0.0001")


def round_dollars(amount: Decimal) -> Decimal:
    """Whole dollars; 50 cents and up rounds up (DRS rounding rule)."""
    return amount.quantize(DOLLAR, rounding=ROUND_HALF_UP)


def round_cents(amount: Decimal) -> Decimal:
    """Whole cents; half a cent and up rounds up."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def round_four_decimals(amount: Decimal) -> Decimal:
    """Four decimal places; half of the last place and up rounds up."""
    return amount.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


def clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    """``value`` held within [low, high]."""
    return min(max(value, low), high)


def values_where(*pairs: Any) -> list:
    """``values_where(condition1, value1, condition2, value2, ...)``: the values whose condition is true, in order.

    Gives a worksheet a list output (such as every reason that applies) without comprehensions
    or subscripts, which expressions do not allow.
    """
    if len(pairs) % 2:
        raise EvaluationError(f"values_where() takes pairs of condition and value; it was given {len(pairs)} "
                              f"argument(s)")
    return [value for condition, value in zip(pairs[::2], pairs[1::2]) if condition]


def _max(*values: Any) -> Any:
    return max(values)


def _min(*values: Any) -> Any:
    return min(values)


FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int, str]] = {
    "max": (_max, 2, 20, "the largest of the arguments"),
    "min": (_min, 2, 20, "the smallest of the arguments"),
    "abs": (abs, 1, 1, "the absolute value"),
    "clamp": (clamp, 3, 3, "clamp(x, low, high): x held within low..high"),
    "round_dollars": (round_dollars, 1, 1, "whole dollars, 50 cents and up rounds up"),
    "round_cents": (round_cents, 1, 1, "cents, half a cent and up rounds up"),
    "round_four_decimals": (round_four_decimals, 1, 1, "four decimal places, half up"),
    "values_where": (values_where, 2, 40, "values_where(condition, value, ...): the values whose condition is true"),
}
FUNCTIONS.update(DATE_FUNCTIONS)  # due dates, business days and late periods (engine.lang.dates)

ROUNDINGS: dict[str, Callable[[Decimal], Decimal] | None] = {
    "dollars": round_dollars,
    "cents": round_cents,
    "four_decimals": round_four_decimals,
    "none": None,
}
