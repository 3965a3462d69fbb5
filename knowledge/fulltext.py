"""The lexical half of retrieval, kept in the state database: no replica holds a corpus copy.

One `LexicalStore` per process, on the same database as the rest of the state: PostgreSQL
full-text search (a tsvector of our analysed terms, a GIN index, BM25 computed in SQL) for
scale-out, SQLite FTS5 embedded. Both rank by the same Okapi BM25 (`Scoring`), idf and average
length taken over the chunks the caller may read (the field report and their own client's).
Both are written in the caller's transaction, so a chunk is searchable exactly when its source
is registered, on every replica at once; both keep per-tenant document frequencies
(`lexical_terms`, `lexical_tenants`), so a tenant's writes touch that tenant's rows only, and
idf and "known term" are small reads.

Every read takes the tenants the caller may read (`allowed_tenants`): there is no unscoped
search to call by mistake.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from knowledge.chunks import Chunk
from knowledge.db import lexical_chunks, lexical_tenants, lexical_terms
from knowledge.lexical import tokenize

K1 = 1.2  # BM25's usual constants (FTS5's defaults too)
B = 0.75
MAX_TERM_CHARS = 64  # a longer "word" is noise (a hash, a hostile note), never a search term
_BATCH = 500


@dataclass(frozen=True, slots=True)
class Analysed:
    """A chunk as the lexical store keeps it: its tenant and its terms, in text order."""

    chunk_id: str
    tenant: str
    terms: tuple[str, ...]  # as read, repeats kept (a deleted row's: distinct terms only)
    length: int  # terms with repeats: BM25's |d|

    @classmethod
    def of(cls, chunk: Chunk) -> Analysed:
        terms = tuple(t for t in tokenize(chunk.index_text) if len(t) <= MAX_TERM_CHARS)
        return cls(chunk.chunk_id, chunk.tenant, terms, len(terms))

    @property
    def frequencies(self) -> dict[str, int]:
        return dict(Counter(self.terms))


@dataclass(frozen=True, slots=True)
class Scoring:
    """What BM25 needs of a question, among a caller's chunks: each known term's idf (unknown
    terms match nothing) and the average chunk length."""

    idf: dict[str, float]
    avgdl: float

    def score(self, frequencies: Mapping[str, int], length: int) -> float:
        """Okapi BM25 of one chunk (`frequencies`: term -> tf)."""
        norm = K1 * (1 - B + B * length / self.avgdl)
        return sum(
            idf * tf * (K1 + 1) / (tf + norm)
            for term, idf in self.idf.items()
            if (tf := frequencies.get(term, 0))
        )


def query_terms(text: str) -> list[str]:
    """A question's distinct search terms, in order of first use."""
    return list(dict.fromkeys(t for t in tokenize(text) if len(t) <= MAX_TERM_CHARS))


def bm25_idf(chunks: int, df: int) -> float:
    """Okapi BM25 idf with Lucene's +1 (never negative; unseen terms get the highest)."""
    return math.log(1 + (chunks - df + 0.5) / (df + 0.5))


class TermStats:
    """Term statistics over the chunks a caller may read; each term is looked up once."""

    def __init__(self, store: LexicalStore, tenants: frozenset[str]) -> None:
        self._store, self._tenants = store, tenants
        self._chunks: int | None = None
        self._df: dict[str, int] = {}

    def _lookup(self, term: str) -> int:
        if term not in self._df:
            self._df.update(self._store.document_frequencies([term], self._tenants))
        return self._df[term]

    def idf(self, term: str) -> float:
        """BM25 idf of a (tokenized) term among the caller's chunks."""
        if self._chunks is None:
            self._chunks = self._store.chunk_count(self._tenants)
        return bm25_idf(self._chunks, self._lookup(term))

    def known(self, term: str) -> bool:
        """Whether any chunk the caller may read uses the term."""
        return self._lookup(term) > 0


