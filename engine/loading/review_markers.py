"""Review markers: the ``review:`` keys that make a year a draft (see engine/tools/review.py for
``ctax review FILE...``, which removes them)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.loading.documents import Document, find_key


def markers(data: Any) -> Iterator[tuple[tuple, str]]:
    """Every (path, text) of a ``review:`` key in a file's data, depth first."""
    return find_key(data, "review")


def draft_files(documents: dict[str, Document]) -> list[str]:
    """The files (display names) that still carry a review marker."""
    return sorted(name for name, doc in documents.items() if next(markers(doc.data), None) is not None)
