"""Dates over columns: the exact column meanings of the date functions of ``engine.lang.dates``.

A date column is an int64 array of day numbers (days since 1970-01-01, numpy's ``datetime64[D]``).
Each function computes in integer arithmetic what its scalar meaning computes with ``datetime.date``;
``business_day`` rolls forward with ``numpy.busday_offset`` over the same Connecticut calendar
(``dates.holidays_in``, ``dates.SATURDAY``). Where the scalar meaning raises (a date outside years 1
to 9999, a count of days or months that is not a whole number below 10,000,000, a date that does not
exist), the rows go to the scalar path (``fixed.mark_slow``), which gives them its own error.

A list value (``values_where``, ``due_schedule``) stays in columns until output: ``Where`` (which of a
fixed list of texts each row keeps, as bits) and ``Schedule`` (per row, which of a few shapes of
(due date, amount) pairs it has); ``engine.batch.texts`` writes them as the scalar path's text.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.lang import dates
from engine.lang.fixed import SLOW, ColumnUnsupported, Run, Static, folded, mark_slow

EPOCH = dt.date(1970, 1, 1).toordinal()
MIN_DAY = dt.date.min.toordinal() - EPOCH  # 0001-01-01
MAX_DAY = dt.date.max.toordinal() - EPOCH  # 9999-12-31
WHOLE_LIMIT = 10 ** dates.MAX_WHOLE_DIGITS
MAX_HOLIDAY_YEARS = 200  # rows in rarer years take the scalar path: the calendar costs time per year
WEEKMASK = "1" * dates.SATURDAY + "0" * (7 - dates.SATURDAY)  # Monday to Friday
_THURSDAY = 3  # 1970-01-01, day 0, was a Thursday (Python's weekday(): Monday is 0)
DAYS_SPAN = MAX_DAY - MIN_DAY

Compiled = tuple[Run, Static]
Env = dict[str, Any]  # the column evaluator's values by name (engine.run.column)


@dataclass
class Dates:
    """A date column between the batch layer and the column evaluator."""

    days: Any  # int64 day numbers
    none: Any = None  # rows whose value is None


def day_number(day: dt.date) -> int:
    return day.toordinal() - EPOCH


def from_day_number(number: int) -> dt.date:
    return dt.date.fromordinal(int(number) + EPOCH)


# ---------------------------------------------------------------- the civil calendar


def _over_span(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``function`` of an int64 array, computed once per value of the array's span when that is much
    shorter than the array (a column of dates holds a few years' days, or a few dates), then taken."""
    @functools.wraps(function)
    def spanned(values: Any) -> Any:
        values = np.asarray(values, dtype=np.int64)
        if values.size < 4096:
            return function(values)
        low, high = int(values.min()), int(values.max())
        if high - low >= values.size // 2:
            return function(values)
        results = function(np.arange(low, high + 1, dtype=np.int64))
        at = values - low
        return tuple(r[at] for r in results) if isinstance(results, tuple) else results[at]
    return spanned


@_over_span
def civil(days: Any) -> tuple[Any, Any, Any]:
    """(year, month, day of month) of each day number, in integer arithmetic (the proleptic Gregorian
    calendar of datetime.date; H. Hinnant's civil_from_days, eras of 400 years from 0000-03-01)."""
    shifted = np.asarray(days, dtype=np.int64) + 719468
    era = shifted // 146097
    of_era = shifted - era * 146097
    year_of_era = (of_era - of_era // 1460 + of_era // 36524 - of_era // 146096) // 365
    day_of_year = of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153  # 0 is March
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = np.where(shifted_month < 10, shifted_month + 3, shifted_month - 9)
    return year_of_era + era * 400 + (month <= 2), month, day


@_over_span
def month_start(months: Any) -> Any:
    """The day number of the first day of month ``months`` (counted from January 1970), in integer
    arithmetic (H. Hinnant's days_from_civil)."""
    months = np.asarray(months, dtype=np.int64)
    year, month = months // 12 + 1970, months % 12 + 1
    year = year - (month <= 2)
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * np.where(month > 2, month - 3, month + 9) + 2) // 5
    return era * 146097 + year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year - 719468


def _month_index(year: Any, month: Any) -> Any:
    return (year - 1970) * 12 + month - 1


