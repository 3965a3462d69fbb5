"""Sending due digests: the senders each configured channel offers, and one scheduler run."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from graphs.digest_schedule import DigestSender, Subscription, run_due
from graphs.runtime import Advisor

log = logging.getLogger(__name__)
TICK_S = 60.0


def configured_senders(advisor: Advisor, teams: object | None = None) -> dict[str, DigestSender]:
    """A sender per channel that can post: Slack with its bot token or its OAuth installs
    (refreshing the App Home of the users who opened it after each send); Teams through the
    running endpoint's adapter (conversation references are stored as people talk to the
    bot)."""
    senders: dict[str, DigestSender] = {}
    if teams is not None:
        from bot.teams.digest import TeamsDigestSender

        senders["teams"] = TeamsDigestSender(teams)
    from bot.slack.oauth import slack_mode

    settings = advisor.settings
    mode = slack_mode(settings)
    if mode is not None:
        from bot.slack.delivery import make_web_client
        from bot.slack.digest import SlackDigestSender
        from bot.slack.home import HomePublisher
        from bot.slack.oauth import installation_store
        from bot.slack.tenancy import ScopeResolver

        homes = HomePublisher(advisor, ScopeResolver(advisor.tenants))  # refreshed after a send
        if mode == "token":
            token = settings.slack_bot_token.get_secret_value()  # type: ignore[union-attr]
            client = make_web_client(token, settings.slack_api_url, settings.slack_timeout_s)
            senders["slack"] = SlackDigestSender(client, homes=homes)
        else:
            client = make_web_client(None, settings.slack_api_url, settings.slack_timeout_s)
            senders["slack"] = SlackDigestSender(client, installation_store(advisor), homes)
    return senders


async def send_due(
    advisor: Advisor, senders: dict[str, DigestSender], now: datetime | None = None
) -> list[tuple[str, str, str]]:
    def build(sub: Subscription, start: datetime, end: datetime):
        return advisor.build_digest(sub.tenant, start, end)

    return await run_due(advisor.digests, build, senders, now or datetime.now(UTC))


def digest_job(
    advisor: Advisor,
    senders: dict[str, DigestSender],
    on_outcome: Callable[[str, str], None] | None = None,
) -> Callable[[], Awaitable[None]]:
    """One run of the in-process scheduler: send what is due (a start-up run catches up);
    `on_outcome(channel kind, outcome)` e.g. counts deliveries for metrics."""

    async def run() -> None:
        for channel, period, outcome in await send_due(advisor, senders):
            log.info("digest %s %s: %s", channel, period, outcome)
            if on_outcome is not None:
                on_outcome(channel.split(":", 1)[0], outcome)

    return run
