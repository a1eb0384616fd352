"""An on-disk cache of a year's parsed and schema-checked rule documents, to start fast.

Reading YAML and checking it against the JSON Schemas is most of the cost of loading a rule set,
and the schema library alone takes tens of milliseconds to import. A year whose rule set loaded
without any problem is stored as plain JSON (its documents' data and the line/column of every
value) under ``$CTAX_CACHE_DIR`` (default ``$XDG_CACHE_HOME/ctax`` or ``~/.cache/ctax``), never
inside ``rules/``. The entry is used only while its fingerprint still matches: a SHA-256 of every
rule file's path and bytes, of the schema files, and of the engine's own source files (names, sizes,
modification times), so editing a rule, a schema or the engine invalidates it.

The cache holds data only (JSON: never pickle), so a damaged or foreign file cannot run code; it is
read defensively and any problem means "no cache": the files are then read and checked as usual.
Tables and worksheets are still built and compiled from the cached data on every start, so the
structural checks and the expression compiler's safety checks always run.
Set ``CTAX_CACHE_DIR=off`` to disable it.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .loader import Document
from .resources import shipped
from .snapshot import Snapshot

CACHE_FORMAT = "ctax.rules-cache/1"
_ENGINE_DIR = Path(__file__).resolve().parent
_SCHEMA_DIR = shipped("schemas")


class _Corrupt(Exception):
    pass


def cache_dir() -> Path | None:
    """Where cache entries go, or None when caching is off."""
    setting = os.environ.get("CTAX_CACHE_DIR")
    if setting is not None:
        if setting.strip().lower() in ("", "off", "0", "no", "false"):
            return None
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ctax"


def fingerprint(snapshot: Snapshot) -> str:
    """A digest that changes whenever a rule file, a schema or the engine's code changes."""
    digest = hashlib.sha256(CACHE_FORMAT.encode())
    for path in sorted(_ENGINE_DIR.glob("*.py")):
        info = path.stat()
        digest.update(f"engine {path.name} {info.st_size} {info.st_mtime_ns}\n".encode())
    for path in sorted(_SCHEMA_DIR.glob("*.json")):
        digest.update(f"schema {path.name}\n".encode())
        digest.update(path.read_bytes())
    digest.update(f"rules {snapshot.digest()}\n".encode())
    return digest.hexdigest()


def _entry_path(directory: Path) -> Path | None:
    base = cache_dir()
    if base is None:
        return None
    name = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:32]
    return base / f"rules-{name}.json"


def _encode(value: Any) -> Any:
    # Every mapping is wrapped so a Decimal's tag can never be confused with rule data.
    if isinstance(value, dict):
        return {"m": {key: _encode(item) for key, item in value.items()}}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, Decimal):
        return {"d": str(value)}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get("m"), dict):
            return {key: _decode(item) for key, item in value["m"].items()}
        if len(value) == 1 and isinstance(value.get("d"), str):
            try:
                number = Decimal(value["d"])
            except InvalidOperation:
                raise _Corrupt("bad number") from None
            if not number.is_finite():
                raise _Corrupt("bad number")
            return number
        raise _Corrupt("unexpected mapping")
    if value is None or isinstance(value, (str, int, bool)):
        return value
    raise _Corrupt("unexpected value")


def _positions(items: Any) -> dict[tuple, tuple[int, int]]:
    if not isinstance(items, list):
        raise _Corrupt("positions")
    result = {}
    for item in items:
        path, line, column = item
        if not isinstance(path, list) or not isinstance(line, int) or not isinstance(column, int):
            raise _Corrupt("position")
        result[tuple(path)] = (line, column)
    return result


def load(snapshot: Snapshot) -> tuple[str, list[tuple[str, Document]] | None]:
    """The fingerprint, and the cached (kind, document) list if a matching entry exists."""
    try:
        stamp = fingerprint(snapshot)
    except OSError:
        return "", None
    entry = _entry_path(snapshot.directory)
    if entry is None:
        return stamp, None
    try:
        with open(entry, "rb") as handle:
            raw = json.loads(handle.read(64 * 1024 * 1024))
        if not isinstance(raw, dict) or raw.get("format") != CACHE_FORMAT or raw.get("fingerprint") != stamp:
            return stamp, None
        documents = []
        for item in raw["documents"]:
            doc = Document(item["file"], _decode(item["data"]), _positions(item["positions"]),
                           _positions(item["key_positions"]))
            if item["kind"] not in ("ruleset", "table", "worksheet") or not isinstance(doc.file, str):
                return stamp, None
            documents.append((item["kind"], doc))
        return stamp, documents
    except (OSError, ValueError, KeyError, TypeError, RecursionError, _Corrupt):
        return stamp, None  # missing, damaged or foreign: read the rule files instead


def store(snapshot: Snapshot, stamp: str, documents: list[tuple[str, Document]]) -> None:
    """Write the entry atomically; a read-only or full disk only means no cache."""
    entry = _entry_path(snapshot.directory)
    if entry is None or not stamp:
        return
    payload = {
        "format": CACHE_FORMAT,
        "fingerprint": stamp,
        "documents": [{"kind": kind, "file": doc.file, "data": _encode(doc.data),
                       "positions": [[list(p), *where] for p, where in doc.positions.items()],
                       "key_positions": [[list(p), *where] for p, where in doc.key_positions.items()]}
                      for kind, doc in documents],
    }
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".rules-", suffix=".tmp", dir=entry.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, separators=(",", ":"))
            os.replace(temporary, entry)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass
