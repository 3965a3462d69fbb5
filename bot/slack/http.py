"""`POST /slack/events`: signature first (401 before anything is parsed), then Bolt.

Events, slash commands and interactivity share this one Request URL, as Bolt expects.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.observability import new_request_id
from bot.slack.app import build_slack_app
from bot.slack.payloads import PayloadError, parse_signed_body
from bot.slack.services import SlackServices
from graphs.runtime import Advisor

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1_000_000


class SlackEndpoint:
    """The Slack face behind aiohttp: one Bolt app, its services, the signature check."""

    def __init__(self, advisor: Advisor) -> None:
        secret = advisor.settings.slack_signing_secret
        if secret is None or not secret.get_secret_value():
            raise ValueError("SLACK_SIGNING_SECRET is required to serve Slack over HTTP")
        self.services = SlackServices.build(advisor)
        self.app: AsyncApp = build_slack_app(advisor, self.services)
        self._verifier = SignatureVerifier(secret.get_secret_value())
        self._secret = secret.get_secret_value().encode()

    def verified(self, body: bytes, timestamp: str | None, signature: str | None) -> bool:
        """False for a bad, missing or stale (> 5 min) signature, and for a garbled timestamp.

        Slack signs the raw bytes; slack_sdk's verifier decodes them as UTF-8 first, so a body
        that is not UTF-8 is checked here on its bytes (and is then a 400, not a 401)."""
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return self._verified_bytes(body, timestamp, signature)
        try:
            return self._verifier.is_valid(body, timestamp, signature)
        except (ValueError, TypeError, UnicodeDecodeError):
            return False

    def _verified_bytes(self, body: bytes, timestamp: str | None, signature: str | None) -> bool:
        if not timestamp or not signature or not timestamp.isascii() or not timestamp.isdigit():
            return False
        if abs(time.time() - int(timestamp)) > 300:
            return False
        base = b"v0:" + timestamp.encode() + b":" + body
        expected = "v0=" + hmac.new(self._secret, base, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature)

    async def handle(self, request: web.Request) -> web.Response:
        started = time.perf_counter()
        new_request_id()
        body = await request.read()
        headers = request.headers
        timestamp = headers.get("X-Slack-Request-Timestamp")
        if not self.verified(body, timestamp, headers.get("X-Slack-Signature")):
            log.warning("rejected a Slack request with a bad or stale signature")
            return web.json_response({"error": "invalid signature"}, status=401)
        try:
            text = body.decode("utf-8")
            parse_signed_body(text, request.content_type)
        except (UnicodeDecodeError, PayloadError) as exc:
            why = "the body is not UTF-8" if isinstance(exc, UnicodeDecodeError) else str(exc)
            log.warning("rejected a signed Slack request that is not a Slack payload: %s", why)
            return web.json_response({"error": f"malformed body: {why}"}, status=400)
        bolt_request = AsyncBoltRequest(
            body=text, query=request.query_string, headers=dict(headers)
        )
        response = await to_aiohttp_response(await self.app.async_dispatch(bolt_request))
        log.debug("slack ack in %.1f ms", (time.perf_counter() - started) * 1000)
        return response

    async def install(self, request: web.Request) -> web.Response:
        """`GET /slack/install`: the "Add to Slack" page, with a one-time state (OAuth only)."""
        flow = self.app.oauth_flow
        if flow is None:
            raise web.HTTPNotFound()
        return await to_aiohttp_response(await flow.handle_installation(_get_request(request)))

    async def oauth_redirect(self, request: web.Request) -> web.Response:
        """`GET /slack/oauth_redirect`: Slack sends the installer back here with a code."""
        flow = self.app.oauth_flow
        if flow is None:
            raise web.HTTPNotFound()
        return await to_aiohttp_response(await flow.handle_callback(_get_request(request)))

    async def close(self) -> None:
        await self.services.workers.drain()


def _get_request(request: web.Request) -> AsyncBoltRequest:
    return AsyncBoltRequest(body="", query=request.query_string, headers=dict(request.headers))
