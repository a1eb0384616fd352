"""A rule file as plain data with the line and column of every value (``Document``), and what is
read off such data: citations, keys anywhere in it, characters a rule file must not hold.
Reading YAML into a Document is engine.loading.yaml_reader's job (imported only when a file is
really read: a warm cache needs no YAML parser)."""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.errors import Problem

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 40

EXCERPT_CHARS = 40

_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}


def excerpt(value: object) -> str:
    """A short, escaped stand-in for a value in a message: never more of a file than a line's first characters.

    A file that is not a rule file at all (a private key copied into ``tables/``) must not come back in
    ``ctax validate`` output, which may be a CI log.
    """
    if isinstance(value, dict):
        return f"a mapping of {len(value)} key(s)"
    if isinstance(value, list):
        return f"a list of {len(value)} item(s)"
    if isinstance(value, str):
        first = value.split("\n", 1)[0]
        cut = first[:EXCERPT_CHARS]
        return repr(cut) + (" (cut)" if cut != value else "")
    text = repr(value)
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "... (cut)"


@dataclass
class Document:
    """A rule file's data together with where each part of it stands in the file."""

    file: str
    data: Any
    # read only: a cached document's are decoded when first looked up (engine.loading.cache)
    positions: Mapping[tuple, tuple[int, int]] = field(default_factory=dict)
    key_positions: Mapping[tuple, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: tuple, *, key: bool = False) -> tuple[int, int]:
        """Line and column of the value (or its key) at ``path``, else of its nearest ancestor."""
        path = tuple(path)
        if key and path in self.key_positions:
            return self.key_positions[path]
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, (1, 1))

    def problem(self, path: tuple, message: str, *, key: bool = False, severity: str = "error") -> Problem:
        line, column = self.where(path, key=key)
        return Problem(self.file, line, column, message, severity)


MULTILINE_KEYS = frozenset({"expression", "formula", "when", "required_if", "note", "description"})
# Unicode bidirectional embeddings, overrides and isolates: they make text display in another order than
# it reads (the "Trojan Source" trick), so a label or a name could look unlike what it is.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def _bad_character(text: str, multiline: bool) -> tuple[int, str] | None:
    for index, char in enumerate(text):
        if char in "\n\t" and multiline:
            continue
        if unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS or char in "\u2028\u2029":
            return index, char
    return None


def control_character_problems(doc: Document) -> list[Problem]:
    """Every key and text value holding a control character, located (a rule file's text is printed
    in terminals, Markdown and HTML: a newline in a title would start a new Markdown line, an escape
    sequence would drive the terminal). Newlines and tabs are allowed in MULTILINE_KEYS only."""
    problems: list[Problem] = []

    def check(text: str, path: tuple, key: bool) -> None:
        field = [part for part in path if isinstance(part, str)]
        multiline = not key and bool(field) and field[-1] in MULTILINE_KEYS
        found = _bad_character(text, multiline)
        if found is not None:
            index, char = found
            what = "key" if key else "text"
            problems.append(doc.problem(path, f"{what} {excerpt(text)} holds the control character U+{ord(char):04X} "
                                              f"at character {index + 1}; rule files may not hold control "
                                              "characters in text", key=key))

    def walk(value: Any, path: tuple) -> None:
        if isinstance(value, dict):
            for name, item in value.items():
                check(name, path + (name,), True)
                walk(item, path + (name,))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, path + (index,))
        elif isinstance(value, str):
            check(value, path, False)

    walk(doc.data, ())
    return problems


def find_key(data: Any, key: str, accept: Callable[[Any], bool] = lambda value: True,
             path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every (path, value) of ``key`` in a file's data, depth first, where ``accept(value)`` holds; a found
    value is not searched further."""
    if isinstance(data, dict):
        for name, value in data.items():
            if name == key and accept(value):
                yield path + (name,), value
            else:
                yield from find_key(value, key, accept, path + (name,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from find_key(value, key, accept, path + (i,))


def citations(data: Any) -> Iterator[tuple[tuple, dict]]:
    """Every ``source`` mapping in a file's data, with its path (the loader checks document ids, lint pages)."""
    return find_key(data, "source", lambda value: isinstance(value, dict))
