"""The ASGI application: routes, error handling and limits. Starlette rather than FastAPI because
the API's schemas come from the rule files at run time, not from Python classes: FastAPI's
pydantic models and generated OpenAPI would have to be built dynamically and then overridden,
while Starlette is the small, well-kept core FastAPI itself runs on."""
from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from engine import api
from engine.errors import CtaxError, InvalidInputError
from engine.serve import batch, describe, openapi, problems
from engine.serve.compare import compare
from engine.serve.explain import explain
from engine.serve.limits import Limits, in_time, read_body
from engine.serve.problems import HttpProblem, UnknownTableError

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("ctax.serve")
Endpoint = Callable[[Request], Awaitable[Response]]


def _guarded(endpoint: Endpoint) -> Endpoint:
    """Every error becomes a problem+json answer; an unexpected one is logged here, never sent."""
    @functools.wraps(endpoint)
    async def run(request: Request) -> Response:
        try:
            return await endpoint(request)
        except Exception as error:  # the one place where every error is answered
            if not isinstance(error, (HttpProblem, CtaxError)):
                log.exception("unexpected error on %s %s", request.method, request.url.path)
            return problems.response(problems.from_error(error), request.url.path)
    return run


def _trace(request: Request) -> bool:
    text = request.query_params.get("trace", "true").strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise InvalidInputError("trace", f"query parameter 'trace' must be true or false; got {text!r}")


def _inputs(body: bytes) -> dict[str, Any]:
    given = batch.parse_json(body) if body.strip() else {}
    if not isinstance(given, dict):
        raise InvalidInputError("inputs", f"inputs must be a mapping of names to values, not {type(given).__name__}")
    return given


class Api:
    """The endpoints, sharing the rules folder and the limits."""

    def __init__(self, rules: str | os.PathLike | None, limits: Limits) -> None:
        self.rules, self.limits = rules, limits

    async def years(self, request: Request) -> Response:
        return JSONResponse({"years": api.years(self.rules)})

    async def openapi(self, request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(openapi.document, self.rules))

    def _ruleset(self, request: Request) -> Any:
        return api.load(request.path_params["year"], self.rules)

    async def worksheets(self, request: Request) -> Response:
        ruleset = self._ruleset(request)
        return JSONResponse({"year": ruleset.year, "title": ruleset.title, "worksheets": [
            describe.worksheet_summary(ruleset.worksheets[n]) for n in sorted(ruleset.worksheets)]})

    async def worksheet(self, request: Request) -> Response:
        ruleset = self._ruleset(request)
        return JSONResponse(describe.worksheet(ruleset, ruleset.worksheet(request.path_params["name"])))

    async def tables(self, request: Request) -> Response:
        ruleset = self._ruleset(request)
        return JSONResponse({"year": ruleset.year, "tables": [
            {"name": n, "title": ruleset.tables[n].title} for n in sorted(ruleset.tables)]})

    async def table(self, request: Request) -> Response:
        ruleset = self._ruleset(request)
        name = request.path_params["name"]
        found = ruleset.tables.get(name)
        if found is None:
            raise UnknownTableError(f"tax year {ruleset.year} has no table {name!r}; tables: "
                                    f"{', '.join(sorted(ruleset.tables))}")
        return JSONResponse(describe.table(found))

    async def evaluate(self, request: Request) -> Response:
        year, name = request.path_params["year"], request.path_params["name"]
        api.load(year, self.rules).worksheet(name)  # 404 before the body is read
        trace = _trace(request)
        given = _inputs(await read_body(request, self.limits))
        result = await in_time(lambda: api.evaluate(year, name, given, trace=trace, rules=self.rules).to_dict(),
                               self.limits.time_limit)
        return JSONResponse(result)

    async def explain(self, request: Request) -> Response:
        year, name = request.path_params["year"], request.path_params["name"]
        api.load(year, self.rules).worksheet(name)
        given = _inputs(await read_body(request, self.limits))
        return JSONResponse(await in_time(lambda: explain(api.evaluate(year, name, given, rules=self.rules)),
                                          self.limits.time_limit))

    async def compare(self, request: Request) -> Response:
        year, name, other = (request.path_params[k] for k in ("year", "name", "other"))
        api.load(year, self.rules).worksheet(name)
        api.load(other, self.rules).worksheet(name)
        given = _inputs(await read_body(request, self.limits))
        return JSONResponse(await in_time(lambda: compare(year, other, name, given, self.rules),
                                          self.limits.time_limit))

    async def evaluate_batch(self, request: Request) -> Response:
        year, name = request.path_params["year"], request.path_params["name"]
        api.load(year, self.rules).worksheet(name)
        kind = batch.media_type(request.headers.get("content-type", ""))
        started = time.monotonic()
        body = await read_body(request, self.limits)
        rows = await in_time(lambda: batch.read(year, name, body, kind, self.limits, self.rules),
                             self.limits.time_limit)
        parts = batch.chunks(year, name, rows, self.limits, started, self.rules)
        # The first chunk is computed before answering, so its errors and the time limit still get a status.
        first = await in_time(lambda: next(parts, b""), self.limits.time_limit)

        async def stream() -> Any:
            yield first
            async for part in iterate_in_threadpool(parts):
                yield part
        return StreamingResponse(stream(), media_type=kind)


