"""The public API: evaluate a worksheet of a tax year, list years and worksheets."""
from __future__ import annotations

import os
import threading
import time
import warnings
from collections.abc import Mapping
from typing import Any

from engine.errors import DraftYearWarning, UnknownYearError
from engine.loading.ruleset import display_name, is_year_folder_name, load_ruleset, rules_dir
from engine.loading.snapshot import read_snapshot
from engine.model.ruleset import RuleSet
from engine.run import scalar
from engine.run.result import Result

_cache: dict[tuple[str, str], tuple[str, RuleSet]] = {}
_lock = threading.Lock()
_RecentKey = tuple[str | None, str | None, int | str]
# (rules argument, $CTAX_RULES where there is none, year) -> (monotonic time of the last freshness
# check, rule set, its worksheets compiled for evaluate by name). Reading and hashing every rule file
# costs far more than an evaluation, so within RECHECK_SECONDS of the last check a repeated call reuses
# the rule set without looking at the files again.
_Recent = tuple[float, RuleSet, dict[str, Any]]
_recent: dict[_RecentKey, _Recent] = {}
RECHECK_SECONDS = 1.0

def clear_cache() -> None:
    """Forget every loaded rule set (the next call reloads and re-checks the files)."""
    with _lock:
        _cache.clear()
        _recent.clear()


def years(rules: str | os.PathLike[str] | None = None) -> list[int]:
    """The tax years that have a rule set."""
    base = rules_dir(rules)
    if not base.is_dir():
        return []
    return sorted(int(p.name) for p in base.iterdir() if is_year_folder_name(p.name) and p.is_dir())


def load(year: int | str, rules: str | os.PathLike[str] | None = None) -> RuleSet:
    """The validated, compiled rule set of ``year`` (cached until a rule file changes).

    The files are re-checked at most once every RECHECK_SECONDS per year and rules folder.
    """
    return _fresh(year, rules)[1]


def _fresh(year: int | str, rules: str | os.PathLike[str] | None) -> _Recent:
    """load's rule set with the worksheets compiled for it so far (kept while the rule set is)."""
    recent_key: _RecentKey | None
    try:
        # part of the key where it names the rules folder: a change is seen at once
        variable = os.environ.get("CTAX_RULES") if rules is None else None
        recent_key = (rules if rules is None or isinstance(rules, str) else os.fspath(rules), variable, year)
        recent = _recent.get(recent_key)
    except TypeError:  # an unhashable year: let the checks below explain it
        recent_key = recent = None
    if recent is not None and time.monotonic() - recent[0] < RECHECK_SECONDS:
        return recent
    ruleset = _load_checked(year, rules)
    fresh = (time.monotonic(), ruleset, recent[2] if recent is not None and recent[1] is ruleset else {})
    if recent_key is not None:
        _recent[recent_key] = fresh
    return fresh


def _load_checked(year: int | str, rules: str | os.PathLike[str] | None) -> RuleSet:
    base = rules_dir(rules)
    year_text = str(year).strip()
    if not is_year_folder_name(year_text) or not (base / year_text).is_dir():
        available = ", ".join(map(str, years(rules))) or "none"
        raise UnknownYearError(f"no rules for tax year {year!r}; years with rules: {available}")
    directory = base / year_text
    key = (str(base.resolve()), year_text)
    # The key is a hash of the very bytes the rule set is built from: an edit that keeps size and
    # modification time (cp -p, tar) is still seen, and the rule set is built from that snapshot only.
    snapshot = read_snapshot(directory, lambda path: display_name(path, base))
    signature = snapshot.digest()
    with _lock:
        cached = _cache.get(key)
        if cached and cached[0] == signature:
            return cached[1]
    ruleset = load_ruleset(directory, snapshot=snapshot)
    with _lock:
        _cache[key] = (signature, ruleset)
    return ruleset


def worksheets(year: int | str, rules: str | os.PathLike[str] | None = None) -> list[str]:
    """The worksheet names of a year."""
    return sorted(load(year, rules).worksheets)


def evaluate(year: int | str, worksheet: str, inputs: Mapping[str, Any] | None = None, *, trace: bool = True,
             rules: str | os.PathLike[str] | None = None) -> Result:
    """Evaluate ``worksheet`` of tax ``year`` on ``inputs``; returns outputs and the line-by-line trace.

    Raises the package's own errors: UnknownYearError, UnknownWorksheetError, MissingInputError,
    UnknownInputError, InvalidFilingStatusError, InvalidAmountError, InvalidInputError,
    RuleSetError (the rule files are invalid) and EvaluationError.
    """
    _, ruleset, programs = _fresh(year, rules)
    if ruleset.draft_files:  # ruleset.draft without a call: most years are no draft
        warn_if_draft(ruleset)
    named = type(worksheet) is str  # anything else is not a worksheet's name: ruleset.worksheet says so
    compiled = programs.get(worksheet) if named else None
    if compiled is None:
        compiled = scalar.program(ruleset.worksheet(worksheet))
        if named:
            programs[worksheet] = compiled
    # the inputs are only read, so a dict is not copied
    return scalar.run(compiled, inputs if type(inputs) is dict else dict(inputs or {}), trace)


def warn_if_draft(ruleset: RuleSet) -> None:
    """A DraftYearWarning (shown once per year by Python's default filter) when the year is a draft."""
    if ruleset.draft:
        files = ruleset.draft_files
        warnings.warn(DraftYearWarning(
            f"tax year {ruleset.year} is a draft: {len(files)} rule file(s) still marked 'review:' (first: "
            f"{files[0]}); its figures may not be checked against the publication yet"), stacklevel=3)
