"""SQLite FTS5 for the embedded path: an inverted index on disk, updated row by row.

`lexical_chunks` (in the state database) holds each chunk's analysed terms; a contentless FTS5
table over them lives in the `fulltext` database that `make_engine` attaches to every SQLite
connection (knowledge/db.py): a virtual table and its shadow tables are no part of the declared
schema, and a derived index can be rebuilt from `lexical_chunks` without reading any chunk.
Writes to both go in the caller's transaction. A restart opens the index as it is; only a
missing or out-of-step index file is rebuilt.

FTS5 finds the chunks and ranks them by its own bm25(); the best `POOL_PER_RESULT` × k of
them are scored again with the same Okapi BM25 as on PostgreSQL (`Scoring`: idf over the
tenants the caller may read, Lucene's never-negative idf), which orders the results. FTS5's
ranking alone scored worse on the golden questions: its idf floors any term in half the
chunks at ~0 and counts every tenant's chunks (docs/benchmarks.md).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Sequence

from sqlalchemy import Connection, Engine, bindparam, delete, func, select, text
from sqlalchemy.dialects.sqlite import insert

from knowledge.db import FULLTEXT_SCHEMA, lexical_chunks
from knowledge.fulltext import Analysed, LexicalStore

log = logging.getLogger(__name__)
FTS = f"{FULLTEXT_SCHEMA}.lexical_fts"
_CREATE = text(
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(terms, content='', tokenize='ascii')"
)
_ADD = text(f"INSERT INTO {FTS}(rowid, terms) VALUES (:id, :terms)")
_REMOVE = text(f"INSERT INTO {FTS}(lexical_fts, rowid, terms) VALUES ('delete', :id, :terms)")
_POOL = text(
    f"""
    SELECT c.chunk_id, c.length, c.frequencies
    FROM {FTS} JOIN lexical_chunks AS c ON c.id = lexical_fts.rowid
    WHERE lexical_fts MATCH :query AND c.tenant IN :tenants
    ORDER BY bm25(lexical_fts)
    LIMIT :pool
    """
).bindparams(bindparam("tenants", expanding=True))
POOL_PER_RESULT = 10  # candidates FTS5 hands over per result asked for


class SqliteLexicalStore(LexicalStore):
    """Lexical rows and their FTS5 index in the embedded state database."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        with engine.begin() as conn:
            conn.execute(_CREATE)
            if not self._in_step(conn):
                self._rebuild(conn)

    def _in_step(self, conn: Connection) -> bool:
        indexed = conn.execute(text(f"SELECT count(*), max(rowid) FROM {FTS}")).one()
        rows = conn.execute(select(func.count(), func.max(lexical_chunks.c.id))).one()
        return tuple(indexed) == tuple(rows)

    def _rebuild(self, conn: Connection) -> None:
        """Index every row again (the index file was lost, or a crash left it behind)."""
        log.warning("lexical index out of step with its rows: rebuilding it from them")
        conn.execute(text(f"DROP TABLE {FTS}"))  # a contentless table cannot be emptied
        conn.execute(_CREATE)
        result = conn.execute(select(lexical_chunks.c.id, lexical_chunks.c.terms))
        while batch := result.fetchmany(5000):
            conn.execute(_ADD, [{"id": i, "terms": terms} for i, terms in batch])

    def _insert_rows(self, conn: Connection, rows: list[Analysed]) -> list[str]:
        if not rows:
            return []
        terms = {r.chunk_id: " ".join(r.terms) for r in rows}
        statement = (
            insert(lexical_chunks)
            .values(
                [
                    {
                        "chunk_id": r.chunk_id,
                        "tenant": r.tenant,
                        "length": r.length,
                        "terms": terms[r.chunk_id],
                        "frequencies": r.frequencies,
                    }
                    for r in rows
                ]
            )
            .on_conflict_do_nothing(index_elements=["chunk_id"])
            .returning(lexical_chunks.c.id, lexical_chunks.c.chunk_id)
        )
        added = conn.execute(statement).all()
        if added:
            conn.execute(_ADD, [{"id": i, "terms": terms[cid]} for i, cid in added])
        return [cid for _i, cid in added]

    def _delete_rows(self, conn: Connection, chunk_ids: list[str]) -> list[Analysed]:
        if not chunk_ids:
            return []
        c = lexical_chunks.c
        gone = conn.execute(
            delete(lexical_chunks)
            .where(c.chunk_id.in_(chunk_ids))
            .returning(c.id, c.chunk_id, c.tenant, c.length, c.terms)
        ).all()
        if gone:  # a contentless index forgets a row given exactly what it was given
            conn.execute(_REMOVE, [{"id": row.id, "terms": row.terms} for row in gone])
        return [Analysed(r.chunk_id, r.tenant, tuple(r.terms.split()), r.length) for r in gone]

    def search(
        self, terms: Sequence[str], tenants: Collection[str], k: int
    ) -> list[tuple[str, float]]:
        scoring = self.scoring([t for t in dict.fromkeys(terms) if t], tenants) if tenants else None
        if scoring is None:
            return []
        query = " OR ".join(f'"{t}"' for t in scoring.idf)  # [a-z0-9]+ (knowledge/lexical)
        params = {"query": query, "tenants": sorted(tenants), "pool": k * POOL_PER_RESULT}
        with self._engine.connect() as conn:
            pool = conn.execute(_POOL, params).all()
        scored = [
            (chunk_id, scoring.score(json.loads(frequencies), length))
            for chunk_id, length, frequencies in pool
        ]
        return sorted(scored, key=lambda item: (-item[1], item[0]))[:k]
