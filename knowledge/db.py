"""Relational state (SQLite embedded, PostgreSQL for scale-out): one metadata, one engine.

Every table of the app is declared here so that migrations see one schema.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite

metadata = MetaData()

tenants = Table(
    "tenants",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("display_name", String(200), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

tenant_identities = Table(
    "tenant_identities",
    metadata,
    Column("channel", String(16), primary_key=True),  # 'slack' | 'teams'
    Column("external_id", String(128), primary_key=True),  # Slack team/enterprise id, AAD tenant
    Column("tenant", String(64), nullable=False, index=True),
)

sources = Table(
    "sources",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("path", String(1024), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("chunk_ids", JSON, nullable=False),
    Column("title", String(500), nullable=True),
    Column("note_date", String(32), nullable=True),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

channel_notes = Table(  # notes added from Slack/Teams: the durable copy every replica shares
    "channel_notes",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("name", String(255), primary_key=True),  # its file name under notes/<tenant>/
    Column("text", Text, nullable=False),  # the whole Markdown file, front matter included
    Column("created_at", DateTime(timezone=True), nullable=False),
)

index_revision = Table(
    "index_revision",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("revision", String(64), nullable=False),
)

# --- Lexical index: the terms of every chunk, written with the chunk's registration ---------
# PostgreSQL finds chunks by `terms` (a tsvector of our analysed terms) through its GIN index;
# SQLite keeps the same rows as the source of an FTS5 index (knowledge/fulltext_sqlite.py).
# `frequencies` ({term: tf}) scores them. Per-tenant document frequencies and sizes give idf
# and "is this term known" without reading any chunk.
lexical_chunks = Table(
    "lexical_chunks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),  # the FTS5 rowid on SQLite
    Column("chunk_id", String(64), nullable=False, unique=True),
    Column("tenant", String(64), nullable=False),
    Column("length", Integer, nullable=False),  # analysed terms, repeats counted (BM25's |d|)
    Column("terms", Text().with_variant(postgresql.TSVECTOR(), "postgresql"), nullable=False),
    Column("frequencies", JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
)
# One GIN index over (tenant, terms) (btree_gin): a search reads the posting lists of the
# caller's tenants only, not every tenant's matches (migration 0011, docs/benchmarks.md).
Index(
    "ix_lexical_chunks_tenant_terms",
    lexical_chunks.c.tenant,
    lexical_chunks.c.terms,
    postgresql_using="gin",
    postgresql_with={"fastupdate": "off"},  # no pending list for every search to scan
    sqlite_where=text("0"),  # SQLite searches its FTS5 table; no index over the text here
)

lexical_terms = Table(  # in how many of a tenant's chunks each term occurs
    "lexical_terms",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("term", String(255), primary_key=True),
    Column("df", Integer, nullable=False),
)

lexical_tenants = Table(  # a tenant's chunk count and total length (BM25's N and avgdl)
    "lexical_tenants",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("chunks", Integer, nullable=False),
    Column("length", BigInteger, nullable=False),
)


processed_keys = Table(  # dedup of retried / duplicated deliveries (Slack event ids, …)
    "processed_keys",
    metadata,
    Column("scope", String(64), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("claimed_at", DateTime(timezone=True), nullable=False, index=True),
    Column("status", String(16), nullable=True),  # working | done (NULL: done, older rows)
    Column("lease_until", DateTime(timezone=True), nullable=True),  # a working claim's lease
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant", String(64), nullable=True, index=True),
    Column("channel", String(16), nullable=False),
    Column("user_hash", String(64), nullable=False),
    Column("answer_id", String(64), nullable=False),
    Column("helpful", Boolean, nullable=False),
    Column("comment", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index(  # one vote per user and answer: a second vote updates it (knowledge/records.py)
    "uq_feedback_vote", feedback.c.channel, feedback.c.answer_id, feedback.c.user_hash, unique=True
)


assessments = Table(  # completed assessments: what the digest and the audit read
    "assessments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(64), nullable=False, unique=True),  # one interview run
    Column("thread_id", String(255), nullable=False, index=True),  # a thread may hold several
    Column("tenant", String(64), nullable=True, index=True),
    Column("channel", String(16), nullable=False),
    Column("user_hash", String(64), nullable=False),
    Column("stage", String(32), nullable=True),
    Column("facts", JSON, nullable=False),
    Column("recommendation", String(32), nullable=False),
    Column("runner_up", String(32), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("result", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)


audit_log = Table(  # every answer, check, recommendation and digest: who, what, from which sources
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # answer | check | recommendation | digest
    Column("tenant", String(64), nullable=True, index=True),
    Column("channel", String(16), nullable=False),
    Column("user_hash", String(64), nullable=True),
    Column("question", Text, nullable=True),  # NULL when questions are stored hashed only
    Column("question_hash", String(64), nullable=True),
    Column("chunk_ids", JSON, nullable=False),
    Column("mode", String(16), nullable=False),  # offline | llm | degraded
    Column("model", String(64), nullable=True),
    Column("input_tokens", Integer, nullable=False, default=0),
    Column("output_tokens", Integer, nullable=False, default=0),
    Column("latency_ms", Integer, nullable=False, default=0),
    Column("request_id", String(64), nullable=True),
    Column("outcome", JSON, nullable=True),  # e.g. {"recommendation": "advisor", "covered": true}
)


conversation_turns = Table(  # recent questions and answers of a conversation, for follow-ups
    "conversation_turns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation", String(255), nullable=False, index=True),  # e.g. a Slack thread key
    Column("tenant", String(64), nullable=True),  # whose material the answer drew on
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("chunk_ids", JSON, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
)


FULLTEXT_SCHEMA = "fulltext"  # SQLite: the attached file holding the FTS5 index


def fulltext_path(database: str) -> str:
    """Where a SQLite database's FTS5 index lives: `advisor.db` → `advisor.fulltext.db`."""
    if not database:
        return ":memory:"
    path = Path(database)
    return str(path.with_name(f"{path.stem}.{FULLTEXT_SCHEMA}.db"))


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    main = next(row[2] for row in cursor.execute("PRAGMA database_list") if row[1] == "main")
    cursor.execute(f"ATTACH DATABASE ? AS {FULLTEXT_SCHEMA}", (fulltext_path(main),))
    cursor.execute(f"PRAGMA {FULLTEXT_SCHEMA}.journal_mode=WAL")
    cursor.close()
    # BM25's idf in SQL (knowledge/fulltext_sqlite.py); not every SQLite build has math functions
    dbapi_connection.create_function("ln", 1, math.log, deterministic=True)


