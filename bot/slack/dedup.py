"""One answer per event: Slack retries (`X-Slack-Retry-Num`) and duplicate `event_id`s are
acknowledged and dropped. The claim lives in the database, so it holds across replicas."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.response import BoltResponse
from sqlalchemy import Engine

from knowledge.records import claim_once

log = logging.getLogger(__name__)
EVENT_SCOPE = "slack-event"


def event_dedup_middleware(
    engine: Engine,
) -> Callable[..., Awaitable[BoltResponse | None]]:
    """A Bolt global middleware claiming `team:event_id` before any listener sees an event."""

    async def dedup_events(
        body: dict[str, Any], next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if not event_id:
            return await next()
        key = f"{body.get('team_id') or body.get('enterprise_id') or '-'}:{event_id}"
        if await asyncio.to_thread(claim_once, engine, EVENT_SCOPE, key):
            return await next()
        log.info("dropping a duplicate delivery of event %s", event_id)
        return BoltResponse(status=200, body="")

    return dedup_events
