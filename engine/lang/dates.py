"""Date rules the publications state, as functions rule-file expressions call.

Dates flow through expressions as ``datetime.date``; counts come back as exact ``Decimal``
so they mix with amounts. Every function names its argument when given something that is not a
date, and raises the package's EvaluationError rather than a traceback.

Legal holidays come from the maintained ``holidays`` package: the United States calendar with
the Connecticut subdivision (``holidays.US(subdiv="CT")``), observed days included. For the
years the rule sets cover that is: New Year's Day, Martin Luther King Jr. Day, Lincoln's
Birthday (February 12), Washington's Birthday, Good Friday, Memorial Day, Juneteenth (from
2022), Independence Day, Labor Day, Columbus Day, Veterans Day, Thanksgiving and Christmas,
and the weekday on which a weekend holiday is observed. These are the legal holidays of Conn.
Gen. Stat. Sec. 1-4, on which DRS is closed; we keep Lincoln's Birthday and Good Friday
because they are Connecticut legal holidays (DRS moved the 2021 return due date from Good
Friday, April 15, 2022, to Monday, April 18, 2022), although they are not federal holidays.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any

from engine.errors import EvaluationError
from engine.lang.datevalue import parse_date

SATURDAY = 5
WEDNESDAY = 2
HOLIDAY_COUNTRY = "US"
HOLIDAY_SUBDIVISION = "CT"
MAX_WHOLE_DIGITS = 7  # days, months and years given to a date function: below 10,000,000
MAX_DAYS_TO_BUSINESS_DAY = 31


def _date(name: str, value: Any) -> dt.date:
    """``value`` as a date, or an EvaluationError naming the argument."""
    date = parse_date(value)
    if date is None:
        raise EvaluationError(f"{name} must be a date, not {value!r}")
    return date


def _whole(name: str, value: Any) -> int:
    """A whole number of days, months, ... of at most MAX_WHOLE: converting a huge Decimal to int would
    take time quadratic in its digits, and no date is that far away anyway."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise EvaluationError(f"{name} must be a whole number, not {value!r}")
    if isinstance(value, Decimal) and (not value.is_finite() or value.adjusted() >= MAX_WHOLE_DIGITS):
        raise EvaluationError(f"{name} must be a whole number of at most {MAX_WHOLE_DIGITS} digits, not {value!r}")
    if isinstance(value, int) and abs(value) >= 10 ** MAX_WHOLE_DIGITS:
        raise EvaluationError(f"{name} must be a whole number of at most {MAX_WHOLE_DIGITS} digits")
    if value != int(value):
        raise EvaluationError(f"{name} must be a whole number, not {value!r}")
    return int(value)