# The pages load nothing from elsewhere: scripts, styles and requests stay on this server.
CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"


async def _index(request: Request) -> Response:
    return FileResponse(STATIC / "index.html", media_type="text/html", headers={"Content-Security-Policy": CSP})


async def _http_error(request: Request, error: Exception) -> Response:
    status = getattr(error, "status_code", 500)
    titles = {404: "Not found", 405: "Method not allowed"}
    detail = (f"no such page: {request.url.path}" if status == 404 else
              f"{request.method} is not allowed on {request.url.path}" if status == 405 else str(error))
    return problems.response(HttpProblem(status, titles.get(status, "Error"), detail,
                                         kind="not-found" if status == 404 else "http-error"), request.url.path)


async def _server_error(request: Request, error: Exception) -> Response:
    log.error("unexpected error on %s %s: %r", request.method, request.url.path, error)
    return problems.response(problems.from_error(error), request.url.path)


def create_app(rules: str | os.PathLike | None = None, limits: Limits | None = None) -> Starlette:
    """The ctax web application over the rules folder ``rules`` (default: $CTAX_RULES, else the shipped rules)."""
    endpoints = Api(rules, limits or Limits())
    g = _guarded
    worksheet = "/years/{year}/worksheets/{name}"
    routes = [
        Route("/", _index, methods=["GET"]),
        Route("/openapi.json", g(endpoints.openapi), methods=["GET"]),
        Route("/years", g(endpoints.years), methods=["GET"]),
        Route("/years/{year}/worksheets", g(endpoints.worksheets), methods=["GET"]),
        Route(worksheet, g(endpoints.worksheet), methods=["GET"]),
        Route(f"{worksheet}/evaluate", g(endpoints.evaluate), methods=["POST"]),
        Route(f"{worksheet}/evaluate-batch", g(endpoints.evaluate_batch), methods=["POST"]),
        Route(f"{worksheet}/explain", g(endpoints.explain), methods=["POST"]),
        Route(f"{worksheet}/compare/{{other}}", g(endpoints.compare), methods=["POST"]),
        Route("/years/{year}/tables", g(endpoints.tables), methods=["GET"]),
        Route("/years/{year}/tables/{name}", g(endpoints.table), methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: _http_error, Exception: _server_error})


def from_environment() -> Starlette:
    """The application as ``ctax serve`` runs it in each uvicorn worker: limits from CTAX_SERVE_* variables."""
    return create_app(os.environ.get("CTAX_RULES"), Limits.from_environment())
