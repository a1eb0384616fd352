"""An on-disk cache of a year's parsed and schema-checked rule documents, to start fast.

Reading YAML and checking it against the JSON Schemas is most of the cost of loading a rule set,
and the schema library alone takes tens of milliseconds to import. A year whose rule set loaded
without any problem is stored as plain JSON (its documents' data and the line/column of every
value) under ``$CTAX_CACHE_DIR`` (default ``$XDG_CACHE_HOME/ctax`` or ``~/.cache/ctax``), never
inside ``rules/``. The entry is used only while its fingerprint still matches: a SHA-256 of the very
bytes the rule files were parsed from (engine.loading.snapshot reads each file once), of the schema files
and of the engine's own source files, so editing a rule, a schema or the engine invalidates it.

The cache cannot change an answer:

- it is per user: the folder is created private (0700) and used only while it is a real folder
  (not a link) owned by the user with no access for others;
- every entry is authenticated with an HMAC-SHA256 under a per-user random key kept in that folder
  (0600), so an entry forged or damaged by anyone else is refused;
- entries and the key are read only if they are regular files (no links, FIFOs or devices) of
  bounded size owned by the user; any doubt at all means "no cache" and the files are read and
  checked as usual;
- it holds data only (JSON: never pickle), and tables and worksheets are still built and compiled
  from it on every start, so the structural checks and the expression compiler's checks always run;
- ``ctax validate`` never uses it.

An entry is read lazily, so one evaluation pays only for the files it needs: the HMAC is checked over
the whole entry, but only its head (the format, the fingerprint and an index of where each document
stands in the entry) is parsed up front; a document's data is decoded the first time it is read
(``CachedDocuments``), and its positions (most of the bytes, and needed only to place a problem or a
worksheet line) apart, the first time they are looked up. The entry is one JSON object whose
``documents`` list comes last; the index gives each item's byte range and where its data and
positions end. A document whose bytes do not decode to the file the index names (possible only if
the user's own key sealed a damaged entry) is read from its rule file instead.

Set ``CTAX_CACHE_DIR=off`` to disable it.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple

from engine.errors import Problem, RuleSetError
from engine.loading.bounded_read import read_at_most
from engine.loading.documents import Document
from engine.loading.resources import shipped
from engine.loading.snapshot import Snapshot

CACHE_FORMAT = "ctax.rules-cache/3"
KINDS = ("ruleset", "table", "worksheet")
MAX_ENTRY_BYTES = 64 * 1024 * 1024
KEY_BYTES = 32
_KEY_FILE = "hmac.key"
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
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
        code = path.read_bytes()
        digest.update(f"engine {path.name} {len(code)}\n".encode())
        digest.update(code)
    for path in sorted(_SCHEMA_DIR.glob("*.json")):
        digest.update(f"schema {path.name}\n".encode())
        digest.update(path.read_bytes())
    digest.update(f"rules {snapshot.digest()}\n".encode())
    return digest.hexdigest()


def _entry_path(folder: Path, directory: Path) -> Path:
    name = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:32]
    return folder / f"rules-{name}.json"


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


def _own(info: os.stat_result) -> bool:
    return not hasattr(os, "getuid") or info.st_uid == os.getuid()


def _private_dir() -> Path | None:
    """The user's cache folder, created 0700; None unless it is a real folder owned by the user, private."""
    base = cache_dir()
    if base is None:
        return None
    try:
        base.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(base)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or not _own(info):
        return None
    if hasattr(os, "getuid") and stat.S_IMODE(info.st_mode) & 0o077:
        # the user's own folder, made by an older ctax or by hand: make it private (files others may have
        # put there are not the user's, so _read_private refuses them)
        try:
            os.chmod(base, 0o700)  # a real folder (checked above with lstat), not a link
            if stat.S_IMODE(os.lstat(base).st_mode) & 0o077:
                return None
        except (OSError, NotImplementedError):
            return None
    return base


def _read_private(path: Path, limit: int) -> bytes | None:
    """The bytes of a regular file owned by the user, at most ``limit``; None for anything else."""
    try:
        descriptor = os.open(path, _READ_FLAGS)
    except OSError:
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or not _own(info) or info.st_size > limit:
            return None
        data = read_at_most(descriptor, limit)
        return data if len(data) <= limit else None
    except OSError:
        return None
    finally:
        os.close(descriptor)


def _key(folder: Path, create: bool) -> bytes | None:
    """The user's HMAC key (made on first store); None if missing, foreign or not exactly KEY_BYTES long."""
    path = folder / _KEY_FILE
    key = _read_private(path, KEY_BYTES)
    if key is None and create:
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except OSError:
            return None  # another process made it meanwhile, or the folder is not writable
        try:
            import secrets  # only when a key is made: not on a warm start

            os.write(descriptor, secrets.token_bytes(KEY_BYTES))
        finally:
            os.close(descriptor)
        key = _read_private(path, KEY_BYTES)
    return key if key is not None and len(key) == KEY_BYTES else None


