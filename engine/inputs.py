"""Turns what a caller passes (int, str, Decimal, bool, date) into typed input values, or a clear error."""
from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .datevalue import parse_date
from .errors import InvalidAmountError, InvalidFilingStatusError, InvalidInputError
from .tables import FILING_STATUS_ALIASES, FILING_STATUSES, canonical_status, normalise_status

MAX_AMOUNT = Decimal("1e15")  # a quadrillion dollars: beyond any return, and keeps Decimal exact

_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


@dataclass(frozen=True)
class InputSpec:
    """One declared input of a worksheet."""

    name: str
    type: str
    label: str
    has_default: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    required_if: Any = None  # Compiled expression over the other inputs, or None

    def coerce(self, value: Any) -> Any:
        """The value as this input's type; raises the package's InputError naming the input."""
        kind = self.type
        if kind in ("money", "number"):
            return self._bounded(to_decimal(self.name, value))
        if kind == "integer":
            number = to_decimal(self.name, value)
            if number != number.to_integral_value():
                raise InvalidAmountError(self.name, f"input '{self.name}' must be a whole number, not {value!r}")
            return self._bounded(number.to_integral_value())
        if kind == "boolean":
            return to_bool(self.name, value)
        if kind == "filing_status":
            return to_filing_status(self.name, value)
        if kind == "choice":
            if not isinstance(value, str) or value not in self.choices:
                raise InvalidInputError(self.name, f"input '{self.name}' must be one of {', '.join(self.choices)}; "
                                                   f"got {value!r}")
            return value
        if kind == "date":
            return to_date(self.name, value)
        raise InvalidInputError(self.name, f"input '{self.name}' has unknown type {kind}")

    def _bounded(self, number: Decimal) -> Decimal:
        if self.minimum is not None and number < self.minimum:
            raise InvalidAmountError(self.name, f"input '{self.name}' must be at least {self.minimum}; got {number}")
        if self.maximum is not None and number > self.maximum:
            raise InvalidAmountError(self.name, f"input '{self.name}' must be at most {self.maximum}; got {number}")
        return number


def to_decimal(name: str, value: Any) -> Decimal:
    """An amount as an exact Decimal ("$1,234" allowed); InvalidAmountError naming input ``name`` otherwise."""
    if isinstance(value, bool):
        raise InvalidAmountError(name, f"input '{name}' must be an amount, not a true/false value")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value)) if value == value and value not in (float("inf"), float("-inf")) else Decimal("NaN")
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("$", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise InvalidAmountError(name, f"input '{name}' must be a number; got {value!r}") from None
    else:
        raise InvalidAmountError(name, f"input '{name}' must be a number (int, str or Decimal); got "
                                       f"{type(value).__name__}")
    if not number.is_finite():
        raise InvalidAmountError(name, f"input '{name}' must be a finite number; got {value!r}")
    if abs(number) > MAX_AMOUNT:
        raise InvalidAmountError(name, f"input '{name}' is out of range (more than {MAX_AMOUNT:,.0f} in size)")
    return number + 0  # normalises -0 to 0


def to_bool(name: str, value: Any) -> bool:
    """True/False, or yes/no, y/n, 1/0 as text; InvalidInputError otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise InvalidInputError(name, f"input '{name}' must be true or false; got {value!r}")


def to_filing_status(name: str, value: Any) -> str:
    """One of FILING_STATUSES, from any case or alias (canonical_status); InvalidFilingStatusError otherwise."""
    status = canonical_status(value)
    if status is not None:
        return status
    raise InvalidFilingStatusError(name, f"input '{name}' must be one of {', '.join(FILING_STATUSES)}; got "
                                         f"{value!r}{_status_hint(value)}")


def _status_hint(value: Any) -> str:
    """`` (did you mean 'a' or 'b'?)`` for a partial or misspelt status ("married", "singel"), or ""."""
    if not isinstance(value, str) or not normalise_status(value):
        return ""
    key = normalise_status(value)
    # a word of a status begun ("married" -> both married statuses), else the closest spelling
    close = [s for s in FILING_STATUSES if any(word.startswith(key) for word in s.split("_")) or s.startswith(key)]
    if not close:
        spellings = {**{s: s for s in FILING_STATUSES}, **FILING_STATUS_ALIASES}
        close = list(dict.fromkeys(spellings[m] for m in difflib.get_close_matches(key, list(spellings), n=2)))
    return f" (did you mean {' or '.join(repr(s) for s in close)}?)" if close else ""


def to_date(name: str, value: Any) -> dt.date:
    """A datetime.date from a date or ISO text; InvalidInputError otherwise."""
    date = parse_date(value)
    if date is None:
        raise InvalidInputError(name, f"input '{name}' must be a date (datetime.date or ISO-8601 'YYYY-MM-DD'); "
                                      f"got {value!r}")
    return date
