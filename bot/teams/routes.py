"""`POST /api/messages`: the Bot Framework endpoint, with our guards around CloudAdapter.

- With `MicrosoftAppId` set, every request must carry a valid Bot Framework token (401 else).
- Without one (local emulator mode) only loopback callers are served, and a warning is logged.
- Wrong content types answer 415, malformed activities 400 — never a 500.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from dataclasses import dataclass

from aiohttp import ClientError, web
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity
from jwt import PyJWTError

from bot.observability import new_request_id
from bot.teams.bot import AdvisorTeamsBot
from bot.teams.store import ConversationStore
from graphs.runtime import Advisor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BotFrameworkConfig:
    """The attribute names botbuilder's configuration classes read."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str


class TeamsEndpoint:
    def __init__(self, advisor: Advisor) -> None:
        s = advisor.settings
        self.emulator = not s.microsoft_app_id
        if (
            s.microsoft_app_id
            and s.microsoft_app_type == "SingleTenant"
            and not s.microsoft_app_tenant_id
        ):
            raise ValueError(
                "MicrosoftAppTenantId is required for a SingleTenant bot (Azure Bot → "
                "Configuration → App Tenant ID); set MicrosoftAppType=MultiTenant only for an "
                "older multi-tenant registration"
            )
        config = BotFrameworkConfig(
            s.microsoft_app_id,
            s.microsoft_app_password.get_secret_value(),
            s.microsoft_app_type if s.microsoft_app_id else "MultiTenant",
            s.microsoft_app_tenant_id,
        )
        self.app_id = s.microsoft_app_id
        self.adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(config))
        self.adapter.on_turn_error = self._on_turn_error
        self.bot = AdvisorTeamsBot(advisor, ConversationStore(advisor.engine))
        if self.emulator:
            log.warning(
                "Teams runs in local emulator mode (no MicrosoftAppId): inbound auth is "
                "off, so only loopback callers are accepted"
            )

    async def _on_turn_error(self, turn_context, error: Exception) -> None:
        log.exception("teams turn failed: %s", type(error).__name__, exc_info=error)
        await turn_context.send_activity(
            "Sorry, something went wrong on my side. Please try again in a minute."
        )

    async def handle(self, request: web.Request) -> web.Response:
        new_request_id()
        if self.emulator and not _loopback(request.remote):
            return web.json_response({"error": "emulator mode serves loopback only"}, status=401)
        if self.app_id and not request.headers.get("Authorization"):
            return web.json_response({"error": "missing Authorization"}, status=401)
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.json_response({"error": "expected application/json"}, status=415)
        problem = await _malformed(request)
        if problem:
            return web.json_response({"error": problem}, status=400)
        try:
            response = await self.adapter.process(request, self.bot)
        except (web.HTTPUnauthorized, PermissionError, PyJWTError):
            return web.json_response({"error": "unauthorized"}, status=401)
        except (ClientError, OSError) as exc:
            if not self.app_id:
                raise
            # The token could not be checked (signing keys unreachable): refuse, don't crash.
            log.warning("could not validate a Bot Framework token: %s", type(exc).__name__)
            return web.json_response({"error": "unauthorized"}, status=401)
        except web.HTTPException as exc:
            return web.json_response({"error": exc.reason}, status=exc.status)
        return response or web.Response(status=201)


async def _malformed(request: web.Request) -> str | None:
    """Why the body is not an Activity we can handle, or None."""
    try:
        body = json.loads(await request.text())
    except (ValueError, UnicodeDecodeError):
        return "body is not JSON"
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        return "body is not an activity (no type)"
    conversation = body.get("conversation")
    if not isinstance(conversation, dict) or not conversation.get("id"):
        return "activity has no conversation id"
    if not isinstance(body.get("serviceUrl"), str):
        return "activity has no serviceUrl"
    try:
        Activity().deserialize(body)
    except Exception:
        return "activity does not deserialize"
    return None


def _loopback(remote: str | None) -> bool:
    try:
        return ipaddress.ip_address((remote or "").split("%")[0]).is_loopback
    except ValueError:
        return False


TEAMS_KEY: web.AppKey[TeamsEndpoint] = web.AppKey("teams", TeamsEndpoint)


def setup_teams(app: web.Application, advisor: Advisor) -> TeamsEndpoint:
    """Add `POST /api/messages` to the server."""
    endpoint = TeamsEndpoint(advisor)
    app[TEAMS_KEY] = endpoint
    app.router.add_post("/api/messages", endpoint.handle)
    return endpoint
