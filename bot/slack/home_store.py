"""What the App Home reads besides the assessments: the workspace's digest schedules, the
client's notes (a count and a date, for operators), and who opened the Home tab.

Reads that can touch a client's rows take a `DataScope`, like every store's (knowledge/scope).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, or_, select

from graphs.digest_schedule import Subscription
from knowledge.db import digest_subscriptions, slack_home_viewers, sources, upsert
from knowledge.scope import DataScope, require_scope

MAX_VIEWERS = 200  # the most App Homes one digest run refreshes in a workspace


@dataclass(frozen=True, slots=True)
class NoteStats:
    count: int
    last_added: datetime | None


class HomeStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def schedules(self, scope: DataScope, workspace: str) -> list[Subscription]:
        """This workspace's Slack digest subscriptions: those for the caller's client, and
        those that carry no client (a Slack Connect channel gets the report-only digest)."""
        require_scope(scope)
        c = digest_subscriptions.c
        query = (
            select(digest_subscriptions)
            .where(
                c.channel_kind == "slack",
                c.workspace == workspace,
                or_(scope.rows(c.tenant), c.tenant.is_(None)),
            )
            .order_by(c.channel_id)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            Subscription(
                r.channel_kind,
                r.channel_id,
                r.tenant,
                r.weekday,
                r.hour,
                r.minute,
                r.timezone,
                r.workspace,
            )
            for r in rows
        ]

    def note_stats(self, scope: DataScope) -> NoteStats | None:
        """How many notes the caller's client has and when the last one was added (no
        content); None for a caller mapped to no client."""
        require_scope(scope)
        if scope.tenant is None:
            return None
        c = sources.c
        query = select(func.count(), func.max(c.ingested_at)).where(scope.rows(c.tenant))
        with self._engine.connect() as conn:
            count, last = conn.execute(query).one()
        return NoteStats(int(count or 0), _utc(last))

    def seen(self, workspace: str, user_id: str) -> None:
        """Record that `user_id` opened the App Home."""
        row = {"workspace": workspace, "user_id": user_id[:32], "opened_at": datetime.now(UTC)}
        with self._engine.begin() as conn:
            upsert(conn, slack_home_viewers, row, ("workspace", "user_id"))

    def viewers(self, workspace: str, within_days: int = 30) -> list[str]:
        """Who opened this workspace's App Home lately, newest first (user ids only)."""
        c = slack_home_viewers.c
        since = datetime.now(UTC) - timedelta(days=within_days)
        query = (
            select(c.user_id)
            .where(c.workspace == workspace, c.opened_at >= since)
            .order_by(c.opened_at.desc())
            .limit(MAX_VIEWERS)
        )
        with self._engine.connect() as conn:
            return [r.user_id for r in conn.execute(query)]


def _utc(at: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    if at is None or at.tzinfo is not None:
        return at
    return at.replace(tzinfo=UTC)
