"""The engine's own decimal context: results never depend on the caller's thread-local one.

``decimal`` arithmetic uses the calling thread's context, which a caller may have changed
(``decimal.getcontext().prec = 5`` made the 2024 tax on 60000.50 come out as 2317 instead of 2343).
Every public entry point that computes runs inside ENGINE_CONTEXT (``in_engine_context``), and a
``decimal`` signal that still escapes becomes the package's EvaluationError, never a raw
``decimal.InvalidOperation`` or ``decimal.Overflow``.
"""
from __future__ import annotations

import decimal
import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from engine.errors import EvaluationError

# Python's default context, fixed here: 28 significant digits (amounts are bounded to fewer, see
# engine.model.inputs), banker's rounding only where a rule asks for no other, and the signals that mean
# a wrong answer (invalid operation, division by zero, overflow) raised instead of ignored.
ENGINE_CONTEXT = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN, Emin=-999999, Emax=999999,
                                 capitals=1, clamp=0, flags=[],
                                 traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow])

F = TypeVar("F", bound=Callable[..., Any])
# Per thread, one copy of ENGINE_CONTEXT made once: entering the engine sets it as the current context
# and leaving restores the caller's, with no copy per call (an evaluation is a few microseconds, a
# context copy a good part of one). Only its flags change between calls, and the engine reads none.
_threads = threading.local()
_getcontext, _setcontext = decimal.getcontext, decimal.setcontext


def in_engine_context(function: F) -> F:
    """Run ``function`` in ENGINE_CONTEXT; a ``decimal`` signal escaping it becomes EvaluationError."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        outer = _getcontext()
        try:
            context = _threads.context
        except AttributeError:  # the thread's first entry
            context = _threads.context = ENGINE_CONTEXT.copy()
        if outer is context:
            return function(*args, **kwargs)  # called from inside the engine: already in its context
        _setcontext(context)
        try:
            return function(*args, **kwargs)
        except decimal.DecimalException as error:
            raise EvaluationError(f"arithmetic out of the engine's range ({type(error).__name__})") from None
        finally:
            _setcontext(outer)

    return wrapper  # type: ignore[return-value]
