"""ctax: Connecticut income-tax law as declarative YAML, evaluated line by line with a trace.

    >>> import engine
    >>> result = engine.evaluate(year=2013, worksheet="tax_calculation",
    ...                          inputs={"filing_status": "single", "ct_agi": 60000})
    >>> result["ct_income_tax"]
"""
from typing import Any

from .api import evaluate, load, worksheets, years
from .errors import (
    BatchInputError,
    BatchUnsupportedError,
    CtaxError,
    EvaluationError,
    InputError,
    InvalidAmountError,
    InvalidFilingStatusError,
    InvalidInputError,
    MissingInputError,
    Problem,
    RowError,
    RuleSetError,
    UnknownInputError,
    UnknownWorksheetError,
    UnknownYearError,
)
from .tables import FILING_STATUSES
from .trace import Result


def evaluate_batch(year: int | str, worksheet: str, table: Any, **options: Any) -> Any:
    """Evaluate a worksheet for every row of a pandas DataFrame or pyarrow Table (see engine.batch).

    Needs the 'batch' extra (numpy, pandas, pyarrow); imported only when called.
    """
    try:
        from .batch import evaluate_batch as run
    except ImportError as error:
        raise CtaxError(f"evaluate_batch needs the 'batch' extra (pip install 'ctax[batch]'): {error}") from None
    return run(year, worksheet, table, **options)


__all__ = [
    "evaluate", "evaluate_batch", "load", "worksheets", "years", "Result", "FILING_STATUSES",
    "BatchInputError", "BatchUnsupportedError", "RowError",
    "CtaxError", "EvaluationError", "InputError", "InvalidAmountError", "InvalidFilingStatusError",
    "InvalidInputError", "MissingInputError", "Problem", "RuleSetError", "UnknownInputError",
    "UnknownWorksheetError", "UnknownYearError",
]
