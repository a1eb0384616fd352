"""Errors as RFC 9457 problem details (``application/problem+json``), with the engine's own wording.

Every error the engine raises on purpose maps to a status: an unknown year, worksheet or table is
404, a bad input 422 (``field`` names it, the ``detail`` is the Python error's message), an oversized
body 413. Anything unexpected becomes a 500 problem with no traceback in it.
"""
from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from engine.errors import (
    BatchInputError,
    CtaxError,
    EvaluationError,
    InputError,
    MissingExtraError,
    RuleSetError,
    UnknownWorksheetError,
    UnknownYearError,
)

MEDIA_TYPE = "application/problem+json"


class HttpProblem(Exception):
    """A request the server refuses: status, a short title, the detail and the field at fault if any."""

    def __init__(self, status: int, title: str, detail: str, *, kind: str, field: str | None = None,
                 **extensions: Any) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.kind, self.field = status, title, detail, kind, field
        self.extensions = extensions


class UnknownTableError(CtaxError, LookupError):
    """The year's rule set has no table of that name (HTTP only: the engine looks tables up by expression)."""


def body(problem: HttpProblem, instance: str | None = None) -> dict[str, Any]:
    """The problem document: type, title, status, detail, instance, then ``field`` and any extension."""
    data: dict[str, Any] = {"type": f"urn:ctax:problem:{problem.kind}", "title": problem.title,
                            "status": problem.status, "detail": problem.detail}
    if instance:
        data["instance"] = instance
    if problem.field is not None:
        data["field"] = problem.field
    data.update(problem.extensions)
    return data


def response(problem: HttpProblem, instance: str | None = None) -> Response:
    headers = {"Retry-After": "1"} if problem.status == 503 else None
    return Response(json.dumps(body(problem, instance)), status_code=problem.status, media_type=MEDIA_TYPE,
                    headers=headers)


def from_error(error: BaseException) -> HttpProblem:
    """The problem an exception stands for; the engine's message is kept word for word."""
    if isinstance(error, HttpProblem):
        return error
    if isinstance(error, UnknownYearError):
        return HttpProblem(404, "Unknown tax year", str(error), kind="unknown-year", field="year")
    if isinstance(error, UnknownWorksheetError):
        return HttpProblem(404, "Unknown worksheet", str(error), kind="unknown-worksheet", field="worksheet")
    if isinstance(error, UnknownTableError):
        return HttpProblem(404, "Unknown table", str(error), kind="unknown-table", field="table")
    if isinstance(error, InputError):
        return HttpProblem(422, "Invalid input", str(error), kind="invalid-input", field=error.field)
    if isinstance(error, BatchInputError):
        rows = [{"row": e.row, "field": e.field, "message": e.message} for e in error.errors]
        return HttpProblem(422, "Invalid rows", str(error), kind="invalid-rows", errors=rows)
    if isinstance(error, EvaluationError):
        return HttpProblem(422, "Cannot evaluate", str(error), kind="evaluation-error")
    if isinstance(error, MissingExtraError):
        return HttpProblem(501, "Not installed", str(error), kind="missing-extra")
    if isinstance(error, RuleSetError):
        return HttpProblem(500, "Invalid rule files", str(error), kind="invalid-rules",
                           problems=[str(p) for p in error.problems])
    if isinstance(error, CtaxError):
        return HttpProblem(422, "Invalid request", str(error), kind="invalid-request")
    return HttpProblem(500, "Internal error", "the server met an unexpected error; it has been logged",
                       kind="internal-error")
