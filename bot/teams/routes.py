"""`POST /api/messages`: the Bot Framework endpoint, with our guards around CloudAdapter.

In order, each before any work the next one needs:
1. who is calling, from the headers alone (`auth.InboundAuth`): a valid Bot Framework token
   with an app id; direct loopback callers without a token or proxy headers in emulator mode;
2. the body, read with a size cap and parsed (depth-checked) on a parsing thread (`inbound`);
3. the activity's `serviceUrl` against the allowed hosts (`service_url`), then the token again
   with the activity (its `serviceurl` claim), then the CloudAdapter turn.
Wrong content types answer 415, oversized bodies 413, malformed activities 400 — never a 500.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from aiohttp import web
from botbuilder.core import InvokeResponse, TurnContext, serializer_helper
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, ActivityEventNames, ActivityTypes, CallerIdConstants
from botframework.connector.auth import AuthenticationConstants
from msrest.serialization import Model

from bot.observability import new_request_id
from bot.teams.auth import InboundAuth, Refused
from bot.teams.bot import SORRY, AdvisorTeamsBot
from bot.teams.inbound import BodyTooLarge, MalformedActivity, parse_activity, read_capped
from bot.teams.messages import card_invoke_error
from bot.teams.outbound import ConnectorLimits, describe_send_error
from bot.teams.service_url import ServiceUrlError, ServiceUrlPolicy
from bot.teams.store import ConversationStore
from graphs.runtime import Advisor
from knowledge.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BotFrameworkConfig:
    """The attribute names botbuilder's configuration classes read. The public-cloud values are
    spelled out so the OpenID metadata URLs can be settings (tests serve them on loopback)."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str
    TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL: str
    VALIDATE_AUTHORITY: bool = True
    TO_CHANNEL_FROM_BOT_LOGIN_URL: str = (
        AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX
    )
    TO_CHANNEL_FROM_BOT_OAUTH_SCOPE: str = AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str = AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
    OAUTH_URL: str = AuthenticationConstants.OAUTH_URL
    CALLER_ID: str = CallerIdConstants.public_azure_channel

    @classmethod
    def from_settings(cls, s: Settings) -> BotFrameworkConfig:
        return cls(
            s.microsoft_app_id,
            s.microsoft_app_password.get_secret_value(),
            s.microsoft_app_type if s.microsoft_app_id else "MultiTenant",
            s.microsoft_app_tenant_id,
            s.teams_openid_metadata_url,
            s.teams_emulator_openid_metadata_url,
        )


