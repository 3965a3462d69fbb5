"""The field report's vectors, held in each process and ranked there.

The report's ~26 chunks are the same for every client and change only with a release, yet
each answer asked the Chroma server for them twice (the report's nearest chunks, then the
fused ones' text): half of an answer's Chroma requests, each queued behind whatever another
client's ingest was writing. Each process now keeps the `public` collection's vectors,
documents and metadata as Chroma holds them and ranks them itself by cosine distance, so
the Chroma server is asked only for the caller's own client's notes.

The report's revision is its `sources` rows (path, sha256, changed_at), read from the state
database at most once a second (`RECHECK_S`): on every answer that read cost p50 1.4-7 ms,
p95 9-19 ms while another client ingested (docs/benchmarks.md). The ingestor commits them
after the vectors are written, so a process that reads a new revision then reads the new
vectors; a new report reaches every process within about a second.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Engine, select

from knowledge.chunks import PUBLIC_TENANT, Chunk
from knowledge.db import sources
from knowledge.vectors import TenantVectors

Revision = tuple[tuple[str, str, str], ...]
RECHECK_S = 1.0


@dataclass(frozen=True, slots=True)
class ReportSnapshot:
    """The report's chunks and unit vectors at one revision; read-only, shared by threads."""

    revision: Revision
    chunks: tuple[Chunk, ...] = ()
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))

    def nearest(self, vector: Any, n: int) -> list[tuple[str, float]]:
        """The `n` nearest chunks: (id, cosine distance), nearest first, ties by id, as a
        Chroma query of the collection answers."""
        if not self.chunks or n <= 0:
            return []
        query = _unit(np.asarray(vector, dtype=np.float32).reshape(1, -1))[0]
        distances = 1.0 - self.vectors @ query
        hits = [(c.chunk_id, float(d)) for c, d in zip(self.chunks, distances, strict=True)]
        return sorted(hits, key=lambda hit: (hit[1], hit[0]))[:n]

    def get(self, chunk_ids: list[str]) -> list[Chunk]:
        """The report's chunks among these ids (others are absent)."""
        wanted = set(chunk_ids)
        return [c for c in self.chunks if c.chunk_id in wanted]


class ReportVectors:
    """The public collection in process, reloaded when the report's revision changes."""

    def __init__(self, vectors: TenantVectors, engine: Engine) -> None:
        self._vectors = vectors
        self._engine = engine
        self._snapshot: ReportSnapshot | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def current(self) -> ReportSnapshot:
        """The report as of its revision at most `RECHECK_S` ago (read from Chroma once per
        revision)."""
        snapshot, now = self._snapshot, time.monotonic()
        if snapshot is not None and now - self._checked_at < RECHECK_S:
            return snapshot
        revision = self._revision()
        self._checked_at = now
        if snapshot is not None and snapshot.revision == revision:
            return snapshot
        with self._lock:  # one reload per revision, however many answers wait on it
            snapshot = self._snapshot
            if snapshot is None or snapshot.revision != revision:
                snapshot = self._load(revision)
                self._snapshot = snapshot
        return snapshot

    def _revision(self) -> Revision:
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(sources.c.path, sources.c.sha256, sources.c.changed_at)
                .where(sources.c.tenant == PUBLIC_TENANT)
                .order_by(sources.c.path)
            ).all()
        return tuple((path, sha, str(changed)) for path, sha, changed in rows)

    def _load(self, revision: Revision) -> ReportSnapshot:
        chunks, vectors = self._vectors.with_embeddings(PUBLIC_TENANT)
        if not chunks:
            return ReportSnapshot(revision)
        matrix = _unit(np.asarray(vectors, dtype=np.float32))
        return ReportSnapshot(revision, tuple(chunks), matrix)


def _unit(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (Chroma's cosine space normalises what it stores and asks)."""
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms == 0, 1.0, norms)
