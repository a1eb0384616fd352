"""The server's limits (body size, batch rows, time per request): plain settings with no web framework, so
``ctax serve --help`` and the core install's command line never need the 'serve' extra."""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """What one request may ask for; each is configurable (``ctax serve --max-body-bytes`` ...)."""

    max_body_bytes: int = 16 * 1024 * 1024
    max_batch_rows: int = 100_000
    time_limit: float = 30.0  # seconds for one request's evaluation

    @classmethod
    def from_environment(cls) -> Limits:
        """Limits from CTAX_SERVE_MAX_BODY_BYTES, CTAX_SERVE_MAX_BATCH_ROWS, CTAX_SERVE_TIME_LIMIT."""
        default = cls()
        return cls(int(os.environ.get("CTAX_SERVE_MAX_BODY_BYTES", default.max_body_bytes)),
                   int(os.environ.get("CTAX_SERVE_MAX_BATCH_ROWS", default.max_batch_rows)),
                   float(os.environ.get("CTAX_SERVE_TIME_LIMIT", default.time_limit)))

    def to_environment(self) -> dict[str, str]:
        return {"CTAX_SERVE_MAX_BODY_BYTES": str(self.max_body_bytes),
                "CTAX_SERVE_MAX_BATCH_ROWS": str(self.max_batch_rows),
                "CTAX_SERVE_TIME_LIMIT": str(self.time_limit)}
