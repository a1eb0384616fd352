"""Due dates written as the rule that makes them ("the last day of February of the year after the tax
year"), resolved against the rule set's tax year, so a new year's copy needs no date edits.

In a table of unit ``date``, a scalar ``value`` may be such a rule instead of an ISO date::

    value: {month: February, day: last, of: the year after the tax year}

``day`` is a day of the month or ``last``; ``of`` is ``the tax year`` or ``the year after the tax
year``. Moving the date to the next business day stays with the worksheet (``business_day``), as
the publications word it ("If the due date falls on a Saturday, Sunday, or legal holiday, the next
business day is the due date").
"""
from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

MONTHS = {name: number for number, name in enumerate(calendar.month_name) if name}
YEARS = {"the tax year": 0, "the year after the tax year": 1}
KEYS = ("month", "day", "of")


class DateRuleError(ValueError):
    """A date rule that names no real date; the message says which part is wrong."""


def is_rule(value: Any) -> bool:
    return isinstance(value, dict)


def resolve(rule: dict, tax_year: int) -> dt.date:
    """The date the rule gives for ``tax_year``."""
    unknown = [k for k in rule if k not in KEYS]
    if unknown or any(k not in rule for k in KEYS):
        raise DateRuleError(f"a date rule has exactly the keys month, day and of; got {', '.join(map(str, rule))}")
    month = MONTHS.get(rule["month"])
    if month is None:
        raise DateRuleError(f"month {rule['month']!r} is not a month's name (January ... December)")
    if rule["of"] not in YEARS:
        raise DateRuleError(f"'of' is {' or '.join(repr(y) for y in YEARS)}, not {rule['of']!r}")
    year = tax_year + YEARS[rule["of"]]
    last = calendar.monthrange(year, month)[1]
    day = rule["day"]
    if day == "last":
        return dt.date(year, month, last)
    if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 31:
        raise DateRuleError(f"day is a day of the month (1-31) or 'last', not {day!r}")
    if day > last:
        raise DateRuleError(f"{rule['month']} {day} does not exist in {year}")
    return dt.date(year, month, day)


def describe(rule: dict) -> str:
    """The rule in words: "the last day of February of the year after the tax year"."""
    day = f"the last day of {rule['month']}" if rule.get("day") == "last" else f"{rule.get('month')} {rule.get('day')}"
    return f"{day} of {rule.get('of')}"
