"""The vector store: one Chroma collection per client, and one for the field report.

A caller's dense query reads the field report's collection and its own client's, nothing else,
so tenant isolation is the layout rather than a filter, and a query costs what its own client
holds, not what every client holds. (One collection for every tenant, queried with
`where={"tenant": {"$in": ...}}`, took 72 ms at 22,000 chunks and grew with the corpus; one
collection per tenant, 4-5 ms: docs/benchmarks.md, "At scale".)

Indexes written with that one-collection layout are moved once, when the index is opened
(`move_single_collection`): page by page, copied then deleted, so an interrupted move resumes
and two processes moving at once only repeat each other's idempotent writes.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from chromadb.errors import NotFoundError

from knowledge.chunks import Chunk

log = logging.getLogger(__name__)
SPACE = {"hnsw": {"space": "cosine"}}
# Vectors per write: a Chroma server answers another collection's query behind a write in
# progress; 1,000 a write held queries up to p95 120-260 ms, 100 at 25-40 ms, for about
# half the write rate (docs/benchmarks.md, "Answers while another client ingests")
_BATCH = 100
_PAGE = 5000
T = TypeVar("T")


def collection_name(base: str, tenant: str) -> str:
    """`acme.advisor_chunks`: a tenant name starts with a letter or digit and the base name is
    a valid Chroma name (ends with one), so the result is a valid Chroma name too."""
    return f"{tenant}.{base}"


class TenantVectors:
    """Chunks' vectors, documents and metadata, one collection per tenant."""

    def __init__(self, client: Any, base: str, embedding_function: Any) -> None:
        self._client = client
        self._base = base
        self._embedding_function = embedding_function
        self._open: dict[str, Any] = {}
        self._lock = threading.Lock()

    # --- collections -------------------------------------------------------------------
    def _collection(self, tenant: str, *, create: bool) -> Any | None:
        with self._lock:
            found = self._open.get(tenant)
        if found is not None:
            return found
        name = collection_name(self._base, tenant)
        if create:
            found = self._client.get_or_create_collection(
                name, embedding_function=self._embedding_function, configuration=SPACE
            )
        else:
            try:
                found = self._client.get_collection(
                    name, embedding_function=self._embedding_function
                )
            except NotFoundError:
                return None  # no chunk yet; not remembered: another process may add one
        with self._lock:
            self._open[tenant] = found
        return found

    def _on(self, tenant: str, call: Callable[[Any], T], *, create: bool = False) -> T | None:
        """`call` on the tenant's collection (None when it has none and `create` is off). A
        handle to a collection another process dropped (an offboarding) is reopened once."""
        for attempt in (1, 2):
            collection = self._collection(tenant, create=create)
            if collection is None:
                return None
            try:
                return call(collection)
            except NotFoundError:
                with self._lock:
                    self._open.pop(tenant, None)
                if attempt == 2:
                    raise
        return None

    def tenants(self) -> list[str]:
        """The tenants with a collection (the field report's included)."""
        suffix = f".{self._base}"
        names = [getattr(c, "name", c) for c in self._client.list_collections()]
        return sorted(n[: -len(suffix)] for n in names if n.endswith(suffix))

    def ping(self) -> None:
        """Raises when the store cannot be reached."""
        self._client.heartbeat()

    # --- writes ------------------------------------------------------------------------
    def upsert(self, chunks: Sequence[Chunk], embed: Callable[[list[str]], Any]) -> None:
        by_tenant: dict[str, list[Chunk]] = {}
        for chunk in chunks:
            by_tenant.setdefault(chunk.tenant, []).append(chunk)
        for tenant, mine in by_tenant.items():
            for start in range(0, len(mine), _BATCH):
                batch = mine[start : start + _BATCH]
                vectors = embed([c.index_text for c in batch])
                self._on(
                    tenant,
                    lambda col, batch=batch, vectors=vectors: col.upsert(
                        ids=[c.chunk_id for c in batch],
                        documents=[c.text for c in batch],
                        embeddings=vectors,
                        metadatas=[c.metadata() for c in batch],
                    ),
                    create=True,
                )

    def delete(self, tenant: str, chunk_ids: Sequence[str]) -> None:
        ids = list(chunk_ids)
        for start in range(0, len(ids), _BATCH):
            self._on(tenant, lambda col, s=start: col.delete(ids=ids[s : s + _BATCH]))

    def drop(self, tenant: str) -> None:
        """Delete the tenant's collection, every vector in it."""
        with self._lock:
            self._open.pop(tenant, None)
        # no collection: it never had a chunk, or another process dropped it first
        with contextlib.suppress(NotFoundError):
            self._client.delete_collection(collection_name(self._base, tenant))

    # --- reads -------------------------------------------------------------------------
    def count(self, tenant: str) -> int:
        return self._on(tenant, lambda col: int(col.count())) or 0

    def get(self, chunk_ids: Sequence[str], tenants: Sequence[str]) -> list[Chunk]:
        """The chunks with these ids in these tenants' collections (others are absent)."""
        if not chunk_ids:
            return []
        found: list[Chunk] = []
        for tenant in tenants:
            got = self._on(
                tenant, lambda col: col.get(ids=list(chunk_ids), include=["documents", "metadatas"])
            )
            found += _chunks(got) if got else []
        return found

    def pages(self, tenant: str) -> Iterator[list[Chunk]]:
        """Every chunk of one tenant, a page at a time."""
        offset = 0
        while True:
            got = self._on(
                tenant,
                lambda col, o=offset: col.get(
                    include=["documents", "metadatas"], limit=_PAGE, offset=o
                ),
            )
            if not got or not got["ids"]:
                return
            yield _chunks(got)
            offset += len(got["ids"])

    def with_embeddings(self, tenant: str) -> tuple[list[Chunk], list[Any]]:
        """Every chunk of one tenant and its stored vector, in the same order (small
        collections: the field report's, held in process by knowledge/report_vectors.py)."""
        chunks: list[Chunk] = []
        vectors: list[Any] = []
        while True:
            offset = len(chunks)
            got = self._on(
                tenant,
                lambda col, o=offset: col.get(
                    include=["embeddings", "documents", "metadatas"], limit=_PAGE, offset=o
                ),
            )
            if not got or not got["ids"]:
                return chunks, vectors
            chunks += _chunks(got)
            vectors += list(got["embeddings"])

    def query(self, vector: Any, tenants: Sequence[str], n: int) -> list[tuple[str, float]]:
        """The `n` nearest chunks among these tenants' collections: (id, cosine distance),
        nearest first (each collection's own `n` nearest, merged)."""
        hits: list[tuple[str, float]] = []
        for tenant in tenants:
            got = self._on(
                tenant,
                lambda col: col.query(query_embeddings=vector, n_results=n, include=["distances"]),
            )
            if got:
                hits += zip(got["ids"][0], (float(d) for d in got["distances"][0]), strict=True)
        return sorted(hits, key=lambda hit: (hit[1], hit[0]))[:n]

    # --- the one-collection layout -----------------------------------------------------
    def move_single_collection(self) -> int:
        """Move the chunks of a one-collection index (named the base name) into per-tenant
        collections, vectors as they are, then delete it; the chunks moved (0: none there)."""
        try:
            # vectors are copied as they are: no embedding function needed, none checked
            legacy = self._client.get_collection(self._base, embedding_function=None)
        except NotFoundError:
            return 0
        log.info("moving %d chunks to one collection per tenant (once)", legacy.count())
        moved = 0
        while True:
            try:
                got = legacy.get(include=["embeddings", "documents", "metadatas"], limit=_PAGE)
            except NotFoundError:
                break  # another process finished the move
            if not got["ids"]:
                break
            self._copy(got)
            legacy.delete(ids=got["ids"])
            moved += len(got["ids"])
        with contextlib.suppress(NotFoundError):  # another process finished the move
            self._client.delete_collection(self._base)
        return moved

    def _copy(self, got: dict[str, Any]) -> None:
        by_tenant: dict[str, list[int]] = {}
        for i, meta in enumerate(got["metadatas"]):
            by_tenant.setdefault(str(meta["tenant"]), []).append(i)
        for tenant, rows in by_tenant.items():
            self._on(
                tenant,
                lambda col, rows=rows: col.upsert(
                    ids=[got["ids"][i] for i in rows],
                    documents=[got["documents"][i] for i in rows],
                    embeddings=[got["embeddings"][i] for i in rows],
                    metadatas=[got["metadatas"][i] for i in rows],
                ),
                create=True,
            )


def _chunks(got: dict[str, Any]) -> list[Chunk]:
    rows = zip(got["ids"], got["documents"], got["metadatas"], strict=True)
    return [Chunk.from_metadata(cid, doc, meta) for cid, doc, meta in rows]
