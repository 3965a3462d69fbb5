"""A loopback stand-in for the Bot Framework channel (as the Emulator does it): the bot's
replies arrive here at `{serviceUrl}/v3/conversations/{id}/activities…` and are recorded."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from aiohttp import web


@dataclass
class Sent:
    method: str
    conversation: str
    path: str
    activity: dict[str, Any]


class FakeConnector:
    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> FakeConnector:
        app = web.Application()
        app.router.add_route(
            "*", "/v3/conversations/{conversation}/activities{rest:.*}", self._activities
        )
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/"
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _activities(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else {}
        self.sent.append(
            Sent(request.method, request.match_info["conversation"], request.path, body)
        )
        return web.json_response({"id": f"act-{next(self._ids)}"})

    def texts(self) -> list[str]:
        return [s.activity.get("text") or "" for s in self.sent if s.method == "POST"]

    def cards(self) -> list[dict[str, Any]]:
        return [
            a["content"]
            for s in self.sent
            if s.method == "POST"
            for a in s.activity.get("attachments") or []
        ]