def _weekday(days: Any) -> Any:
    return (days + _THURSDAY) % 7


def _in_calendar(env: Env, reach: Any, days: Any, low: int = MIN_DAY, high: int = MAX_DAY) -> Any:
    """``days`` held within ``low``..``high``; the rows outside take the scalar path (its error)."""
    days = np.asarray(days, dtype=np.int64)
    outside = (days < low) | (days > high)
    if outside.any():
        mark_slow(env, outside, reach)
        return np.clip(days, low, high)
    return days


def _months_in_calendar(env: Env, reach: Any, index: Any) -> Any:
    """Month indexes (from January 1970) held within years 1..9999; rows outside take the scalar path."""
    return _in_calendar(env, reach, index, _month_index(1, 1), _month_index(9999, 12))


def _whole(env: Env, reach: Any, value: Any, static: Static) -> Any:
    """A count (of days, months, weeks) as whole units; rows where it is not a whole number below
    WHOLE_LIMIT take the scalar path (``dates._whole`` raises there)."""
    if static.kind != "num" or static.inexact:
        raise ColumnUnsupported("a count of days or months must be an amount")
    if static.scale > 18:  # 10**19 is beyond int64
        raise ColumnUnsupported("a count of days or months with more than 18 decimal places")
    unit = 10 ** static.scale
    value = np.asarray(value, dtype=np.int64)
    bad = np.abs(value) >= WHOLE_LIMIT * unit
    if unit != 1:
        bad |= value % unit != 0
    if bad.any():
        mark_slow(env, bad, reach)
        value = np.where(bad, 0, value)
    return value // unit


def _date_argument(compiled: Compiled, what: str) -> Run:
    run, static = compiled
    if static.kind != "date":
        raise ColumnUnsupported(f"{what} needs a date")
    return run


def _days(run: Run, env: Env, reach: Any) -> Any:
    return _in_calendar(env, reach, run(env, reach))


DATE = Static("date")


def _number(bound: int) -> Static:
    return Static("num", 0, bound, nonneg=True, exponent=0)


# ---------------------------------------------------------------- the functions


def _per_day(env: Env, reach: Any, days: Any, compute: Callable[[Env, Any, Any], Any]) -> Any:
    """``compute(env, reach, days)``, computed once per day of the column's span when that is much
    shorter than the column (due dates are a few days), then taken per row. Where the span has a day
    the scalar path must take, every row is computed, so that only the rows holding it are sent."""
    days = np.asarray(days, dtype=np.int64)
    if days.size < 4096:
        return compute(env, reach, days)
    low, high = int(days.min()), int(days.max())
    if high - low >= days.size // 2:
        return compute(env, reach, days)
    probe: Env = {SLOW: np.False_}
    result = compute(probe, None, np.arange(low, high + 1, dtype=np.int64))
    if np.any(probe[SLOW]):
        return compute(env, reach, days)
    return np.asarray(result)[days - low]


def _one_date(what: str, compute: Callable[[Env, Any, Any], Any],
              static: Static) -> Callable[[list[Compiled]], Compiled]:
    """A function of one date: ``compute(env, reach, days)``."""
    def meaning(args: list[Compiled]) -> Compiled:
        run = _date_argument(args[0], what)
        return (lambda env, reach: _per_day(env, reach, _days(run, env, reach), compute)), static
    return meaning


@functools.lru_cache(maxsize=32)
def _holiday_array(years: tuple[int, ...]) -> Any:
    return np.array(sorted(dates.holidays_in(years)), dtype="datetime64[D]")


def _business_day(env: Env, reach: Any, days: Any) -> Any:
    # a day within a month of the end of year 9999 may roll past it: the scalar path says so
    days = _in_calendar(env, reach, days, high=MAX_DAY - dates.MAX_DAYS_TO_BUSINESS_DAY)
    first, last = (int(civil(np.int64(d))[0]) for d in (np.min(days), np.max(days)))
    found: list[int] = list(range(first, last + 1))
    if last - first >= MAX_HOLIDAY_YEARS:  # the usual case is a few years, read from the two ends alone
        years = civil(days)[0]
        seen, counts = np.unique(years, return_counts=True)
        kept = np.sort(seen[np.argsort(-counts, kind="stable")[:MAX_HOLIDAY_YEARS]])
        mark_slow(env, ~np.isin(years, kept), reach)
        found = [int(y) for y in kept]
    wanted = tuple(sorted({*found} | {y + 1 for y in found}))  # a roll may cross into the next year
    result = np.busday_offset(np.asarray(days).astype("datetime64[D]"), 0, roll="forward", weekmask=WEEKMASK,
                              holidays=_holiday_array(wanted)).astype(np.int64)
    too_far = result - days >= dates.MAX_DAYS_TO_BUSINESS_DAY
    if too_far.any():
        mark_slow(env, too_far, reach)
    return result


