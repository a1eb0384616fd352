"""Holding a request to the server's limits (engine/serve/settings.py): reading a body, counting rows, timing work."""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from engine.serve.problems import HttpProblem
from engine.serve.settings import Limits


def too_large(limit: int) -> HttpProblem:
    return HttpProblem(413, "Content too large", f"the request body is larger than the limit of {limit} bytes",
                       kind="body-too-large", limit=limit)


async def read_body(request: Request, limits: Limits) -> bytes:
    """The whole body, refused with 413 as soon as it passes ``max_body_bytes`` (declared or sent)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_body_bytes:
        raise too_large(limits.max_body_bytes)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limits.max_body_bytes:
            raise too_large(limits.max_body_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def check_rows(count: int, limits: Limits) -> None:
    if count > limits.max_batch_rows:
        raise HttpProblem(413, "Too many rows", f"the batch has {count} rows; the limit is {limits.max_batch_rows} "
                                                f"rows per request", kind="too-many-rows",
                          limit=limits.max_batch_rows)


def timed_out(limit: float) -> HttpProblem:
    return HttpProblem(503, "Time limit exceeded", f"the request took longer than the limit of {limit:g} seconds",
                       kind="time-limit", limit=limit)


async def in_time(work: Callable[[], Any], seconds: float) -> Any:
    """Run blocking ``work`` on a worker thread; 503 when it has not finished within ``seconds``."""
    try:
        return await asyncio.wait_for(run_in_threadpool(work), timeout=seconds)
    except TimeoutError:
        raise timed_out(seconds) from None