def _seal(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).hexdigest().encode() + b"\n" + payload


def _unseal(key: bytes, data: bytes) -> bytes | None:
    tag, newline, payload = data.partition(b"\n")
    if not newline or not hmac.compare_digest(tag, hmac.new(key, payload, hashlib.sha256).hexdigest().encode()):
        return None
    return payload


class Entry(NamedTuple):
    """One document of a cached year, as its index names it."""

    kind: str  # ruleset, table or worksheet
    path: str  # its file relative to the year folder (a key of the snapshot's files)
    file: str  # its display name (Document.file)
    name: str  # the table's or worksheet's name as its document gives it (the file's stem); "" for ruleset


class _Range(NamedTuple):
    """Where a document's item stands in the payload: it is ``{"kind":K,"file":F,"data":D,"positions":P,
    "key_positions":Q}`` (JSON, no spaces), from ``start`` to ``stop``, D ending at ``data_end`` and P at
    ``positions_end``."""

    start: int
    data_end: int
    positions_end: int
    stop: int


class CachedDocuments(Mapping[str, Document]):
    """A cached year's documents by display name, each decoded from its range of the entry when first read.

    A document whose range does not decode is read from its file in ``snapshot`` instead.
    """

    def __init__(self, payload: bytes, index: list[tuple[Entry, _Range]], snapshot: Snapshot):
        self._payload = payload
        self._ranges = {entry.file: (entry, where) for entry, where in index}
        self._snapshot = snapshot
        self._decoded: dict[str, Document] = {}
        self.entries = [entry for entry, _ in index]

    def __getitem__(self, file: str) -> Document:
        found = self._decoded.get(file)
        if found is None:
            entry, where = self._ranges[file]
            try:
                found = _document(entry, self._payload, where, self._snapshot)
            except (_Corrupt, ValueError, TypeError, KeyError, RecursionError):
                found = _reread(self._snapshot, entry)
            self._decoded[file] = found
        return found

    def __contains__(self, file: object) -> bool:
        return file in self._ranges

    def __iter__(self) -> Iterator[str]:
        return iter(self._ranges)

    def __len__(self) -> int:
        return len(self._ranges)

    @property
    def decoded(self) -> frozenset[str]:
        """The display names of the documents read so far."""
        return frozenset(self._decoded)


def _reread(snapshot: Snapshot, entry: Entry) -> Document:
    """A cached document read from its file (the same bytes the cache was made from) and checked again."""
    from engine.loading.schema import read_checked  # YAML and jsonschema: only for a damaged entry

    doc, problems = read_checked(snapshot.files[entry.path], entry.file, entry.kind)
    errors = [problem for problem in problems if problem.severity == "error"]
    if doc is None or errors:
        raise RuleSetError(errors or [Problem(entry.file, 1, 1, "the rule file could not be read")])
    return doc


_POSITIONS_KEY = b',"positions":'
_KEY_POSITIONS_KEY = b',"key_positions":'


def _item_head(kind: str, file: str) -> bytes:
    """An item's bytes up to its data, as json.dumps writes them (so they can be checked byte for byte)."""
    return b'{"kind":' + json.dumps(kind).encode() + b',"file":' + json.dumps(file).encode() + b',"data":'


def _document(entry: Entry, payload: bytes, where: _Range, snapshot: Snapshot) -> Document:
    """The document at ``where``: its data decoded now, its positions when first looked up."""
    start, data_end, positions_end, stop = where
    head = _item_head(entry.kind, entry.file)
    key_positions_start = positions_end + len(_KEY_POSITIONS_KEY)
    # the bytes between the parts must be exactly what the writer put there: else the ranges are not this item's
    if payload[start:start + len(head)] != head or \
            payload[data_end:data_end + len(_POSITIONS_KEY)] != _POSITIONS_KEY or \
            payload[positions_end:key_positions_start] != _KEY_POSITIONS_KEY or payload[stop - 1:stop] != b"}":
        raise _Corrupt("not the document the index names")
    data = _decode(json.loads(payload[start + len(head):data_end]))
    return Document(entry.file, data,
                    _Positions(payload[data_end + len(_POSITIONS_KEY):positions_end],
                               lambda: _reread(snapshot, entry).positions),
                    _Positions(payload[key_positions_start:stop - 1], lambda: _reread(snapshot, entry).key_positions))


class _Positions(Mapping[tuple, tuple[int, int]]):
    """A cached document's positions, decoded when first looked up: a problem's place is all they give, and
    a cached year has none, so most documents never need theirs. Positions that do not decode are read
    again from the file (``reread``)."""

    def __init__(self, raw: bytes, reread: Callable[[], Mapping[tuple, tuple[int, int]]]):
        self._raw = raw  # their JSON: parsed only when needed
        self._reread = reread
        self._decoded: Mapping[tuple, tuple[int, int]] | None = None

    def _mapping(self) -> Mapping[tuple, tuple[int, int]]:
        if self._decoded is None:
            try:
                self._decoded = _positions(json.loads(self._raw))
            except (_Corrupt, ValueError, TypeError, RecursionError):
                self._decoded = self._reread()
            self._raw = b""
        return self._decoded

    def __getitem__(self, path: tuple) -> tuple[int, int]:
        return self._mapping()[path]

    def __contains__(self, path: object) -> bool:
        return path in self._mapping()

    def __iter__(self) -> Iterator[tuple]:
        return iter(self._mapping())

    def __len__(self) -> int:
        return len(self._mapping())


