"""Value types for the command line's arguments, shared by every subcommand's parser (``ctax`` and
``ctax batch``), so a count means the same thing and is refused with the same words everywhere."""
from __future__ import annotations

import argparse


def positive_whole_number(text: str) -> int:
    """A count such as ``--chunk-rows 1000``: digits only, more than zero."""
    if not text.isdigit() or int(text) <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return int(text)
