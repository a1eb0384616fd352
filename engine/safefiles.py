"""Writes an output file so that nothing is lost: all of it, or none of it, and never through a link.

``atomic_output(path)`` hands out a new temporary file beside ``path`` (created exclusively, with
``O_NOFOLLOW``, so an existing file or symlink is never opened) and renames it over ``path`` only
when the ``with`` block ends normally. With ``folder_fd``, ``path`` is a name inside that open
folder, so a writer that walked to the folder without following links (engine/present/outputs.py)
writes there and nowhere else. On any failure, including an interrupt, the temporary file
is removed and ``path`` keeps its previous content. The rename replaces a symlink at ``path``
itself, never the file it points to. Only SIGKILL (or a power cut) can leave the hidden temporary
file (``.NAME.PID.N.tmp``) behind; ``path`` is intact even then.

``same_file(a, b)`` compares file identity (device and inode), so a hard link or a second path to
the input is recognised as the input.

``interrupts_as_exceptions()`` turns SIGTERM into ``KeyboardInterrupt`` while a command writes, so
the clean-up above runs for ``kill`` as it does for Ctrl-C.
"""
from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

_TEMP_ATTEMPTS = 100


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """True when both paths exist and are the same file (same device and inode: hard links too)."""
    try:
        first, second = os.stat(a), os.stat(b)
    except OSError:
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def _create_new(folder: Path, name: str, folder_fd: int | None) -> tuple[Path, BinaryIO]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for attempt in range(_TEMP_ATTEMPTS):
        candidate = folder / f".{name}.{os.getpid()}.{attempt}.tmp"
        try:
            fd = os.open(candidate, flags, 0o666, dir_fd=folder_fd)  # the umask applies, as for any new file
        except FileExistsError:
            continue
        return candidate, os.fdopen(fd, "wb")
    raise FileExistsError(f"cannot create a temporary file beside {folder / name}")


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike, *, folder_fd: int | None = None) -> Iterator[BinaryIO]:
    """A new binary file that becomes ``path`` only if the block completes; otherwise it vanishes.
    ``folder_fd``: an open folder that ``path`` (a name) is in."""
    target = Path(path)
    temporary, handle = _create_new(target.parent, target.name, folder_fd)
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder_fd)
        raise


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def interrupts_as_exceptions() -> Iterator[None]:
    """Within the block, SIGTERM raises KeyboardInterrupt (as SIGINT does), so clean-up code runs."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)

