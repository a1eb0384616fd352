"""The rule files of a shipped year as the loader read them (engine.loading.documents.Document by
display name), for tests whose subject is the files' own wording: their citations and sources."""
from __future__ import annotations

from engine.loading.documents import Document
from engine.loading.ruleset import check_files, rules_dir


def rule_documents(year: int) -> dict[str, Document]:
    ruleset, documents, problems = check_files(rules_dir() / str(year))
    assert ruleset is not None, problems
    return documents
