"""ctax: Connecticut income-tax law as declarative YAML, evaluated line by line with a trace.

    >>> import engine
    >>> result = engine.evaluate(year=2013, worksheet="tax_calculation",
    ...                          inputs={"filing_status": "single", "ct_agi": 60000})
    >>> result["ct_income_tax"]
"""
from typing import Any

from engine.api import evaluate, load, worksheets, years
from engine.errors import (
    BatchInputError,
    BatchUnsupportedError,
    CtaxError,
    DraftYearWarning,
    EvaluationError,
    InputError,
    InvalidAmountError,
    InvalidFilingStatusError,
    InvalidInputError,
    MissingExtraError,
    MissingInputError,
    Problem,
    RowError,
    RuleSetError,
    UnknownInputError,
    UnknownWorksheetError,
    UnknownYearError,
)
from engine.model.status import FILING_STATUSES
from engine.run.result import Result


def __getattr__(name: str) -> Any:
    """``__version__``, read from the installed metadata only when asked for (importlib.metadata costs
    a cold ``ctax evaluate`` about a tenth of its time)."""
    if name != "__version__":
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    from importlib import metadata

    try:
        version = metadata.version("ctax")  # one source of truth: pyproject.toml, via the installed metadata
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        version = "0+unknown"
    globals()["__version__"] = version
    return version


def evaluate_batch(year: int | str, worksheet: str, table: Any, **options: Any) -> Any:
    """Evaluate a worksheet for every row of a pandas DataFrame or pyarrow Table (see engine.batch.evaluate).

    Needs the 'batch' extra (numpy, pandas, pyarrow); imported only when called.
    """
    try:
        from engine.batch.evaluate import evaluate_batch as run
    except ModuleNotFoundError as error:
        raise MissingExtraError("evaluate_batch", error) from None
    return run(year, worksheet, table, **options)


__all__ = [
    "__version__",
    "evaluate", "evaluate_batch", "load", "worksheets", "years", "Result", "FILING_STATUSES",
    "BatchInputError", "BatchUnsupportedError", "RowError",
    "CtaxError", "DraftYearWarning", "EvaluationError", "InputError", "InvalidAmountError", "InvalidFilingStatusError",
    "InvalidInputError", "MissingExtraError", "MissingInputError", "Problem", "RuleSetError", "UnknownInputError",
    "UnknownWorksheetError", "UnknownYearError",
]
