"""Offboarding a client: when an engagement ends, its confidential material goes.

Deleted: the client's chunks in the index, its source records, channel notes (rows, and the
files in this data dir), conversation turns drawn on its notes, digest subscriptions, channel
identities and the tenant itself. Kept until their own retention: the audit trail (hashed
users) and assessment results, which are the record of what was advised.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import Engine, delete, func, select

from knowledge.db import (
    channel_notes,
    conversation_turns,
    digest_subscriptions,
    sources,
    tenant_identities,
    tenants,
)
from knowledge.index import KnowledgeIndex
from knowledge.notes import notes_dir

_TABLES = {
    "source_records": sources,
    "channel_notes": channel_notes,
    "conversation_turns": conversation_turns,
    "digest_subscriptions": digest_subscriptions,
    "channel_identities": tenant_identities,
}


@dataclass(frozen=True, slots=True)
class Offboarding:
    """What was (or, for a dry run, would be) deleted."""

    index_chunks: int
    source_records: int
    channel_notes: int
    note_files: int
    conversation_turns: int
    digest_subscriptions: int
    channel_identities: int

    def lines(self) -> list[str]:
        return [f"{n:>6}  {name.replace('_', ' ')}" for name, n in asdict(self).items()]


def offboard(
    index: KnowledgeIndex, engine: Engine, data_dir: Path, tenant: str, *, dry_run: bool = False
) -> Offboarding:
    held = len(index.chunks_for_tenant(tenant)) if dry_run else 0
    folder = notes_dir(data_dir, tenant)
    files = list(folder.glob("*")) if folder.is_dir() else []
    with engine.begin() as conn:
        counts = {
            name: conn.execute(
                select(func.count()).select_from(table).where(table.c.tenant == tenant)
            ).scalar_one()
            for name, table in _TABLES.items()
        }
        if not dry_run:
            for table in _TABLES.values():
                conn.execute(delete(table).where(table.c.tenant == tenant))
            conn.execute(delete(tenants).where(tenants.c.name == tenant))
    if not dry_run:
        held = index.drop_tenant(tenant)  # its whole vector collection
        index.bump_revision()  # every replica drops its lexical cache of these chunks
        shutil.rmtree(folder, ignore_errors=True)
    return Offboarding(index_chunks=held, note_files=len(files), **counts)