def _add_months_days(env: Env, reach: Any, days: Any, months: Any) -> Any:
    year, month, day = civil(days)
    index = _months_in_calendar(env, reach, _month_index(year, month) + months)
    start = month_start(index)
    length = month_start(index + 1) - start
    return start + np.minimum(day, length) - 1


def _add_days(args: list[Compiled]) -> Compiled:
    date, (count, static) = _date_argument(args[0], "add_days()"), args[1]

    def run(env: Env, reach: Any) -> Any:
        days = _days(date, env, reach)
        return _in_calendar(env, reach, days + _whole(env, reach, count(env, reach), static))
    return run, DATE


def _add_months(args: list[Compiled]) -> Compiled:
    date, (count, static) = _date_argument(args[0], "add_months()"), args[1]

    def run(env: Env, reach: Any) -> Any:
        days = _days(date, env, reach)
        months = _whole(env, reach, count(env, reach), static)
        if np.ndim(months) == 0:  # a count written in the rule: one result per day
            return _per_day(env, reach, days, lambda env, reach, days: _add_months_days(env, reach, days, months))
        return _add_months_days(env, reach, days, months)
    return run, DATE


def _days_between(args: list[Compiled]) -> Compiled:
    start, end = _date_argument(args[0], "days_between()"), _date_argument(args[1], "days_between()")
    return (lambda env, reach: _days(end, env, reach) - _days(start, env, reach)), \
        Static("num", 0, DAYS_SPAN, exponent=0)


def _months_or_fraction(args: list[Compiled]) -> Compiled:
    due_run, paid_run = (_date_argument(a, "months_or_fraction()") for a in args)

    def run(env: Env, reach: Any) -> Any:
        due, paid = _days(due_run, env, reach), _days(paid_run, env, reach)
        due_year, due_month, _ = civil(due)
        paid_year, paid_month, _ = civil(paid)
        months = (paid_year - due_year) * 12 + paid_month - due_month
        late = paid > due
        # the n-th monthly anniversary lies between the two dates where the payment is late: in the calendar
        anniversary = _add_months_days(env, reach, due, np.where(late, months, 0))
        months = months + (anniversary < paid)
        return np.where(late, months, 0)
    return run, _number(12 * 10000)


def _weekly_period_start(env: Env, reach: Any, days: Any) -> Any:
    return _in_calendar(env, reach, days - (_weekday(days) - dates.SATURDAY) % 7)


def _last_day_of_month(env: Env, reach: Any, days: Any) -> Any:
    year, month, _ = civil(days)
    return month_start(_month_index(year, month) + 1) - 1


def _fifteenth_of_following_month(env: Env, reach: Any, days: Any) -> Any:
    year, month, _ = civil(days)
    return month_start(_months_in_calendar(env, reach, _month_index(year, month) + 1)) + 14


