"""Incremental, idempotent ingestion of a folder of documents for one tenant.

Unchanged files (same SHA-256) are skipped, changed ones re-chunked (only new chunk ids are
embedded), vanished ones removed from the index. A file that cannot be read, is over a limit
(`IngestLimits`) or is a symlink leaving the folder is reported by name with its reason, and
the batch goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, delete, select, update

from knowledge.chunking import chunk_document
from knowledge.chunks import Chunk
from knowledge.db import sources, upsert
from knowledge.index import KnowledgeIndex
from knowledge.sources import (
    DEFAULT_LIMITS,
    Found,
    IngestLimits,
    SourceError,
    discover,
    file_sha256,
    load_document,
)

log = logging.getLogger(__name__)
Progress = Callable[[int, int, str], None]  # (done, total, current file)
FLUSH_CHUNKS = 5_000  # pending chunks written out early, so many big files never pile up


@dataclass(slots=True)
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # "path: reason"
    warnings: list[str] = field(default_factory=list)
    chunks_written: int = 0
    chunks_deleted: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed, "
            f"{len(self.failed)} failed; {self.chunks_written} chunks written, "
            f"{self.chunks_deleted} deleted"
        )


@dataclass(slots=True)
class _Pending:
    rows: list[dict] = field(default_factory=list)
    upserts: list[Chunk] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)


class Ingestor:
    """Writes one tenant's documents into the index and the `sources` table."""

    def __init__(
        self,
        index: KnowledgeIndex,
        engine: Engine,
        *,
        limits: IngestLimits = DEFAULT_LIMITS,
        flush_every: int = 200,
    ) -> None:
        self._index = index
        self._engine = engine
        self._limits = limits
        self._flush_every = flush_every

    @property
    def engine(self) -> Engine:
        return self._engine

    def ingest_path(
        self,
        root: Path,
        tenant: str,
        *,
        key_prefix: str | None = None,
        progress: Progress | None = None,
        force: bool = False,
    ) -> IngestReport:
        """Ingest every supported file under `root`; `key_prefix` names the folder in keys
        (defaults to the absolute path, so two folders never collide). `force` re-embeds every
        file, e.g. after restoring an index backup older than the database."""
        root = root.expanduser().resolve()
        if not root.exists():
            raise FileNotFoundError(f"{root}: no such file or folder")
        prefix = key_prefix or str(root if root.is_dir() else root.parent)
        known = self._known(tenant, prefix)
        report, pending = IngestReport(), _Pending()
        found = list(discover(root))
        seen: set[str] = set()
        for done, entry in enumerate(found, 1):
            rel = entry.path.name if root.is_file() else entry.path.relative_to(root).as_posix()
            key = f"{prefix}/{rel}"
            if entry.unlisted_folder:  # keep what was indexed under it (unreadable for now)
                under = (prefix if entry.path == root else key) + "/"
                seen.update(k for k in known if k.startswith(under))
            if not self._refused(entry, key, report):
                seen.add(key)
                self._ingest_file(entry.path, key, tenant, known.get(key), report, pending, force)
            if len(pending.rows) >= self._flush_every or len(pending.upserts) >= FLUSH_CHUNKS:
                self._flush(tenant, pending, report)
            if progress:
                progress(done, len(found), rel)
        if root.is_dir():
            for key, (_sha, chunk_ids) in known.items():
                if key not in seen:
                    pending.deletes.extend(chunk_ids)
                    pending.rows.append({"path": key, "action": "delete"})
                    report.removed.append(key)
        self._flush(tenant, pending, report)
        if report.chunks_written or report.chunks_deleted:
            self._index.bump_revision()
        return report

    @staticmethod
    def _refused(entry: Found, key: str, report: IngestReport) -> bool:
        """Report a link that is not followed. Its key is not `seen`, so whatever an older
        version indexed through it is removed."""
        if entry.refused:
            report.failed.append(f"{key}: {entry.refused}")
        elif entry.skipped:
            report.warnings.append(f"{key}: {entry.skipped}")
        return bool(entry.refused or entry.skipped)

    def _ingest_file(
        self,
        path: Path,
        key: str,
        tenant: str,
        previous: tuple[str, list[str]] | None,
        report: IngestReport,
        pending: _Pending,
        force: bool = False,
    ) -> None:
        try:
            sha = file_sha256(path, key, self._limits)
            if previous and previous[0] == sha and not force:
                report.unchanged.append(key)
                return
            doc = load_document(path, key, self._limits)
            chunks = chunk_document(doc, tenant, max_chunks=self._limits.max_chunks)
        except SourceError as exc:
            report.failed.append(str(exc))
            return
        except OSError as exc:
            report.failed.append(f"{key}: cannot read ({exc.strerror or exc})")
            return
        report.warnings.extend(doc.warnings)
        old_ids = set(previous[1]) if previous and not force else set()
        new_ids = {c.chunk_id for c in chunks}
        pending.upserts.extend(c for c in chunks if c.chunk_id not in old_ids)
        pending.deletes.extend(old_ids - new_ids)
        pending.rows.append(
            {
                "path": key,
                "sha256": sha,
                "chunk_ids": [c.chunk_id for c in chunks],
                "title": doc.title,
                "note_date": doc.date,
                "action": "update" if previous else "insert",
            }
        )
        (report.updated if previous else report.added).append(key)

    def _flush(self, tenant: str, pending: _Pending, report: IngestReport) -> None:
        """Vectors first, then record: a crash in between only means re-work next run. The
        lexical rows go in the transaction that registers the sources, so a chunk is
        searchable on every replica exactly when its file is recorded."""
        now = datetime.now(UTC)
        with self._engine.begin() as conn:  # no statement yet: nothing held during Chroma's
            if pending.upserts:
                self._index.upsert(pending.upserts, within=conn)
                report.chunks_written += len(pending.upserts)
            if pending.deletes:
                self._index.delete(tenant, pending.deletes, within=conn)
                report.chunks_deleted += len(pending.deletes)
            for row in pending.rows:
                action = row.pop("action")
                where = (sources.c.tenant == tenant) & (sources.c.path == row["path"])
                if action == "delete":
                    conn.execute(delete(sources).where(where))
                elif action == "update":
                    conn.execute(update(sources).where(where).values(changed_at=now, **row))
                else:
                    # another replica may have registered the same file a moment ago
                    values = {"tenant": tenant, "ingested_at": now, "changed_at": now, **row}
                    upsert(conn, sources, values, ["tenant", "path"])
        pending.rows.clear()
        pending.upserts.clear()
        pending.deletes.clear()

    def _known(self, tenant: str, prefix: str) -> dict[str, tuple[str, list[str]]]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(sources.c.path, sources.c.sha256, sources.c.chunk_ids).where(
                    sources.c.tenant == tenant, sources.c.path.startswith(prefix + "/")
                )
            ).all()
        return {path: (sha, list(ids)) for path, sha, ids in rows}
