"""Reads one rule file into a Document, remembering the line and column of every value.

Only a small, safe subset of YAML is accepted: no anchors or aliases (so no expansion
bombs), no tags that build Python objects, no duplicate or non-string keys, and bounded
size and nesting. Numbers become exact ``Decimal``/``int`` values straight from their text,
never binary floats.
"""
from __future__ import annotations

import os
import re
import stat
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar, cast

import yaml

from engine.errors import Problem
from engine.loading.bounded_read import read_at_most
from engine.loading.documents import _STANDARD_TAGS, MAX_DEPTH, MAX_FILE_BYTES, Document, excerpt


class _LoadFailure(Exception):
    def __init__(self, mark: Any, message: str):
        self.line = (mark.line + 1) if mark is not None else 1
        self.column = (mark.column + 1) if mark is not None else 1
        self.message = message


_scalar_builder = yaml.SafeLoader("")
_INT_TAG, _FLOAT_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
# YAML 1.2 (core schema) number forms, decimal only. PyYAML implements YAML 1.1, where `060000` is octal
# (24576), `1:20` base 60 (80), `0x1F`/`0b101` hexadecimal/binary and `1_000` a thousand; under these
# resolvers the last four are text (refused wherever a number is meant), and a leading zero is refused
# in _number below, since a reader, or a YAML 1.1 tool, could take it for octal.
_YAML12_INT = re.compile(r"^[-+]?[0-9]+$")
_YAML12_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"
                           r"|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$")
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9]")
MAX_NUMBER_CHARS = 40  # as for numbers in expressions (engine.lang.expressions)
# figures of 10^21 or more, or nonzero below 10^-20, are refused (as numbers in expressions are)


_Loader = TypeVar("_Loader", bound=yaml.resolver.BaseResolver)


def _yaml12(loader: type[_Loader]) -> type[_Loader]:
    """``loader`` with YAML 1.2 number resolution (the other implicit types, such as booleans, unchanged)."""
    resolvers = {first: [(tag, rx) for tag, rx in entries if tag not in (_INT_TAG, _FLOAT_TAG)]
                 for first, entries in loader.yaml_implicit_resolvers.items()}
    strict = cast(type[_Loader], type(f"Yaml12{loader.__name__}", (loader,), {"yaml_implicit_resolvers": resolvers}))
    strict.add_implicit_resolver(_INT_TAG, _YAML12_INT, list("-+0123456789"))
    strict.add_implicit_resolver(_FLOAT_TAG, _YAML12_FLOAT, list("-+.0123456789"))
    return strict


_SAFE_LOADER = _yaml12(yaml.SafeLoader)
# libyaml's parser is about ten times faster; when it finds a problem the file is parsed again
# with the pure-Python parser so the messages and positions are always the same.
_FAST_LOADER = _yaml12(yaml.CSafeLoader) if hasattr(yaml, "CSafeLoader") else _SAFE_LOADER


def _number(node: yaml.ScalarNode) -> Decimal | int:
    """A plain number, exactly, within the bounds every file ctax reads keeps to; refused otherwise."""
    text = node.value
    if len(text) > MAX_NUMBER_CHARS:
        raise _LoadFailure(node.start_mark, f"number {excerpt(text)} is longer than {MAX_NUMBER_CHARS} characters")
    if _LEADING_ZERO.match(text):
        raise _LoadFailure(node.start_mark, f"number '{text}' has a leading zero, which YAML 1.1 tools read "
                                            "as octal; write it without the zero (or quote it if it is text)")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _LoadFailure(node.start_mark, f"{excerpt(text)} is not a finite number") from None
    if not number.is_finite():
        raise _LoadFailure(node.start_mark, f"{excerpt(text)} is not a finite number")
    if number and not -20 <= number.adjusted() < 21:  # no arithmetic: abs(1e999999999) would overflow
        raise _LoadFailure(node.start_mark, f"number '{text}' is out of range (10^-20 to below 10^21)")
    return int(number) if node.tag == _INT_TAG else number


def _scalar(node: yaml.ScalarNode) -> Any:
    tag = node.tag
    if tag.endswith((":str", ":timestamp")):
        return node.value  # dates stay text; the model parses them where a date is meant
    if tag.endswith(":null"):
        return None
    if tag.endswith(":bool"):
        return _scalar_builder.construct_yaml_bool(node)
    if tag in (_INT_TAG, _FLOAT_TAG):
        return _number(node)
    raise _LoadFailure(node.start_mark, f"unsupported scalar tag {tag}")


def _convert(node: yaml.Node, path: tuple, positions: dict[tuple, tuple[int, int]],
             key_positions: dict[tuple, tuple[int, int]], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise _LoadFailure(node.start_mark, f"nesting deeper than {MAX_DEPTH} levels")
    if node.tag not in _STANDARD_TAGS:
        raise _LoadFailure(node.start_mark, f"tag {node.tag!r} is not allowed in rule files")
    positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, path + (i,), positions, key_positions, depth + 1) for i, item in enumerate(node.value)]
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
            raise _LoadFailure(key_node.start_mark, "mapping keys must be plain text")
        key = key_node.value
        if key in result:
            raise _LoadFailure(key_node.start_mark, f"duplicate key {excerpt(key)}")
        key_positions[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        result[key] = _convert(value_node, path + (key,), positions, key_positions, depth + 1)
    return result


def _refuse_aliases(text: str, loader: type = _SAFE_LOADER) -> None:
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
    positions: dict[tuple, tuple[int, int]] = {}
    key_positions: dict[tuple, tuple[int, int]] = {}
    try:
        if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
            raise _LoadFailure(None, f"file is larger than {MAX_FILE_BYTES} bytes")
        node = None
        if _FAST_LOADER is not _SAFE_LOADER:
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
            node = yaml.compose(text, Loader=_SAFE_LOADER)
        if node is None:
            raise _LoadFailure(None, "file is empty")
        data = _convert(node, (), positions, key_positions, 0)
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
    return Document(file, data, positions, key_positions), []


def load_file(path: Path, display_name: str) -> tuple[Document | None, list[Problem]]:
    """Read and parse one YAML file (a case or inputs file): a regular file, size-checked before reading.

    Opened without blocking, so a FIFO or device given as a file is refused instead of hanging.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):
                return None, [Problem(display_name, 1, 1, "is not a regular file; it was not read")]
            if info.st_size > MAX_FILE_BYTES:
                return None, [Problem(display_name, 1, 1, f"file is larger than {MAX_FILE_BYTES} bytes")]
            data = read_at_most(descriptor, MAX_FILE_BYTES)
        finally:
            os.close(descriptor)
    except OSError as error:
        return None, [Problem(display_name, 1, 1, f"cannot read file: {error.strerror or type(error).__name__}")]
    return load_bytes(data, display_name)


def load_bytes(data: bytes, display_name: str) -> tuple[Document | None, list[Problem]]:
    """Parse a rule file's bytes (already read, and size-checked, by the caller)."""
    if len(data) > MAX_FILE_BYTES:
        return None, [Problem(display_name, 1, 1, f"file is larger than {MAX_FILE_BYTES} bytes")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        return None, [Problem(display_name, line, column, "file is not valid UTF-8 text")]
    return load_text(text, display_name)


# Text that may run over several lines: expressions (newlines are spaces there) and prose notes.