def in_calendar(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function``, with a date pushed past year 1 or 9999 reported as the package's error."""
    @functools.wraps(function)
    def guarded(*args: Any) -> Any:
        try:
            return function(*args)
        except (OverflowError, ValueError) as error:
            raise EvaluationError(f"{function.__name__}: the date falls outside years 1 to 9999 ({error})") from None
    return guarded


@lru_cache(maxsize=64)
def _holidays(year: int) -> dict[dt.date, str]:  # a holidays.HolidayBase (a dict: date -> name)
    import holidays  # imported on first use: loading rules and most evaluations need no calendar

    return holidays.country_holidays(HOLIDAY_COUNTRY, subdiv=HOLIDAY_SUBDIVISION, years=year, observed=True)


def holiday_name(day: Any) -> str | None:
    """The legal holiday on ``day`` (Connecticut calendar), or None."""
    day = _date("day", day)
    return _holidays(day.year).get(day)


def holidays_in(years: Any) -> list[dt.date]:
    """Every legal holiday of the given years (the same calendar business_day reads)."""
    return [day for year in years for day in _holidays(int(year))]


def is_business_day(day: Any) -> bool:
    """Monday to Friday and not a legal holiday."""
    day = _date("day", day)
    return day.weekday() < SATURDAY and day not in _holidays(day.year)


def business_day(day: object) -> dt.date:
    """The due date itself, or the next business day when it falls on a Saturday, Sunday or legal holiday."""
    day = _date("due date", day)
    for _ in range(MAX_DAYS_TO_BUSINESS_DAY):  # a weekend and a few holidays: never more than a week or so
        if is_business_day(day):
            return day
        day += dt.timedelta(days=1)
    raise EvaluationError(f"no business day within {MAX_DAYS_TO_BUSINESS_DAY} days of {day}")


def add_days(day: Any, days: Any) -> dt.date:
    return _date("date", day) + dt.timedelta(days=_whole("days", days))


def days_between(start: Any, end: Any) -> Decimal:
    """Calendar days from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    return Decimal((_date("end", end) - _date("start", start)).days)


def add_months(day: Any, months: Any) -> dt.date:
    """The same day of the month ``months`` later; the month's last day when it is shorter."""
    day = _date("date", day)
    index = day.year * 12 + day.month - 1 + _whole("months", months)
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def months_or_fraction(due: Any, paid: Any) -> Decimal:
    """Months "or fraction of a month" from the due date to the payment date.

    Paid on or before the due date: 0. One day late: 1. Exactly n months after the due date
    (same day of the month, or the month's last day when it is shorter): n. Any day beyond
    that starts month n + 1.
    """
    due, paid = _date("due date", due), _date("payment date", paid)
    if paid <= due:
        return Decimal(0)
    months = (paid.year - due.year) * 12 + paid.month - due.month
    if add_months(due, months) < paid:  # past the n-th monthly anniversary: a fraction of one more month
        months += 1
    return Decimal(months)


def weekly_period_start(day: object) -> dt.date:
    """The Saturday that starts the weekly period (Saturday to Friday) holding ``day``."""
    day = _date("date", day)
    return day - dt.timedelta(days=(day.weekday() - SATURDAY) % 7)


def weekly_period_end(day: Any) -> dt.date:
    """The Friday that ends the weekly period holding ``day``."""
    return weekly_period_start(day) + dt.timedelta(days=6)


def day_of_weekly_period(day: Any) -> Decimal:
    """1 for Saturday, 2 for Sunday ... 7 for Friday."""
    day = _date("date", day)
    return Decimal((day.weekday() - SATURDAY) % 7 + 1)


def wednesday_following(day: object, count: Any = 1) -> dt.date:
    """The ``count``-th Wednesday after ``day`` (a Wednesday does not follow itself)."""
    day = _date("date", day)
    count = _whole("count", count)
    if count < 1:
        raise EvaluationError(f"count must be 1 or more, not {count}")
    first = day + dt.timedelta(days=(WEDNESDAY - day.weekday() - 1) % 7 + 1)
    return first + dt.timedelta(weeks=count - 1)


def last_day_of_month(day: object) -> dt.date:
    day = _date("date", day)
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def fifteenth_of_following_month(day: Any) -> dt.date:
    """The fifteenth day of the month following the month of ``day``."""
    return add_months(_date("date", day).replace(day=15), 1)


def quarter(day: Any) -> Decimal:
    """The calendar quarter of ``day``: 1 (January-March) to 4 (October-December)."""
    return Decimal((_date("date", day).month - 1) // 3 + 1)


def last_day_of_month_following_quarter(day: Any) -> dt.date:
    """The last day of the month after the calendar quarter holding ``day``."""
    day = _date("date", day)
    quarter_end_month = ((day.month - 1) // 3 + 1) * 3
    return last_day_of_month(add_months(dt.date(day.year, quarter_end_month, 1), 1))


def make_date(year: Any, month: Any, day: Any) -> dt.date:
    try:
        return dt.date(_whole("year", year), _whole("month", month), _whole("day", day))
    except ValueError as error:
        raise EvaluationError(f"no such date {year}-{month}-{day}: {error}") from None


def year_of(day: Any) -> Decimal:
    return Decimal(_date("date", day).year)


def first_listed_date_on_or_after(day: Any, month_days: Any) -> dt.date:
    """The first of the yearly dates in ``month_days`` ("01-01, 05-01, ...") on or after ``day``."""
    day = _date("date", day)
    if not isinstance(month_days, str):
        raise EvaluationError(f"month_days must be text such as '01-01, 07-01', not {month_days!r}")
    try:
        pairs = sorted({tuple(int(p) for p in item.strip().split("-")) for item in month_days.split(",")})
        candidates = [dt.date(day.year + offset, m, d) for offset in (0, 1) for m, d in pairs]
    except ValueError:
        raise EvaluationError(f"month_days must list dates as MM-DD separated by commas, not {month_days!r}") from None
    return next(c for c in candidates if c >= day)


def earliest(*days: Any) -> dt.date:
    """The earliest of the dates given, ignoring the ones not given (None)."""
    given = [_date("date", d) for d in days if d is not None]
    if not given:
        raise EvaluationError("earliest() needs at least one date")
    return min(given)


def due_schedule(*pairs: Any) -> list[dict[str, Any]]:
    """``due_schedule(date1, amount1, date2, amount2, ...)``: a list of {due_date, amount}."""
    if len(pairs) % 2:
        raise EvaluationError("due_schedule() takes pairs of due date and amount")
    return [{"due_date": _date("due date", pairs[i]), "amount": pairs[i + 1]} for i in range(0, len(pairs), 2)]
