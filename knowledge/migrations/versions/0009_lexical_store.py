"""lexical index in the state database

Revision ID: 0009_lexical_store
Revises: 0008_leases
Create Date: 2026-12-01 23:30:00.000000

`lexical_chunks`: each chunk's analysed terms (a GIN-indexed tsvector on PostgreSQL; on
SQLite the text that an FTS5 index in the attached `fulltext` file is built from) and their
frequencies. `lexical_terms`, `lexical_tenants`: per-tenant document frequencies and sizes
(idf, known terms, BM25's N and average length). Rows are written with each chunk's
registration; chunks indexed before this revision are read from the vector index once, by the
first process that opens it (`KnowledgeIndex`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009_lexical_store"
down_revision = "0008_leases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lexical_chunks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chunk_id", sa.String(length=64), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column(
            "terms", sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"), nullable=False
        ),
        sa.Column(
            "frequencies",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chunk_id"),
    )
    op.create_index("ix_lexical_chunks_tenant", "lexical_chunks", ["tenant"], unique=False)
    op.create_index(
        "ix_lexical_chunks_terms",
        "lexical_chunks",
        ["terms"],
        unique=False,
        postgresql_using="gin",
        sqlite_where=sa.text("0"),
    )
    op.create_table(
        "lexical_terms",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("term", sa.String(length=255), nullable=False),
        sa.Column("df", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "term"),
    )
    op.create_table(
        "lexical_tenants",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant"),
    )


def downgrade() -> None:
    op.drop_table("lexical_tenants")
    op.drop_table("lexical_terms")
    op.drop_index("ix_lexical_chunks_terms", table_name="lexical_chunks")
    op.drop_index("ix_lexical_chunks_tenant", table_name="lexical_chunks")
    op.drop_table("lexical_chunks")
