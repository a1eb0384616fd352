"""Loads one tax year's folder of rule files into a validated, compiled RuleSet.

Order: read every file (loader) -> check it against its schema (schema) -> build tables
(tables) -> compile worksheets (worksheet) -> cross-file checks. Every problem from every file
is collected; a rule set with any error raises RuleSetError and is never evaluated.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from engine.errors import Problem, RuleSetError
from engine.lang.arithmetic import in_engine_context
from engine.loading import cache
from engine.loading.documents import Document, citations
from engine.loading.resources import shipped
from engine.loading.review_markers import draft_files
from engine.loading.snapshot import Snapshot, read_snapshot
from engine.loading.tables import build_table
from engine.loading.worksheets import build_worksheet, check_steps, step_order
from engine.model.ruleset import RuleSet
from engine.model.tables import Table
from engine.model.worksheet import Worksheet

DEFAULT_RULES_DIR = shipped("rules")


def is_year_folder_name(name: str) -> bool:
    """A year folder is named by exactly four ASCII digits ('²' or '٢٠٢٤' pass str.isdigit(), not this)."""
    return len(name) == 4 and name.isascii() and name.isdigit()


def rules_dir(override: str | os.PathLike | None = None) -> Path:
    """The rules folder: the argument, else $CTAX_RULES, else the shipped ``rules/``."""
    if override is not None:
        return Path(override)
    return Path(os.environ.get("CTAX_RULES", DEFAULT_RULES_DIR))


def display_name(path: Path, rules_root: Path) -> str:
    """A file's name as errors show it: relative to the folder holding ``rules/``."""
    try:
        return str(path.relative_to(rules_root.parent))
    except ValueError:
        return str(path)


def _named_after_file(doc: Document, kind: str) -> list[Problem]:
    """A table or worksheet lives in the file of its own name, which also keeps names unique."""
    name, stem = doc.data[kind], Path(doc.file).stem
    if name == stem:
        return []
    return [doc.problem((kind,), f"{kind} '{name}' is in file '{stem}.yaml'; name the file after the {kind}")]


def _kind_of(relative: Path) -> str | None:
    """ruleset, table or worksheet by where a file stands in its year folder; None for anything else."""
    if relative == Path("ruleset.yaml"):
        return "ruleset"
    if len(relative.parts) == 2 and relative.parts[0] in ("tables", "worksheets") and relative.suffix == ".yaml":
        return relative.parts[0][:-1]
    return None


def check_ruleset(directory: Path, *, use_cache: bool = True,
                  snapshot: Snapshot | None = None) -> tuple[RuleSet | None, list[Problem]]:
    """Load and check a year's folder; return the rule set (None on errors) and all problems.

    The folder is read once, as one consistent snapshot (see engine.loading.snapshot); a folder that keeps
    changing while it is read raises RuleSetError. ``use_cache=False`` (``ctax validate``) parses
    and checks every file even when the on-disk cache holds a matching entry.
    """
    ruleset, _, problems = check_files(directory, use_cache=use_cache, snapshot=snapshot)
    return ruleset, problems


@in_engine_context
def check_files(directory: Path, *, use_cache: bool = True, snapshot: Snapshot | None = None
                ) -> tuple[RuleSet | None, Mapping[str, Document], list[Problem]]:
    """check_ruleset, with the year's documents (by display file name): what ``ctax lint`` reads the
    files' own wording from."""
    base = directory.parent  # the rules folder
    if snapshot is None:
        snapshot = read_snapshot(directory, lambda path: display_name(path, base))
    problems: list[Problem] = list(snapshot.problems)
    documents: dict[str, Document] = {}
    failed: dict[str, set[str]] = {"table": set(), "worksheet": set()}  # names (file stems) that failed to load
    kinds: dict[str, list[Document]] = {"ruleset": [], "table": [], "worksheet": []}
    paths: dict[str, str] = {}  # display name -> the file's name in the year folder
    head = directory / "ruleset.yaml"
    stamp, cached = cache.load(snapshot) if use_cache and not snapshot.problems else ("", None)
    if cached is not None:
        # Parsed and schema-checked before from exactly these bytes (see engine.loading.cache); each document is
        # decoded when first read, and each table and worksheet built when first asked for, so one evaluation
        # decodes and compiles only its worksheet, its steps and the tables they use.
        return _from_cache(directory, snapshot, cached), cached, sorted(problems)
    for relative_name, data in snapshot.files.items():
        path = directory / relative_name
        name = display_name(path, base)
        kind = _kind_of(Path(relative_name))
        if kind is None:
            problems.append(Problem(name, 1, 1, "unexpected file: a year folder holds ruleset.yaml, "
                                                "tables/*.yaml and worksheets/*.yaml only"))
            continue
        from engine.loading import schema  # imported only when files are really read: YAML and jsonschema are slow

        doc, file_problems = schema.read_checked(data, name, kind)
        problems.extend(file_problems)
        if doc is None:
            failed.get(kind, set()).add(path.stem)
            continue
        documents[name] = doc
        kinds[kind].append(doc)
        paths[name] = relative_name

    if "ruleset.yaml" not in snapshot.files:
        problems.append(Problem(display_name(head, base), 1, 1, "ruleset.yaml is missing"))
    year = None
    sources: dict[str, dict] = {}
    title = ""
    for doc in kinds["ruleset"]:
        year, sources, title = doc.data["year"], doc.data["sources"], doc.data["title"]
        if directory.name != str(year):
            problems.append(doc.problem(("year",), f"year {year} does not match its folder '{directory.name}'"))

    for doc in documents.values():
        for key_path, citation in citations(doc.data):
            if sources and citation.get("document") not in sources:
                problems.append(doc.problem(key_path + ("document",), f"source document '{citation.get('document')}' "
                                            f"is not listed in ruleset.yaml sources ({', '.join(sources)})"))

    tables: dict[str, Table] = {}
    for doc in kinds["table"]:
        table, table_problems = build_table(doc, year)
        problems.extend(table_problems + _named_after_file(doc, "table"))
        if table is not None:
            tables[table.name] = table

    drafts = _drafts(documents, snapshot, base)
    worksheet_docs = {doc.data["worksheet"]: doc for doc in kinds["worksheet"]}
    worksheets: dict[str, Worksheet] = {}
    # a file naming the same worksheet as a later one is built first, so the later one wins (and each is checked)
    shadowed = [doc for doc in kinds["worksheet"] if worksheet_docs[doc.data["worksheet"]] is not doc]
    for doc in shadowed + [worksheet_docs[name] for name in step_order(worksheet_docs)]:
        worksheet, sheet_problems = build_worksheet(doc, tables, year or 0, frozenset(failed["table"] - set(tables)),
                                                    steps=worksheets, draft=bool(drafts))
        problems.extend(sheet_problems + _named_after_file(doc, "worksheet"))
        worksheets[worksheet.name] = worksheet
    worksheets = {name: worksheets[name] for name in worksheet_docs}  # in the order of the files
    problems.extend(check_steps(worksheets, worksheet_docs, frozenset(failed["worksheet"] - set(worksheets))))

    errors = [p for p in problems if p.severity == "error"]
    if errors or year is None:
        return None, documents, sorted(problems)
    if use_cache and cached is None and not problems:
        cache.store(snapshot, stamp, [(kind, paths[doc.file], doc) for kind, docs in kinds.items() for doc in docs])
    ruleset = RuleSet(year, title, directory, sources, tables, worksheets,
                      [p for p in problems if p.severity != "error"], drafts)
    return ruleset, documents, sorted(problems)


