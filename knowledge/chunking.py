"""Section-aware chunking: a chunk never spans two sections, so its label is exact.

Every chunk is at most `target_chars` long whatever the input: a paragraph longer than the
target becomes pieces of its own, cut at the last list item, sentence end, line break or space
in each window (in that order of preference), or at the window's edge when there is none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from knowledge.chunks import LABEL_SEPARATOR, Chunk
from knowledge.sources import Document, LimitError

TARGET_CHARS = 900
_PARAGRAPH = re.compile(r"\n\s*\n")
_BOUNDARIES = (
    re.compile(r"\n(?=[ \t]*(?:[-*+•]|\d+[.)])\s)"),  # before a list item
    re.compile(r"(?<=[.!?…])\s"),  # after a sentence
    re.compile(r"\n"),
    re.compile(r"\s"),
)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in _PARAGRAPH.split(text) if p.strip()]


def _cut(text: str, start: int, target: int) -> int:
    """Where the piece starting at `start` ends: the last, best boundary in the second half of
    its window (the pieces are exact slices of the paragraph)."""
    window = text[start : start + target + 1]
    for boundary in _BOUNDARIES:
        found = [match.start() for match in boundary.finditer(window, target // 2)]
        if found:
            return start + found[-1]
    return start + target


def _split_paragraph(para: str, target: int) -> Iterator[str]:
    """A paragraph longer than `target` as pieces of at most `target` characters (indices
    move forward, never slices of the rest: linear time on a 50 MB paragraph)."""
    start, end = 0, len(para)
    while end - start > target:
        cut = _cut(para, start, target)
        piece = para[start:cut].strip()
        if piece:
            yield piece
        start = cut
    if rest := para[start:].strip():
        yield rest


def _pack(paragraphs: list[str], target: int) -> list[str]:
    """Greedily pack paragraphs into pieces of at most `target` characters; a longer one is
    split into pieces of its own."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for para in paragraphs:
        if current and (size + len(para) > target or len(para) > target):
            pieces.append("\n\n".join(current))
            current, size = [], 0
        if len(para) > target:
            pieces.extend(_split_paragraph(para, target))
            continue
        current.append(para)
        size += len(para) + 2
    if current:
        pieces.append("\n\n".join(current))
    return pieces


def chunk_document(
    doc: Document,
    tenant: str,
    *,
    target_chars: int = TARGET_CHARS,
    max_chunks: int | None = None,
) -> list[Chunk]:
    """Split a document into chunks labelled `title › heading path`; raises `LimitError`
    as soon as it would make more than `max_chunks`. A piece repeated in one section is kept
    once: its id would repeat, and the vector store refuses a batch with a repeated id."""
    chunks: list[Chunk] = []
    ids: set[str] = set()
    for section in doc.sections:
        label = LABEL_SEPARATOR.join(section.headings)
        for piece in _pack(_paragraphs(section.text), target_chars):
            chunk = Chunk(
                tenant=tenant,
                source=doc.title,
                section=label,
                text=piece,
                path=doc.path,
                date=doc.date,
                author=doc.author,
                ordinal=len(chunks),
            )
            if chunk.chunk_id in ids:
                continue
            if max_chunks is not None and len(chunks) >= max_chunks:
                raise LimitError(
                    f"{doc.path}: would make more than {max_chunks:,} chunks "
                    "(ADVISOR_INGEST_MAX_CHUNKS)"
                )
            ids.add(chunk.chunk_id)
            chunks.append(chunk)
    return chunks
