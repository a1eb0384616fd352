"""The five filing statuses and the other spellings people and peer tools use for them."""
from __future__ import annotations

from typing import Any

FILING_STATUSES = (
    "single",
    "married_filing_jointly",
    "married_filing_separately",
    "head_of_household",
    "qualifying_surviving_spouse",
)

# Other spellings of the five statuses, as written by people and peer tools: the IRS/PolicyEngine
# enum names (JOINT, SEPARATE, SURVIVING_SPOUSE) and the IRS abbreviations (MFJ, MFS, HOH, QSS).
# Keys are normalised as by ``normalise_status`` (lower case, words joined by "_").
FILING_STATUS_ALIASES = {
    "joint": "married_filing_jointly",
    "mfj": "married_filing_jointly",
    "separate": "married_filing_separately",
    "mfs": "married_filing_separately",
    "hoh": "head_of_household",
    "surviving_spouse": "qualifying_surviving_spouse",
    "qss": "qualifying_surviving_spouse",
}
_CANONICAL = frozenset(FILING_STATUSES)


def normalise_status(text: str) -> str:
    """``text`` in lower case with spaces and hyphens as "_": "Head of Household" -> "head_of_household"."""
    return "_".join(text.strip().lower().replace("-", " ").split())


def canonical_status(text: Any) -> str | None:
    """The one of FILING_STATUSES that ``text`` spells (any case, or an alias), or None."""
    if type(text) is str and text in _CANONICAL:
        return text  # already one of them (and a plain str, not a subclass): the usual case, not normalised
    if not isinstance(text, str):
        return None
    key = normalise_status(text)
    return key if key in FILING_STATUSES else FILING_STATUS_ALIASES.get(key)