def _from_cache(directory: Path, snapshot: Snapshot, documents: cache.CachedDocuments) -> RuleSet:
    """The rule set of a year that was checked whole, without a problem, from exactly these documents before
    (the cache holds only such years), each document read and each table and worksheet built when first used."""
    head = next(entry.file for entry in documents.entries if entry.kind == "ruleset")
    year, sources, title = (documents[head].data[key] for key in ("year", "sources", "title"))
    drafts = _drafts(documents, snapshot, directory.parent)
    files = {kind: {entry.name: entry.file for entry in documents.entries if entry.kind == kind}
             for kind in ("table", "worksheet")}
    tables = _Built(files["table"], lambda file: _table(documents[file], year))
    worksheets: _Built = _Built(files["worksheet"],
                                lambda file: _worksheet(documents[file], tables, worksheets, year, bool(drafts)))
    return RuleSet(year, title, directory, sources, tables, worksheets, [], drafts)


def _drafts(documents: Mapping[str, Document], snapshot: Snapshot, base: Path) -> list[str]:
    """The files still carrying a review marker; only files whose bytes say "review" are read and walked."""
    marked = {display_name(snapshot.directory / name, base) for name, data in snapshot.files.items()
              if b"review" in data}
    return draft_files({name: documents[name] for name in marked if name in documents})


class _Built(Mapping[str, Any]):
    """Tables or worksheets of a year already checked whole, each built from its file's document when first read."""

    def __init__(self, files: dict[str, str], build: Callable[[str], Any]):
        self._files = files  # name -> display name of its file
        self._build = in_engine_context(build)  # building reads figures: never in a caller's decimal context
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        found = self._built.get(name)
        if found is None:
            found = self._built[name] = self._build(self._files[name])
        return found

    def __contains__(self, name: object) -> bool:
        return name in self._files

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)


def _checked(built: tuple[Any, list[Problem]]) -> Any:
    result, problems = built
    errors = [p for p in problems if p.severity == "error"]
    if errors or result is None:  # not for a cached year: it built without a problem before
        raise RuleSetError(errors or [Problem("rules", 1, 1, "a cached rule file no longer builds")])
    return result


def _table(doc: Document, year: int) -> Table:
    return _checked(build_table(doc, year, verified=True))


def _worksheet(doc: Document, tables: Mapping[str, Table], worksheets: Mapping[str, Worksheet], year: int,
               draft: bool) -> Worksheet:
    # the worksheets its steps run are built first (a cached year has no cycle)
    steps = {entry["step"]["worksheet"]: worksheets[entry["step"]["worksheet"]]
             for entry in doc.data["lines"] if "step" in entry}
    worksheet: Worksheet = _checked(build_worksheet(doc, tables, year, steps=steps, draft=draft))
    return worksheet


def load_ruleset(directory: Path, *, snapshot: Snapshot | None = None) -> RuleSet:
    """The validated rule set of one year's folder (or of its ``snapshot``).

    Raises RuleSetError listing every problem.
    """
    ruleset, problems = check_ruleset(directory, snapshot=snapshot)
    if ruleset is None:
        raise RuleSetError([p for p in problems if p.severity == "error"] or
                           [Problem(str(directory), 1, 1, "rule set could not be loaded")])
    return ruleset
