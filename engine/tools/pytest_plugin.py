"""A pytest plugin that counts every evaluation the test suite makes, for ``ctax coverage``.

Active only when ``CTAX_COVERAGE_FILE`` names a file: while the tests run, every worksheet run
(``engine.evaluate``, traced or not, the YAML cases, the grid and property tests, steps included)
reports the table rows it matched (engine/run/observe.py); at the end the plugin writes them to that
file as JSON (``"format": "ctax.coverage/1"``) with the number of worksheet runs per year, which
``ctax coverage --record FILE`` reads and ``ctax coverage --run-tests`` produces. The vectorised
batch path (engine/run/column.py) matches rows without a trace and is not counted; its scalar fallback
rows are. Register it with
``pytest_plugins = ["engine.tools.pytest_plugin"]`` in a conftest.py (tests/conftest.py does).
"""
from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from engine.run import observe

RECORD_FORMAT = "ctax.coverage/1"


class Recorder:
    """The rows matched, and how many worksheet runs (steps included) each year had."""

    def __init__(self) -> None:
        self.rows: set[tuple] = set()
        self.evaluations: dict[int, int] = {}
        self._lock = threading.Lock()  # the property tests evaluate from several threads

    def __call__(self, year: int, matches: list[Any] | None) -> None:
        if matches is None:
            with self._lock:
                self.evaluations[year] = self.evaluations.get(year, 0) + 1
            return
        keys = {(year, m.table, m.column, None if m.lower is None else str(m.lower),
                 None if m.upper is None else str(m.upper)) for m in matches}
        with self._lock:
            self.rows |= keys

    def to_dict(self) -> dict:
        return {"format": RECORD_FORMAT,
                "evaluations": {str(y): n for y, n in sorted(self.evaluations.items())},
                "rows": sorted([list(k) for k in self.rows], key=lambda k: [str(x) for x in k])}


def write_record(data: dict, target: Path) -> None:
    """Write the record whole or not at all (a temporary file beside it, then renamed)."""
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def pytest_configure(config: Any) -> None:
    target = os.environ.get("CTAX_COVERAGE_FILE")
    if not target:
        return
    recorder = Recorder()
    observe.recorder = recorder
    config.stash_ctax_coverage = (recorder, Path(target))


def pytest_unconfigure(config: Any) -> None:
    found = getattr(config, "stash_ctax_coverage", None)
    if found is None:
        return
    recorder, target = found
    observe.recorder = None
    write_record(recorder.to_dict(), target)
