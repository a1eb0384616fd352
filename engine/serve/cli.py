"""``ctax serve``: run the web application with uvicorn (limits and rules folder passed to each worker
through CTAX_RULES and CTAX_SERVE_* environment variables)."""
from __future__ import annotations

import argparse
import os
from typing import Any

from engine.serve.settings import Limits


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn  # the 'serve' extra; a missing module is reported by the CLI as that extra

    # isort: split
    import starlette  # noqa: F401 - checked here so the error names the extra before uvicorn starts

    limits = Limits(args.max_body_bytes, args.max_batch_rows, args.time_limit)
    os.environ.update(limits.to_environment())
    if args.rules:
        os.environ["CTAX_RULES"] = os.path.abspath(args.rules)
    print(f"ctax serve: http://{args.host}:{args.port}/ (API: /years, OpenAPI: /openapi.json); Ctrl+C stops")
    uvicorn.run("engine.serve.app:from_environment", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_level=args.log_level, proxy_headers=True)
    return 0


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
    return value


def add_parser(sub: Any, add: Any) -> None:
    """Register ``serve`` on the ctax command line (``add`` is cli.build_parser's helper)."""
    default = Limits()
    p = add("serve", "Serve the rules over HTTP: a JSON API (OpenAPI at /openapi.json) and the explainer at /.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--workers", type=_positive_int, default=1, help="uvicorn worker processes (default 1)")
    p.add_argument("--max-body-bytes", type=_positive_int, default=default.max_body_bytes, metavar="N",
                   help=f"largest request body; larger gets 413 (default {default.max_body_bytes})")
    p.add_argument("--max-batch-rows", type=_positive_int, default=default.max_batch_rows, metavar="N",
                   help=f"most rows in one evaluate-batch request; more gets 413 (default {default.max_batch_rows})")
    p.add_argument("--time-limit", type=_positive_float, default=default.time_limit, metavar="SECONDS",
                   help=f"longest evaluation of one request; longer gets 503 (default {default.time_limit:g})")
    p.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))
    p.set_defaults(func=cmd_serve)
