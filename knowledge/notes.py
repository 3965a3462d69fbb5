"""Notes added from a channel (`/advisor note add …`): written as Markdown files, then ingested.

Keeping channel notes as files in the data dir means one ingestion path, one citation format,
and an operator can read, edit or delete them with ordinary tools.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import yaml

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
    """Write the note as `YYYY-MM-DD-HHMMSS-slug.md` under the tenant's folder and index it."""
    body = (text or "").strip()
    if not body:
        raise NoteError("The note is empty. Usage: note add <text>")
    if len(body) > MAX_NOTE_CHARS:
        raise NoteError(f"The note is {len(body):,} characters; the limit is {MAX_NOTE_CHARS:,}.")
    now = now or datetime.now(UTC)
    title = (title or _title_from(body)).strip()
    folder = notes_dir(data_dir, tenant)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{now:%Y-%m-%d-%H%M%S}-{_slug(title)}.md"
    meta = {
        "client": tenant,
        "date": now.date().isoformat(),
        "author": author,
        "title": title,
        "added_via": "channel",
    }
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    path.write_text(f"---\n{front}---\n\n{body}\n", encoding="utf-8")
    # Index this one file only: re-scanning the folder would treat notes that other replicas
    # (with their own data dirs) added as "vanished" and remove them from the shared index.
    report = ingestor.ingest_path(path, tenant, key_prefix=f"channel-notes/{tenant}")
    return path, report


def _title_from(body: str) -> str:
    first = body.splitlines()[0]
    words = first.split()
    return " ".join(words[:8]) + ("…" if len(words) > 8 else "")


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:48] or "note"
