"""What the Slack listeners share: the advisor and the Slack-side stores, built once per app."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.async_app import AsyncBoltContext

from bot.slack.dedup import delivery_of
from bot.slack.home import HomePublisher
from bot.slack.streaming import StreamSupport
from bot.slack.tenancy import Scope, ScopeResolver
from bot.slack.threads import SlackThreads, thread_key
from bot.slack.workers import Apology, Workers
from graphs.runtime import Advisor
from graphs.thread_lock import ThreadLocks
from knowledge.records import claim_once

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


@dataclass(frozen=True, slots=True)
class Incoming:
    """A user's message, wherever it came from (mention, DM, thread reply, assistant pane)."""

    team_id: str | None
    enterprise_id: str | None
    channel: str
    thread_ts: str
    user: str
    text: str
    body: dict[str, Any] = field(repr=False)
    assistant: bool = False  # in an assistant thread: status instead of a placeholder
    user_team: str | None = None  # the asker's own team (Slack Connect: not the workspace's)

    @property
    def key(self) -> str:
        return thread_key(self.team_id, self.channel, self.thread_ts)


def without_mentions(text: str) -> str:
    """The message text minus `<@U…>` mentions (how people address the bot in channels)."""
    return " ".join(_MENTION.sub(" ", text or "").split())


@dataclass
class SlackServices:
    advisor: Advisor
    workers: Workers
    threads: SlackThreads
    scopes: ScopeResolver
    locks: ThreadLocks  # one action at a time per thread, across replicas on PostgreSQL
    streams: StreamSupport  # which workspaces can stream answers natively
    homes: HomePublisher  # the App Home, per user

    @classmethod
    def build(cls, advisor: Advisor) -> SlackServices:
        scopes = ScopeResolver(advisor.tenants)
        return cls(
            advisor=advisor,
            workers=Workers(),
            threads=SlackThreads(advisor.engine),
            scopes=scopes,
            locks=ThreadLocks(advisor.engine),
            streams=StreamSupport(),
            homes=HomePublisher(advisor, scopes),
        )

    def spawn_for_event(
        self,
        context: AsyncBoltContext,
        job: Coroutine[Any, Any, Any],
        *,
        name: str,
        apology: Apology | None = None,
    ) -> None:
        """Run `job` after the ack, once per delivery: not for a retry or replay of work that
        another delivery holds or finished; marked done only when `job` finished."""
        delivery = delivery_of(context)

        async def once() -> None:
            if delivery is None:
                await job
                return
            if not await delivery.first():
                job.close()
                return
            async with delivery.held():
                await job

        self.workers.spawn(once(), name=name, apology=apology)

    async def claim(self, scope: str, key: str) -> bool:
        """Durable claim-once (across replicas), off the event loop."""
        return await asyncio.to_thread(claim_once, self.advisor.engine, scope, key)

    async def remember(
        self, key: str, kind: str, question_ts: str | None = None, question_key: str | None = None
    ) -> None:
        await asyncio.to_thread(self.threads.remember, key, kind, question_ts, question_key)

    async def scope_of(self, client: Any, msg: Incoming) -> Scope:
        return await self.scopes.resolve(
            client,
            team_id=msg.team_id,
            enterprise_id=msg.enterprise_id,
            channel_id=msg.channel,
            body=msg.body,
        )
