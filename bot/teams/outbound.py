"""Every call the bot makes to a Bot Framework connector, bounded: an allowed serviceUrl, a
timeout, few retries and no redirects.

botbuilder's connector client (msrest over `requests`) defaults to a 100 s timeout per attempt,
retries connection errors three times, and follows redirects, so one slow or hostile connector
kept an inbound request (and a worker thread) busy for minutes. CloudAdapter creates a client
per turn, inbound and proactive alike; this middleware tunes it before the bot sees the turn.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from botbuilder.core import BotAdapter, Middleware, TurnContext

from bot.teams.service_url import ServiceUrlError, ServiceUrlPolicy

log = logging.getLogger(__name__)


class ConnectorLimits(Middleware):
    """Refuses a turn whose connector points outside the policy; bounds the rest."""

    def __init__(self, policy: ServiceUrlPolicy, *, timeout_s: float, retries: int) -> None:
        self._policy = policy
        self._timeout_s = timeout_s
        self._retries = retries

    async def on_turn(self, context: TurnContext, logic: Callable[[], Awaitable[None]]) -> None:
        client = context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
        if client is not None:
            try:
                self._policy.check(client.config.base_url)
            except ServiceUrlError as exc:
                log.error("teams turn dropped before any send: %s", exc)
                return
            config = client.config
            config.connection.timeout = self._timeout_s
            config.retry_policy.retries = self._retries
            config.redirect_policy.allow = False
        await logic()


def describe_send_error(error: BaseException) -> str:
    """One line for the log: which kind of failure, and what the connector answered."""
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    if status is not None:
        kind = (getattr(response, "headers", None) or {}).get("Content-Type", "no content type")
        return f"{type(error).__name__}: connector answered {status} ({kind})"
    inner = getattr(error, "inner_exception", None)
    if inner is not None:
        return f"{type(error).__name__}: {type(inner).__name__}"
    return type(error).__name__
