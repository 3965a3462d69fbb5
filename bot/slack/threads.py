"""Which Slack threads the bot speaks in, and where an interview's open question is.

Kept in the database (not memory) so follow-ups and button clicks work on any replica and
after a restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from knowledge.db import slack_threads


@dataclass(frozen=True, slots=True)
class ShownQuestion:
    ts: str  # the message
    key: str | None  # the question it shows (None: posted before this was recorded)


def thread_key(team_id: str | None, channel_id: str, thread_ts: str) -> str:
    """One id per Slack thread; also the interview's LangGraph thread id."""
    return f"slack:{team_id or '-'}:{channel_id}:{thread_ts}"


class SlackThreads:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def remember(
        self,
        key: str,
        kind: str,
        question_ts: str | None = None,
        question_key: str | None = None,
    ) -> None:
        """Record that the bot speaks in this thread, and the open question's message (its ts
        and which question it shows), if any."""
        values = {
            "kind": kind,
            "question_ts": question_ts,
            "question_key": question_key if question_ts else None,
            "updated_at": datetime.now(UTC),
        }
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(slack_threads).values(thread_key=key, **values))
        except IntegrityError:
            with self._engine.begin() as conn:
                conn.execute(
                    update(slack_threads).where(slack_threads.c.thread_key == key).values(**values)
                )

    def known(self, key: str) -> bool:
        with self._engine.connect() as conn:
            return (
                conn.execute(
                    select(slack_threads.c.thread_key).where(slack_threads.c.thread_key == key)
                ).first()
                is not None
            )

    def question_ts(self, key: str) -> str | None:
        shown = self.shown_question(key)
        return shown.ts if shown else None

    def shown_question(self, key: str) -> ShownQuestion | None:
        """The interview question this thread's open message shows, if one was posted."""
        c = slack_threads.c
        with self._engine.connect() as conn:
            row = conn.execute(
                select(c.question_ts, c.question_key).where(c.thread_key == key)
            ).first()
        if row is None or not row.question_ts:
            return None
        return ShownQuestion(ts=row.question_ts, key=row.question_key)
