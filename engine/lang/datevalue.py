"""Reads a date from a ``datetime.date``, a ``datetime`` or ISO-8601 text; each caller words its own error."""
from __future__ import annotations

import datetime as dt
from typing import Any


def parse_date(value: Any) -> dt.date | None:
    """The date ``value`` stands for, as a plain ``datetime.date``, or None when it is not one.

    Subclasses are rebuilt as a plain date from their year, month and day: ``pandas.NaT`` claims to
    be a ``datetime`` but has no day (it is refused here), and a pandas Timestamp becomes its date.
    """
    if isinstance(value, dt.date):
        try:
            return dt.date(value.year, value.month, value.day)
        except (TypeError, ValueError, AttributeError):
            return None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
