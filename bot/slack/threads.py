"""Which Slack threads the bot speaks in, and where an interview's open question is.

Kept in the database (not memory) so follow-ups and button clicks work on any replica and
after a restart.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from knowledge.db import slack_threads


def thread_key(team_id: str | None, channel_id: str, thread_ts: str) -> str:
    """One id per Slack thread; also the interview's LangGraph thread id."""
    return f"slack:{team_id or '-'}:{channel_id}:{thread_ts}"


class SlackThreads:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def remember(self, key: str, kind: str, question_ts: str | None = None) -> None:
        """Record that the bot speaks in this thread (and the open question's message, if any)."""
        values = {"kind": kind, "question_ts": question_ts, "updated_at": datetime.now(UTC)}
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
        with self._engine.connect() as conn:
            return conn.execute(
                select(slack_threads.c.question_ts).where(slack_threads.c.thread_key == key)
            ).scalar()
