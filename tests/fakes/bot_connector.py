"""A loopback stand-in for the Bot Framework channel (as the Emulator does it): the bot's
replies arrive here at `{serviceUrl}/v3/conversations/{id}/activities…` and are recorded.

`fail(kind)` makes every call fail the way real connectors and the proxies in front of them
do, until `heal()`; `attempts` counts every call, failed or not."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from typing import Any

from aiohttp import web

FAULTS = {
    "json-500": (500, "application/json", '{"error": {"code": "ServiceError", "message": "x"}}'),
    "html-503": (503, "text/html", "<html><body><h1>503 Service Unavailable</h1></body></html>"),
    "text-502": (502, "text/plain", "upstream connect error or disconnect/reset before headers"),
    "text-200": (200, "text/plain", "OK"),
}


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
        self.attempts: list[str] = []
        self.fault: str | None = None  # a FAULTS key, or "timeout"
        self.stall_s = 2.0  # how long a "timeout" call hangs before it is answered

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

    def fail(self, kind: str) -> None:
        assert kind in FAULTS or kind == "timeout", kind
        self.fault = kind

    def heal(self) -> None:
        self.fault = None

    async def _activities(self, request: web.Request) -> web.Response:
        self.attempts.append(f"{request.method} {request.path} {self.fault or 'ok'}")
        if self.fault == "timeout":
            await asyncio.sleep(self.stall_s)  # the bot gave up long ago: not recorded as sent
            return web.json_response({"id": "too-late"})
        if self.fault is not None:
            status, content_type, text = FAULTS[self.fault]
            return web.Response(status=status, text=text, content_type=content_type)
        body = await request.json() if request.can_read_body else {}
        self.sent.append(
            Sent(request.method, request.match_info["conversation"], request.path, body)
        )
        return web.json_response({"id": f"act-{next(self._ids)}"})

    def texts(self) -> list[str]:
        return [s.activity.get("text") or "" for s in self.sent if s.method == "POST"]

    def answers(self) -> list[str]:
        """The texts of answers: messages carrying Teams' citation entity."""
        return [
            s.activity.get("text") or ""
            for s in self.sent
            if s.method == "POST"
            and any(e.get("@type") == "Message" for e in s.activity.get("entities") or [])
        ]

    def cards(self) -> list[dict[str, Any]]:
        return [
            a["content"]
            for s in self.sent
            if s.method == "POST"
            for a in s.activity.get("attachments") or []
        ]


def card_buttons(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button of an Adaptive Card: its body's action sets, then its own actions."""
    sets = [b["actions"] for b in card.get("body", []) if b.get("type") == "ActionSet"]
    return [a for actions in [*sets, card.get("actions", [])] for a in actions]
