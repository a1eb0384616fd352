"""Reads a date from a ``datetime.date``, a ``datetime`` or ISO-8601 text; each caller words its own error."""
from __future__ import annotations

import datetime as dt
from typing import Any


def parse_date(value: Any) -> dt.date | None:
    """The date ``value`` stands for, or None when it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
