"""The digest in Teams: proactive delivery through a stored conversation, and text commands."""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Activity

from bot.teams import render
from bot.teams.service_url import ServiceUrlError
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


def digest_markdown(digest: Digest) -> str:
    lines = [
        f"**Weekly AI leadership digest**, {digest.period_start:%d %b} – "
        f"{digest.period_end:%d %b %Y}" + (" (sent late)" if digest.late else "")
    ]
    for section in digest.sections:
        lines.append(f"**{render.escape(section.title)}**")
        lines += [
            f"- {render.escape(i.text)}" + "".join(f" [{n}]" for n in i.citations)
            for i in section.items
        ]
    if digest.citations:
        lines.append("**Sources**\n\n" + render.sources_text(digest.citations))
    return "\n\n".join(lines)


async def send_proactive(endpoint: Any, conversation_id: str, text: str) -> None:
    """Post `text` into a conversation the bot was installed in or spoken to before."""
    reference = endpoint.bot.conversations.get(conversation_id)
    if reference is None:
        raise DeliveryError(f"no conversation reference for {conversation_id}", retryable=False)
    try:  # a reference stored before the check existed, or in another mode: never contacted
        endpoint.service_urls.check(reference.service_url)
    except ServiceUrlError as exc:
        log.warning("teams digest for %s not sent: %s", conversation_id, exc)
        raise DeliveryError(f"serviceUrl not allowed: {exc}", retryable=False) from exc

    async def post(turn_context: TurnContext) -> None:
        message = MessageFactory.text(text)
        message.text_format = "markdown"
        await turn_context.send_activity(message)

    await endpoint.adapter.continue_conversation(reference, post, endpoint.app_id or None)


class TeamsDigestSender:
    def __init__(self, endpoint: Any) -> None:
        self._endpoint = endpoint

    async def send(self, subscription: Subscription, digest: Digest) -> None:
        try:
            await send_proactive(self._endpoint, subscription.channel_id, digest_markdown(digest))
        except DeliveryError:
            raise
        except Exception as exc:
            raise DeliveryError(f"teams {type(exc).__name__}", retryable=True) from exc


async def digest_reply(bot: Any, activity: Activity, arg: str) -> Activity:
    action, _, spec = arg.strip().partition(" ")
    store, channel = bot.advisor.digests, activity.conversation.id
    tenant = bot.tenant(activity)
    if action == "preview":
        digest = await bot.advisor.write_digest(bot.advisor.digest_preview(tenant))
        message = MessageFactory.text(digest_markdown(digest))
        message.text_format = "markdown"
        return message
    if action == "subscribe":
        # Teams sends the sender's IANA timezone with each message: the default for a schedule
        own_zone = None if names_timezone(spec) else usable_timezone(activity.local_timezone)
        try:
            sub = store.subscribe(
                "teams",
                channel,
                tenant,
                spec.strip(),
                own_zone=own_zone,
                created_by=hash_user("teams", getattr(activity.from_property, "id", None)),
            )
        except ScheduleError as exc:
            return MessageFactory.text(render.escape(str(exc)))
        return MessageFactory.text(
            f"This conversation will get the weekly digest on {sub.describe()}."
            + zone_hint(spec, own_zone, "Teams")
        )
    if action == "unsubscribe":
        removed = store.unsubscribe("teams", channel)
        return MessageFactory.text("Unsubscribed." if removed else "No digest subscription here.")
    return MessageFactory.text(
        "Usage: digest preview | subscribe [monday 9:00 Europe/Amsterdam] | unsubscribe"
    )
