"""Reads one year's rule folder as a single consistent snapshot of bytes, refusing what is not a rule file.

Everything downstream (the parser, the on-disk cache's fingerprint, the in-process cache's key) works
on these bytes, so what is hashed is exactly what is parsed, and each file is read once.

- Symbolic links and non-regular files (FIFOs, sockets, devices) are never followed or opened: each
  is reported as a located problem, so a link to a file outside the rule set is never read.
- Sizes are checked with ``lstat`` before opening, and the open file is read for at most
  ``MAX_FILE_BYTES + 1`` bytes (a file grown in between is still refused, never read whole).
- The folder is listed and stat-ed before and after reading; if any file appeared, vanished or
  changed meanwhile (an editor saving during a run), the whole folder is read again. After
  ``ATTEMPTS`` unsettled reads the load fails with the package's RuleSetError, so a reader never
  sees a mix of two versions.
"""
from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import Problem, RuleSetError
from engine.loading.bounded_read import read_at_most
from engine.loading.documents import MAX_FILE_BYTES

MAX_FILES = 2000  # far beyond any year (about 50 files); bounds the work of a hostile folder
MAX_DEPTH = 4  # a year folder is ruleset.yaml, tables/*.yaml and worksheets/*.yaml
ATTEMPTS = 3
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True)
class Snapshot:
    """The bytes of every regular file of a year folder (by path relative to it), and what was refused."""

    directory: Path
    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def digest(self) -> str:
        """SHA-256 over every file's relative path, length and bytes: changes with any byte of any file."""
        digest = hashlib.sha256()
        for name in sorted(self.files):
            data = self.files[name]
            digest.update(f"{name}\0{len(data)}\0".encode())
            digest.update(data)
        for problem in self.problems:
            digest.update(f"refused {problem}\0".encode())
        return digest.hexdigest()


class _Changed(Exception):
    """The folder changed while it was being read."""


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _walk(directory: Path, relative: str = "", depth: int = 0) -> list[tuple[str, os.stat_result]]:
    """Every entry below ``directory`` not starting with '.', with its lstat; directories are descended."""
    entries = []
    folder = directory / relative if relative else directory
    with os.scandir(folder) as listing:
        names = sorted((entry.name, entry.stat(follow_symlinks=False)) for entry in listing
                       if not entry.name.startswith("."))
    for name, info in names:
        path = f"{relative}/{name}" if relative else name
        entries.append((path, info))
        if stat.S_ISDIR(info.st_mode) and depth < MAX_DEPTH:
            entries.extend(_walk(directory, path, depth + 1))
        if len(entries) > MAX_FILES:
            break
    return entries


def _state(entries: list[tuple[str, os.stat_result]]) -> list[tuple]:
    return [(path, info.st_mode, info.st_ino, info.st_dev, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
            for path, info in entries]


def _read_regular(path: Path, info: os.stat_result) -> bytes:
    """At most MAX_FILE_BYTES + 1 bytes of the very file ``info`` describes (no link followed)."""
    descriptor = os.open(path, _OPEN_FLAGS)
    try:
        opened = os.fstat(descriptor)
        if not stat.S_ISREG(opened.st_mode) or (opened.st_ino, opened.st_dev) != (info.st_ino, info.st_dev):
            raise _Changed()
        return read_at_most(descriptor, MAX_FILE_BYTES)
    finally:
        os.close(descriptor)


def _read_once(directory: Path, display: Callable[[Path], str]) -> Snapshot:
    before = _walk(directory)
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    if len(before) > MAX_FILES:
        problems.append(Problem(display(directory), 1, 1, f"more than {MAX_FILES} files; nothing was read"))
        return Snapshot(directory, {}, problems)
    for relative, info in before:
        path = directory / relative
        if stat.S_ISDIR(info.st_mode):
            continue
        if not stat.S_ISREG(info.st_mode):
            problems.append(Problem(display(path), 1, 1, f"is {_kind(info.st_mode)}; a rule folder holds regular "
                                                        "files only, and this one was not read"))
            continue
        if info.st_size > MAX_FILE_BYTES:
            problems.append(Problem(display(path), 1, 1, f"file is larger than {MAX_FILE_BYTES} bytes"))
            continue
        try:
            data = _read_regular(path, info)
        except OSError as error:
            if isinstance(error, FileNotFoundError) or error.errno == errno.ELOOP:
                raise _Changed() from None  # replaced or removed meanwhile: read the folder again
            problems.append(Problem(display(path), 1, 1, f"cannot read file: {error.strerror or type(error).__name__}"))
            continue
        if len(data) > MAX_FILE_BYTES:
            problems.append(Problem(display(path), 1, 1, f"file is larger than {MAX_FILE_BYTES} bytes"))
            continue
        files[relative] = data
    if _state(_walk(directory)) != _state(before):
        raise _Changed()
    return Snapshot(directory, files, problems)


def read_snapshot(directory: Path, display: Callable[[Path], str] = str) -> Snapshot:
    """One consistent snapshot of ``directory``; RuleSetError if it would not hold still or cannot be read."""
    try:
        if stat.S_ISLNK(os.lstat(directory).st_mode):
            raise RuleSetError([Problem(display(directory), 1, 1, "is a symbolic link; a year folder is a real "
                                                                  "folder, and this one was not read")])
    except OSError as error:
        raise RuleSetError([Problem(display(directory), 1, 1, f"cannot read the rule folder: "
                                                              f"{error.strerror or type(error).__name__}")]) from None
    for _ in range(ATTEMPTS):
        try:
            return _read_once(directory, display)
        except (_Changed, FileNotFoundError):
            continue
        except OSError as error:
            reason = error.strerror or type(error).__name__
            raise RuleSetError([Problem(display(directory), 1, 1, f"cannot read the rule folder: {reason}")]) from None
    raise RuleSetError([Problem(display(directory), 1, 1, f"the rule files kept changing while being read "
                                                          f"({ATTEMPTS} attempts); try again when they are saved")])
