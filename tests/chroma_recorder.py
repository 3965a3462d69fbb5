"""A loopback HTTP proxy in front of a real `chroma run` server that records each request's
method and path, so a test can count what the product asked Chroma (and of which collection).
It runs on its own thread and event loop, for the blocking Chroma client in the test's thread."""

from __future__ import annotations

import asyncio
import threading

import aiohttp
from aiohttp import web

_HOP_BY_HOP = {"host", "content-length", "content-encoding", "transfer-encoding", "connection"}


class ChromaRecorder:
    def __init__(self, chroma_port: int) -> None:
        self.target = f"http://127.0.0.1:{chroma_port}"
        self.port = 0
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_forever, daemon=True).start()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)

    def take(self) -> list[tuple[str, str]]:
        """The requests recorded since the last call: (method, path)."""
        with self._lock:
            taken, self.requests = self.requests, []
        return taken

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)

    async def _start(self) -> None:
        self._session = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _stop(self) -> None:
        assert self._runner and self._session
        await self._runner.cleanup()
        await self._session.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session
        with self._lock:
            self.requests.append((request.method, request.path))
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        async with self._session.request(
            request.method,
            self.target + request.path_qs,
            data=await request.read(),
            headers=headers,
        ) as answer:
            body = await answer.read()
            kept = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_BY_HOP}
            return web.Response(status=answer.status, body=body, headers=kept)
