"""Completed assessments as records (tenant, who, when, answers, recommendation)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from knowledge.db import assessments
from knowledge.identity import hash_user
from knowledge.scope import DataScope, require_scope


class AssessmentRecords:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @property
    def engine(self) -> Engine:
        return self._engine

    def save(self, state: Mapping[str, Any], *, thread_id: str | None = None) -> bool:
        """Store a finished assessment once per interview run; False if already stored.

        A thread can hold several runs ("Start over"): each completed run is its own record.
        """
        result = state["recommendation"]
        facts = state["facts"]
        thread = thread_id or state.get("thread_id") or ""
        row = {
            "run_id": state.get("run_id") or thread,
            "thread_id": thread,
            "tenant": state.get("tenant"),
            "channel": state.get("channel") or "terminal",
            "user_hash": hash_user(state.get("channel") or "terminal", state.get("user_id")),
            "stage": facts.get("stage"),
            "facts": facts,
            "recommendation": result["recommendation"],
            "runner_up": result["runner_up"],
            "confidence": float(result["confidence"]),
            "result": result,
            "created_at": datetime.now(UTC),
        }
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(assessments).values(**row))
        except IntegrityError:
            return False
        return True

    def between(self, scope: DataScope, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Assessments `scope` may read created in [start, end), oldest first (none for a
        caller mapped to no client: unmapped callers' assessments belong to no one else)."""
        require_scope(scope)
        query = (
            select(assessments)
            .where(
                assessments.c.created_at >= start,
                assessments.c.created_at < end,
                scope.rows(assessments.c.tenant),
            )
            .order_by(assessments.c.created_at)
        )
        with self._engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def latest(
        self, scope: DataScope, *, user_hash: str | None = None, limit: int = 2
    ) -> list[dict[str, Any]]:
        """The newest assessments `scope` may read, newest first (by one user when
        `user_hash` is given); none for a caller mapped to no client."""
        require_scope(scope)
        query = select(assessments).where(scope.rows(assessments.c.tenant))
        if user_hash is not None:
            query = query.where(assessments.c.user_hash == user_hash)
        query = query.order_by(assessments.c.created_at.desc(), assessments.c.id.desc())
        with self._engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query.limit(max(1, limit)))]
