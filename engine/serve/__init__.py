"""``ctax serve``: the rule sets over HTTP (a JSON API with an OpenAPI document) and the explainer pages.

Built on Starlette (ASGI) and served by uvicorn; both come with the ``serve`` extra. Modules:
app (routes and error handling), problems (RFC 9457 error bodies), limits (body size, batch rows,
time), describe (worksheets and tables as JSON, inputs as JSON Schema), openapi (the OpenAPI
document from the rule sets), batch (evaluate-batch bodies in and out), explain (a result as the
explainer prints it), compare (one case in two years), cli (the ``ctax serve`` subcommand), static/ (the
explainer's page, script and style).
"""
from __future__ import annotations

from typing import Any


def create_app(*args: Any, **kwargs: Any) -> Any:
    """The ASGI application (see engine.serve.app.create_app); imported only when called."""
    from engine.serve.app import create_app as create

    return create(*args, **kwargs)


__all__ = ["create_app"]
