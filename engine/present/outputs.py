"""Writes a set of generated files into an output folder safely (``ctax docs --out DIR``).

- Nothing is written through a symlink: every folder under DIR is opened relative to its parent
  with ``O_NOFOLLOW``, and every file is written by engine.safefiles.atomic_output in that open
  folder: a new temporary file renamed over the target, which replaces a directory entry and never
  follows one.
- A file that exists and that ctax did not write is not replaced unless ``force``: ctax keeps a
  manifest (``.ctax-written.json`` in DIR) of the files it wrote with the SHA-256 of each, so a file
  of the user's own (an ``index.md``), a symlink, or a generated file edited since is "not ctax's".
- Nothing is written half-way: every target is checked before the first file is written.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import PurePosixPath
from typing import Literal, overload

from engine.errors import CtaxError
from engine.safefiles import atomic_output

MANIFEST = ".ctax-written.json"
MANIFEST_MAX_BYTES = 16 * 1024 * 1024
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)


class OutputError(CtaxError):
    """The output folder cannot be written as asked; the message names the file."""


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _parts(relative: str) -> tuple[str, ...]:
    path = PurePosixPath(relative)
    if path.is_absolute() or not path.parts or any(p in ("", ".", "..") for p in path.parts):
        raise OutputError(f"{relative}: not a plain path inside the output folder")
    return path.parts


@overload
def _open_dir(parent: int, name: str, create: Literal[True], shown: str) -> int: ...
@overload
def _open_dir(parent: int, name: str, create: bool, shown: str) -> int | None: ...
def _open_dir(parent: int, name: str, create: bool, shown: str) -> int | None:
    """A folder under ``parent`` (a directory fd), never through a symlink; None if absent and not created."""
    try:
        info = os.stat(name, dir_fd=parent, follow_symlinks=False)
    except FileNotFoundError:
        if not create:
            return None
        os.mkdir(name, 0o777, dir_fd=parent)
        info = os.stat(name, dir_fd=parent, follow_symlinks=False)
    if not stat.S_ISDIR(info.st_mode):
        raise OutputError(f"{shown}: is not a folder (a symlink or a file); ctax does not write through it")
    return os.open(name, _DIR_FLAGS, dir_fd=parent)


def _read_manifest(root: int) -> dict[str, str]:
    try:
        info = os.stat(MANIFEST, dir_fd=root, follow_symlinks=False)
    except FileNotFoundError:
        return {}
    if not stat.S_ISREG(info.st_mode) or info.st_size > MANIFEST_MAX_BYTES:
        return {}  # not ours to trust: every existing file then counts as the user's
    fd = os.open(MANIFEST, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0), dir_fd=root)
    with os.fdopen(fd, "rb") as handle:
        try:
            data = json.loads(handle.read(MANIFEST_MAX_BYTES))
        except ValueError:
            return {}
    files = data.get("files") if isinstance(data, dict) else None
    return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(files, dict) else {}


def _existing(root: int, parts: tuple[str, ...], shown: str) -> tuple[str, bytes | None] | None:
    """What is at ``parts`` now: None (nothing), or (kind, content of a regular file)."""
    fds = []
    try:
        parent = root
        for name in parts[:-1]:
            fd = _open_dir(parent, name, False, shown)
            if fd is None:
                return None
            fds.append(fd)
            parent = fd
        try:
            info = os.stat(parts[-1], dir_fd=parent, follow_symlinks=False)
        except FileNotFoundError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return ("symlink" if stat.S_ISLNK(info.st_mode) else "not a regular file"), None
        fd = os.open(parts[-1], os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0), dir_fd=parent)
        with os.fdopen(fd, "rb") as handle:
            return "file", handle.read()
    finally:
        for fd in fds:
            os.close(fd)


def _write_one(root: int, parts: tuple[str, ...], data: bytes, shown: str) -> None:
    fds = []
    try:
        parent = root
        for name in parts[:-1]:
            fd = _open_dir(parent, name, True, shown)
            fds.append(fd)
            parent = fd
        with atomic_output(parts[-1], folder_fd=parent) as handle:
            handle.write(data)
    finally:
        for fd in fds:
            os.close(fd)


def write_files(out: str | os.PathLike, files: dict[str, str], *, force: bool = False) -> list[str]:
    """Write ``files`` (relative POSIX path -> text) under ``out``; returns the paths written.

    Raises OutputError, before writing anything, when a target is a symlink, a folder, or a file
    ctax did not write (unless ``force``: then it is replaced, never followed).
    """
    out = os.fspath(out)
    try:
        os.makedirs(out, exist_ok=True)
        root = os.open(out, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as error:
        raise OutputError(f"cannot use {out} as the output folder: {error.strerror or error}") from None
    try:
        manifest = _read_manifest(root)
        encoded = {}
        refused = []
        for relative, text in files.items():
            parts = _parts(relative)
            shown = os.path.join(out, *parts)
            data = text.encode("utf-8")
            encoded[relative] = (parts, data, shown)
            now = _existing(root, parts, shown)
            if now is None:
                continue
            kind, content = now
            ours = kind == "file" and manifest.get(relative) == _digest(content or b"")
            if kind == "not a regular file" or (not ours and not force):
                what = "a symlink" if kind == "symlink" else kind if kind != "file" else "a file ctax did not write"
                refused.append(f"{shown} is {what}")
        if refused:
            more = f" (and {len(refused) - 5} more)" if len(refused) > 5 else ""
            raise OutputError("; ".join(refused[:5]) + more + "; nothing was written (--force replaces such files, "
                              "never writing through a symlink)")
        for relative, (parts, data, shown) in encoded.items():
            _write_one(root, parts, data, shown)
            manifest[relative] = _digest(data)
        _write_one(root, (MANIFEST,), json.dumps({"format": "ctax.written/1", "files": manifest},
                                                 indent=1, sort_keys=True).encode(), os.path.join(out, MANIFEST))
        return list(files)
    except OSError as error:
        raise OutputError(f"cannot write under {out}: {error.strerror or error}") from None
    finally:
        os.close(root)
