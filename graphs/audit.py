"""The audit trail: every answer, check, recommendation and digest, with its sources.

Users are stored as salted hashes; questions as text or (per setting) as a hash only. Export
is CSV or JSON lines; rows older than the retention setting are purged.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Engine, delete, insert, select

from graphs.models import Answer, Facts, Recommendation
from knowledge.db import audit_log
from knowledge.identity import hash_user
from knowledge.scope import DataScope, require_scope

AuditKind = Literal["answer", "check", "recommendation", "digest", "install", "feedback"]
EXPORT_COLUMNS = (
    "id",
    "at",
    "kind",
    "tenant",
    "channel",
    "user_hash",
    "question",
    "question_hash",
    "chunk_ids",
    "mode",
    "model",
    "input_tokens",
    "output_tokens",
    "latency_ms",
    "request_id",
    "outcome",
)


@dataclass(slots=True)
class AuditEvent:
    kind: AuditKind
    tenant: str | None
    channel: str
    user_id: str | None = None
    question: str | None = None
    chunk_ids: Sequence[str] = ()
    mode: str = "offline"
    model: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    latency_ms: int = 0
    request_id: str | None = None
    outcome: dict[str, Any] = field(default_factory=dict)


class AuditLog:
    def __init__(self, engine: Engine, *, hash_questions: bool, retention_days: int) -> None:
        self._engine = engine
        self._hash_questions = hash_questions
        self._retention = timedelta(days=retention_days)

    def record(self, event: AuditEvent, *, at: datetime | None = None) -> None:
        question_hash = (
            hashlib.sha256(event.question.encode("utf-8")).hexdigest() if event.question else None
        )
        row = {
            "at": at or datetime.now(UTC),
            "kind": event.kind,
            "tenant": event.tenant,
            "channel": event.channel,
            "user_hash": hash_user(event.channel, event.user_id) if event.user_id else None,
            "question": None if self._hash_questions else event.question,
            "question_hash": question_hash,
            "chunk_ids": list(event.chunk_ids),
            "mode": event.mode,
            "model": event.model,
            "input_tokens": event.input_tokens,
            "output_tokens": event.output_tokens,
            "latency_ms": event.latency_ms,
            "request_id": event.request_id,
            "outcome": event.outcome or None,
        }
        with self._engine.begin() as conn:
            conn.execute(insert(audit_log).values(**row))

    def rows(
        self,
        scope: DataScope,
        *,
        since: datetime,
        until: datetime | None = None,
        kinds: Sequence[str] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Records in [since, until) that `scope` may read: its client's, or every client's
        for the operator; a caller mapped to no client reads none (not even other unmapped
        callers' questions)."""
        require_scope(scope)
        query = (
            select(audit_log)
            .where(audit_log.c.at >= since, scope.rows(audit_log.c.tenant))
            .order_by(audit_log.c.id)
        )
        if until is not None:
            query = query.where(audit_log.c.at < until)
        if kinds:
            query = query.where(audit_log.c.kind.in_(list(kinds)))
        with self._engine.connect() as conn:
            for row in conn.execute(query):
                yield dict(row._mapping)

    def purge(self, *, now: datetime | None = None) -> int:
        """Delete rows older than the retention period; returns how many."""
        cutoff = (now or datetime.now(UTC)) - self._retention
        with self._engine.begin() as conn:
            return conn.execute(delete(audit_log).where(audit_log.c.at < cutoff)).rowcount


def export(rows: Iterator[dict[str, Any]], fmt: Literal["csv", "jsonl"]) -> Iterator[str]:
    """Rows as CSV (with a header) or JSON lines, one string per line."""
    if fmt == "jsonl":
        for row in rows:
            yield json.dumps(_plain(row), ensure_ascii=False) + "\n"
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    yield _drain(buffer)
    for row in rows:
        plain = _plain(row)
        plain["chunk_ids"] = " ".join(plain["chunk_ids"] or [])
        plain["outcome"] = json.dumps(plain["outcome"]) if plain["outcome"] else ""
        writer.writerow(plain)
        yield _drain(buffer)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    at = out["at"]
    if at.tzinfo is None:  # SQLite hands back naive datetimes; they were stored as UTC
        at = at.replace(tzinfo=UTC)
    out["at"] = at.isoformat()
    return out


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def decision_outcome(rec: Recommendation, facts: Facts) -> dict[str, Any]:
    """What the audit log keeps of a rubric decision: enough to reproduce and explain it."""
    return {
        "recommendation": rec.recommendation,
        "runner_up": rec.runner_up,
        "confidence": rec.confidence,
        "facts": facts.model_dump(),
    }


def answer_event(
    answer: Answer,
    question: str,
    tenant: str | None,
    channel: str,
    user_id: str | None,
    request_id: str | None,
) -> AuditEvent:
    """The audit record of one answer: what was asked, what was cited, how it was written."""
    usage = answer.usage
    return AuditEvent(
        kind="answer",
        tenant=tenant,
        channel=channel,
        user_id=user_id,
        question=question,
        chunk_ids=[c.chunk_id for c in answer.citations],
        mode="degraded" if answer.degraded else answer.mode,
        model=answer.model,
        input_tokens=usage.input_tokens if usage else 0,
        output_tokens=usage.output_tokens if usage else 0,
        request_id=request_id,
        outcome={"covered": answer.covered},
    )