class TeamsEndpoint:
    """The Bot Framework endpoint: CloudAdapter, the bot, and the guards in front of them."""

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
        self.app_id = s.microsoft_app_id
        authentication = ConfigurationBotFrameworkAuthentication(
            BotFrameworkConfig.from_settings(s)
        )
        self.service_urls = ServiceUrlPolicy(
            emulator=self.emulator, extra_hosts=s.teams_extra_service_hosts
        )
        self.adapter = CloudAdapter(authentication)
        self.adapter.use(
            ConnectorLimits(
                self.service_urls, timeout_s=s.teams_send_timeout_s, retries=s.teams_send_retries
            )
        )
        self.adapter.on_turn_error = self._on_turn_error
        self.inbound = InboundAuth(
            authentication, app_id=self.app_id, timeout_s=s.teams_auth_timeout_s
        )
        self.limits = (s.teams_max_body_bytes, s.teams_max_json_depth)
        # One parsing thread: parsing holds the GIL, so a second one only takes turns from the
        # event loop (bench/teams_load.py, 4 clients × 664 KB: /healthz p50 10 ms with one
        # thread, 37 ms with two, 58 ms with asyncio.to_thread's pool).
        self._parse_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="teams-parse")
        self.bot = AdvisorTeamsBot(advisor, ConversationStore(advisor.engine))
        if self.emulator:
            log.warning(
                "Teams runs in local emulator mode (no MicrosoftAppId): inbound auth is "
                "off, so only direct loopback callers are accepted"
            )

    async def _on_turn_error(self, turn_context: TurnContext, error: Exception) -> None:
        """The bot failed mid-turn (often a reply the connector refused): log it, apologise if
        the connector lets us, and never raise, so the channel gets no 5xx. A proactive turn
        (a digest) re-raises instead: its sender must learn the delivery failed, and retry."""
        activity = turn_context.activity
        if activity.name == ActivityEventNames.continue_conversation:
            raise error
        log.error("teams turn failed: %s", describe_send_error(error), exc_info=error)
        if activity.type == ActivityTypes.invoke:
            return  # the invoke's own HTTP answer carries the error
        try:
            await turn_context.send_activity(SORRY)
        except Exception as exc:
            log.warning("teams apology not delivered either: %s", describe_send_error(exc))

    def close(self) -> None:
        self.inbound.close()
        self._parse_pool.shutdown(wait=False, cancel_futures=True)

    async def handle(self, request: web.Request) -> web.Response:
        new_request_id()
        try:
            await self.inbound.check(request)
        except Refused as exc:
            log.log(_level(exc), "teams request refused (%d): %s", exc.status, exc)
            return _error(exc.status, "unauthorized" if exc.status == 401 else "forbidden")
        if "application/json" not in request.headers.get("Content-Type", ""):
            return _error(415, "expected application/json")
        max_bytes, max_depth = self.limits
        try:
            body = await read_capped(request, max_bytes)
            activity = await asyncio.get_running_loop().run_in_executor(
                self._parse_pool, parse_activity, body, max_depth
            )
        except BodyTooLarge as exc:
            log.info("teams request refused (413): %s", exc)
            return _error(413, str(exc))
        except MalformedActivity as exc:
            log.info("teams request refused (400): %s", exc)
            return _error(400, str(exc))
        try:
            self.service_urls.check(activity.service_url)
        except ServiceUrlError as exc:
            log.warning("teams activity refused (400), serviceUrl not contacted: %s", exc)
            return _error(400, "serviceUrl not allowed")
        return await self._turn(request, activity)

    async def _turn(self, request: web.Request, activity: Activity) -> web.Response:
        try:
            identity = await self.inbound.authenticate(activity, request.headers)
        except Refused as exc:
            log.log(_level(exc), "teams request refused (%d): %s", exc.status, exc)
            return _error(exc.status, "unauthorized")
        try:
            invoke = await self.adapter.process_activity(identity, activity, self.bot.on_turn)
        except Exception as exc:
            log.exception("teams turn failed outside the bot: %s", describe_send_error(exc))
            invoke = _failed(activity)
        if invoke is None:
            return web.Response(status=201)
        if invoke.status >= 500:  # CloudAdapter's 501 for an invoke nobody answered
            log.error("teams invoke %r not answered (%d)", activity.name, invoke.status)
            invoke = _failed(activity) or invoke
        body = invoke.body
        return web.json_response(
            serializer_helper(body) if isinstance(body, Model) else body, status=invoke.status
        )


def _failed(activity: Activity) -> InvokeResponse | None:
    """What the channel gets when the turn broke: an invoke still needs a (non-5xx) answer."""
    if activity.type != ActivityTypes.invoke:
        return None
    return InvokeResponse(status=200, body=card_invoke_error(500, "InternalError", SORRY))


def _level(refused: Refused) -> int:
    """Bad tokens are the internet's background noise; our own misconfiguration is not."""
    return logging.WARNING if refused.ops else logging.INFO


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


TEAMS_KEY: web.AppKey[TeamsEndpoint] = web.AppKey("teams", TeamsEndpoint)


def setup_teams(app: web.Application, advisor: Advisor) -> TeamsEndpoint:
    """Add `POST /api/messages` to the server."""
    endpoint = TeamsEndpoint(advisor)
    app[TEAMS_KEY] = endpoint
    app.router.add_post("/api/messages", endpoint.handle)

    async def close_teams(_app: web.Application) -> None:
        endpoint.close()

    app.on_cleanup.append(close_teams)
    return endpoint
