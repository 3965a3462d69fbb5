"""Retrieved passages: a chunk with the scores that got it retrieved."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.chunks import Chunk


@dataclass(frozen=True, slots=True)
class Passage:
    """One retrieval hit. `score` is the fused (RRF) score; `dense` is cosine similarity
    and `lexical` the BM25 score, when that ranker found the chunk."""

    chunk: Chunk
    score: float
    rank: int
    dense: float | None = None
    lexical: float | None = None
