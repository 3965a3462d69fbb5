"""Work that runs after `ack()`: our own asyncio tasks, bounded, logged, drained at shutdown.

Bolt must answer Slack within 3 s; retrieval and the LLM can take longer. Listeners ack, hand
the job to `Workers.spawn`, and return.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

Apology = Callable[[], Awaitable[Any]]


def api_error_code(exc: SlackApiError) -> str:
    """Slack's error code (`not_in_channel`, …), or `http_<status>` when the answer was not
    Slack's JSON (an HTML or plain-text 5xx from a proxy or an outage page)."""
    response = exc.response
    data = getattr(response, "data", None)
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return data["error"]
    return f"http_{getattr(response, 'status_code', '?')}"


def describe_api_error(exc: SlackApiError) -> tuple[str, str]:
    """(method, error code) of a failed Web API call, for the log line."""
    url = getattr(exc.response, "api_url", "") or ""
    method = url.rstrip("/").rsplit("/", 1)[-1] or "?"
    return method, api_error_code(exc)


class Workers:
    """A bounded pool of background jobs; every failure is logged and the user gets an apology."""

    def __init__(self, limit: int = 16) -> None:
        self._slots = asyncio.Semaphore(limit)
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(
        self, job: Coroutine[Any, Any, Any], *, name: str, apology: Apology | None = None
    ) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(self._run(job, name, apology), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run(self, job: Coroutine[Any, Any, Any], name: str, apology: Apology | None) -> None:
        async with self._slots:
            try:
                await job
                return
            except SlackApiError as exc:
                method, error = describe_api_error(exc)
                log.error("slack %s failed in %s: %s", method, name, error)
            except Exception:
                log.exception("%s failed", name)
            if apology is not None:
                await self._apologise(apology, name)

    @staticmethod
    async def _apologise(apology: Apology, name: str) -> None:
        try:
            await apology()
        except SlackApiError as exc:
            method, error = describe_api_error(exc)
            log.error("slack %s failed while apologising for %s: %s", method, name, error)
        except Exception:
            log.exception("apology for %s failed", name)

    @property
    def busy(self) -> int:
        return len(self._tasks)

    async def drain(self, grace_s: float = 25.0) -> None:
        """Wait for running jobs (at shutdown); cancel what is left after `grace_s`."""
        if not self._tasks:
            return
        _done, pending = await asyncio.wait(set(self._tasks), timeout=grace_s)
        for task in pending:
            task.cancel()
