"""A job that runs at start-up (or a while after) and then every so often, until shutdown.

A failing run is logged and the next one still happens: the digest loop and retention use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

log = logging.getLogger(__name__)


class Periodic:
    def __init__(
        self,
        name: str,
        every_s: float,
        job: Callable[[], Awaitable[None]],
        *,
        first_after_s: float = 0.0,
    ) -> None:
        self._name, self._every_s, self._job = name, every_s, job
        self._first_after_s = first_after_s
        self._task: asyncio.Task[None] | None = None

    def attach(self, app: web.Application) -> None:
        """Run while `app` serves: started at start-up, cancelled at shutdown."""

        async def start(_app: web.Application) -> None:
            self.start()

        async def stop(_app: web.Application) -> None:
            await self.stop()

        app.on_startup.append(start)
        app.on_shutdown.append(stop)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        await asyncio.sleep(self._first_after_s)
        while True:
            try:
                await self._job()
            except Exception:
                log.exception("%s failed; trying again in %.0f s", self._name, self._every_s)
            await asyncio.sleep(self._every_s)
