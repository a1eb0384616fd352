"""Where the shipped law lives: the ``rules/`` and ``schemas/`` folders.

In the repository they sit beside ``engine/`` (the layout is part of the design). A built wheel
carries them as package data under ``engine/_data/`` (``pyproject.toml`` maps them there), found
beside the package's own files, so an installed ctax computes from any folder. (Not through
``importlib.resources``: it costs a cold ``ctax evaluate`` several milliseconds of imports, and the
folders must be real folders on disk anyway, as a rules folder is read file by file.)
"""
from __future__ import annotations

from pathlib import Path

_PACKAGE_DATA = "_data"
_PACKAGE = Path(__file__).resolve().parents[1]  # engine/, from engine/loading/resources.py


def shipped(name: str) -> Path:
    """The shipped ``rules`` or ``schemas`` folder: package data when installed, else the checkout's."""
    packaged = _PACKAGE / _PACKAGE_DATA / name
    if packaged.is_dir():
        return packaged
    return checkout_root() / name


def checkout_root() -> Path:
    """The folder above ``engine/``: the repository root in a checkout or an editable install."""
    return _PACKAGE.parent
