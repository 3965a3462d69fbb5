"""`POST /slack/events`: signature first (401 before anything is parsed), then Bolt.

Events, slash commands and interactivity share this one Request URL, as Bolt expects.
"""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.observability import new_request_id
from bot.slack.app import build_slack_app
from bot.slack.services import SlackServices
from graphs.runtime import Advisor

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1_000_000


def well_formed(body: bytes, content_type: str) -> str | None:
    """The body as text if it has the shape Slack sends (a JSON object, or a form with fields);
    None otherwise, so garbage is a 400 and never reaches Bolt's parser."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if content_type == "application/json":
        try:
            return text if isinstance(json.loads(text), dict) else None
        except ValueError:
            return None
    if content_type == "application/x-www-form-urlencoded":
        fields = parse_qs(text, keep_blank_values=True)
        if "payload" in fields:
            try:
                payload = json.loads(fields["payload"][0])
            except ValueError:
                return None
            return text if isinstance(payload, dict) else None
        return text if "command" in fields or "ssl_check" in fields else None
    return None


class SlackEndpoint:
    """The Slack face behind aiohttp: one Bolt app, its services, the signature check."""

    def __init__(self, advisor: Advisor) -> None:
        secret = advisor.settings.slack_signing_secret
        if secret is None or not secret.get_secret_value():
            raise ValueError("SLACK_SIGNING_SECRET is required to serve Slack over HTTP")
        self.services = SlackServices.build(advisor)
        self.app: AsyncApp = build_slack_app(advisor, self.services)
        self._verifier = SignatureVerifier(secret.get_secret_value())

    def verified(self, body: bytes, timestamp: str | None, signature: str | None) -> bool:
        """False for a bad, missing or stale (> 5 min) signature, and for a garbled timestamp."""
        try:
            return self._verifier.is_valid(body, timestamp, signature)
        except (ValueError, TypeError, UnicodeDecodeError):
            return False

    async def handle(self, request: web.Request) -> web.Response:
        started = time.perf_counter()
        new_request_id()
        body = await request.read()
        headers = request.headers
        timestamp = headers.get("X-Slack-Request-Timestamp")
        if not self.verified(body, timestamp, headers.get("X-Slack-Signature")):
            log.warning("rejected a Slack request with a bad or stale signature")
            return web.json_response({"error": "invalid signature"}, status=401)
        text = well_formed(body, request.content_type)
        if text is None:
            log.warning("rejected a signed Slack request whose body is not a Slack payload")
            return web.json_response({"error": "malformed body"}, status=400)
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
