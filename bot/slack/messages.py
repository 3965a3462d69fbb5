"""Mentions, DMs and thread follow-ups → an answer (or the interview) in the thread."""

from __future__ import annotations

import asyncio
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot.slack.reply import AssistantPane
from bot.slack.services import Incoming, SlackServices, without_mentions
from bot.slack.threads import thread_key
from bot.slack.turn import ThreadTurn

_SKIPPED_SUBTYPES = {None, "file_share", "thread_broadcast"}


def register(app: AsyncApp, svc: SlackServices) -> None:
    async def on_mention(event: dict, body: dict, context: AsyncBoltContext) -> None:
        spawn_turn(svc, context, incoming(event, body, context), "slack.mention")

    async def on_message(event: dict, body: dict, context: AsyncBoltContext) -> None:
        if not await _for_us(svc, event, context):
            return
        spawn_turn(svc, context, incoming(event, body, context), "slack.message")

    app.event("app_mention")(on_mention)
    app.event("message")(on_message)


def incoming(event: dict, body: dict, context: AsyncBoltContext, **extra: Any) -> Incoming:
    """A message event as the core's request; the asker's team is theirs, not the channel's."""
    team = event.get("user_team") or event.get("team")
    return Incoming(
        team_id=context.team_id,
        enterprise_id=context.enterprise_id,
        channel=event["channel"],
        thread_ts=str(event.get("thread_ts") or event["ts"]),
        user=event.get("user") or "",
        text=without_mentions(event.get("text") or ""),
        body=body,
        user_team=team if isinstance(team, str) else None,
        **extra,
    )


async def _for_us(svc: SlackServices, event: dict, context: AsyncBoltContext) -> bool:
    """DMs, and replies in threads the bot already speaks in (mentions go to `app_mention`)."""
    if event.get("subtype") not in _SKIPPED_SUBTYPES or event.get("bot_id"):
        return False
    if not event.get("user"):
        return False
    if event.get("channel_type") == "im":
        return True
    if not event.get("thread_ts") or f"<@{context.bot_user_id}>" in (event.get("text") or ""):
        return False
    key = thread_key(context.team_id, event["channel"], str(event["thread_ts"]))
    return await asyncio.to_thread(svc.threads.known, key)


def spawn_turn(
    svc: SlackServices,
    context: AsyncBoltContext,
    msg: Incoming,
    name: str,
    pane: AssistantPane | None = None,
) -> None:
    """The turn runs after the ack, once per delivery; a failure gets an apology."""
    turn = ThreadTurn(svc, context.client, msg, pane)
    svc.spawn_for_event(context, turn.run(), name=name, apology=turn.apologise)
