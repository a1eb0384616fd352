"""``ctax review FILE...``: removes the ``review:`` markers that make a year a draft (finding them is
engine/loading/review_markers.py's job).

``ctax new-year`` puts a ``review:`` line in every file it copies; a maintainer may add more on
single rows or lines. While any remains, the year is a *draft*: it validates and evaluates (with a
warning on standard error, and ``draft: true`` in the result), ``ctax lint`` lists the markers, and
``ctax lint --release`` (implied by ``--strict``) fails. ``ctax review FILE...`` says "I have checked
these files": it deletes every ``review:`` key of each file, keeping everything else byte for byte.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from engine.errors import CtaxError
from engine.loading.documents import Document
from engine.loading.review_markers import markers
from engine.loading.yaml_reader import load_file


class ReviewError(CtaxError):
    """A review marker cannot be removed automatically; the message says where."""


def _without_markers(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_markers(v) for k, v in data.items() if k != "review"}
    if isinstance(data, list):
        return [_without_markers(v) for v in data]
    return data


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def strip_markers(text: str, doc: Document) -> str:
    """The file's text without its review keys (block-style keys only; each with its continuation lines)."""
    lines = text.splitlines(keepends=True)
    drop: set[int] = set()
    for path, _ in markers(doc.data):
        line, column = doc.where(path, key=True)
        index = line - 1
        own = lines[index] if index < len(lines) else ""
        if not own[column - 1:].startswith("review:") or own[:column - 1].strip():
            raise ReviewError(f"{doc.file}:{line}:{column}: this review marker is inside a line of its own "
                              f"mapping; delete it by hand")
        drop.add(index)
        following = index + 1
        while following < len(lines) and (not lines[following].strip() or _indent(lines[following]) > column - 1):
            if not lines[following].strip() and (following + 1 >= len(lines) or
                                                  _indent(lines[following + 1]) <= column - 1):
                break  # a blank line before the next key belongs to the layout, not to the marker
            drop.add(following)
            following += 1
    return "".join(line for i, line in enumerate(lines) if i not in drop)


def review(path: Path) -> int:
    """Delete every review marker of one rule file, atomically; returns how many there were."""
    display = str(path)
    if path.is_symlink() or not path.is_file():
        raise ReviewError(f"{display}: not a regular file")
    doc, problems = load_file(path, display)
    if doc is None or problems:
        raise ReviewError("; ".join(map(str, problems)) or f"{display}: cannot read")
    found = list(markers(doc.data))
    if not found:
        return 0
    text = path.read_text(encoding="utf-8")
    new_text = strip_markers(text, doc)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(new_text)
        new_doc, new_problems = load_file(Path(temporary), display)
        if new_doc is None or new_problems or new_doc.data != _without_markers(doc.data):
            raise ReviewError(f"{display}: removing the review markers would change more than the markers; "
                              f"delete them by hand")
        os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return len(found)