class LexicalStore(ABC):
    """Chunk terms and their statistics in the state database; search is dialect-specific."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        self._insert = insert

    # --- writes: always inside the caller's transaction ---------------------------------
    def register(self, conn: Connection, chunks: Sequence[Chunk]) -> int:
        """Index chunks not indexed yet (ids are content hashes: a known id is the same
        chunk); returns how many were new."""
        ordered = sorted({c.chunk_id: c for c in chunks}.values(), key=lambda c: c.chunk_id)
        added: list[Analysed] = []
        for start in range(0, len(ordered), _BATCH):  # one order for every writer: no deadlock
            rows = {c.chunk_id: Analysed.of(c) for c in ordered[start : start + _BATCH]}
            added += [rows[cid] for cid in self._insert_rows(conn, list(rows.values()))]
        self._count(conn, added, sign=1)
        return len(added)

    def unregister(self, conn: Connection, chunk_ids: Sequence[str]) -> int:
        """Drop chunks from the index; returns how many were indexed."""
        ids = sorted(set(chunk_ids))
        gone: list[Analysed] = []
        for start in range(0, len(ids), _BATCH):
            gone += self._delete_rows(conn, ids[start : start + _BATCH])
        self._count(conn, gone, sign=-1)
        return len(gone)

    @abstractmethod
    def _insert_rows(self, conn: Connection, rows: list[Analysed]) -> list[str]:
        """Insert the rows whose chunk id is absent; the ids actually inserted."""

    @abstractmethod
    def _delete_rows(self, conn: Connection, chunk_ids: list[str]) -> list[Analysed]:
        """Delete the rows of these ids; what was deleted."""

    def _count(self, conn: Connection, rows: Iterable[Analysed], sign: int) -> None:
        """Per-tenant document frequencies and sizes, in sorted order (two writers of one
        tenant then lock its rows in the same order and never deadlock)."""
        df: Counter[tuple[str, str]] = Counter()
        size: dict[str, list[int]] = {}
        for row in rows:
            df.update((row.tenant, term) for term in set(row.terms))
            totals = size.setdefault(row.tenant, [0, 0])
            totals[0] += 1
            totals[1] += row.length
        if not size:
            return
        keys = sorted(df)
        if sign > 0:
            statement = self._insert(lexical_terms)
            statement = statement.on_conflict_do_update(
                index_elements=["tenant", "term"],
                set_={"df": lexical_terms.c.df + statement.excluded.df},
            )
            conn.execute(statement, [{"tenant": t, "term": w, "df": df[t, w]} for t, w in keys])
        else:
            for tenant, term in keys:
                conn.execute(
                    update(lexical_terms)
                    .where(lexical_terms.c.tenant == tenant, lexical_terms.c.term == term)
                    .values(df=lexical_terms.c.df - df[tenant, term])
                )
            for tenant in sorted(size):
                conn.execute(
                    delete(lexical_terms).where(
                        lexical_terms.c.tenant == tenant,
                        lexical_terms.c.term.in_([w for t, w in keys if t == tenant]),
                        lexical_terms.c.df <= 0,
                    )
                )
        statement = self._insert(lexical_tenants)
        statement = statement.on_conflict_do_update(
            index_elements=["tenant"],
            set_={
                "chunks": lexical_tenants.c.chunks + statement.excluded.chunks,
                "length": lexical_tenants.c.length + statement.excluded.length,
            },
        )
        conn.execute(
            statement,
            [
                {"tenant": t, "chunks": sign * n, "length": sign * length}
                for t, (n, length) in sorted(size.items())
            ],
        )

    # --- reads: always scoped to the tenants a caller may read ---------------------------
    @abstractmethod
    def search(
        self, terms: Sequence[str], tenants: Collection[str], k: int
    ) -> list[tuple[str, float]]:
        """Top `k` (chunk id, BM25 score) among the chunks of `tenants`, best first."""

    def scoring(self, terms: Sequence[str], tenants: Collection[str]) -> Scoring | None:
        """The statistics a search scores by; None when no term is known to these tenants."""
        with self._engine.connect() as conn:
            chunks, length = conn.execute(
                select(
                    func.sum(lexical_tenants.c.chunks), func.sum(lexical_tenants.c.length)
                ).where(lexical_tenants.c.tenant.in_(sorted(tenants)))
            ).one()
        df = {t: n for t, n in self.document_frequencies(terms, tenants).items() if n > 0}
        if not df or not chunks:
            return None
        chunks = int(chunks)
        idf = {term: bm25_idf(chunks, n) for term, n in df.items()}
        return Scoring(idf, max(int(length or 0) / chunks, 1.0))

    def term_stats(self, tenants: frozenset[str]) -> TermStats:
        return TermStats(self, tenants)

    def chunk_count(self, tenants: Collection[str]) -> int:
        with self._engine.connect() as conn:
            total = conn.execute(
                select(func.sum(lexical_tenants.c.chunks)).where(
                    lexical_tenants.c.tenant.in_(sorted(tenants))
                )
            ).scalar()
        return int(total or 0)

    def document_frequencies(
        self, terms: Sequence[str], tenants: Collection[str]
    ) -> dict[str, int]:
        """In how many chunks of `tenants` each term occurs (0 for unknown terms)."""
        found = dict.fromkeys(terms, 0)
        if not terms:
            return found
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(lexical_terms.c.term, func.sum(lexical_terms.c.df))
                .where(
                    lexical_terms.c.tenant.in_(sorted(tenants)),
                    lexical_terms.c.term.in_(list(terms)),
                )
                .group_by(lexical_terms.c.term)
            ).all()
        found.update({term: int(df) for term, df in rows})
        return found

    def indexed_count(self) -> int:
        """Chunks in the index, every tenant's (for start-up checks and the bench)."""
        with self._engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(lexical_chunks)).scalar_one())


def make_lexical_store(engine: Engine) -> LexicalStore:
    """The store for this database: PostgreSQL full-text search, or SQLite FTS5."""
    if engine.dialect.name == "postgresql":
        from knowledge.fulltext_postgres import PostgresLexicalStore

        return PostgresLexicalStore(engine)
    from knowledge.fulltext_sqlite import SqliteLexicalStore

    return SqliteLexicalStore(engine)
