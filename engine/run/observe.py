"""A hook for watching evaluations: when ``recorder`` is set, every worksheet run (traced or not, steps
included) reports the table rows its lines matched. ``ctax coverage``'s pytest plugin
(engine/tools/pytest_plugin.py) sets it to count what the test suite reaches; nothing else does, and
a run with no recorder pays one attribute read.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

# called as recorder(year, matches) with the Match objects of one line, and recorder(year, None) once
# each worksheet run ends (a step's run included)
recorder: Callable[[int, list[Any] | None], None] | None = None
