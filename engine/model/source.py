"""A citation of the publication a figure or line comes from."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Source:
    """A citation: document, section and page, with the law's words and a maintainer's note."""

    document: str
    section: str
    page: Any = None
    text: str | None = None
    note: str | None = None

    @classmethod
    def from_data(cls, data: dict | None) -> Source | None:
        if not data:
            return None
        return cls.required(data)

    @classmethod
    def required(cls, data: dict[str, Any]) -> Source:
        """The citation where the schema requires one (its document and section are then present)."""
        return cls(data["document"], data["section"], data.get("page"), data.get("text"), data.get("note"))

    def cite(self) -> str:
        page = f", p. {self.page}" if self.page is not None else ""
        return f"{self.document}, {self.section}{page}"

    def to_dict(self) -> dict:
        return {k: v for k, v in {"document": self.document, "section": self.section,
                                  "page": self.page, "note": self.note}.items() if v is not None}
