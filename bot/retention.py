"""Retention, applied: audit records, conversation turns and idle interview threads are deleted
when their settings say so, by `advisor audit purge` and every few hours inside `advisor serve`
(deletes are idempotent, so every replica may run it)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from graphs.runtime import Advisor

log = logging.getLogger(__name__)
EVERY_S = 6 * 3600.0


@dataclass(frozen=True, slots=True)
class Purged:
    audit_records: int
    conversation_turns: int
    interview_threads: int


async def apply_retention(advisor: Advisor) -> Purged:
    settings = advisor.settings
    return Purged(
        audit_records=await asyncio.to_thread(advisor.audit.purge),
        conversation_turns=await asyncio.to_thread(advisor.conversations.purge),
        interview_threads=await advisor.interviews.purge(
            timedelta(days=settings.interview_retention_days)
        ),
    )


def setup_retention(app: web.Application, advisor: Advisor) -> None:
    """Apply retention at start and every `EVERY_S` while the server runs."""

    async def loop() -> None:
        while True:
            try:
                log.info("retention applied: %s", await apply_retention(advisor))
            except Exception:
                log.exception("retention run failed; trying again later")
            await asyncio.sleep(EVERY_S)

    async def start(app: web.Application) -> None:
        app[_TASK] = asyncio.get_running_loop().create_task(loop(), name="retention")

    async def stop(app: web.Application) -> None:
        app[_TASK].cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await app[_TASK]

    app.on_startup.append(start)
    app.on_shutdown.append(stop)


_TASK: web.AppKey[asyncio.Task[None]] = web.AppKey("retention", asyncio.Task)
