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

    async def apply() -> None:
        log.info("retention applied: %s", await apply_retention(advisor))

    Periodic("retention", EVERY_S, apply).attach(app)
