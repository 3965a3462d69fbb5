"""How the Slack app gets its tokens: one workspace (`SLACK_BOT_TOKEN`) or installs through
OAuth (`SLACK_CLIENT_ID` + `SLACK_CLIENT_SECRET`), with installations in our database.

With OAuth, `GET /slack/install` starts an install and `GET /slack/oauth_redirect` finishes
it; each event is then answered with the token of the workspace it came from. Installs and
uninstalls are audited; a new workspace answers from the field report until the operator maps
it to a client (`advisor tenants add NAME --slack-team T…`).
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Callable
from typing import Any, Literal

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions, AsyncSuccessArgs
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.models.installation import Installation

from bot.slack.installations import (
    InstallRefusedError,
    SqlInstallationStore,
    SqlOAuthStateStore,
)
from graphs.audit import AuditEvent
from graphs.runtime import Advisor
from knowledge.sealing import Sealer
from knowledge.settings import Settings

log = logging.getLogger(__name__)

# The bot scopes an install asks for; deploy/slack/manifest.yml lists the same (tested).
BOT_SCOPES = (
    "app_mentions:read",
    "assistant:write",
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "groups:history",
    "groups:read",
    "im:history",
    "im:read",
    "im:write",
    "users:read",
)
INSTALL_PATH, REDIRECT_PATH = "/slack/install", "/slack/oauth_redirect"
REFUSED_PAGE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Not set up yet</title></head>"
    "<body><h1>This workspace is not set up yet</h1><p>Fractional Advisor is only installed "
    "for the workspaces of its clients, and {workspace} is not one of them yet. Ask your "
    "advisor to add it, then install again.</p></body></html>"
)

SlackMode = Literal["token", "oauth"]


class SlackNotConfiguredError(RuntimeError):
    """Slack settings are missing or contradict each other; the message says what to set."""


def slack_mode(settings: Settings) -> SlackMode | None:
    """Which way tokens come, or None when Slack is not configured at all."""
    token = bool(settings.slack_bot_token and settings.slack_bot_token.get_secret_value())
    client_id = bool(settings.slack_client_id)
    client_secret = bool(
        settings.slack_client_secret and settings.slack_client_secret.get_secret_value()
    )
    if client_id != client_secret:
        raise SlackNotConfiguredError("set both SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for OAuth")
    if token and client_id:
        raise SlackNotConfiguredError(
            "set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
            "(installs through OAuth), not both"
        )
    if client_id:
        return "oauth"
    return "token" if token else None


def sealer_for(settings: Settings) -> Sealer:
    keys = settings.secret_keys.get_secret_value().split(",") if settings.secret_keys else []
    return Sealer(keys)


def installation_store(
    advisor: Advisor, admit: Callable[[Installation], bool] | None = None
) -> SqlInstallationStore:
    settings = advisor.settings
    if not settings.slack_client_id:
        raise SlackNotConfiguredError("SLACK_CLIENT_ID is not set: there are no OAuth installs")
    return SqlInstallationStore(
        advisor.engine, settings.slack_client_id, sealer_for(settings), admit=admit
    )


def oauth_settings(advisor: Advisor) -> AsyncOAuthSettings:
    settings = advisor.settings
    assert settings.slack_client_id and settings.slack_client_secret  # slack_mode said "oauth"
    if not settings.secret_keys:
        log.warning("ADVISOR_SECRET_KEYS is not set: Slack tokens are stored unsealed")
    return AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        redirect_uri=settings.slack_redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installation_store(
            advisor, admit=_mapped(advisor) if settings.slack_install_mapped_only else None
        ),
        installation_store_bot_only=True,
        state_store=SqlOAuthStateStore(advisor.engine),
        callback_options=AsyncCallbackOptions(
            success=_audited_success(advisor), failure=_logged_failure(advisor)
        ),
        logger=logging.getLogger("slack_bolt.oauth"),
    )


async def _audit(
    advisor: Advisor, event: str, team_id: str | None, enterprise_id: str | None, **more: Any
) -> str | None:
    """Record an install-side event; the workspace's client (None while unmapped)."""
    client = advisor.tenants.resolve_slack(team_id, enterprise_id)
    outcome = {"event": event, "team_id": team_id, "enterprise_id": enterprise_id}
    user_id = more.pop("user_id", None)
    record = AuditEvent(
        kind="install", tenant=client, channel="slack", user_id=user_id, outcome=outcome | more
    )
    await asyncio.to_thread(advisor.audit.record, record)
    return client


def _audited_success(advisor: Advisor):  # type: ignore[no-untyped-def]
    async def success(args: AsyncSuccessArgs) -> BoltResponse:
        inst = args.installation
        workspace = inst.team_id or inst.enterprise_id
        scopes = list(inst.bot_scopes or [])
        client = await _audit(
            advisor,
            "installed",
            inst.team_id,
            inst.enterprise_id,
            user_id=inst.user_id,
            scopes=scopes,
        )
        if client is None:
            log.warning(
                "Slack app installed in %s: it answers from the field report only until you "
                "map it to a client: advisor tenants add NAME --slack-team %s",
                workspace,
                workspace,
            )
        else:
            log.info("Slack app installed in %s (client %s)", workspace, client)
        return await args.default.success(args)

    return success


def _mapped(advisor: Advisor):  # type: ignore[no-untyped-def]
    def admit(inst: Installation) -> bool:
        return advisor.tenants.resolve_slack(inst.team_id, inst.enterprise_id) is not None

    return admit


def _logged_failure(advisor: Advisor):  # type: ignore[no-untyped-def]
    async def failure(args: Any) -> BoltResponse:
        if isinstance(args.error, InstallRefusedError):
            workspace = args.error.workspace
            log.warning("refused a Slack install from unmapped workspace %s", workspace)
            await _audit(advisor, "refused: not mapped to a client", workspace, None)
            return BoltResponse(
                status=403,
                body=REFUSED_PAGE.format(workspace=html.escape(workspace)),
                headers={"Content-Type": "text/html; charset=utf-8"},
            )
        log.warning("a Slack install did not complete: %s", args.reason)
        return await args.default.failure(args)

    return failure


def register_uninstall(app: AsyncApp, advisor: Advisor, store: SqlInstallationStore) -> None:
    """`app_uninstalled` forgets the workspace; `tokens_revoked` forgets the revoked bot."""

    async def forget(context: AsyncBoltContext, reason: str) -> None:
        enterprise_id = context.enterprise_id
        team_id = None if context.is_enterprise_install else context.team_id
        await store.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)
        await _audit(advisor, reason, team_id, enterprise_id)
        log.info("Slack %s for %s: its tokens are deleted", reason, team_id or enterprise_id)

    @app.event("app_uninstalled")
    async def uninstalled(context: AsyncBoltContext) -> None:
        await forget(context, "uninstalled")

    @app.event("tokens_revoked")
    async def revoked(event: dict[str, Any], context: AsyncBoltContext) -> None:
        if event.get("tokens", {}).get("bot"):
            await forget(context, "bot token revoked")
