"""Scaffolds next year's rule set from this year's (``ctax new-year FROM TO``).

The files are copied as text, so comments and layout survive. In the copy:

- ``ruleset.yaml`` gets ``year: TO``;
- a due date written as the rule that makes it (``value: {month: February, day: last, of: the year
  after the tax year}``, engine/loading/daterule.py) is copied unchanged: it resolves against the new year,
  so it needs no edit (the last day of February 2016 is the 29th);
- every other ISO date (``YYYY-MM-DD``) in a table or worksheet, a date the publication prints as
  such, moves forward by ``TO - FROM`` years (29 February becomes 28 February) and is checked with the
  rest of the file at review; the publications' ``issued`` dates in ruleset.yaml stay,
  since the old publication is still what the copied figures cite;
- in ``title:`` and ``label:`` lines (in ruleset.yaml, its own title only) the tax year, the year
  before it and the year after it move forward by ``TO - FROM`` years ("... for 2013 Taxable Year",
  "due January 15, 2014", "100% of the 2012 tax": a label's prior year is the new year's prior year);
- every file gets a top-level ``review:`` marker saying that all of its figures (rows, brackets,
  formulas, scalar values, line wording) were copied and must be checked against the new
  publication. ``ctax lint`` reports each marker until a maintainer deletes it; ``ctax validate``
  accepts it (the schemas allow ``review`` on every table, column, row, line and file).
"""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from engine.errors import CtaxError, RuleSetError
from engine.loading.ruleset import is_year_folder_name
from engine.loading.snapshot import read_snapshot

_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


class NewYearError(CtaxError):
    """The new year's folder cannot be created."""


def _shift_date(match: re.Match, years: int) -> str:
    year, month, day = (int(g) for g in match.groups())
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return match.group(0)  # not a real date; leave it for the maintainer
    try:
        moved = date.replace(year=date.year + years)
    except ValueError:  # 29 February into a common year
        moved = date.replace(year=date.year + years, day=28)
    return moved.isoformat()


def _marker(source_year: int, target_year: int, kind: str) -> str:
    return (f'review: "copied from {source_year} by ctax new-year: check every figure of this {kind} against the '
            f'{target_year} publication, then delete this line"')


def transform(text: str, kind: str, source_year: int, target_year: int) -> str:
    """One rule file's text as the new year's copy (see the module docstring)."""
    top_key = {"ruleset": "year", "table": "table", "worksheet": "worksheet"}[kind]
    out = []
    marked = False
    # the tax year, the year before it (the prior year's return) and the year after it (due dates
    # of a tax year fall in the next one) all move
    year_word = re.compile(rf"\b({source_year - 1}|{source_year}|{source_year + 1})\b")
    shift = target_year - source_year
    title_line = r"title:" if kind == "ruleset" else r"\s*(- )?(title|label):"
    for line in text.splitlines(keepends=True):
        if kind == "ruleset" and re.match(r"year:\s*\d{4}\s*$", line):
            line = f"year: {target_year}\n"
        elif kind != "ruleset":
            line = _DATE.sub(lambda m: _shift_date(m, shift), line)
        if re.match(title_line, line):
            line = year_word.sub(lambda m: str(int(m.group(0)) + shift), line)
        out.append(line)
        if not marked and re.match(rf"{top_key}:", line):
            out.append(_marker(source_year, target_year, kind) + "\n")
            marked = True
    if not marked:
        out.insert(0, _marker(source_year, target_year, kind) + "\n")
    return "".join(out)


def new_year(rules: Path, source: str, target: str) -> list[Path]:
    """Copy ``rules/source`` to ``rules/target`` with the changes above; returns the files written.

    The source folder is read as one snapshot of regular files first (engine.loading.snapshot): a symbolic
    link or special file in it stops the copy before anything is written, so a link's target is never
    copied into the new year.
    """
    if not (is_year_folder_name(source) and is_year_folder_name(target)):
        raise NewYearError(f"years must be four ASCII digits, got {source!r} and {target!r}")
    origin, destination = rules / source, rules / target
    if not origin.is_dir():
        raise NewYearError(f"no rules for tax year {source} under {rules}")
    if os.path.lexists(destination):
        raise NewYearError(f"{destination} already exists; remove it or choose another year")
    try:
        snapshot = read_snapshot(origin)
    except RuleSetError as error:
        raise NewYearError(f"cannot copy {origin}: {error.problems[0].message}") from None
    if snapshot.problems:
        raise NewYearError("nothing was copied: " + "; ".join(map(str, snapshot.problems)))
    written = []
    try:
        for name, data in snapshot.files.items():
            relative = Path(name)
            copy = destination / relative
            copy.parent.mkdir(parents=True, exist_ok=True)
            if relative.suffix == ".yaml" and (relative.parts[0] in ("tables", "worksheets") or
                                               relative == Path("ruleset.yaml")):
                kind = "ruleset" if relative == Path("ruleset.yaml") else relative.parts[0][:-1]
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    raise NewYearError(f"{origin / relative} is not UTF-8 text; nothing more was copied") from None
                data = transform(text, kind, int(source), int(target)).encode("utf-8")
            with open(copy, "xb") as handle:  # a new file: never writes through a link planted meanwhile
                handle.write(data)
            written.append(copy)
    except OSError as error:
        raise NewYearError(f"cannot write {destination}: {error}") from None
    return written
