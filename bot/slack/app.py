"""The Bolt `AsyncApp`: our client (loopback-able base URL, 429 retries), dedup, listeners."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.slack import actions, assistant, commands, messages
from bot.slack.dedup import dedup_middleware
from bot.slack.delivery import make_web_client
from bot.slack.oauth import (
    SlackNotConfiguredError,
    oauth_settings,
    register_uninstall,
    slack_mode,
)
from bot.slack.services import SlackServices
from graphs.runtime import Advisor

log = logging.getLogger(__name__)


def build_slack_app(advisor: Advisor, svc: SlackServices) -> AsyncApp:
    """The app for HTTP mode and Socket Mode alike (listeners never know which)."""
    settings = advisor.settings
    secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    )
    mode = slack_mode(settings)
    if mode is None:
        raise SlackNotConfiguredError(
            "set SLACK_BOT_TOKEN, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for OAuth installs "
            "(and SLACK_SIGNING_SECRET for HTTP)"
        )
    token = settings.slack_bot_token.get_secret_value() if mode == "token" else None
    app = AsyncApp(
        name="fractional-advisor",
        signing_secret=secret,
        client=make_web_client(token, settings.slack_api_url, settings.slack_timeout_s),
        oauth_settings=oauth_settings(advisor) if mode == "oauth" else None,
        process_before_response=False,
        # Over HTTP, SlackEndpoint.handle verifies the signature before Bolt sees the request
        # (401 before anything is parsed); Socket Mode needs none. Verifying twice only costs
        # time on the ack path.
        request_verification_enabled=False,
        logger=logging.getLogger("slack_bolt"),
    )
    app.use(dedup_middleware(advisor.engine, settings.event_lease_s))
    if mode == "oauth":
        register_uninstall(app, advisor, app.installation_store)
    assistant.register(app, svc)  # middleware: sees assistant-thread messages first
    messages.register(app, svc)
    commands.register(app, svc)
    actions.register(app, svc)
    app.event(re.compile(".*"))(_acknowledge_only)  # unhandled events would make Slack retry
    app.error(_log_error)
    return app


async def _acknowledge_only() -> None:
    return None


async def _log_error(error: Exception, body: dict[str, Any]) -> None:
    kind = body.get("type") or body.get("command") or "?"
    log.error("slack listener failed on %s: %s", kind, error.__class__.__name__, exc_info=error)


__all__ = ["SlackNotConfiguredError", "build_slack_app"]
