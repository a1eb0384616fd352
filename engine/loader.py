"""Reads one rule file into plain data, remembering the line and column of every value.

Only a small, safe subset of YAML is accepted: no anchors or aliases (so no expansion
bombs), no tags that build Python objects, no duplicate or non-string keys, and bounded
size and nesting. Numbers become exact ``Decimal``/``int`` values straight from their text,
never binary floats.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterator

import yaml

from .errors import Problem

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 40

_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}


@dataclass
class Document:
    """A rule file's data together with where each part of it stands in the file."""

    file: str
    data: Any
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)

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


class _LoadFailure(Exception):
    def __init__(self, mark: Any, message: str):
        self.line = (mark.line + 1) if mark is not None else 1
        self.column = (mark.column + 1) if mark is not None else 1
        self.message = message


_scalar_builder = yaml.SafeLoader("")
# libyaml's parser is about ten times faster; when it finds a problem the file is parsed again
# with the pure-Python parser so the messages and positions are always the same.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _scalar(node: yaml.ScalarNode) -> Any:
    tag = node.tag
    if tag.endswith(":str") or tag.endswith(":timestamp"):
        return node.value  # dates stay text; the model parses them where a date is meant
    if tag.endswith(":null"):
        return None
    if tag.endswith(":bool"):
        return _scalar_builder.construct_yaml_bool(node)
    if tag.endswith(":int"):
        return _scalar_builder.construct_yaml_int(node)
    if tag.endswith(":float"):
        text = node.value.replace("_", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _LoadFailure(node.start_mark, f"'{node.value}' is not a finite number") from None
        if not number.is_finite():
            raise _LoadFailure(node.start_mark, f"'{node.value}' is not a finite number")
        return number
    raise _LoadFailure(node.start_mark, f"unsupported scalar tag {tag}")


def _convert(node: yaml.Node, path: tuple, doc: Document, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise _LoadFailure(node.start_mark, f"nesting deeper than {MAX_DEPTH} levels")
    if node.tag not in _STANDARD_TAGS:
        raise _LoadFailure(node.start_mark, f"tag {node.tag!r} is not allowed in rule files")
    doc.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, path + (i,), doc, depth + 1) for i, item in enumerate(node.value)]
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
            raise _LoadFailure(key_node.start_mark, "mapping keys must be plain text")
        key = key_node.value
        if key in result:
            raise _LoadFailure(key_node.start_mark, f"duplicate key '{key}'")
        doc.key_positions[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        result[key] = _convert(value_node, path + (key,), doc, depth + 1)
    return result


def _refuse_aliases(text: str, loader: type = yaml.SafeLoader) -> None:
    """Stream the parser's events (no tree yet) and stop at the first alias, anchor or level too deep.

    Checking depth here, before any tree is built, matters: composing a document nested many
    thousands of levels deep overflows libyaml's C stack, and the pure-Python parser slows down
    quadratically with depth.
    """
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise _LoadFailure(event.start_mark, f"nesting deeper than {MAX_DEPTH} levels")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        if isinstance(event, yaml.AliasEvent):
            raise _LoadFailure(event.start_mark, "aliases (*name) are not allowed in rule files")
        if getattr(event, "anchor", None):
            raise _LoadFailure(event.start_mark, "anchors (&name) are not allowed in rule files")


def load_text(text: str, file: str) -> tuple[Document | None, list[Problem]]:
    """Parse YAML text; return the document, or None and the problem that stopped it."""
    doc = Document(file=file, data=None)
    try:
        if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
            raise _LoadFailure(None, f"file is larger than {MAX_FILE_BYTES} bytes")
        node = None
        if _FAST_LOADER is not yaml.SafeLoader:
            try:
                _refuse_aliases(text, _FAST_LOADER)
                node = yaml.compose(text, Loader=_FAST_LOADER)
            except yaml.YAMLError:
                node = None  # parse again below for the pure-Python parser's exact message
            else:
                if node is None:
                    raise _LoadFailure(None, "file is empty")
        if node is None:
            _refuse_aliases(text)
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is None:
            raise _LoadFailure(None, "file is empty")
        doc.data = _convert(node, (), doc, 0)
    except _LoadFailure as failure:
        return None, [Problem(file, failure.line, failure.column, failure.message)]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = " ".join(part for part in (error.context, error.problem) if part)
        return None, [Problem(file, line, column, f"YAML syntax error: {reason}")]
    except yaml.YAMLError as error:
        return None, [Problem(file, 1, 1, f"YAML error: {error}")]
    except RecursionError:
        return None, [Problem(file, 1, 1, f"nesting deeper than {MAX_DEPTH} levels")]
    return doc, []


def load_file(path: Path, display_name: str) -> tuple[Document | None, list[Problem]]:
    """Read and parse one rule file, refusing oversized files before reading them whole."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None, [Problem(display_name, 1, 1, f"file is larger than {MAX_FILE_BYTES} bytes")]
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(display_name, 1, 1, f"cannot read file: {error}")]
    return load_text(text, display_name)


def citations(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, dict]]:
    """Every ``source`` mapping in a file's data, with its path (the loader checks document ids, lint pages)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "source" and isinstance(value, dict):
                yield path + (key,), value
            else:
                yield from citations(value, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from citations(value, path + (i,))
