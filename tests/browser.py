"""Headless Chromium for the tests that read a rendered page.

Chromium is not a Python package: on Debian/Ubuntu it is ``apt-get install --no-install-recommends
chromium`` (root), elsewhere any Chromium or Chrome on PATH (or ``CTAX_CHROMIUM=/path``). Without it
the browser tests skip with that one line, except on CI (``CI`` set), where ``.ci/run`` installs it
and a missing browser is a failure, so CI always runs them.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

# Flags for a closed network: no background requests, no first-run or sync traffic.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run")
INSTALL_HINT = ("needs Chromium: apt-get install --no-install-recommends chromium "
                "(or put chromium/google-chrome on PATH, or set CTAX_CHROMIUM)")


def chromium() -> str:
    """The browser's path; skips the calling test when there is none (fails on CI)."""
    found = os.environ.get("CTAX_CHROMIUM") or next(
        (path for name in ("chromium", "chromium-browser", "google-chrome") if (path := shutil.which(name))), None)
    if not found or not Path(found).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI: browser test {INSTALL_HINT}")
        pytest.skip(INSTALL_HINT)
    return found


def dump_dom(url: str, profile: Path) -> str:
    """The DOM of ``url`` after its scripts ran, as Chromium serialises it."""
    done = subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout
