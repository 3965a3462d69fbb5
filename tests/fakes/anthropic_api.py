"""A loopback stand-in for the Anthropic Messages API: real HTTP, scripted replies, recorded bodies.

The real SDK is pointed at it with `base_url`; nothing of the SDK or of our code is patched.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict → JSON; str → sent as is (for malformed bodies)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    stream: list[dict[str, Any]] | None = None  # SSE events, for streaming requests


def usage(input_tokens: int = 3200, output_tokens: int = 120, read: int = 0, created: int = 0):
    return {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_read_input_tokens": read,
        "cache_creation_input_tokens": created,
    }


def message(content: list[dict[str, Any]], model: str = "claude-test", **use: int) -> dict:
    return {
        "id": "msg_test",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": usage(**use),
    }


def citation(request: dict[str, Any], document_index: int, length: int = 60) -> dict[str, Any]:
    """A char_location citation of the first `length` characters of a document we were sent."""
    doc = documents(request)[document_index]
    text = doc["source"]["data"][:length]
    return {
        "type": "char_location",
        "cited_text": text,
        "document_index": document_index,
        "document_title": doc.get("title"),
        "start_char_index": 0,
        "end_char_index": len(text),
    }


def documents(request: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        b
        for m in request["messages"]
        for b in m["content"]
        if isinstance(b, dict) and b.get("type") == "document"
    ]


def error(status: int, kind: str, retry_after: str | None = None) -> Reply:
    headers = {"retry-after": retry_after} if retry_after else {}
    return Reply(
        status=status,
        body={"type": "error", "error": {"type": kind, "message": kind}},
        headers=headers,
    )


def sse(events: list[dict[str, Any]]) -> bytes:
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


class FakeMessagesAPI:
    """Serves POST /v1/messages on 127.0.0.1; replies from a script, then from `default`."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.script: list[Reply | Callable[[dict[str, Any]], Reply]] = []
        self.default: Callable[[dict[str, Any]], Reply] = lambda body: Reply(
            body=message([{"type": "text", "text": "No scripted reply."}])
        )
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append({"headers": dict(request.headers), "body": body})
        step = self.script.pop(0) if self.script else self.default
        reply = step(body) if callable(step) else step
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.stream is not None:
            response = web.StreamResponse(headers={"content-type": "text/event-stream"})
            await response.prepare(request)
            await response.write(sse(reply.stream))
            await response.write_eof()
            return response
        if isinstance(reply.body, str):
            return web.Response(
                status=reply.status,
                text=reply.body,
                headers=reply.headers,
                content_type="application/json",
            )
        return web.json_response(reply.body, status=reply.status, headers=reply.headers)

    def start(self) -> FakeMessagesAPI:
        ready = threading.Event()

        async def serve() -> None:
            app = web.Application()
            app.router.add_post("/v1/messages", self._handle)
            self._runner = web.AppRunner(app)
            await self._runner.setup()
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            await site.start()
            port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            self.url = f"http://127.0.0.1:{port}"
            ready.set()

        threading.Thread(target=self._loop.run_forever, daemon=True).start()
        asyncio.run_coroutine_threadsafe(serve(), self._loop)
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [r["body"] for r in self.requests]


def streamed_text(first: str, second: str, cite_document: int = 4) -> Callable[[dict], Reply]:
    """A streamed reply: `first`, a citation of a document we were sent, then `second`."""

    def reply(body: dict[str, Any]) -> Reply:
        def delta(index: int, payload: dict[str, Any]) -> dict[str, Any]:
            return {"type": "content_block_delta", "index": index, "delta": payload}

        return Reply(
            stream=[
                {"type": "message_start", "message": message([], input_tokens=3300)},
                {
                    "type": "content_block_start",
                    "index": 0,
                    "content_block": {"type": "text", "text": "", "citations": []},
                },
                delta(0, {"type": "text_delta", "text": first}),
                delta(
                    0, {"type": "citations_delta", "citation": citation(body, cite_document, 40)}
                ),
                delta(0, {"type": "text_delta", "text": second}),
                {"type": "content_block_stop", "index": 0},
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": 9},
                },
                {"type": "message_stop"},
            ]
        )

    return reply