def _last_day_of_month_following_quarter(env: Env, reach: Any, days: Any) -> Any:
    year, month, _ = civil(days)
    quarter_end = ((month - 1) // 3 + 1) * 3  # the month after it is month index quarter_end (0-based)
    following = _months_in_calendar(env, reach, _month_index(year, quarter_end) + 1)
    return month_start(following + 1) - 1


def _wednesday_following(args: list[Compiled]) -> Compiled:
    date = _date_argument(args[0], "wednesday_following()")
    count_of = args[1] if len(args) > 1 else ((lambda env, reach: 1), Static("num", 0, 1))

    def run(env: Env, reach: Any) -> Any:
        days = _days(date, env, reach)
        count = _whole(env, reach, count_of[0](env, reach), count_of[1])
        below = count < 1
        if np.any(below):
            mark_slow(env, below, reach)
        first = days + (dates.WEDNESDAY - _weekday(days) - 1) % 7 + 1
        return _in_calendar(env, reach, first + 7 * (np.maximum(count, 1) - 1))
    return run, DATE


def civil_days(year: Any, month: Any, day: Any) -> tuple[Any, Any]:
    """Day numbers of (year, month, day), 0 where that is no date of years 1 to 9999, and where it is one."""
    year, month, day = (np.asarray(v, dtype=np.int64) for v in (year, month, day))
    good = (year >= 1) & (year <= 9999) & (month >= 1) & (month <= 12)
    index = _month_index(np.where(good, year, 1970), np.where(good, month, 1))
    start = month_start(index)
    good &= (day >= 1) & (day <= month_start(index + 1) - start)
    return np.where(good, start + day - 1, 0), good


def _make_date(args: list[Compiled]) -> Compiled:
    def run(env: Env, reach: Any) -> Any:
        days, good = civil_days(*(_whole(env, reach, r(env, reach), s) for r, s in args))
        if not np.all(good):
            mark_slow(env, ~good, reach)
        return days
    return run, DATE


def _first_listed(args: list[Compiled]) -> Compiled:
    date, (_, listed) = _date_argument(args[0], "first_listed_date_on_or_after()"), args[1]
    if listed.kind != "text":
        raise ColumnUnsupported("first_listed_date_on_or_after() has a column form only for a list written out")
    try:
        pairs = sorted({tuple(int(p) for p in item.strip().split("-")) for item in listed.value.split(",")})
    except ValueError:
        raise ColumnUnsupported(f"'{listed.value}' is not a list of MM-DD dates") from None
    if any(len(pair) != 2 for pair in pairs):
        raise ColumnUnsupported(f"'{listed.value}' is not a list of MM-DD dates")

    def run(env: Env, reach: Any) -> Any:
        days = _days(date, env, reach)
        year = civil(days)[0]
        result = np.full(np.shape(days), MAX_DAY + 1, dtype=np.int64)
        bad = np.zeros(np.shape(days), dtype=bool)
        for offset in (1, 0):  # the later year first: the earliest candidate on or after the day wins
            for month, day in reversed(pairs):
                candidate_year = year + offset
                exists = (1 <= month <= 12) & (candidate_year <= 9999)
                index = _month_index(np.where(exists, candidate_year, 1970), month if 1 <= month <= 12 else 1)
                start = month_start(index)
                exists = exists & (day >= 1) & (day <= month_start(index + 1) - start)
                bad |= ~exists  # the scalar meaning builds every candidate: a missing one is its error
                candidate = start + day - 1
                result = np.where(exists & (candidate >= days), candidate, result)
        if bad.any():
            mark_slow(env, bad, reach)
        return np.minimum(result, MAX_DAY)
    return run, DATE


def _earliest(args: list[Compiled]) -> Compiled:
    runs = [(_date_argument((run, static), "earliest()"), static.none_key) for run, static in args]

    def run(env: Env, reach: Any) -> Any:
        result, given = None, None
        for date, none_key in runs:
            days = _days(date, env, reach)
            present = ~np.asarray(env.get(none_key, False)) if none_key else np.bool_(True)
            candidate = np.where(present, days, MAX_DAY)
            result = candidate if result is None else np.minimum(result, candidate)
            given = present if given is None else given | present
        if not np.all(given):
            mark_slow(env, ~np.asarray(given), reach)  # no date given: the scalar meaning raises
        return result
    return run, DATE


def _extreme(pick: Callable[[Any, Any], Any]) -> Callable[[list[Compiled]], Compiled]:
    def meaning(args: list[Compiled]) -> Compiled:
        return folded(pick, [_date_argument(a, "max() and min()") for a in args]), DATE
    return meaning


# ---------------------------------------------------------------- lists


@dataclass(frozen=True)
class Where:
    """The shape of a ``values_where`` list: the texts kept; a row's value is the bits of those kept."""

    texts: tuple[str, ...]


@dataclass(frozen=True)
class Schedule:
    """The shapes of a ``due_schedule`` list: per shape, how many (due date, amount) pairs; a row's value
    is (shape number, per shape the columns of its pairs as (days, amount) at ``scale``)."""

    shapes: tuple[int, ...]
    scale: int


def _values_where(args: list[Compiled]) -> Compiled:
    if len(args) % 2:
        raise ColumnUnsupported("values_where() takes pairs of condition and value")
    texts = []
    for _, static in args[1::2]:
        if static.kind != "text":
            raise ColumnUnsupported("values_where() has a column form only for text values written out")
        texts.append(static.value)
    conditions = []
    for condition, static in args[::2]:
        if static.kind != "bool":
            raise ColumnUnsupported("values_where() has a column form only for true/false conditions")
        conditions.append(condition)

    def run(env: Env, reach: Any) -> Any:
        bits: Any = np.int64(0)
        for number, condition in enumerate(conditions):
            bits = bits | (np.asarray(condition(env, reach), dtype=np.int64) << number)
        return bits
    return run, Static("list", value=Where(tuple(texts)))


def _due_schedule(args: list[Compiled]) -> Compiled:
    if len(args) % 2:
        raise ColumnUnsupported("due_schedule() takes pairs of due date and amount")
    dues = [_date_argument(a, "due_schedule()") for a in args[::2]]
    amounts = args[1::2]
    scale = max((s.scale for _, s in amounts), default=0)
    for _, static in amounts:
        # the list is written as text: each amount's Decimal must print as its column prints
        if static.kind != "num" or static.inexact or static.exponent != -scale or not static.nonneg or scale:
            raise ColumnUnsupported("due_schedule() has a column form only for whole-dollar amounts never negative")

    def run(env: Env, reach: Any) -> Any:
        pairs = [(_days(due, env, reach), amount(env, reach)) for due, (amount, _) in zip(dues, amounts)]
        return np.int64(0), [pairs]
    return run, Static("list", value=Schedule((len(dues),), scale))


def choose_lists(condition: Any, body: Any, orelse: Any, shape: Static, other: Static) -> tuple[Any, Static]:
    """``body if condition else orelse`` for two list values (per row), and its static."""
    if isinstance(shape.value, Schedule) and isinstance(other.value, Schedule) \
            and shape.value.scale == other.value.scale:
        which = np.where(condition, body[0], np.asarray(orelse[0]) + len(shape.value.shapes))
        return (which, body[1] + orelse[1]), Static("list", value=Schedule(shape.value.shapes + other.value.shapes,
                                                                           shape.value.scale))
    raise ColumnUnsupported("both branches of 'a if c else b' must be lists of the same kind")


def list_static(shape: Static, other: Static) -> Static:
    """The static of ``a if c else b`` for two lists, before any row is seen (ColumnUnsupported if none)."""
    return choose_lists(np.bool_(True), (np.int64(0), []), (np.int64(0), []), shape, other)[1]


FUNCTIONS: dict[str, Callable[[list[Compiled]], Compiled]] = {
    "business_day": _one_date("business_day()", _business_day, DATE),
    "add_days": _add_days,
    "days_between": _days_between,
    "add_months": _add_months,
    "months_or_fraction": _months_or_fraction,
    "weekly_period_start": _one_date("weekly_period_start()", _weekly_period_start, DATE),
    "weekly_period_end": _one_date("weekly_period_end()", lambda env, reach, days: _in_calendar(
        env, reach, _weekly_period_start(env, reach, days) + 6), DATE),
    "day_of_weekly_period": _one_date("day_of_weekly_period()", lambda env, reach, days: (
        _weekday(days) - dates.SATURDAY) % 7 + 1, _number(7)),
    "wednesday_following": _wednesday_following,
    "last_day_of_month": _one_date("last_day_of_month()", _last_day_of_month, DATE),
    "fifteenth_of_following_month": _one_date("fifteenth_of_following_month()", _fifteenth_of_following_month, DATE),
    "quarter": _one_date("quarter()", lambda env, reach, days: (civil(days)[1] - 1) // 3 + 1, _number(4)),
    "last_day_of_month_following_quarter": _one_date("last_day_of_month_following_quarter()",
                                                     _last_day_of_month_following_quarter, DATE),
    "make_date": _make_date,
    "year_of": _one_date("year_of()", lambda env, reach, days: civil(days)[0], _number(9999)),
    "first_listed_date_on_or_after": _first_listed,
    "earliest": _earliest,
    "max": _extreme(np.maximum),
    "min": _extreme(np.minimum),
    "values_where": _values_where,
    "due_schedule": _due_schedule,
}
