"""Section-aware chunking: a chunk never spans two sections, so its label is exact."""

from __future__ import annotations

import re

from knowledge.chunks import LABEL_SEPARATOR, Chunk
from knowledge.sources import Document

TARGET_CHARS = 900
_PARAGRAPH = re.compile(r"\n\s*\n")


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in _PARAGRAPH.split(text) if p.strip()]


def _pack(paragraphs: list[str], target: int) -> list[str]:
    """Greedily pack paragraphs into pieces of about `target` characters."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for para in paragraphs:
        if current and size + len(para) > target:
            pieces.append("\n\n".join(current))
            current, size = [], 0
        current.append(para)
        size += len(para) + 2
    if current:
        pieces.append("\n\n".join(current))
    return pieces


def chunk_document(doc: Document, tenant: str, *, target_chars: int = TARGET_CHARS) -> list[Chunk]:
    """Split a document into chunks labelled `title › heading path`."""
    chunks: list[Chunk] = []
    for section in doc.sections:
        label = LABEL_SEPARATOR.join(section.headings)
        for piece in _pack(_paragraphs(section.text), target_chars):
            chunks.append(
                Chunk(
                    tenant=tenant,
                    source=doc.title,
                    section=label,
                    text=piece,
                    path=doc.path,
                    date=doc.date,
                    author=doc.author,
                    ordinal=len(chunks),
                )
            )
    return chunks