# The entry's head ends where its documents begin: json.dumps writes a quote inside a string as \", so this
# text, with its bare quotes, occurs first at the real key (the head's keys come in a fixed order).
_DOCUMENTS_KEY = b',"documents":['


def _head(payload: bytes) -> tuple[Any, int]:
    """The entry's head (parsed) and where its documents list starts; (None, -1) if there is no such head."""
    head_end = payload.find(_DOCUMENTS_KEY)
    if head_end < 0:
        return None, -1
    return json.loads(payload[:head_end] + b"}"), head_end + len(_DOCUMENTS_KEY)


def _index(head: dict, payload: bytes, base: int) -> list[tuple[Entry, _Range]] | None:
    """The entry's index, with each document's ranges checked to lie in the documents list in order; None if
    it is not one."""
    index, position, end = [], base, len(payload) - len(b"]}")
    if not isinstance(head.get("index"), list) or payload[end:] != b"]}":
        return None
    for kind, path, file, name, *offsets in head["index"]:
        if kind not in KINDS or not all(isinstance(text, str) for text in (path, file, name)) \
                or len(offsets) != 4 or not all(type(offset) is int for offset in offsets):
            return None
        where = _Range(*(base + offset for offset in offsets))
        if not position <= where.start < where.data_end < where.positions_end < where.stop <= end:
            return None
        index.append((Entry(kind, path, file, name), where))
        position = where.stop
    return index if [entry.kind for entry, _ in index].count("ruleset") == 1 else None


def load(snapshot: Snapshot) -> tuple[str, CachedDocuments | None]:
    """The fingerprint, and the cached documents (each decoded when first read) if an authentic, matching
    entry exists."""
    try:
        stamp = fingerprint(snapshot)
    except OSError:
        return "", None
    folder = _private_dir()
    if folder is None:
        return stamp, None
    try:
        key = _key(folder, create=False)
        data = _read_private(_entry_path(folder, snapshot.directory), MAX_ENTRY_BYTES) if key else None
        payload = _unseal(key, data) if key and data else None
        if payload is None:
            return stamp, None
        head, base = _head(payload)
        if not isinstance(head, dict) or head.get("format") != CACHE_FORMAT or head.get("fingerprint") != stamp:
            return stamp, None
        index = _index(head, payload, base)
        if index is None:
            return stamp, None
        return stamp, CachedDocuments(payload, index, snapshot)
    except Exception:  # noqa: BLE001 - any doubt about an entry means: read the rule files instead
        return stamp, None


def store(snapshot: Snapshot, stamp: str, documents: list[tuple[str, str, Document]]) -> None:
    """Write the entry of (kind, path, document) atomically (a new private file, then renamed); any failure
    only means no cache."""
    folder = _private_dir()
    if folder is None or not stamp:
        return
    try:
        key = _key(folder, create=True)
        if key is None:
            return
        bodies, ranges, position = [], [], 0  # each item, and its ranges counted from the start of the documents list
        for kind, _, doc in documents:
            parts = [_item_head(kind, doc.file)]
            for part in (_encode(doc.data), _POSITIONS_KEY, [[list(p), *at] for p, at in doc.positions.items()],
                         _KEY_POSITIONS_KEY, [[list(p), *at] for p, at in doc.key_positions.items()], b"}"):
                parts.append(part if isinstance(part, bytes) else json.dumps(part, separators=(",", ":")).encode())
            body = b"".join(parts)
            data_end = position + len(parts[0]) + len(parts[1])
            positions_end = data_end + len(parts[2]) + len(parts[3])
            ranges.append((position, data_end, positions_end, position + len(body)))
            bodies.append(body)
            position += len(body) + 1  # and the comma between items
        head = json.dumps({"format": CACHE_FORMAT, "fingerprint": stamp,
                           "index": [[kind, path, doc.file, "" if kind == "ruleset" else doc.data[kind], *where]
                                     for (kind, path, doc), where in zip(documents, ranges)]},
                          separators=(",", ":")).encode("utf-8")
        payload = head[:-1] + _DOCUMENTS_KEY + b",".join(bodies) + b"]}"
        sealed = _seal(key, payload)
        if len(sealed) > MAX_ENTRY_BYTES:
            return
        import tempfile  # only when an entry is written: not on a warm start

        fd, temporary = tempfile.mkstemp(prefix=".rules-", suffix=".tmp", dir=folder)  # created 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(sealed)
            os.replace(temporary, _entry_path(folder, snapshot.directory))
        except BaseException:
            os.unlink(temporary)
            raise
    except (OSError, ValueError, TypeError, RecursionError):
        pass
