"""Notes added from a channel (`/advisor note add …`): written as Markdown files, then ingested.

Keeping channel notes as files in the data dir means one ingestion path, one citation format,
and an operator can read, edit or delete them with ordinary tools. The database keeps the
durable copy (`channel_notes`): with several replicas each file lands on the replica that took
the note, and `sync_channel_notes` writes the missing files on any replica and re-indexes them
(after an index rebuild, or to give a new replica every note).
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from pathlib import Path

import yaml
from sqlalchemy import insert, select

from knowledge.db import channel_notes
from knowledge.ingest import Ingestor, IngestReport

MAX_NOTE_CHARS = 20_000


class NoteError(ValueError):
    """The note is empty or too long; the message says what to do."""


def notes_dir(data_dir: Path, tenant: str) -> Path:
    return data_dir / "notes" / tenant


def add_note(
    ingestor: Ingestor,
    data_dir: Path,
    tenant: str,
    *,
    author: str,
    text: str,
    title: str | None = None,
    now: datetime | None = None,
) -> tuple[Path, IngestReport]:
    """Store the note, write it as `YYYY-MM-DD-HHMMSS-slug-xxxxxx.md` under the tenant's folder
    and index it."""
    body = (text or "").strip()
    if not body:
        raise NoteError("The note is empty. Usage: note add <text>")
    if len(body) > MAX_NOTE_CHARS:
        raise NoteError(f"The note is {len(body):,} characters; the limit is {MAX_NOTE_CHARS:,}.")
    now = now or datetime.now(UTC)
    title = (title or _title_from(body)).strip()
    folder = notes_dir(data_dir, tenant)
    folder.mkdir(parents=True, exist_ok=True)
    # the suffix keeps two notes with one title in the same second (two replicas) apart
    path = folder / f"{now:%Y-%m-%d-%H%M%S}-{_slug(title)}-{secrets.token_hex(3)}.md"
    meta = {
        "client": tenant,
        "date": now.date().isoformat(),
        "author": author,
        "title": title,
        "added_via": "channel",
    }
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    markdown = f"---\n{front}---\n\n{body}\n"
    with ingestor.engine.begin() as conn:
        values = {"tenant": tenant, "name": path.name, "text": markdown, "created_at": now}
        conn.execute(insert(channel_notes).values(**values))
    path.write_text(markdown, encoding="utf-8")
    # Index this one file only: re-scanning the folder would treat notes that other replicas
    # (with their own data dirs) added as "vanished" and remove them from the shared index.
    report = ingestor.ingest_path(path, tenant, key_prefix=f"channel-notes/{tenant}")
    return path, report


def sync_channel_notes(
    ingestor: Ingestor, data_dir: Path, tenant: str | None = None, *, force: bool = False
) -> tuple[int, IngestReport]:
    """Write every stored channel note missing from this data dir and index it; returns the
    number of files written and what indexing did. `force` re-embeds (after an index rebuild)."""
    query = select(channel_notes.c.tenant, channel_notes.c.name, channel_notes.c.text)
    if tenant is not None:
        query = query.where(channel_notes.c.tenant == tenant)
    with ingestor.engine.connect() as conn:
        rows = conn.execute(query.order_by(channel_notes.c.created_at)).all()
    written, total = 0, IngestReport()
    for note_tenant, name, text in rows:
        path = notes_dir(data_dir, note_tenant) / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written += 1
        report = ingestor.ingest_path(
            path, note_tenant, key_prefix=f"channel-notes/{note_tenant}", force=force
        )
        _merge(total, report)
    return written, total


def _merge(total: IngestReport, report: IngestReport) -> None:
    for name in ("added", "updated", "unchanged", "removed", "failed", "warnings"):
        getattr(total, name).extend(getattr(report, name))
    total.chunks_written += report.chunks_written
    total.chunks_deleted += report.chunks_deleted


def _title_from(body: str) -> str:
    first = body.splitlines()[0]
    words = first.split()
    return " ".join(words[:8]) + ("…" if len(words) > 8 else "")


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:48] or "note"
