"""The tenant-scoped index: Chroma for dense vectors, the state database for BM25, fused by RRF.

Tenancy is enforced here and only here: `retrieve_for_tenant` always restricts both rankers
to `public` + the caller's tenant, and there is no unscoped search to call by mistake. The
dense half (knowledge/vectors.py) keeps one Chroma collection per tenant; the field report's
is held and ranked in process (knowledge/report_vectors.py), so an answer asks Chroma about
the caller's own collection only. The lexical half (knowledge/fulltext.py)
lives in PostgreSQL or SQLite, written with each chunk's registration: no process keeps a copy
of the corpus or rebuilds anything when another adds a note.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import chromadb
from chromadb.config import Settings as ChromaSettings
from sqlalchemy import Connection, Engine, exists, select, update

from knowledge.chunks import PUBLIC_TENANT, Chunk
from knowledge.db import index_revision, lexical_chunks, upsert
from knowledge.embedding import WordLlamaEmbedding, embed
from knowledge.fulltext import make_lexical_store, query_terms
from knowledge.passages import Passage
from knowledge.report_vectors import ReportSnapshot, ReportVectors
from knowledge.scope import DataScope, require_scope
from knowledge.settings import Settings
from knowledge.vectors import TenantVectors
from knowledge.vocabulary import expand_query

log = logging.getLogger(__name__)
RRF_K = 60
# Weighted RRF: WordLlama is a static word-embedding model, weaker than BM25 on this corpus;
# half weight for dense ranks beats both rankers on recall@1, recall@5 and MRR (advisor eval).
DENSE_WEIGHT = 0.5
LEXICAL_WEIGHT = 1.0
CANDIDATES = 20


class IndexUnavailableError(RuntimeError):
    """The vector index cannot be reached (Chroma server down, directory unreadable)."""


@dataclass(frozen=True, slots=True)
class Ranked:
    chunk_id: str
    score: float


def make_chroma_client(settings: Settings) -> Any:
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        return chromadb.HttpClient(
            host=settings.chroma_host,
            port=settings.chroma_port,
            ssl=settings.chroma_ssl,
            settings=chroma_settings,
        )
    path = settings.ensure_data_dir() / "chroma"
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class KnowledgeIndex:
    """Chunks of every tenant, a vector collection each; reads are always tenant-scoped."""

    def __init__(self, settings: Settings, engine: Engine, client: Any | None = None) -> None:
        self._settings = settings
        self._engine = engine
        self._model_dir = settings.ensure_data_dir() / "models" / "wordllama"
        self._owns_client = client is None
        self._client = client or make_chroma_client(settings)
        self._vectors = TenantVectors(
            self._client, settings.collection, WordLlamaEmbedding(self._model_dir)
        )
        # chunks of an older one-collection index moved to their tenants' collections now
        self.moved_on_open = self._vectors.move_single_collection()
        self._report = ReportVectors(self._vectors, engine)
        self._store = make_lexical_store(engine)
        self._backfill_lexical()

    def close(self) -> None:
        """Release the Chroma client we opened: Chroma keeps each client's system (its
        SQLite handles and loaded segments) in a process-wide cache until it is closed."""
        if self._owns_client:
            self._client.close()

    # --- writes ------------------------------------------------------------------------
    def upsert(self, chunks: Sequence[Chunk], *, within: Connection | None = None) -> None:
        """Index chunks: vectors in their tenant's Chroma collection, then their lexical
        rows in `within` (the transaction that registers their sources, so both commit or
        neither) or in a transaction of their own."""
        self._vectors.upsert(chunks, lambda texts: embed(self._model_dir, texts))
        self._in_transaction(within, lambda conn: self._store.register(conn, chunks))

    def delete(
        self, tenant: str, chunk_ids: Sequence[str], *, within: Connection | None = None
    ) -> None:
        """Remove a tenant's chunks from Chroma, and their lexical rows as `upsert` writes
        them."""
        ids = list(chunk_ids)
        self._vectors.delete(tenant, ids)
        self._in_transaction(within, lambda conn: self._store.unregister(conn, ids))

    def drop_tenant(self, tenant: str) -> int:
        """Offboarding: the tenant's lexical rows, then its whole vector collection; the
        chunks it held."""
        ids = [c.chunk_id for page in self._vectors.pages(tenant) for c in page]
        self._in_transaction(None, lambda conn: self._store.unregister(conn, ids))
        self._vectors.drop(tenant)
        return len(ids)

    def _in_transaction(
        self, within: Connection | None, write: Callable[[Connection], int]
    ) -> None:
        if within is not None:
            write(within)
            return
        with self._engine.begin() as conn:
            write(conn)

    def _backfill_lexical(self) -> None:
        """Chunks indexed before the lexical store existed (migration 0009) are read from
        Chroma once: only while the store holds no row at all."""
        with self._engine.connect() as conn:
            if conn.execute(select(exists().where(lexical_chunks.c.id.is_not(None)))).scalar():
                return
        total = self.count()
        if not total:
            return
        log.info("filling the lexical index from %d indexed chunks (once)", total)
        for tenant in self._vectors.tenants():
            for page in self._vectors.pages(tenant):
                with self._engine.begin() as conn:
                    self._store.register(conn, page)

    def bump_revision(self) -> str:
        """Record that the index changed, for anything that caches what it read from it."""
        revision = uuid.uuid4().hex
        with self._engine.begin() as conn:
            updated = conn.execute(
                update(index_revision).where(index_revision.c.id == 1).values(revision=revision)
            )
            if not updated.rowcount:
                upsert(conn, index_revision, {"id": 1, "revision": revision}, ["id"])
        return revision

    # --- reads -------------------------------------------------------------------------
    def count(self) -> int:
        """Chunks indexed, every tenant's (one call per tenant: for tools and tests)."""
        return sum(self._vectors.count(t) for t in self._vectors.tenants())

    def ping(self) -> None:
        """Raises when the vector store cannot be reached (readiness)."""
        self._vectors.ping()

    def get_chunks(self, chunk_ids: Sequence[str], scope: DataScope) -> list[Chunk]:
        """The chunks with these ids that `scope` may read (the field report's, and its own
        client's); ids of other clients' chunks are silently absent."""
        require_scope(scope)
        if not chunk_ids:
            return []
        if scope.everything:  # the operator's tools: the tenants that hold these ids
            with self._engine.connect() as conn:
                held = conn.execute(
                    select(lexical_chunks.c.tenant)
                    .where(lexical_chunks.c.chunk_id.in_(list(chunk_ids)))
                    .distinct()
                ).scalars()
                readable = sorted(set(held))
        else:
            readable = sorted(allowed_tenants(scope.tenant))
        return [c for c in self._vectors.get(chunk_ids, readable) if scope.sees(c.tenant)]

    def chunks_for_tenant(self, tenant: str) -> list[Chunk]:
        """Every chunk that `tenant` owns (not the public ones), for digests and audits."""
        chunks = [c for page in self._vectors.pages(tenant) for c in page]
        return sorted(chunks, key=lambda c: (c.date or "", c.path, c.ordinal))

    def retrieve_for_tenant(
        self, question: str, tenant: str | None, k: int | None = None
    ) -> list[Passage]:
        """Hybrid retrieval over `public` + `tenant` only (None: the field report only)."""
        allowed = allowed_tenants(tenant)
        k = k or self._settings.top_k
        report = self._report.current()  # one revision of the report for the whole answer
        dense = self._dense(question, allowed, CANDIDATES, report)
        lexical = self._lexical(question, allowed, CANDIDATES)
        fused = fuse(
            [[r.chunk_id for r in dense], [cid for cid, _ in lexical]],
            weights=(DENSE_WEIGHT, LEXICAL_WEIGHT),
        )[:k]
        chunks = self._fetch([f.chunk_id for f in fused], tenant, report)
        dense_by_id = {r.chunk_id: r.score for r in dense}
        lexical_by_id = dict(lexical)
        passages = []
        for rank, item in enumerate(fused, 1):
            chunk = chunks.get(item.chunk_id)
            if chunk is None or chunk.tenant not in allowed:  # defence in depth
                continue
            passages.append(
                Passage(
                    chunk=chunk,
                    score=item.score,
                    rank=rank,
                    dense=dense_by_id.get(item.chunk_id),
                    lexical=lexical_by_id.get(item.chunk_id),
                )
            )
        return passages

    def _fetch(
        self, chunk_ids: list[str], tenant: str | None, report: ReportSnapshot
    ) -> dict[str, Chunk]:
        """The fused chunks by id: the report's from the process, the rest from the
        caller's own collection (asked only when some are not the report's)."""
        found = {c.chunk_id: c for c in report.get(chunk_ids)}
        rest = [cid for cid in chunk_ids if cid not in found]
        if tenant and rest:
            found |= {c.chunk_id: c for c in self._vectors.get(rest, [tenant])}
        return found

    def term_stats(
        self, tenant: str | None
    ) -> tuple[Callable[[str], float], Callable[[str], bool]]:
        """(idf of a term, whether the sources this caller may read use it): what coverage
        (graphs/qa/coverage.py) weighs a question by. Both read the lexical store, among the
        chunks this caller may read."""
        stats = self._store.term_stats(allowed_tenants(tenant))
        return stats.idf, stats.known

    def note_term_shares(self, scope: DataScope, terms: Sequence[str]) -> dict[str, float]:
        """Of `terms`, the share of the scope's client's own note chunks each occurs in: a word
        in most of them ("Scout", the CTO's name) names the engagement, not one subject in it.
        Numbers only, and only of the caller's own client (none for no client)."""
        tenant = require_scope(scope).tenant
        if tenant is None:
            return {}
        total = self._store.chunk_count({tenant})
        if not total or not terms:
            return {}
        frequencies = self._store.document_frequencies(list(terms), {tenant})
        return {t: df / total for t, df in frequencies.items()}

    def term_known(self, tenant: str | None) -> Callable[[str], bool]:
        """Whether the sources this caller may read use a (tokenized) term at all."""
        return self._store.term_stats(allowed_tenants(tenant)).known

    def retrieve_dense(self, question: str, tenant: str | None, k: int) -> list[str]:
        """Dense-only ranking (for `advisor eval retrieval`)."""
        return [r.chunk_id for r in self._dense(question, allowed_tenants(tenant), k)]

    def retrieve_lexical(self, question: str, tenant: str | None, k: int) -> list[str]:
        """BM25-only ranking (for `advisor eval retrieval`)."""
        return [cid for cid, _ in self._lexical(question, allowed_tenants(tenant), k)]

    def _lexical(self, question: str, allowed: frozenset[str], n: int) -> list[tuple[str, float]]:
        return self._store.search(query_terms(expand_query(question)), allowed, n)

    def _dense(
        self,
        question: str,
        allowed: frozenset[str],
        n: int = CANDIDATES,
        report: ReportSnapshot | None = None,
    ) -> list[Ranked]:
        """The report's nearest chunks (ranked in process) and the caller's collection's
        (asked of Chroma), merged by distance."""
        vector = embed(self._model_dir, [expand_query(question)])
        hits = self._vectors.query(vector, sorted(allowed - {PUBLIC_TENANT}), n)
        if PUBLIC_TENANT in allowed:
            hits += (report or self._report.current()).nearest(vector, n)
        hits = sorted(hits, key=lambda hit: (hit[1], hit[0]))[:n]
        return [Ranked(cid, 1.0 - distance) for cid, distance in hits]


def allowed_tenants(tenant: str | None) -> frozenset[str]:
    """The tenants a caller may read: always the field report, plus their own client."""
    return frozenset({PUBLIC_TENANT, tenant}) if tenant else frozenset({PUBLIC_TENANT})


def fuse(
    rankings: Sequence[Sequence[str]],
    k: int = RRF_K,
    weights: Sequence[float] | None = None,
) -> list[Ranked]:
    """Weighted reciprocal rank fusion: sum of w/(k + rank) over the rankings listing an id."""
    weights = weights or [1.0] * len(rankings)
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, chunk_id in enumerate(ranking, 1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + weight / (k + rank)
    ordered = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return [Ranked(cid, score) for cid, score in ordered]
