"""The one registry of what rule expressions may call, and of the roundings a line may ask for.

Each function has its arity, the kind of its result and of its arguments (where fixed), its exact
meaning over Decimals and dates, and its column meaning over fixed-point columns
(``engine.lang.fixed``) or None when it has none. Both evaluators take their meanings from here,
so they can differ only in these leaves. Nothing else is callable; a function no rule file calls
is not kept (each one is vocabulary both evaluators must honour).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from engine.errors import EvaluationError
from engine.lang import dates
from engine.lang.arithmetic import ENGINE_CONTEXT


@dataclass(frozen=True, eq=False)
class Function:
    """A function rule files may call: its arity, kinds, exact meaning and, where it has one, column meaning."""

    name: str
    low: int  # fewest arguments
    high: int  # most arguments
    help: str
    exact: Callable[..., Any]
    result: str | None  # the kind of the result (engine.lang.typed.KINDS), None: any; "argument": as the arguments
    argument: str | None = None  # the kind every argument must have, None: any; "orderable": all numbers or all dates
    column: Callable[[list[Any]], Any] | None = None  # engine.lang.fixed's meaning; None: no column form
    takes_none: bool = False  # an argument may be None (the column meaning reads its none_key)


# The engine's context rounding half up: a line's rounding is one C call on it (a Decimal method with a
# keyword argument costs four times as much, and lines round on every evaluation). Same precision,
# exponent range and traps as the engine's own context, so the result is that of
# value.quantize(exponent, ROUND_HALF_UP) inside it.
HALF_UP = ENGINE_CONTEXT.copy()
HALF_UP.rounding = ROUND_HALF_UP


@dataclass(frozen=True)
class Rounding:
    """Round half up (DRS: "50 cents and up rounds up") to ``places`` decimal places."""

    name: str
    places: int

    @property
    def exponent(self) -> Decimal:
        """What a value is quantized to: 1 for whole dollars, 0.01 for cents."""
        return Decimal(1).scaleb(-self.places)

    @property
    def quantize(self) -> Callable[[Decimal, Decimal], Decimal]:
        """The exact meaning as ``quantize(value, exponent)``: what the scalar loop calls on every line."""
        return HALF_UP.quantize

    @property
    def exact(self) -> Callable[[Decimal], Decimal]:
        """The exact meaning, as a function of one Decimal."""
        quantize, exponent = self.quantize, self.exponent
        return lambda value: quantize(value, exponent)

    def column(self, args: list[Any]) -> Any:
        """The column meaning (engine.lang.fixed): over one compiled amount."""
        from engine.lang import fixed

        return fixed.rounding(self.places)(args)


ROUNDINGS: dict[str, Rounding | None] = {
    "dollars": Rounding("dollars", 0),
    "cents": Rounding("cents", 2),
    "four_decimals": Rounding("four_decimals", 4),
    "none": None,
}


def _values_where(*pairs: Any) -> list[Any]:
    """The values whose condition is true, in order: a list output (such as every reason that
    applies) without comprehensions or subscripts, which expressions do not allow."""
    if len(pairs) % 2:
        raise EvaluationError(f"values_where() takes pairs of condition and value; it was given {len(pairs)} "
                              f"argument(s)")
    return [value for condition, value in zip(pairs[::2], pairs[1::2]) if condition]


def _column(name: str) -> Callable[[list[Any]], Any]:
    def meaning(args: list[Any]) -> Any:
        from engine.lang import fixed

        return fixed.FUNCTIONS[name](args)
    return meaning


def _date_column(name: str) -> Callable[[list[Any]], Any]:
    def meaning(args: list[Any]) -> Any:
        from engine.lang import dates_column

        return dates_column.FUNCTIONS[name](args)
    return meaning


def _orderable(name: str) -> Callable[[list[Any]], Any]:
    """max and min: over dates (engine.lang.dates_column) or over amounts (engine.lang.fixed)."""
    def meaning(args: list[Any]) -> Any:
        if any(static.kind == "date" for _, static in args):
            return _date_column(name)(args)
        return _column(name)(args)
    return meaning


def _dated(function: Callable[..., Any]) -> Callable[..., Any]:
    return dates.in_calendar(function)


_DOLLARS = ROUNDINGS["dollars"]
assert _DOLLARS is not None

_FUNCTIONS = [
    Function("max", 2, 20, "the largest of the arguments", max, "argument", "orderable",
             _orderable("max")),
    Function("min", 2, 20, "the smallest of the arguments", min, "argument", "orderable",
             _orderable("min")),
    Function("clamp", 3, 3, "clamp(x, low, high): x held within low..high",
             lambda value, low, high: min(max(value, low), high), "number", "number", _column("clamp")),
    Function("round_dollars", 1, 1, "whole dollars, 50 cents and up rounds up", _DOLLARS.exact, "number", "number",
             _DOLLARS.column),
    Function("values_where", 2, 40, "values_where(condition, value, ...): the values whose condition is true",
             _values_where, "list",
             column=_date_column("values_where")),
    Function("business_day", 1, 1, "the date, or the next business day after a Saturday, Sunday or CT legal holiday",
             _dated(dates.business_day), "date", "date",
             column=_date_column("business_day")),
    Function("add_days", 2, 2, "add_days(date, n): n calendar days later", _dated(dates.add_days), "date",
             column=_date_column("add_days")),
    Function("days_between", 2, 2, "days_between(start, end): calendar days from start to end",
             _dated(dates.days_between),
             "number", "date",
             column=_date_column("days_between")),
    Function("add_months", 2, 2, "add_months(date, n): same day n months later (month end if shorter)",
             _dated(dates.add_months), "date",
             column=_date_column("add_months")),
    Function("months_or_fraction", 2, 2, "months_or_fraction(due, paid): months or fraction of a month late; "
             "0 if on time", _dated(dates.months_or_fraction), "number", "date",
             column=_date_column("months_or_fraction")),
    Function("weekly_period_start", 1, 1, "the Saturday starting the weekly period of the date",
             _dated(dates.weekly_period_start), "date", "date",
             column=_date_column("weekly_period_start")),
    Function("weekly_period_end", 1, 1, "the Friday ending the weekly period of the date",
             _dated(dates.weekly_period_end),
             "date", "date",
             column=_date_column("weekly_period_end")),
    Function("day_of_weekly_period", 1, 1, "1 for Saturday ... 7 for Friday",
             _dated(dates.day_of_weekly_period), "number",
             "date",
             column=_date_column("day_of_weekly_period")),
    Function("wednesday_following", 1, 2, "wednesday_following(date, n=1): the n-th Wednesday after the date",
             _dated(dates.wednesday_following), "date",
             column=_date_column("wednesday_following")),
    Function("last_day_of_month", 1, 1, "the last day of the date's month",
             _dated(dates.last_day_of_month), "date", "date",
             column=_date_column("last_day_of_month")),
    Function("fifteenth_of_following_month", 1, 1, "the 15th of the next month",
             _dated(dates.fifteenth_of_following_month),
             "date", "date",
             column=_date_column("fifteenth_of_following_month")),
    Function("quarter", 1, 1, "the calendar quarter (1-4) of the date", _dated(dates.quarter), "number", "date",
             column=_date_column("quarter")),
    Function("last_day_of_month_following_quarter", 1, 1, "the last day of the month after the date's quarter",
             _dated(dates.last_day_of_month_following_quarter), "date", "date",
             column=_date_column("last_day_of_month_following_quarter")),
    Function("make_date", 3, 3, "make_date(year, month, day)", _dated(dates.make_date), "date", "number",
             column=_date_column("make_date")),
    Function("year_of", 1, 1, "the year of the date", _dated(dates.year_of), "number", "date",
             column=_date_column("year_of")),
    Function("first_listed_date_on_or_after", 2, 2,
             "first_listed_date_on_or_after(date, 'MM-DD, MM-DD'): next listed yearly date",
             _dated(dates.first_listed_date_on_or_after), "date",
             column=_date_column("first_listed_date_on_or_after")),
    Function("earliest", 1, 20, "the earliest of the dates given (None ignored)", _dated(dates.earliest), "date",
             column=_date_column("earliest"), takes_none=True),
    Function("due_schedule", 0, 20, "due_schedule(date1, amount1, ...): a list of {due_date, amount}",
             _dated(dates.due_schedule), "list",
             column=_date_column("due_schedule")),
]
FUNCTIONS: dict[str, Function] = {function.name: function for function in _FUNCTIONS}
