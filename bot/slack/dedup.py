"""One piece of work per delivery: Slack's retries of an event (same `event_id`) and replays of
a signed slash command or click (same `trigger_id`) are dropped, across replicas and restarts.

The claim is a lease in the database, started by a middleware but not waited for there: the
ack goes out at once, and the work spawned for the delivery first waits for the claim
(`Delivery.first`), doing nothing when another delivery of the same key holds or finished it.
While the work runs its lease is renewed; it is marked done only when the work finished. A
worker that crashed stops renewing, so Slack's retry after the restart takes the work over
instead of being dropped as a duplicate; work that failed releases its claim.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from slack_bolt.async_app import AsyncBoltContext
from sqlalchemy import Engine

from knowledge.records import claim_lease, finish_lease, release_lease, renew_lease

log = logging.getLogger(__name__)
EVENT_SCOPE = "slack-event"
TRIGGER_SCOPE = "slack-trigger"  # slash commands, clicks and form submissions
_DELIVERY = "advisor_delivery"


def delivery_key(body: dict[str, Any]) -> tuple[str, str] | None:
    """(scope, key) naming this delivery, or None for requests that need no dedup."""
    team = _team(body)
    if body.get("type") == "event_callback" and isinstance(body.get("event_id"), str):
        return EVENT_SCOPE, f"{team}:{body['event_id']}"
    trigger = body.get("trigger_id")
    if isinstance(trigger, str) and trigger:
        return TRIGGER_SCOPE, f"{team}:{trigger[:200]}"
    return None


def _team(body: dict[str, Any]) -> str:
    team = body.get("team")
    nested = team.get("id") if isinstance(team, dict) else None
    return str(body.get("team_id") or nested or body.get("enterprise_id") or "-")


@dataclass
class Delivery:
    """The claim on one delivery's work, held by this process while the work runs."""

    engine: Engine
    scope: str
    key: str
    lease: timedelta
    turns: Any  # an asyncio.Lock on SQLite (writers take turns), else a null context
    claim: asyncio.Task[bool] | None = field(default=None, repr=False)

    def start(self) -> None:
        self.claim = asyncio.ensure_future(self._claim())
        self.claim.add_done_callback(_log_failure)

    async def _claim(self) -> bool:
        async with self.turns:
            first = await asyncio.to_thread(
                claim_lease, self.engine, self.scope, self.key, self.lease
            )
        if not first:
            log.info("dropping a duplicate delivery %s %s", self.scope, self.key)
        return first

    async def first(self) -> bool:
        """True when this process holds the work (the first delivery, or a takeover)."""
        return True if self.claim is None else await self.claim

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        """Renew the lease while the work runs; done when it finished, released if it failed."""
        renewer = asyncio.ensure_future(self._renew())
        try:
            yield
        except BaseException:
            renewer.cancel()
            await self._write(release_lease)
            raise
        renewer.cancel()
        await self._write(finish_lease)

    async def _renew(self) -> None:
        every = max(self.lease.total_seconds() / 3, 0.1)
        while True:
            await asyncio.sleep(every)
            try:
                await asyncio.to_thread(renew_lease, self.engine, self.scope, self.key, self.lease)
            except Exception as exc:  # the next renewal may work; the lease covers a gap
                log.warning("could not renew the claim on %s: %s", self.key, type(exc).__name__)

    async def _write(self, step: Callable[[Engine, str, str], None]) -> None:
        try:
            async with self.turns:
                await asyncio.to_thread(step, self.engine, self.scope, self.key)
        except Exception as exc:  # the lease runs out on its own; nothing is lost
            log.error("could not record the end of %s: %s", self.key, type(exc).__name__)


def dedup_middleware(engine: Engine, lease_s: float) -> Callable[..., Awaitable[None]]:
    """A Bolt global middleware that starts the claim of every event, command and click.

    On SQLite, claims from this process take turns: concurrent writers would otherwise meet
    SQLite's busy handler, whose back-off sleeps make the slowest claims very slow.
    """
    turns = asyncio.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()
    lease = timedelta(seconds=lease_s)

    async def dedup(
        body: dict[str, Any], context: AsyncBoltContext, next: Callable[[], Awaitable[None]]
    ) -> None:
        named = delivery_key(body)
        if named is not None:
            delivery = Delivery(engine, *named, lease=lease, turns=turns)
            delivery.start()
            context[_DELIVERY] = delivery
        await next()

    return dedup


def delivery_of(context: AsyncBoltContext) -> Delivery | None:
    return context.get(_DELIVERY)


def _log_failure(task: asyncio.Future[bool]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("could not claim a Slack delivery: %s", task.exception())