def upsert(conn: Connection, table: Table, values: dict[str, Any], keys: Sequence[str]) -> None:
    """Insert a row, or update it when its key exists (e.g. another replica wrote it first)."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).values(**values)
    changed = {k: statement.excluded[k] for k in values if k not in keys}
    conn.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=changed))


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL and a busy timeout so two processes can share it."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    engine = create_engine(url, pool_pre_ping=True, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


# --- Slack face ------------------------------------------------------------------------------
# Declared here so migrations see one schema; only bot/slack reads and writes them.

slack_threads = Table(  # threads the bot speaks in: follow-ups, and the open interview question
    "slack_threads",
    metadata,
    Column("thread_key", String(255), primary_key=True),  # slack:<team>:<channel>:<thread_ts>
    Column("kind", String(16), nullable=False),  # answer | interview
    Column("question_ts", String(32), nullable=True),  # the message holding the open question
    Column("question_key", String(64), nullable=True),  # which question that message shows
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

slack_home_viewers = Table(  # who opened the App Home: whose view a digest run refreshes
    "slack_home_viewers",
    metadata,
    Column("workspace", String(80), primary_key=True),  # "enterprise:team", as digests keep it
    Column("user_id", String(32), primary_key=True),
    Column("opened_at", DateTime(timezone=True), nullable=False, index=True),
)

# OAuth installs (multi-workspace): the latest installation per workspace and installer, and
# the latest bot per workspace. `data` is the serialised installation, sealed when a key is set;
# '' stands for "none" in the key columns so they can be part of a primary key.
slack_installations = Table(
    "slack_installations",
    metadata,
    Column("client_id", String(64), primary_key=True),
    Column("enterprise_id", String(32), primary_key=True),
    Column("team_id", String(32), primary_key=True),  # '' for an org-wide install
    Column("user_id", String(32), primary_key=True),
    Column("data", Text, nullable=False),
    Column("installed_at", DateTime(timezone=True), nullable=False),
)

slack_bots = Table(
    "slack_bots",
    metadata,
    Column("client_id", String(64), primary_key=True),
    Column("enterprise_id", String(32), primary_key=True),
    Column("team_id", String(32), primary_key=True),
    Column("data", Text, nullable=False),
    Column("installed_at", DateTime(timezone=True), nullable=False),
)

slack_oauth_states = Table(  # one-time `state` values of install flows in progress
    "slack_oauth_states",
    metadata,
    Column("state", String(64), primary_key=True),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)


# --- Digest ------------------------------------------------------------------------------
digest_subscriptions = Table(  # a channel that gets a weekly digest
    "digest_subscriptions",
    metadata,
    Column("channel_kind", String(16), primary_key=True),  # slack | teams
    Column("channel_id", String(255), primary_key=True),  # Slack channel / Teams conversation
    Column("tenant", String(64), nullable=True, index=True),
    Column("workspace", String(80), nullable=True),  # Slack: which install's token posts it
    Column("weekday", Integer, nullable=False),  # 0 = Monday
    Column("hour", Integer, nullable=False),
    Column("minute", Integer, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("created_by", String(64), nullable=True),  # hashed user id
    Column("created_at", DateTime(timezone=True), nullable=False),
)

digest_deliveries = Table(  # exactly once per channel per period: the primary key is the claim
    "digest_deliveries",
    metadata,
    Column("channel_kind", String(16), primary_key=True),
    Column("channel_id", String(255), primary_key=True),
    Column("period", String(16), primary_key=True),  # ISO week in the subscriber's timezone
    Column("status", String(16), nullable=False),  # claimed | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("late", Boolean, nullable=False, default=False),
    Column("error", Text, nullable=True),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
)


# --- Microsoft Teams ---------------------------------------------------------------------
teams_conversations = Table(  # where proactive messages (digests) go; refreshed on every turn
    "teams_conversations",
    metadata,
    Column("conversation_id", String(255), primary_key=True),
    Column("tenant", String(64), nullable=True, index=True),
    Column("aad_tenant_id", String(64), nullable=True),
    Column("reference", JSON, nullable=False),  # serialised ConversationReference
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
