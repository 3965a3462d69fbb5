"""Retention, applied: audit records, conversation turns and idle interview threads are deleted
when their settings say so, by `advisor audit purge` and every few hours inside `advisor serve`
(deletes are idempotent, so every replica may run it)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from bot.periodic import Periodic
from graphs.runtime import Advisor

log = logging.getLogger(__name__)
EVERY_S = 6 * 3600.0
FIRST_AFTER_S = 600.0


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
    """Apply retention every `EVERY_S` while the server runs; the first run waits
    `FIRST_AFTER_S`, so listing every interview checkpoint never competes with start-up."""

    async def apply() -> None:
        log.info("retention applied: %s", await apply_retention(advisor))

    Periodic("retention", EVERY_S, apply, first_after_s=FIRST_AFTER_S).attach(app)
