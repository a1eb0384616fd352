"""Fixed-point numbers over columns: the exact column meanings of the language's numbers.

A column amount is an int64 array ``a`` with a number of decimal places ``scale`` known before
running (value = a / 10**scale) and a ``bound`` on its size, also known before running. Adding,
subtracting, multiplying, comparing and rounding half up are exact integer operations, so each
row's result is the number the scalar evaluator computes with Decimal. Every operation checks,
before computing, that its bound stays below LIMIT: a rule whose amounts could leave int64 is
refused (ColumnUnsupported), never wrapped around.

``Num``, ``Bool``, ``Cat`` (and ``engine.lang.dates_column.Dates``) carry columns between the batch
layer and the column evaluator, each with the mask of rows where the value is None (an optional
value not given); ``Static`` is what the column compiler knows of a value before any row is seen.

Rows the columns cannot decide exactly (a division by zero, a date outside the calendar, a None
where a value is needed) are marked in ``env[SLOW]`` (``mark_slow``): the scalar evaluator takes them.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import numpy as np

LIMIT = 2 ** 62  # every intermediate stays below this in size, far from int64's 2**63
INPUT_SCALE = 2  # money arrives as whole cents
NUMBER_SCALE = 6  # a number input (a share such as 0.4521) arrives in millionths
SLOW = "<slow>"  # env key: the rows the scalar evaluator must take


class ColumnUnsupported(Exception):
    """This expression (or worksheet) has no exact column form; the message says why."""


@dataclass
class Num:
    arr: Any  # int64 array, or a Python int for a constant
    scale: int
    bound: int  # no |value| (scaled) exceeds this
    none: Any = None  # bool mask of the rows whose value is None; None: no such row


@dataclass
class Bool:
    arr: Any
    none: Any = None


@dataclass
class Cat:
    codes: Any  # int array of indexes into ``choices``
    choices: tuple[str, ...]
    none: Any = None


@dataclass(frozen=True)
class Static:
    """What is known of a column value before running: its kind ("num", "bool", "cat", or the
    constants "text", "items", "none"), and for amounts their scale and bound."""

    kind: str
    scale: int = 0
    bound: int = 0
    choices: tuple[str, ...] = ()
    value: Any = None  # the text or items of a constant; a list's shape
    inexact: bool = False  # a quotient cut at ``scale`` places: only clamp, min, max and rounding may take it
    # env key of the mask of rows where the value is None, read after running it; None: never None
    none_key: str | None = None
    nonneg: bool = False  # never negative (so never Decimal('-0') either): lists may print it
    exponent: int | None = None  # the exponent of the scalar path's Decimal in every row, where known
    # a cut quotient only: env key of where the exact quotient lies from the cut (int8: -1 below, 0 on
    # it, 1 above), so that comparisons decide exactly
    rest_key: str | None = None
    # an amount that is a text in some rows (a table of amounts and texts): env key of an int64 array,
    # -1 where the value is an amount, else the index of its text in ``texts``
    text_key: str | None = None
    texts: tuple[str, ...] = ()


def mark_slow(env: dict[str, Any], rows: Any, reach: Any) -> None:
    """Send ``rows`` (those reached: ``reach``, None for all) to the scalar evaluator."""
    if reach is not None:
        rows = rows & reach
    env[SLOW] = env[SLOW] | rows


def checked(bound: int, what: str) -> int:
    if bound > LIMIT:
        raise ColumnUnsupported(f"{what} could exceed the exact 64-bit integer range")
    return bound


def decimals(value: Decimal) -> int:
    return max(0, -value.normalize().as_tuple().exponent) if value else 0  # type: ignore[operator]


def scaled(value: Decimal, scale: int) -> int:
    """``value`` as an integer count of 10**-scale units; it must be exact."""
    number = value.scaleb(scale)
    if number != number.to_integral_value():
        raise ColumnUnsupported(f"{value} has more than {scale} decimal places")
    return int(number)


def const(value: Decimal) -> Num:
    scale = decimals(value)
    number = scaled(value, scale)
    return Num(number, scale, checked(abs(number), "a constant"))


def round_half_up_array(arr: Any, drop: int) -> Any:
    """``arr`` with ``drop`` decimal places rounded off, halves away from zero (Decimal's ROUND_HALF_UP)."""
    factor = 10 ** drop
    half = factor // 2
    # floor((a + half) / factor) rounds halves up toward +infinity; a negative amount takes one unit
    # less, so that its exact half goes away from zero while every other amount rounds the same:
    # one floor division, no sign split
    if isinstance(arr, (int, np.integer)):
        return (arr + half - (arr < 0)) // factor
    out = np.right_shift(arr, 63)  # -1 where negative, 0 elsewhere (|arr| < 2**62: no overflow below)
    out += arr
    out += half
    out //= factor
    return out


# ---------------------------------------------------------------- functions, on static values
# Each takes the compiled arguments [(run, static)] and returns (run, static); run(env, reach).

Run = Callable[[dict[str, Any], Any], Any]


def _aligned(args: list[tuple[Run, Static]], what: str) -> tuple[list[Run], Static]:
    for _, static in args:
        if static.kind != "num":
            raise ColumnUnsupported(f"{what} needs amounts")
    scale = max(static.scale for _, static in args)
    inexact = any(static.inexact for _, static in args)
    cut = min((static.scale for _, static in args if static.inexact), default=scale)
    if any(not static.inexact and static.scale > cut for _, static in args):
        raise ColumnUnsupported(f"{what} of a quotient and a finer amount has no exact column form")
    runs = []
    for run, static in args:
        factor = 10 ** (scale - static.scale)
        checked(static.bound * factor, what)
        runs.append(run if factor == 1 else (lambda env, reach, run=run, factor=factor: run(env, reach) * factor))
    bound = max(static.bound * 10 ** (scale - static.scale) for _, static in args)
    return runs, Static("num", scale, bound, inexact=inexact)


def _extreme(pick: Callable[[Any, Any], Any], name: str) -> Callable[[list[tuple[Run, Static]]], tuple[Run, Static]]:
    def meaning(args: list[tuple[Run, Static]]) -> tuple[Run, Static]:
        runs, static = _aligned(args, f"{name}()")
        # max: never negative when one argument is not; min: when none is
        signs = [s.nonneg for _, s in args]
        static = replace(static, nonneg=any(signs) if pick is np.maximum else all(signs))

        return folded(pick, runs), static
    return meaning


def folded(pick: Callable[[Any, Any], Any], runs: list[Run]) -> Run:
    """The columns of ``runs`` combined left to right by ``pick`` (np.maximum or np.minimum)."""
    def run(env: dict[str, Any], reach: Any) -> Any:
        result = runs[0](env, reach)
        for other in runs[1:]:
            result = pick(result, other(env, reach))
        return result
    return run


def _clamp(args: list[tuple[Run, Static]]) -> tuple[Run, Static]:
    (value, low, high), static = _aligned(args, "clamp()")
    # the result lies between low and high: no larger than the larger of their sizes
    held = max(s.bound * 10 ** (static.scale - s.scale) for _, s in args[1:])
    return (lambda env, reach: np.minimum(np.maximum(value(env, reach), low(env, reach)), high(env, reach))), \
        Static("num", static.scale, held, inexact=static.inexact,
               nonneg=args[1][1].nonneg and args[2][1].nonneg)  # high < low gives high


def rounding(places: int) -> Callable[[list[tuple[Run, Static]]], tuple[Run, Static]]:
    def meaning(args: list[tuple[Run, Static]]) -> tuple[Run, Static]:
        (run, static), = args
        if static.kind != "num":
            raise ColumnUnsupported("rounding needs an amount")
        if static.scale <= places:
            if static.inexact:
                raise ColumnUnsupported(f"rounding a quotient to {places} places has no exact column form")
            return run, replace(static, exponent=-places)  # Decimal.quantize gives every value this exponent
        drop = static.scale - places
        bound = (static.bound + 10 ** drop // 2) // 10 ** drop
        return (lambda env, reach: round_half_up_array(run(env, reach), drop)), \
            Static("num", places, bound, nonneg=static.nonneg, exponent=-places)
    return meaning


FUNCTIONS = {"max": _extreme(np.maximum, "max"), "min": _extreme(np.minimum, "min"), "clamp": _clamp}
