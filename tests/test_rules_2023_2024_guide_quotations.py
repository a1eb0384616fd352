"""Citations of the 2023 and 2024 due-date, estimated-tax and penalty files (those quoting the CT Nonresident
Guide 2023): every source is identified inside the repository, every citation names a section the guide
prints, and every quoted `text` is the guide's own words (compared with the vendored seed 003 after folding OCR
spelling: hyphens, dashes, quotes, spaces).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from rule_files import rule_documents

import engine
from engine.loading.documents import citations

ROOT = Path(__file__).resolve().parents[1]
GUIDE = "CT Nonresident Guide 2023"
SEED = (ROOT / "tests/reference/sources/003_e9bbf48e2ad4326d.txt").read_text(encoding="utf-8")

TOUCHED = {
    "worksheets": {"estimated_tax", "return_due_date", "late_payment", "failure_to_file_penalty"},
    "tables": {"calendar_year_end", "calendar_year_return_due_date", "withholding_share_per_due_date",
               "estimated_tax_first_installment_due_date", "estimated_tax_second_installment_due_date",
               "estimated_tax_third_installment_due_date", "estimated_tax_fourth_installment_due_date",
               "estimated_tax_interest_end_date", "estimated_tax_installment_share", "estimated_tax_threshold",
               "farmer_fisherman_installment_due_date", "farmer_fisherman_return_exception_date",
               "january_return_exception_date", "required_annual_payment_current_year_share",
               "required_annual_payment_prior_year_share", "extension_months", "payment_extension_months",
               "combat_zone_days"},
}


def _fold(text: str) -> str:
    """Compare words only: OCR writes CT-1040, CT‑1040 and CT1040 alike, § for Sec., curly quotes, en dashes."""  # noqa: RUF002
    text = text.replace("§", "sec.").replace("Sec.", "sec.")
    return re.sub(r"[^a-z0-9%$]", "", text.lower())


SEED_FOLDED = _fold(SEED)
HEADINGS = {_fold(line) for line in SEED.splitlines() if 0 < len(line.strip()) < 90 and not line.startswith("  ")}


def _touched_citations(year: int):
    for name, doc in rule_documents(year).items():
        kind = "worksheets" if "/worksheets/" in name else "tables"
        ident = doc.data.get("worksheet") or doc.data.get("table")
        if ident in TOUCHED[kind]:
            for path, citation in citations(doc.data):
                yield f"{year}:{ident}", path, citation


CITATIONS = [c for year in (2023, 2024) for c in _touched_citations(year)]


@pytest.mark.parametrize("year", [2023, 2024])
def test_sources_are_inside_the_repository(year):
    for key, source in engine.load(year).sources.items():
        if "file" in source:
            file = Path(source["file"])
            assert not file.is_absolute() and ".." not in file.parts, (key, source["file"])
            assert (ROOT / file).is_file(), (key, source["file"])


def test_every_touched_file_is_found():
    found = {name for name, _, _ in CITATIONS}
    assert len(found) == 2 * (len(TOUCHED["worksheets"]) + len(TOUCHED["tables"]))


def _section_is_printed(section: str) -> bool:
    # "A; B" cites two places; "A, B" is heading A and its sub-heading B (a heading may itself hold a comma,
    # as "Due Date - April 15, 2024" does)
    for place in section.split("; "):
        parts = place.split(", ")
        if _fold(place) in HEADINGS:
            continue
        if not all(_fold(p) in HEADINGS for p in parts):
            return False
    return True


def test_every_guide_citation_names_printed_sections():
    bad = [(name, path, c["section"]) for name, path, c in CITATIONS
           if c.get("document") == GUIDE and not _section_is_printed(c["section"])]
    assert bad == []


def test_every_quoted_text_is_the_guides_words():
    bad = []
    for name, path, c in CITATIONS:
        if c.get("document") != GUIDE or not c.get("text"):
            continue
        for piece in re.split(r"\.\.\.|…", c["text"]):
            if _fold(piece) and _fold(piece) not in SEED_FOLDED:
                bad.append((name, path, piece.strip()[:80]))
    assert bad == []


@pytest.mark.parametrize("year", [2023, 2024])
def test_extension_months_cites_the_paragraph_its_sentence_comes_from(year):
    doc = next(d for d in rule_documents(year).values() if d.data.get("table") == "extension_months")
    source = doc.data["source"]
    assert source["section"] == "Extension Requests, U.S. Citizens Living Abroad"
    paragraph = SEED.split("U.S. Citizens Living Abroad")[1].split("Extension of Time to Pay")[0]
    assert "If your application is approved, the due date is extended for six months." in paragraph
    assert "the due date is extended for six months" in source["text"]
