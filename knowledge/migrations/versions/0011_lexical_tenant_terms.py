"""lexical search reads the caller's tenants' postings only

Revision ID: 0011_lexical_tenant_terms
Revises: 0010_feedback_votes
Create Date: 2026-12-02 07:00:00.000000

PostgreSQL: one GIN index over (tenant, terms), through the `btree_gin` extension (shipped
with PostgreSQL, trusted: a database owner may create it), in place of a GIN index over the
terms and a b-tree over the tenant. With the terms alone, a search read every tenant's chunks
that share a word with the question and dropped the other tenants' afterwards, a cost that grew
with every client added (docs/benchmarks.md, "Where an answer's time goes"). `fastupdate`
off: an ingest's new entries go straight into the index instead of a pending list that every
search scans (279 pages after a few ingests, several ms a search). SQLite keeps no
index over the text (it searches its FTS5 table): the same change, on an empty partial index.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_lexical_tenant_terms"
down_revision = "0010_feedback_votes"
branch_labels = None
depends_on = None

_NEEDS_EXTENSION = (
    "migration 0011 needs PostgreSQL's btree_gin extension and could not create it: run "
    "`CREATE EXTENSION btree_gin;` in this database as its owner or a superuser, then "
    "`advisor db upgrade` again"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _create_btree_gin()
    op.create_index(
        "ix_lexical_chunks_tenant_terms",
        "lexical_chunks",
        ["tenant", "terms"],
        postgresql_using="gin",
        postgresql_with={"fastupdate": "off"},
        sqlite_where=sa.text("0"),
    )
    op.drop_index("ix_lexical_chunks_terms", table_name="lexical_chunks")
    op.drop_index("ix_lexical_chunks_tenant", table_name="lexical_chunks")


def _create_btree_gin() -> None:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'btree_gin'")).first():
        return
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION btree_gin"))
    except sa.exc.DBAPIError as exc:
        raise RuntimeError(_NEEDS_EXTENSION) from exc


def downgrade() -> None:
    op.create_index("ix_lexical_chunks_tenant", "lexical_chunks", ["tenant"], unique=False)
    op.create_index(
        "ix_lexical_chunks_terms",
        "lexical_chunks",
        ["terms"],
        postgresql_using="gin",
        sqlite_where=sa.text("0"),
    )
    op.drop_index("ix_lexical_chunks_tenant_terms", table_name="lexical_chunks")
