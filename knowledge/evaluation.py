"""Retrieval evaluation over a golden set: recall@1, recall@5 and MRR per ranker."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from knowledge.index import KnowledgeIndex, fuse
from knowledge.scope import DataScope

Ranker = Callable[[str, str | None], list[str]]  # (question, tenant) -> chunk ids, best first
DEPTH = 10


class GoldenQuestion(BaseModel):
    id: str
    question: str
    tenant: str = "public"
    expect: list[str] = Field(min_length=1)

    @property
    def caller(self) -> str | None:
        return None if self.tenant == "public" else self.tenant


@dataclass(frozen=True, slots=True)
class Metrics:
    ranker: str
    recall_at_1: float
    recall_at_5: float
    mrr: float
    misses: tuple[str, ...]  # ids of questions with no hit in the top 5


def load_golden(path: Path) -> list[GoldenQuestion]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [GoldenQuestion.model_validate(row) for row in rows]


def rankers(index: KnowledgeIndex) -> dict[str, Ranker]:
    """BM25-only, dense-only and hybrid (RRF of both), with the same depth."""

    def lexical(q: str, t: str | None) -> list[str]:
        return index.retrieve_lexical(q, t, DEPTH)

    def dense(q: str, t: str | None) -> list[str]:
        return index.retrieve_dense(q, t, DEPTH)

    def hybrid(q: str, t: str | None) -> list[str]:
        return [p.chunk.chunk_id for p in index.retrieve_for_tenant(q, t, DEPTH)]

    return {"bm25": lexical, "dense": dense, "hybrid": hybrid}


def evaluate(
    index: KnowledgeIndex, golden: Sequence[GoldenQuestion], name: str, ranker: Ranker
) -> Metrics:
    hits1 = hits5 = 0
    reciprocal = 0.0
    misses = []
    for item in golden:
        ids = ranker(item.question, item.caller)
        labels = [c.label for c in _in_order(index, ids)]
        rank = _first_hit(labels, item.expect)
        hits1 += rank == 1
        hits5 += rank is not None and rank <= 5
        reciprocal += 1.0 / rank if rank else 0.0
        if not rank or rank > 5:
            misses.append(item.id)
    n = max(len(golden), 1)
    return Metrics(name, hits1 / n, hits5 / n, reciprocal / n, tuple(misses))


def evaluate_all(index: KnowledgeIndex, golden: Sequence[GoldenQuestion]) -> list[Metrics]:
    return [evaluate(index, golden, name, r) for name, r in rankers(index).items()]


def _in_order(index: KnowledgeIndex, ids: list[str]):  # type: ignore[no-untyped-def]
    by_id = {c.chunk_id: c for c in index.get_chunks(ids, DataScope.operator())}  # eval tool
    return [by_id[i] for i in ids if i in by_id]


def _first_hit(labels: Sequence[str], expect: Sequence[str]) -> int | None:
    for rank, label in enumerate(labels, 1):
        if any(label == e or label.startswith(e + " › ") for e in expect):
            return rank
    return None


__all__ = ["GoldenQuestion", "Metrics", "evaluate", "evaluate_all", "fuse", "load_golden"]
