"""Where the shipped law lives: the ``rules/`` and ``schemas/`` folders.

In the repository they sit beside ``engine/`` (the layout is part of the design). A built wheel
carries them as package data under ``engine/_data/`` (``pyproject.toml`` maps them there), found
with ``importlib.resources``, so an installed ctax computes from any folder.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

_PACKAGE_DATA = "_data"


def shipped(name: str) -> Path:
    """The shipped ``rules`` or ``schemas`` folder: package data when installed, else the checkout's."""
    packaged = resources.files("engine") / _PACKAGE_DATA / name
    if packaged.is_dir():
        return Path(str(packaged))
    return checkout_root() / name


def checkout_root() -> Path:
    """The folder above ``engine/``: the repository root in a checkout or an editable install."""
    return Path(__file__).resolve().parents[2]  # engine/loading/resources.py
