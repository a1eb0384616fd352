"""Turns what a caller passes (int, str, Decimal, bool, date) into typed input values, or a clear error."""
from __future__ import annotations

import datetime as dt
import functools
import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, cast

from engine.errors import InvalidAmountError, InvalidFilingStatusError, InvalidInputError
from engine.lang.arithmetic import in_engine_context
from engine.lang.datevalue import parse_date
from engine.model.status import FILING_STATUS_ALIASES, FILING_STATUSES, canonical_status, normalise_status

MAX_AMOUNT = Decimal("1e15")  # a quadrillion dollars: beyond any return, and keeps Decimal exact
MAX_AMOUNT_INT = int(MAX_AMOUNT)

_STATUSES = frozenset(FILING_STATUSES)
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


class Fill(Enum):
    """What an input left out stands for: the one meaning both evaluators and the batch layer read."""

    REQUIRED = "required"  # nothing: the inputs are refused (MissingInputError)
    DEFAULT = "default"  # the input's default
    OPTIONAL = "optional"  # None ('optional: true'): expressions test it with 'x == None'


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
    required_if: Any = None  # checked expression (engine.lang.expressions.Expression) over the other inputs, or None
    description: str | None = None  # the help text a form or page shows under the label

    @property
    def fill(self) -> Fill:
        """What this input stands for when it is left out (its ``required_if`` aside)."""
        if not self.has_default:
            return Fill.REQUIRED
        return Fill.OPTIONAL if self.default is None else Fill.DEFAULT

    def coerce(self, value: Any) -> Any:
        """The value as this input's type; raises the package's InputError naming the input."""
        return _READERS.get(self.type, _unknown_type)(self, value)

    def reader(self) -> Callable[[Any], Any]:
        """``coerce`` with this input's type looked up once: what an evaluation keeps per input."""
        if self.type == "filing_status":  # the usual text input: one of the statuses as it is, without a call
            name = self.name

            def read_status(value: Any) -> str:
                return value if value.__class__ is str and value in _STATUSES else to_filing_status(name, value)
            return read_status
        if self.type in ("money", "number") and self.minimum is None and self.maximum is None:
            return functools.partial(_number, self.name)  # _amount of an unbounded input, one call fewer
        return functools.partial(_READERS.get(self.type, _unknown_type), self)

    def _bounded(self, number: Decimal) -> Decimal:
        if self.minimum is not None and number < self.minimum:
            raise InvalidAmountError(self.name, f"input '{self.name}' must be at least {self.minimum}; got {number}")
        if self.maximum is not None and number > self.maximum:
            raise InvalidAmountError(self.name, f"input '{self.name}' must be at most {self.maximum}; got {number}")
        return number


def _number(name: str, value: Any) -> Decimal:
    if value.__class__ is int and -MAX_AMOUNT_INT <= value <= MAX_AMOUNT_INT:
        return Decimal(value)  # the common case, without entering to_decimal
    return to_decimal(name, value)


def _amount(spec: InputSpec, value: Any) -> Decimal:
    number = _number(spec.name, value)
    return number if spec.minimum is None and spec.maximum is None else spec._bounded(number)


def _integer(spec: InputSpec, value: Any) -> Decimal:
    number = to_decimal(spec.name, value)
    if number != number.to_integral_value():
        raise InvalidAmountError(spec.name, f"input '{spec.name}' must be a whole number, not {value!r}")
    return spec._bounded(number.to_integral_value())


def _choice(spec: InputSpec, value: Any) -> str:
    if not isinstance(value, str) or value not in spec.choices:
        raise InvalidInputError(spec.name, f"input '{spec.name}' must be one of {', '.join(spec.choices)}; "
                                           f"got {value!r}")
    return value


def _unknown_type(spec: InputSpec, value: Any) -> Any:
    raise InvalidInputError(spec.name, f"input '{spec.name}' has unknown type {spec.type}")


# How each input type reads a value: InputSpec.coerce, and the readers an evaluation keeps per input.
_READERS: dict[str, Callable[[InputSpec, Any], Any]] = {
    "money": _amount,
    "number": _amount,
    "integer": _integer,
    "boolean": lambda spec, value: to_bool(spec.name, value),
    "filing_status": lambda spec, value: to_filing_status(spec.name, value),
    "choice": _choice,
    "date": lambda spec, value: to_date(spec.name, value),
}


MAX_SIGNIFICANT_DIGITS = 28  # every amount is exact in the engine's 28-digit context (engine.lang.arithmetic)
MAX_DECIMAL_PLACES = 20
MAX_AMOUNT_TEXT = 100  # characters; a 10-million-digit string is refused before it is parsed
# An amount as text: an optional sign and "$", then digits either grouped in threes by commas
# ("1,234,567.89": the commas are thousands separators) or not grouped at all, where an exponent
# may follow ("1.5e4"). Anything else ("60000,50", "1.234,56", "1,2e4", "1_000", "0x10") is refused.
_AMOUNT_TEXT = re.compile(r"""
    (?P<sign>[-+]?) \$? (?P<after_dollar>[-+]?)
    (?: [0-9]{1,3} (?:,[0-9]{3})+ (?:\.[0-9]+)?
      | (?: [0-9]+ (?:\.[0-9]*)? | \.[0-9]+ ) (?:[eE][-+]?[0-9]+)? )
    """, re.VERBOSE | re.ASCII)
