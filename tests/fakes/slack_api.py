"""A loopback Slack Web API: the real slack_sdk client talks HTTP to it, it records every call.

Point the app at it with `SLACK_API_URL` (settings.slack_api_url = fake.api_url). It also
serves `response_url`s (`fake.response_url(name)`), and can be scripted to fail: a 429 with
`Retry-After`, `{"ok": false, "error": …}`, a JSON 500, an HTML or plain-text 503, a hang
past the client's timeout, or a dropped connection for a method; and a method can be held
(`fake.hold(method)`) until the test has, say, killed the app mid-call. For OAuth installs it
plays Slack's side of `oauth.v2.access`: `fake.grant(...)` issues a one-time code for a
workspace, the app's client credentials are checked, and the bot token it hands out then
answers `auth.test` for that workspace (and fails with `invalid_auth` once revoked).

It answers as Slack does where our code depends on it: messages are kept, so
`conversations.replies` returns a thread's bot replies with their metadata (Bolt's assistant
thread-context store reads it); blocks and views that Slack would refuse (slack_sdk's own
validators, Slack's limits) get `invalid_blocks` / `invalid_arguments`; chat.startStream /
appendStream / stopStream keep a streamed message, require the recipient outside DMs, close
after `stream_lifetime_s` (`message_not_in_streaming_state`) or when the user stops it
(`stop_stream`: `stopped_by_user`); `streaming = False` plays a Slack without the methods
(`unknown_method`); views.publish keeps each user's Home (`home_views`).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl

from aiohttp import web

from tests.fakes.slack_methods import BOT_ID, BOT_USER_ID, SlackMethods
from tests.fakes.slack_validation import message_problems

_WITH_BLOCKS = ("chat.postMessage", "chat.update", "chat.postEphemeral")


@dataclass
class Call:
    method: str  # Web API method, or "response_url"
    params: dict[str, Any]
    status: int = 200
    path: str = ""
    ts: str | None = None  # the ts the fake gave a posted message
    token: str | None = None  # the token the call was made with
    at: float = field(default_factory=time.monotonic)

    def text(self) -> str:
        """Everything a user would read: the fallback text and every text in the blocks (of
        the message, or of the view)."""
        parts = [str(self.params.get("text") or "")]
        parts += _texts(self.params.get("blocks") or [])
        view = self.params.get("view")
        parts += _texts(view.get("blocks") or []) if isinstance(view, dict) else []
        return "\n".join(p for p in parts if p)


def _texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["text"]] if isinstance(node.get("text"), str) else []
        return found + [t for v in node.values() for t in _texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in _texts(v)]
    return []


@dataclass
class Grant:
    """What Slack knows about an install the user just approved."""

    team_id: str
    team_name: str
    bot_token: str
    installer: str = "UINSTALLER"
    enterprise_id: str | None = None
    scopes: str = "chat:write,commands"


FailureBody = Literal["json", "html", "text", "hang", "reset"]


@dataclass
class _Failure:
    status: int
    error: str
    retry_after: int | None
    body: FailureBody = "json"


class FakeSlackApi(SlackMethods):
    def __init__(self, team_id: str = "T1") -> None:
        self._init_methods()
        self.team_id = team_id
        self.calls: list[Call] = []
        self.shared_channels: set[str] = set()
        self._failures: defaultdict[str, deque[_Failure]] = defaultdict(deque)
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base = ""
        self.client_id, self.client_secret = "", ""
        self._grants: dict[str, Grant] = {}  # one-time codes
        self._token_teams: dict[str, str] = {}  # bot tokens handed out → their team
        self.revoked: set[str] = set()
        self.timezones: dict[str, str] = {}  # users.info: a user's IANA timezone (else UTC)
        self._holds: dict[str, asyncio.Event] = {}  # method → set when a call arrived
        self._released = asyncio.Event()
        self._closing = asyncio.Event()

    # --- lifecycle -------------------------------------------------------------------------
    async def start(self) -> FakeSlackApi:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"
        return self

    async def close(self) -> None:
        self._closing.set()
        self.release()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.base}/respond/{name}"

    # --- scripting and inspection ----------------------------------------------------------
    def fail(
        self,
        method: str,
        *,
        error: str = "ratelimited",
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
        body: FailureBody = "json",
    ) -> None:
        """The next `times` calls of `method` fail (429 + Retry-After when `retry_after`).

        `body`: "json" answers `{"ok": false, "error": …}` with `status`; "html" and "text"
        answer a 503 outage page; "hang" never answers (the client's timeout fires); "reset"
        drops the connection without an answer."""
        if retry_after is not None:
            status = 429
        for _ in range(times):
            self._failures[method].append(_Failure(status, error, retry_after, body))

    def hold(self, method: str) -> asyncio.Event:
        """Calls of `method` wait (unanswered) until `release()`; the event is set on arrival."""
        self._holds[method] = asyncio.Event()
        self._released.clear()
        return self._holds[method]

    def release(self) -> None:
        self._holds.clear()
        self._released.set()

    def accept_client(self, client_id: str, client_secret: str) -> None:
        """The app credentials `oauth.v2.access` accepts."""
        self.client_id, self.client_secret = client_id, client_secret

    def grant(self, code: str, grant: Grant) -> None:
        """The user approved an install: Slack redirects with `code`, good once."""
        self._grants[code] = grant
        self._token_teams[grant.bot_token] = grant.team_id

    def calls_to(self, method: str, **where: Any) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method
            and c.status == 200
            and all(c.params.get(k) == v for k, v in where.items())
        ]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        within_s: float = 15.0,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """The successful calls to `method` (matching `where`), once there are `count` of them."""
        deadline = time.monotonic() + within_s
        while True:
            found = [c for c in self.calls_to(method) if where is None or where(c)]
            if len(found) >= count:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = [(c.method, c.status) for c in self.calls]
                raise AssertionError(f"expected {count}× {method}, got {len(found)}; calls: {seen}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout=min(remaining, 0.2))

    # --- handlers --------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        held = self._holds.get(method)
        if held is not None:
            held.set()
            await self._released.wait()
        failures = self._failures[method]
        if failures:
            return await self._fail(request, Call(method, params), failures.popleft())
        token = _token(request, params)
        if method == "oauth.v2.access":
            answer = self._oauth_access(request, params)
        elif token in self.revoked:
            answer = {"ok": False, "error": "invalid_auth"}
        else:
            answer = self._answer(method, params, token)
        ts = answer.get("ts") if method in ("chat.postMessage", "chat.startStream") else None
        status = 200 if answer["ok"] else 400  # as recorded: Slack itself says 200, ok=false
        self._record(Call(method, params, ts=ts, token=token, status=status))
        return web.json_response(answer)

    async def _fail(self, request: web.Request, call: Call, failure: _Failure) -> web.Response:
        call.status = 503 if failure.body in ("html", "text") else failure.status
        self._record(call)
        if failure.body == "hang":  # until the fake closes: the client's timeout fires first
            await self._closing.wait()
        if failure.body == "reset":
            assert request.transport is not None
            request.transport.abort()
            return web.Response(status=599)
        if failure.body == "html":
            page = "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
            return web.Response(status=503, text=page, content_type="text/html")
        if failure.body == "text":
            return web.Response(status=503, text="upstream error", content_type="text/plain")
        headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
        return web.json_response(
            {"ok": False, "error": failure.error}, status=failure.status, headers=headers
        )

    def _oauth_access(self, request: web.Request, params: dict[str, Any]) -> dict[str, Any]:
        basic = request.headers.get("Authorization", "").removeprefix("Basic ")
        client = base64.b64decode(basic).decode() if basic else ""
        if not self.client_id or client != f"{self.client_id}:{self.client_secret}":
            return {"ok": False, "error": "invalid_client_id"}
        grant = self._grants.pop(str(params.get("code")), None)
        if grant is None:
            return {"ok": False, "error": "invalid_code"}
        enterprise = {"id": grant.enterprise_id, "name": "Org"} if grant.enterprise_id else None
        return {
            "ok": True,
            "app_id": "A1",
            "authed_user": {"id": grant.installer},
            "scope": grant.scopes,
            "token_type": "bot",
            "access_token": grant.bot_token,
            "bot_user_id": BOT_USER_ID,
            "team": {"id": grant.team_id, "name": grant.team_name},
            "enterprise": enterprise,
            "is_enterprise_install": False,
        }

    async def _respond(self, request: web.Request) -> web.Response:
        payload = await request.json()
        problems = message_problems(payload)
        call = Call("response_url", payload, path=request.match_info["name"])
        call.status = 400 if problems else 200
        self._record(call)
        if problems:  # Slack answers a response_url it can't use with a 400 and the reason
            return web.Response(status=400, text="invalid_blocks")
        return web.Response(text="ok")

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._changed.set()

    def _answer(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        if method in _WITH_BLOCKS and message_problems(params):
            return {"ok": False, "error": "invalid_blocks", "errors": message_problems(params)}
        handler = self._method(method)
        if handler is not None:
            return handler(params)
        ts = self._next_ts()
        channel = params.get("channel") or params.get("channel_id") or "C1"
        if method == "chat.postMessage":
            self._keep(channel, ts, params)
        if method == "chat.update":
            kept = self.messages.get((channel, str(params.get("ts"))))
            if kept is not None:
                kept.update({k: params[k] for k in ("text", "blocks", "metadata") if k in params})
        answers: dict[str, dict[str, Any]] = {
            "auth.test": {
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "team_id": self._token_teams.get(token or "", self.team_id),
                "team": "Test",
                "user": "advisor",
                "url": "https://test.slack.com/",
            },
            "chat.postMessage": {"channel": channel, "ts": ts, "message": {"ts": ts, **params}},
            "chat.update": {"channel": channel, "ts": params.get("ts"), "text": params.get("text")},
            "chat.postEphemeral": {"message_ts": ts},
            "conversations.info": {
                "channel": {"id": channel, "is_ext_shared": channel in self.shared_channels}
            },
            "conversations.open": {"channel": {"id": f"D{params.get('users', 'X')}"}},
            "conversations.replies": {
                "messages": self._replies(channel, str(params.get("ts") or ""), params),
                "has_more": False,
            },
            "users.info": {
                "user": {
                    "id": params.get("user"),
                    "tz": self.timezones.get(params.get("user"), "UTC"),
                }
            },
        }
        return {"ok": True, **answers.get(method, {})}


def _token(request: web.Request, params: dict[str, Any]) -> str | None:
    bearer = request.headers.get("Authorization", "")
    if bearer.startswith("Bearer "):
        return bearer.removeprefix("Bearer ")
    return params.get("token")


async def _params(request: web.Request) -> dict[str, Any]:
    """The call's arguments: the query string (slack_sdk sends some methods' there), then the
    body, JSON or form-encoded."""
    data: dict[str, Any] = dict(request.query)
    if request.method == "GET":
        return data
    raw = await request.text()
    if request.content_type == "application/json":
        data |= json.loads(raw or "{}")
    else:
        data |= dict(parse_qsl(raw, keep_blank_values=True))
    for key in ("blocks", "view", "metadata", "prompts", "chunks", "loading_messages"):
        if isinstance(data.get(key), str):
            data[key] = json.loads(data[key])
    return data
