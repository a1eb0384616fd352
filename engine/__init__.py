"""ctax: Connecticut income-tax law as declarative YAML, evaluated line by line with a trace.

    >>> import engine
    >>> result = engine.evaluate(year=2013, worksheet="tax_calculation",
    ...                          inputs={"filing_status": "single", "ct_agi": 60000})
    >>> result["ct_income_tax"]
"""
from .api import evaluate, load, worksheets, years
from .errors import (
    CtaxError,
    EvaluationError,
    InputError,
    InvalidAmountError,
    InvalidFilingStatusError,
    InvalidInputError,
    MissingInputError,
    Problem,
    RuleSetError,
    UnknownInputError,
    UnknownWorksheetError,
    UnknownYearError,
)
from .tables import FILING_STATUSES
from .trace import Result

__all__ = [
    "evaluate", "load", "worksheets", "years", "Result", "FILING_STATUSES",
    "CtaxError", "EvaluationError", "InputError", "InvalidAmountError", "InvalidFilingStatusError",
    "InvalidInputError", "MissingInputError", "Problem", "RuleSetError", "UnknownInputError",
    "UnknownWorksheetError", "UnknownYearError",
]
