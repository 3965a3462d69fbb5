"""`advisor serve` (HTTP: Slack's Request URL, health, Teams) and `advisor slack socket`."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer

from bot.cli.common import EXIT_USAGE, fail, open_advisor

SHUTDOWN_S = 15.0
slack_app = typer.Typer(
    help="Slack: Socket Mode for development, OAuth installations, the token-sealing key."
)


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(slack_app, name="slack")


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 3000,
) -> None:
    """Serve Slack (POST /slack/events), Teams (POST /api/messages), /healthz, /readyz, /metrics."""
    from aiohttp import web

    from bot.server import build_app
    from bot.slack.oauth import SlackNotConfiguredError

    with open_advisor() as advisor:
        try:
            app = build_app(advisor, served=True)
        except (ValueError, SlackNotConfiguredError) as exc:
            fail(str(exc), EXIT_USAGE)
        # SIGTERM: stop listening, give open requests SHUTDOWN_S, then drain answers in flight
        # (bounded by the workers' own grace): inside every platform's 60 s stop window.
        web.run_app(
            app, host=host, port=port, access_log=None, print=None, shutdown_timeout=SHUTDOWN_S
        )


@slack_app.command("keygen")
def keygen() -> None:
    """Print a new key for ADVISOR_SECRET_KEYS (seals Slack tokens in the database)."""
    from knowledge.sealing import new_key

    typer.echo(new_key())


@slack_app.command("installations")
def installations(
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
) -> None:
    """Workspaces that installed the app through OAuth, and the client each one maps to."""
    from bot.slack.oauth import SlackNotConfiguredError, installation_store

    with open_advisor() as advisor:
        try:
            found = installation_store(advisor).workspaces()
        except (ValueError, SlackNotConfiguredError) as exc:
            fail(str(exc), EXIT_USAGE)
        if not found:
            typer.echo("No installations yet: open /slack/install on the public URL.")
            return
        for w in found:
            client = advisor.tenants.resolve_slack(w.team_id, w.enterprise_id)
            row = {
                "team_id": w.team_id,
                "enterprise_id": w.enterprise_id,
                "name": w.name,
                "client": client,
                "installed_at": w.installed_at.isoformat(),
            }
            if as_json:
                typer.echo(json.dumps(row))
            else:
                workspace = w.team_id or w.enterprise_id
                typer.echo(
                    f"{workspace:<14} {w.name or '-':<28} client={client or '- (unmapped)'}  "
                    f"installed {w.installed_at:%Y-%m-%d %H:%M}"
                )


@slack_app.command("socket")
def socket() -> None:
    """Run the Slack app over Socket Mode (needs SLACK_APP_TOKEN and SLACK_BOT_TOKEN)."""
    with open_advisor() as advisor:
        token = advisor.settings.slack_app_token
        if token is None or not token.get_secret_value():
            fail("set SLACK_APP_TOKEN (an xapp- token with connections:write)", EXIT_USAGE)
        asyncio.run(_run_socket(advisor, token.get_secret_value()))


async def _run_socket(advisor, app_token: str) -> None:  # type: ignore[no-untyped-def]
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    from bot.slack.app import SlackNotConfiguredError, build_slack_app
    from bot.slack.services import SlackServices

    services = SlackServices.build(advisor)
    try:
        app = build_slack_app(advisor, services)
    except SlackNotConfiguredError as exc:
        fail(str(exc), EXIT_USAGE)
    handler = AsyncSocketModeHandler(app, app_token)
    try:
        await handler.start_async()
    finally:
        await services.workers.drain()
        await advisor.interviews.aclose()
