"""The package's own exceptions: every failure a caller can meet is one of these."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class CtaxError(Exception):
    """Base class of every error ctax raises on purpose."""


# Optional features and the extra that installs each; the core install is lean (see pyproject.toml).
EXTRAS = {"numpy": "batch", "pandas": "batch", "pyarrow": "batch", "dask": "batch", "distributed": "batch",
          "matplotlib": "plot", "fastapi": "serve", "starlette": "serve", "uvicorn": "serve"}


class MissingExtraError(CtaxError):
    """An optional feature was used without the extra that installs what it needs."""

    def __init__(self, feature: str, error: ModuleNotFoundError) -> None:
        module = (error.name or "").partition(".")[0]
        extra = EXTRAS.get(module, "test")
        super().__init__(
            f"{feature} needs the '{extra}' extra: pip install 'ctax[{extra}]' (no module named '{module}')"
        )
        self.extra = extra


# A suggestion compares the misspelt name with each candidate (difflib, quadratic in their lengths):
# only names of at most this length are compared, and only this many candidates of the closest
# lengths, so a file of thousands of lines with thousands of unknown names stays fast.
MAX_SUGGESTED_LENGTH = 80
MAX_SUGGESTION_CANDIDATES = 100


def did_you_mean(name: str, names: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` with the closest of ``names`` to a misspelt ``name``, or ""."""
    if not isinstance(name, str) or len(name) > MAX_SUGGESTED_LENGTH:
        return ""
    # imported here: a hint is made only for a mistake, and every start imports this module
    import difflib
    import heapq

    slack = max(3, len(name) // 3)
    near = (n for n in names if isinstance(n, str) and abs(len(n) - len(name)) <= slack)
    candidates = heapq.nsmallest(MAX_SUGGESTION_CANDIDATES, near, key=lambda n: (abs(len(n) - len(name)), n))
    close = difflib.get_close_matches(name, candidates, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


class DraftYearWarning(UserWarning):
    """A result was computed from a draft year: some rule file still carries a ``review:`` marker."""


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in a rule file, located by file, line and column (1-based)."""

    file: str
    line: int
    column: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class RuleSetError(CtaxError):
    """A rule set failed validation; ``problems`` lists every problem found, sorted."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the rule files:"
        super().__init__("\n".join([head, *map(str, self.problems)]))


class UnknownYearError(CtaxError, LookupError):
    """No rule set exists for the requested tax year."""


class UnknownWorksheetError(CtaxError, LookupError):
    """The year's rule set has no worksheet of that name."""


class InputError(CtaxError, ValueError):
    """An input given to a worksheet is wrong; ``field`` names it."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


class MissingInputError(InputError):
    """A required input was not given."""


class UnknownInputError(InputError):
    """An input was given that the worksheet does not take."""


class InvalidFilingStatusError(InputError):
    """The filing status is not one of the five."""


class InvalidAmountError(InputError):
    """An amount is not a finite number (non-numeric, NaN or infinite) or is out of range."""


class InvalidInputError(InputError):
    """An input has the wrong type or a value outside its allowed choices."""


class EvaluationError(CtaxError):
    """A worksheet line could not be computed (for example a division by zero)."""


class BatchUnsupportedError(CtaxError):
    """The worksheet has a line with no exact column form; pass fallback=True to go row by row."""


@dataclass(frozen=True)
class RowError:
    """One bad row: its 0-based position in the table, the field at fault and the message."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.field}: {self.message}"


class BatchInputError(CtaxError):
    """Some rows have bad inputs; ``errors`` lists every one by row and field."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        shown = "\n".join(map(str, errors[:20]))
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} row(s) with bad inputs:\n{shown}{more}")
