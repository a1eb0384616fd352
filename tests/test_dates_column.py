"""The date functions over columns of day numbers (engine.lang.dates_column) against their exact
meanings (engine.lang.dates, themselves tested on hand-worked dates in test_dates.py), day by day.

Every row either gets the scalar function's date or number, or is sent to the scalar path; every
row the scalar function refuses (a date outside years 1 to 9999, a count that is not whole, a day
that does not exist) is sent there. A few results are worked by hand from a calendar as well.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from engine.errors import EvaluationError
from engine.lang import dates, dates_column
from engine.lang.dates_column import MAX_DAY, MIN_DAY, day_number, from_day_number
from engine.lang.fixed import SLOW, ColumnUnsupported, Static
from engine.lang.registry import FUNCTIONS

# every day of 2010-2031 (the years the rules and their due dates reach) and the calendar's two ends
DAYS = np.concatenate([np.arange(day_number(dt.date(2010, 1, 1)), day_number(dt.date(2032, 1, 1))),
                       np.arange(MIN_DAY, MIN_DAY + 40), np.arange(MAX_DAY - 80, MAX_DAY + 1)])
DATE = Static("date")


def _column(values: Any, static: Static) -> tuple[Any, Static]:
    return (lambda env, reach: values), static


def _run(name: str, *args: tuple[Any, Static]) -> tuple[np.ndarray, np.ndarray]:
    run, _ = FUNCTIONS[name].column([_column(v, s) for v, s in args])
    n = max(np.size(v) for v, _ in args)
    env = {SLOW: np.zeros(n, dtype=bool)}
    return np.broadcast_to(np.asarray(run(env, None)), (n,)), env[SLOW]


def _agree(name: str, days: np.ndarray, *more: tuple[Any, Static, Any]) -> None:
    """The column meaning of ``name`` on ``days`` (and the further arguments: column, static, the
    scalar value) equals the exact meaning in every row not sent to the scalar path, and every row
    the exact meaning refuses is sent there."""
    got, slow = _run(name, (days, DATE), *((column, static) for column, static, _ in more))
    exact = FUNCTIONS[name].exact
    for i, day in enumerate(days):
        scalar_args = [from_day_number(int(day)), *(value[i] if isinstance(value, list) else value
                                                   for _, _, value in more)]
        try:
            expected = exact(*scalar_args)
        except EvaluationError:
            assert slow[i], f"{name}{tuple(scalar_args)}: the scalar path raises, the columns did not send it there"
            continue
        if slow[i]:
            continue
        value = from_day_number(int(got[i])) if isinstance(expected, dt.date) else Decimal(int(got[i]))
        assert value == expected, f"{name}{tuple(scalar_args)}: columns {value}, scalar {expected}"


@pytest.mark.parametrize("name", ["business_day", "weekly_period_start", "weekly_period_end", "day_of_weekly_period",
                                  "last_day_of_month", "fifteenth_of_following_month", "quarter",
                                  "last_day_of_month_following_quarter", "year_of", "wednesday_following"])
def test_functions_of_one_date(name):
    _agree(name, DAYS)


@pytest.mark.parametrize("name", ["add_days", "add_months"])
@pytest.mark.parametrize("count", [0, 1, -1, 3, -9, 12, 400, -100_000, 9_999_999])
def test_adding_whole_counts(name, count):
    _agree(name, DAYS, (np.int64(count), Static("num", 0, abs(count)), Decimal(count)))


# many rows over a short span of days (computed once per day of the span, then taken per row): a
# year's due dates, and the calendar's last days, where the functions refuse some days and the rows
# holding those days alone must go to the scalar path
SHORT_SPANS = [np.tile(np.arange(day_number(dt.date(2024, 3, 1)), day_number(dt.date(2024, 6, 1))), 60),
               np.tile(np.arange(MAX_DAY - 45, MAX_DAY - 20), 400)]


@pytest.mark.parametrize("days", SHORT_SPANS, ids=["2024", "year 9999"])
@pytest.mark.parametrize("name", ["business_day", "last_day_of_month", "fifteenth_of_following_month",
                                  "year_of", "wednesday_following"])
def test_one_date_over_a_short_span_of_many_rows(name, days):
    _agree(name, days)


@pytest.mark.parametrize("days", SHORT_SPANS, ids=["2024", "year 9999"])
@pytest.mark.parametrize("count", [-9, 1])
def test_add_months_over_a_short_span_of_many_rows(days, count):
    _agree("add_months", days, (np.int64(count), Static("num", 0, abs(count)), Decimal(count)))


def test_a_refused_day_in_a_short_span_sends_only_its_rows():
    # business_day(9999-12-31 - 25) may roll past the calendar: the scalar path refuses the days
    # within MAX_DAYS_TO_BUSINESS_DAY of the end, and only the rows holding them go there
    days = SHORT_SPANS[1]
    _, slow = _run("business_day", (days, DATE))
    assert slow.any() and not slow.all()
    assert (slow == (days > MAX_DAY - dates.MAX_DAYS_TO_BUSINESS_DAY)).all()


def test_counts_that_are_not_whole_or_too_large_go_to_the_scalar_path():
    # add_days(d, 1.50) and add_days(d, 10,000,000): the scalar path refuses both (dates._whole)
    days = np.full(3, day_number(dt.date(2024, 4, 15)))
    counts = np.array([150, 10 ** 9, 200])  # 1.50, 10,000,000.00 and 2.00 in cents
    got, slow = _run("add_days", (days, DATE), (counts, Static("num", 2, 10 ** 9)))
    assert slow.tolist() == [True, True, False]
    assert from_day_number(int(got[2])) == dt.date(2024, 4, 17)


def test_months_or_fraction_against_the_scalar_meaning():
    due = day_number(dt.date(2024, 1, 31))
    paid = np.arange(due - 5, due + 800)
    _agree("months_or_fraction", np.full(len(paid), due), (paid, DATE, [from_day_number(int(p)) for p in paid]))
    # by hand: due January 31, paid February 29 (2024 is a leap year) is the month's last day: one
    # month; paid March 1 is past it: two months; paid January 31 itself: on time, 0
    got, _ = _run("months_or_fraction", (np.full(3, due), DATE),
                  (np.array([day_number(dt.date(2024, 2, 29)), day_number(dt.date(2024, 3, 1)), due]), DATE))
    assert got.tolist() == [1, 2, 0]


def test_days_between_and_make_date():
    start = day_number(dt.date(2024, 3, 1))
    _agree("days_between", np.full(len(DAYS), start), (DAYS, DATE, [from_day_number(int(d)) for d in DAYS]))
    years = np.array([2024, 2023, 2024, 0, 10000, 2024])
    months = np.array([2, 2, 13, 1, 1, 12])
    days = np.array([29, 29, 1, 1, 1, 31])
    got, slow = _run("make_date", (years, Static("num", 0, 10 ** 4)), (months, Static("num", 0, 100)),
                     (days, Static("num", 0, 100)))
    # 2023-02-29, month 13, year 0 and year 10000 do not exist: the scalar path refuses them
    assert slow.tolist() == [False, True, True, True, True, False]
    assert [from_day_number(int(got[i])) for i in (0, 5)] == [dt.date(2024, 2, 29), dt.date(2024, 12, 31)]


def test_first_listed_date_and_earliest():
    listed = ("01-01, 05-01, 07-01, 10-01", Static("text", value="01-01, 05-01, 07-01, 10-01"),
              "01-01, 05-01, 07-01, 10-01")
    _agree("first_listed_date_on_or_after", DAYS, listed)
    leap = ("02-29", Static("text", value="02-29"), "02-29")  # in a year without it, the scalar path raises
    _agree("first_listed_date_on_or_after", DAYS[:3000], leap)
    # earliest ignores the dates not given; none given is the scalar path's error
    given = np.array([day_number(dt.date(2025, 4, 15)), day_number(dt.date(2025, 3, 1)), 0])
    other = np.full(3, day_number(dt.date(2025, 4, 1)))
    run, _ = FUNCTIONS["earliest"].column([(lambda env, reach: given, Static("date", none_key="gone")),
                                           (lambda env, reach: other, Static("date", none_key="other gone"))])
    env = {SLOW: np.zeros(3, dtype=bool), "gone": np.array([False, False, True]),
           "other gone": np.array([False, True, True])}
    got = run(env, None)
    assert [from_day_number(int(d)) for d in got[:2]] == [dt.date(2025, 4, 1), dt.date(2025, 3, 1)]
    assert env[SLOW].tolist() == [False, False, True]


def test_business_days_worked_by_hand():
    # Saturday February 15, 2025 -> Tuesday the 18th (Monday the 17th is Washington's Birthday);
    # Friday April 18, 2025 is Good Friday, a Connecticut legal holiday -> Monday April 21;
    # Wednesday December 31, 2025 is itself a business day; Saturday December 31, 2022 -> Tuesday
    # January 3, 2023 (New Year's Day falls on Sunday and is observed on Monday January 2).
    days = np.array([day_number(d) for d in (dt.date(2025, 2, 15), dt.date(2025, 4, 18), dt.date(2025, 12, 31),
                                             dt.date(2022, 12, 31))])
    got, slow = _run("business_day", (days, DATE))
    assert not slow.any()
    assert [from_day_number(int(d)) for d in got] == [dt.date(2025, 2, 18), dt.date(2025, 4, 21),
                                                      dt.date(2025, 12, 31), dt.date(2023, 1, 3)]


def test_civil_dates_over_the_whole_calendar():
    # the integer civil calendar against Python's over every day of years 1 to 9999, one in 97
    days = np.arange(MIN_DAY, MAX_DAY + 1, 97)
    year, month, day = dates_column.civil(days)
    python = [from_day_number(int(d)) for d in days]
    assert year.tolist() == [d.year for d in python]
    assert month.tolist() == [d.month for d in python]
    assert day.tolist() == [d.day for d in python]


def test_a_count_with_more_decimals_than_int64_holds_has_no_column_form():
    # 10**19 units per day would overflow int64: such a rule is refused at compile time (the worksheet
    # then runs row by row), never a raw OverflowError at run time
    with pytest.raises(ColumnUnsupported):
        dates_column._whole({}, None, np.array([0, 5]), Static("num", 19, 10 ** 18))
