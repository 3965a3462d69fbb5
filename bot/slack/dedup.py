"""One answer per event: Slack retries (`X-Slack-Retry-Num`) and duplicate `event_id`s are
dropped. The claim lives in the database, so it holds across replicas and restarts.

The claim is started by a middleware but not waited for there: the ack goes out at once, and
the work spawned for the event first waits for the claim (`first_delivery`), doing nothing
when another delivery of the same event won it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncBoltContext
from sqlalchemy import Engine

from knowledge.records import claim_once

log = logging.getLogger(__name__)
EVENT_SCOPE = "slack-event"
_CLAIM = "advisor_first_delivery"


def event_dedup_middleware(engine: Engine) -> Callable[..., Awaitable[None]]:
    """A Bolt global middleware that starts the claim of `team:event_id` for every event.

    On SQLite, claims from this process take turns: concurrent writers would otherwise meet
    SQLite's busy handler, whose back-off sleeps make the slowest claims very slow.
    """
    turns = asyncio.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()

    async def claim(key: str) -> bool:
        async with turns:
            first = await asyncio.to_thread(claim_once, engine, EVENT_SCOPE, key)
        if not first:
            log.info("dropping a duplicate delivery of event %s", key)
        return first

    async def dedup_events(
        body: dict[str, Any], context: AsyncBoltContext, next: Callable[[], Awaitable[None]]
    ) -> None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            key = f"{body.get('team_id') or body.get('enterprise_id') or '-'}:{event_id}"
            task = asyncio.ensure_future(claim(key))
            task.add_done_callback(_log_failure)
            context[_CLAIM] = task
        await next()

    return dedup_events


def _log_failure(task: asyncio.Future[bool]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("could not claim a Slack event: %s", task.exception())


async def first_delivery(context: AsyncBoltContext) -> bool:
    """True unless this event was already handled (by this or another replica)."""
    claim: asyncio.Future[bool] | None = context.get(_CLAIM)
    return True if claim is None else await claim
