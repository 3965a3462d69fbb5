"""PostgreSQL full-text search for scale-out: a GIN-indexed tsvector, BM25 ranked in SQL.

The tsvector holds our analysed terms (knowledge/lexical.py: English stop words and Snowball
stems, with our merges) through the `simple` configuration, so PostgreSQL neither re-stems nor
drops them and a question meets a chunk on exactly the terms the embedded store uses. One GIN
index over (tenant, terms) finds the caller's tenants' chunks with any question term (what
other clients hold is never read), and each one is scored in SQL by Okapi BM25 from its
`frequencies` (jsonb: reading a term's tf there is ~5x cheaper than unnesting the tsvector;
each tf is read once), its length and the idf of the tenants the caller may read
(`Scoring`). `ts_rank` is not used: it has no idf (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import Connection, bindparam, delete, func, literal_column, text
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.types import String

from knowledge.db import lexical_chunks
from knowledge.fulltext import K1, Analysed, B, LexicalStore


class PostgresLexicalStore(LexicalStore):
    """Lexical rows in PostgreSQL; every replica reads the same ones, none keeps a copy."""

    def _insert_rows(self, conn: Connection, rows: list[Analysed]) -> list[str]:
        if not rows:
            return []
        statement = (
            insert(lexical_chunks)
            .values(
                [
                    {
                        "chunk_id": r.chunk_id,
                        "tenant": r.tenant,
                        "length": r.length,
                        "terms": func.strip(
                            func.to_tsvector(literal_column("'simple'"), " ".join(r.terms))
                        ),
                        "frequencies": r.frequencies,
                    }
                    for r in rows
                ]
            )
            .on_conflict_do_nothing(index_elements=["chunk_id"])
            .returning(lexical_chunks.c.chunk_id)
        )
        return list(conn.execute(statement).scalars())

    def _delete_rows(self, conn: Connection, chunk_ids: list[str]) -> list[Analysed]:
        if not chunk_ids:
            return []
        statement = (
            delete(lexical_chunks)
            .where(lexical_chunks.c.chunk_id.in_(chunk_ids))
            .returning(
                lexical_chunks.c.chunk_id,
                lexical_chunks.c.tenant,
                lexical_chunks.c.length,
                func.tsvector_to_array(lexical_chunks.c.terms),
            )
        )
        # undoing the counts needs the distinct terms and the length, not each term's tf
        return [
            Analysed(chunk_id, tenant, tuple(distinct), length)
            for chunk_id, tenant, length, distinct in conn.execute(statement)
        ]

    def search(
        self, terms: Sequence[str], tenants: Collection[str], k: int
    ) -> list[tuple[str, float]]:
        scoring = self.scoring([t for t in dict.fromkeys(terms) if t], tenants) if tenants else None
        if scoring is None:
            return []
        params: dict[str, object] = {
            "tenants": sorted(tenants),
            "query": " | ".join(f"'{t}'" for t in scoring.idf),  # [a-z0-9]+ (knowledge/lexical)
            "k": k,
            "flat": K1 * (1 - B),
            "per_length": K1 * B / scoring.avgdl,
        }
        reads, parts = [], []
        for i, (term, idf) in enumerate(scoring.idf.items()):
            params[f"t{i}"], params[f"w{i}"] = term, idf * (K1 + 1)
            # each tf read from the jsonb once per row (twice, inline, cost 40% more)
            reads.append(f"coalesce((c.frequencies -> CAST(:t{i} AS text))::float8, 0) AS f{i}")
            parts.append(f"CAST(:w{i} AS float8) * tf.f{i} / (tf.f{i} + tf.norm)")
        statement = text(
            f"""
            SELECT c.chunk_id, {" + ".join(parts)} AS score
            FROM lexical_chunks AS c
            CROSS JOIN LATERAL (
                SELECT CAST(:flat AS float8) + CAST(:per_length AS float8) * c.length AS norm,
                       {", ".join(reads)}
                OFFSET 0
            ) AS tf
            WHERE c.tenant = ANY(:tenants) AND c.terms @@ CAST(:query AS tsquery)
            ORDER BY score DESC, c.chunk_id
            LIMIT :k
            """
        ).bindparams(bindparam("tenants", type_=ARRAY(String)))
        with self._engine.connect() as conn:
            rows = conn.execute(statement, params).all()
        return [(chunk_id, float(score)) for chunk_id, score in rows]
