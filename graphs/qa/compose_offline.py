"""The offline composer: an extractive answer made of verbatim, numbered quotes.

No model writes anything here, so nothing can be invented: every sentence shown is a quote
from a retrieved chunk, and the answer says so plainly when the sources do not cover it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from graphs.models import Answer, Citation
from graphs.qa.conversation import Turn, retrieval_query
from knowledge.chunks import PUBLIC_TENANT
from knowledge.embedding import embed
from knowledge.lexical import tokenize
from knowledge.passages import Passage

_SENTENCE = re.compile(r"(?<=[.!?…])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")
MAX_QUOTES = 4
# "What did *we* decide…" is about the client: their own notes outrank general advice.
NOTES_BOOST = 0.5
LEAD_BOOST = 0.15  # a section's first sentence usually states its point
_FIRST_PERSON = re.compile(r"\b(we|our|us|we're|we've)\b", re.IGNORECASE)
MAX_PER_CHUNK = 2
NOT_COVERED = (
    "The field report and the engagement notes I can see don't cover this, so I won't guess."
)


_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def _paragraph_units(text: str) -> list[str]:
    """Paragraphs with hard-wrapped lines joined; each list item is its own unit."""
    units: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        current: list[str] = []
        for line in paragraph.splitlines():
            if _LIST_ITEM.match(line) and current:
                units.append(" ".join(current))
                current = []
            if line.strip():
                current.append(_LIST_ITEM.sub("", line).strip())
        if current:
            units.append(" ".join(current))
    return units


def split_sentences(text: str) -> list[str]:
    """Sentences of a chunk, verbatim up to whitespace: wrapped lines are re-joined."""
    sentences: list[str] = []
    for unit in _paragraph_units(text):
        sentences.extend(s.strip() for s in _SENTENCE.split(unit) if s.strip())
    return sentences


class OfflineComposer:
    """Picks the sentences most relevant to the question and quotes them verbatim."""

    def __init__(self, model_dir: Path) -> None:
        self._model_dir = model_dir

    async def compose(
        self,
        question: str,
        passages: Sequence[Passage],
        *,
        tenant: str | None,
        history: Sequence[Turn] = (),
    ) -> Answer:
        """Runs in a worker thread: sentence embedding is CPU work. A follow-up picks its
        sentences for what it means with the question before it."""
        focus = retrieval_query(question, history)
        return await asyncio.to_thread(self.compose_sync, focus, passages, tenant=tenant)

    def compose_sync(
        self, question: str, passages: Sequence[Passage], *, tenant: str | None
    ) -> Answer:
        picks = self._pick(question, passages)
        citations: list[Citation] = []
        lines: list[str] = []
        by_chunk: dict[str, int] = {}
        for passage, sentence in picks:
            chunk = passage.chunk
            if chunk.chunk_id not in by_chunk:
                by_chunk[chunk.chunk_id] = len(citations) + 1
                citations.append(
                    Citation(
                        n=by_chunk[chunk.chunk_id],
                        source=chunk.source,
                        section=chunk.section,
                        quote=sentence,
                        tenant=chunk.tenant,
                        chunk_id=chunk.chunk_id,
                        date=chunk.date,
                    )
                )
            lines.append(f"• “{sentence}” [{by_chunk[chunk.chunk_id]}]")
        return Answer(answer=_intro(citations) + "\n" + "\n".join(lines), citations=citations)

    def _pick(self, question: str, passages: Sequence[Passage]) -> list[tuple[Passage, str]]:
        candidates = []
        leads = set()
        for p in passages:
            for position, sentence in enumerate(split_sentences(p.chunk.text)):
                if len(sentence) >= 25:
                    if position == 0:
                        leads.add(len(candidates))
                    candidates.append((p, sentence))
        if not candidates:
            return []
        vectors = embed(self._model_dir, [question] + [s for _, s in candidates])
        dense = vectors[1:] @ vectors[0]
        terms = set(tokenize(question))
        about_us = bool(_FIRST_PERSON.search(question))
        scores = []
        for i, (passage, sentence) in enumerate(candidates):
            overlap = len(terms & set(tokenize(sentence))) / len(terms) if terms else 0.0
            prior = 1.0 / (1 + passage.rank)
            own_notes = NOTES_BOOST if about_us and passage.chunk.tenant != PUBLIC_TENANT else 0.0
            lead = LEAD_BOOST if i in leads else 0.0
            scores.append(float(dense[i]) + 0.6 * overlap + 0.5 * prior + own_notes + lead)
        order = np.argsort(-np.asarray(scores), kind="stable")
        chosen: list[int] = []
        per_chunk: dict[str, int] = {}
        for i in order:
            chunk_id = candidates[i][0].chunk.chunk_id
            if per_chunk.get(chunk_id, 0) >= MAX_PER_CHUNK:
                continue
            per_chunk[chunk_id] = per_chunk.get(chunk_id, 0) + 1
            chosen.append(int(i))
            if len(chosen) == MAX_QUOTES:
                break
        # Read in the order the sources present them: by passage rank, then position.
        chosen.sort(key=lambda i: (candidates[i][0].rank, i))
        return [candidates[i] for i in chosen]


def _intro(citations: Sequence[Citation]) -> str:
    has_notes = any(c.tenant != PUBLIC_TENANT for c in citations)
    has_report = any(c.tenant == PUBLIC_TENANT for c in citations)
    if has_notes and has_report:
        return "From the field report and your engagement notes:"
    if has_notes:
        return "From your engagement notes:"
    return "From the field report:"


def not_covered_answer(passages: Sequence[Passage]) -> Answer:
    nearest = list(dict.fromkeys(p.chunk.label for p in passages[:3]))
    text = NOT_COVERED
    if nearest:
        text += "\nThe closest topics I have: " + "; ".join(nearest) + "."
    return Answer(answer=text, citations=[], covered=False, notice="Sources do not cover this.")