_NOT_FINITE_TEXT = {"nan", "snan", "inf", "infinity"}


def _from_text(name: str, value: str) -> Decimal:
    text = value.strip()
    if len(text) > MAX_AMOUNT_TEXT:
        raise InvalidAmountError(name, f"input '{name}' is out of range (more than {MAX_AMOUNT_TEXT} characters)")
    match = _AMOUNT_TEXT.fullmatch(text)
    if match is None or (match["sign"] and match["after_dollar"]):
        if text.lower().lstrip("+-") in _NOT_FINITE_TEXT:
            raise InvalidAmountError(name, f"input '{name}' must be a finite number; got {value!r}")
        hint = (" (digits with an optional sign and '$'; commas only as thousands separators, as in 1,234,567.89)"
                if any(char.isdigit() for char in text) else "")
        raise InvalidAmountError(name, f"input '{name}' must be a number; got {value!r}{hint}")
    return Decimal(text.replace(",", "").replace("$", ""))


def _from_object(name: str, value: Any) -> Decimal:
    """An int, float, Decimal or NumPy number as its exact Decimal (floats by their shortest repr)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        if value.bit_length() > 64:
            raise InvalidAmountError(name, f"input '{name}' is out of range (more than {MAX_AMOUNT:,.0f} in size)")
        return Decimal(value)
    if isinstance(value, float):
        # float.__repr__ also for numpy.float64 (a float subclass whose repr is 'np.float64(...)' under NumPy 2):
        # the shortest text that reads back as the same float, so 60000.5 is 60000.5 exactly
        text = float.__repr__(value)
        return Decimal(text) if value == value and abs(value) != float("inf") else Decimal("NaN")
    kind = type(value)
    if kind.__module__ == "numpy" and kind.__name__ not in ("bool", "bool_"):
        if isinstance(value, numbers.Integral):
            return _from_object(name, int(value))
        if isinstance(value, numbers.Real):
            return Decimal(str(value))  # NumPy's str is the shortest repr at the value's own precision
    raise InvalidAmountError(name, f"input '{name}' must be a number (int, float, str or Decimal); got "
                                   f"{kind.__name__}")


@in_engine_context
def to_decimal(name: str, value: Any) -> Decimal:
    """An amount as an exact Decimal ("$1,234" allowed); InvalidAmountError naming input ``name`` otherwise.

    Accepted: int, float (by its shortest repr), Decimal, NumPy integers and floats (``numpy.float64``
    by its shortest repr, so 60000.5 stays 60000.5), and text as described at _AMOUNT_TEXT. Refused:
    non-finite values, more than MAX_SIGNIFICANT_DIGITS significant digits (they would be rounded),
    more than MAX_DECIMAL_PLACES decimal places and sizes above MAX_AMOUNT.
    """
    if type(value) is int and -MAX_AMOUNT_INT <= value <= MAX_AMOUNT_INT:
        return Decimal(value)  # the common case: an int in range is exact and passes every check below
    if isinstance(value, bool):
        raise InvalidAmountError(name, f"input '{name}' must be an amount, not a true/false value")
    number = _from_text(name, value) if isinstance(value, str) else _from_object(name, value)
    if not number.is_finite():
        raise InvalidAmountError(name, f"input '{name}' must be a finite number; got {value!r}")
    if number and number.adjusted() > MAX_AMOUNT.adjusted():  # checked before any arithmetic on the number
        raise InvalidAmountError(name, f"input '{name}' is out of range (more than {MAX_AMOUNT:,.0f} in size)")
    if abs(number) > MAX_AMOUNT:
        raise InvalidAmountError(name, f"input '{name}' is out of range (more than {MAX_AMOUNT:,.0f} in size)")
    if number:
        _, digits, exponent = number.as_tuple()
        exponent = cast(int, exponent)  # a finite number (checked above) has an int exponent, not 'n', 'N' or 'F'
        trailing_zeros = len(digits) - len(bytes(digits).rstrip(b"\0"))
        if len(digits) - trailing_zeros > MAX_SIGNIFICANT_DIGITS:
            raise InvalidAmountError(name, f"input '{name}' has more than {MAX_SIGNIFICANT_DIGITS} significant "
                                           "digits; it would be rounded")
        if exponent + trailing_zeros < -MAX_DECIMAL_PLACES:
            raise InvalidAmountError(name, f"input '{name}' has more than {MAX_DECIMAL_PLACES} decimal places")
    return number + 0  # normalises -0 to 0 (exact: at most 28 significant digits)


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
        import difflib  # only for a hint: a warm start need not load it

        close = list(dict.fromkeys(spellings[m] for m in difflib.get_close_matches(key, list(spellings), n=2)))
    return f" (did you mean {' or '.join(repr(s) for s in close)}?)" if close else ""


def to_date(name: str, value: Any) -> dt.date:
    """A datetime.date from a date or ISO text; InvalidInputError otherwise."""
    date = parse_date(value)
    if date is None:
        raise InvalidInputError(name, f"input '{name}' must be a date (datetime.date or ISO-8601 'YYYY-MM-DD'); "
                                      f"got {value!r}")
    return date
