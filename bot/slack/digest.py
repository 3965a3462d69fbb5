"""The digest in Slack: Block Kit rendering, the channel sender, and `/advisor digest …`."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.delivery import NO_UNFURL
from bot.slack.home import HomePublisher
from bot.slack.installations import SqlInstallationStore
from bot.slack.render import (
    Message,
    context,
    escape_mrkdwn,
    paginate,
    render_text,
    sections,
    source_blocks,
)
from bot.slack.workers import api_error_code, describe_api_error
from graphs.digest import Digest
from graphs.digest_schedule import (
    DeliveryError,
    ScheduleError,
    Subscription,
    names_timezone,
    usable_timezone,
    zone_hint,
)
from knowledge.identity import hash_user

log = logging.getLogger(__name__)
PERMANENT_ERRORS = {
    "channel_not_found",
    "is_archived",
    "not_in_channel",
    "account_inactive",
    "invalid_auth",
    "missing_scope",
    "restricted_action",
}


def render_digest(digest: Digest) -> list[Message]:
    """Header, one section per part of the digest, then numbered sources."""
    period = f"{digest.period_start:%d %b} – {digest.period_end:%d %b %Y}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Weekly AI leadership digest"}},
        context(
            escape_mrkdwn(
                period + (" · sent late: the scheduled time was missed" if digest.late else "")
            )
        ),
    ]
    for section in digest.sections:
        lines = [
            f"• {escape_mrkdwn(item.text)}" + "".join(f" [{n}]" for n in item.citations)
            for item in section.items
        ]
        blocks += sections(f"*{escape_mrkdwn(section.title)}*\n" + "\n".join(lines))
    blocks += source_blocks(digest.citations)
    return paginate(blocks, f"Weekly AI leadership digest, {period}")


def workspace_of(team_id: str | None, enterprise_id: str | None) -> str:
    """How a subscription remembers its workspace: "enterprise:team" (either may be empty)."""
    return f"{enterprise_id or ''}:{team_id or ''}"


class SlackDigestSender:
    """Posts a digest to a subscribed channel; maps Slack errors to retryable or not.

    With one workspace the client carries its token; with OAuth installs the token of the
    subscription's workspace is looked up in `installations` for each send. With `homes`, the
    App Home of the workspace's users who opened it is refreshed after a send.
    """

    def __init__(
        self,
        client: AsyncWebClient,
        installations: SqlInstallationStore | None = None,
        homes: HomePublisher | None = None,
    ) -> None:
        self._client, self._installations, self._homes = client, installations, homes

    async def send(self, subscription: Subscription, digest: Digest) -> None:
        token = await self._token_for(subscription)
        try:
            for message in render_digest(digest):
                await self._client.chat_postMessage(
                    channel=subscription.channel_id, token=token, **message, **NO_UNFURL
                )
        except SlackApiError as exc:
            error = api_error_code(exc)
            raise DeliveryError(f"slack {error}", retryable=error not in PERMANENT_ERRORS) from exc
        if self._homes is not None:
            await self._homes.after_digest(self._client, subscription, token)

    async def _token_for(self, subscription: Subscription) -> str | None:
        """None with one workspace (the client's own token); the install's bot token else."""
        if self._installations is None:
            return None
        enterprise_id, _, team_id = (subscription.workspace or ":").partition(":")
        store = self._installations
        bot = await store.async_find_bot(enterprise_id=enterprise_id or None, team_id=team_id)
        if bot is None and enterprise_id:  # an org-wide install covers all its workspaces
            bot = await store.async_find_bot(
                enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True
            )
        if bot is None:
            workspace = subscription.workspace or "?"
            raise DeliveryError(f"slack workspace {workspace} is not installed", retryable=False)
        return bot.bot_token


async def user_timezone(client: AsyncWebClient, user_id: str | None) -> str | None:
    """The user's Slack timezone (users.info), or None when it cannot be read."""
    if not user_id:
        return None
    try:
        user = (await client.users_info(user=user_id))["user"]
    except SlackApiError as exc:
        method, error = describe_api_error(exc)
        log.warning("slack %s failed (%s): digest schedule falls back to UTC", method, error)
        return None
    return usable_timezone(user.get("tz"))


async def digest_command(
    svc: Any, client: AsyncWebClient, command: dict, tenant: str | None, arg: str
) -> Message:
    """`/advisor digest preview|subscribe [when]|unsubscribe` → the ephemeral reply. A schedule
    without a timezone is read in the subscriber's own Slack timezone."""
    action, _, spec = arg.partition(" ")
    store, channel = svc.advisor.digests, command.get("channel_id", "")
    if action == "preview":
        digest = await asyncio.to_thread(
            svc.advisor.digest_preview, tenant, channel="slack", user_id=command.get("user_id")
        )
        return render_digest(await svc.advisor.write_digest(digest))[0]
    if action == "subscribe":
        own_zone = (
            None if names_timezone(spec) else await user_timezone(client, command.get("user_id"))
        )
        try:
            sub = store.subscribe(
                "slack",
                channel,
                tenant,
                spec.strip(),
                own_zone=own_zone,
                created_by=hash_user("slack", command.get("user_id")),
                workspace=workspace_of(command.get("team_id"), command.get("enterprise_id")),
            )
        except ScheduleError as exc:
            return render_text(str(exc))
        return render_text(
            f"This channel will get the weekly digest on {sub.describe()}."
            + zone_hint(spec, own_zone, "Slack")
        )
    if action == "unsubscribe":
        removed = store.unsubscribe("slack", channel)
        return render_text(
            "Unsubscribed: no more digests here."
            if removed
            else "This channel had no digest subscription."
        )
    return render_text(
        "Usage: /advisor digest preview | subscribe [monday 9:00 Europe/Amsterdam] | unsubscribe"
    )
