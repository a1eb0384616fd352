"""Issue 10, citations of the 2023 and 2024 rule sets: "A `source:` names a publication, section and
page (or a URL); no source points at a path outside the repository"."""
from __future__ import annotations

from pathlib import Path

import pytest
from rule_files import rule_documents

import engine
from engine.loading.documents import citations

ROOT = Path(__file__).resolve().parents[1]
YEARS = (2023, 2024)
SOURCES = [(year, key) for year in YEARS for key in sorted(engine.load(year).sources)]


@pytest.mark.parametrize("year, key", SOURCES, ids=[f"{y}-{k}" for y, k in SOURCES])
def test_source_is_identified_without_leaving_the_repository(year, key):
    source = engine.load(year).sources[key]
    assert source.get("url") or source.get("file"), key
    if "file" in source:
        file = Path(source["file"])
        assert not file.is_absolute() and ".." not in file.parts, source["file"]
        assert (ROOT / file).is_file(), source["file"]


@pytest.mark.parametrize("year", YEARS)
def test_every_citation_names_a_section_and_a_page_or_an_identified_source(year):
    ruleset = engine.load(year)
    bad = []
    for name, doc in rule_documents(year).items():
        for path, c in citations(doc.data):
            source = ruleset.sources[c["document"]]
            if not c.get("section") or not (c.get("page") or source.get("url") or source.get("file")):
                bad.append((name, path))
    assert bad == []


@pytest.mark.parametrize("year", YEARS)
def test_social_security_citations_name_the_internal_revenue_code_subsection(year):
    # The combined-income excess is the federal amount of IRC Sec. 86(b)(1); its lines cite the subsection.
    sheet = engine.load(year).worksheets["modifications"]
    for line_id in ("modified_agi", "combined_income", "base_amount", "derived_combined_income_excess"):
        source = next(line.source for line in sheet.lines if line.id == line_id)
        assert source.document == "Internal Revenue Code" and "Sec. 86(" in source.section, line_id
