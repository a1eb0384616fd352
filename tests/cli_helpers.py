"""Runs the ctax command line in-process for the CLI tests and returns (status, stdout, stderr)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    try:
        status = main(list(argv))
    except SystemExit as exit_:  # argparse: --help and usage errors
        status = exit_.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def copy_2013(tmp_path: Path) -> Path:
    """A rules folder holding a copy of the shipped 2013 rule set."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules" / "2013", rules / "2013")
    return rules
