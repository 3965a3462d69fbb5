"""Chunks: the unit of indexing and citation."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field

PUBLIC_TENANT = "public"
LABEL_SEPARATOR = " › "
MAX_LABEL_PART = 200


def clean_label(text: str, limit: int = MAX_LABEL_PART) -> str:
    """A title or heading as it may be shown: control and format characters (newlines,
    right-to-left overrides, zero-width marks) removed, whitespace collapsed, length bounded.
    File names and headings come from whoever wrote the notes; a label must read as it is."""
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cn")
    )
    label = " ".join(kept.split())
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class Chunk:
    """A section-sized piece of one document, labelled with where it came from.

    `chunk_id` is derived from the content and its place, so re-ingesting unchanged text
    yields the same ids (idempotent, incremental indexing).
    """

    tenant: str
    source: str  # document title
    section: str  # heading path joined with LABEL_SEPARATOR ('' for the preamble)
    text: str
    path: str  # source file, relative to the ingest root (or the bundled corpus name)
    date: str | None = None
    author: str | None = None
    ordinal: int = 0  # position inside the document, for stable ordering
    chunk_id: str = field(default="")

    def __post_init__(self) -> None:
        object.__setattr__(self, "source", clean_label(self.source))
        object.__setattr__(
            self,
            "section",
            LABEL_SEPARATOR.join(clean_label(p) for p in self.section.split(LABEL_SEPARATOR))
            if self.section
            else "",
        )
        if not self.chunk_id:
            digest = hashlib.sha256(
                "\x1f".join((self.tenant, self.path, self.section, self.text)).encode("utf-8")
            ).hexdigest()[:24]
            object.__setattr__(self, "chunk_id", digest)

    @property
    def label(self) -> str:
        parts = [self.source]
        if self.section:
            parts.append(self.section)
        if self.date:
            parts.append(self.date)
        return LABEL_SEPARATOR.join(parts)

    @property
    def index_text(self) -> str:
        """What the rankers see: title and heading path carry much of a section's meaning."""
        heading = f"{self.source} › {self.section}" if self.section else self.source
        return f"{heading}\n{self.text}"

    def metadata(self) -> dict[str, str | int]:
        """Flat metadata for the vector store (no None values: Chroma rejects them)."""
        return {
            "tenant": self.tenant,
            "source": self.source,
            "section": self.section,
            "path": self.path,
            "date": self.date or "",
            "author": self.author or "",
            "ordinal": self.ordinal,
        }

    @classmethod
    def from_metadata(cls, chunk_id: str, text: str, meta: dict) -> Chunk:
        return cls(
            tenant=str(meta["tenant"]),
            source=str(meta["source"]),
            section=str(meta.get("section", "")),
            text=text,
            path=str(meta.get("path", "")),
            date=str(meta.get("date") or "") or None,
            author=str(meta.get("author") or "") or None,
            ordinal=int(meta.get("ordinal", 0)),
            chunk_id=chunk_id,
        )
