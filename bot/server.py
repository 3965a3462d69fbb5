"""The one aiohttp server: Slack's Request URL, a health check, and (wired by the lead) Teams."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.slack.http import SlackEndpoint
from graphs.runtime import Advisor

log = logging.getLogger(__name__)
ADVISOR_KEY: web.AppKey[Advisor] = web.AppKey("advisor", Advisor)
SLACK_KEY: web.AppKey[SlackEndpoint] = web.AppKey("slack", SlackEndpoint)


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def build_app(advisor: Advisor) -> web.Application:
    """Routes: `GET /healthz`, `POST /slack/events` (when Slack is configured), Teams' later."""
    app = web.Application(client_max_size=1_000_000)
    app[ADVISOR_KEY] = advisor
    app.router.add_get("/healthz", healthz)
    _setup_slack(app, advisor)

    # --- Microsoft Teams -----------------------------------------------------------------
    # The lead wires Teams here: `bot.teams.routes.setup_teams(app, advisor)` adds
    # `POST /api/messages`. (The Teams face does not edit this file.)
    # ---------------------------------------------------------------------------------------

    app.on_cleanup.append(_close_interviews)
    return app


def _setup_slack(app: web.Application, advisor: Advisor) -> None:
    settings = advisor.settings
    if not (settings.slack_bot_token and settings.slack_signing_secret):
        log.info(
            "Slack is not configured (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET): no /slack/events"
        )
        return
    endpoint = SlackEndpoint(advisor)
    app[SLACK_KEY] = endpoint
    app.router.add_post("/slack/events", endpoint.handle)

    async def close_slack(_app: web.Application) -> None:
        await endpoint.close()

    app.on_cleanup.append(close_slack)


async def _close_interviews(app: web.Application) -> None:
    await app[ADVISOR_KEY].interviews.aclose()
