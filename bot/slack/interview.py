"""The interview in Slack: each question a message with buttons; a click (or words in the thread)
resumes the graph; the answered question shows the answer instead of its buttons.

Where the open question lives is stored in the database and each question message can be
answered once (claim-once), so clicks work after a restart and never race across replicas.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.delivery import NO_UNFURL, post_thread
from bot.slack.render import render_text
from bot.slack.render_assessment import render_answered, render_question, render_recommendation
from bot.slack.services import SlackServices
from bot.slack.threads import thread_key
from graphs.models import InterviewTurn

log = logging.getLogger(__name__)
ANSWER_SCOPE = "slack-interview-answer"
INTRO = (
    "Let's work out what technical leadership your AI work needs. Answer with the buttons or in "
    "words in this thread; say “cancel” to stop or “restart” to start over."
)


async def start_interview(
    svc: SlackServices,
    client: AsyncWebClient,
    *,
    key: str,
    channel: str,
    thread_ts: str,
    user: str,
    tenant: str | None,
    text: str | None = None,
) -> None:
    """Start (or start over) the interview in a thread and post its first question."""
    turn = await svc.advisor.interviews.start(
        key, tenant=tenant, user_id=user, channel="slack", text=text
    )
    await post_turn(svc, client, channel=channel, thread_ts=thread_ts, key=key, turn=turn)


async def start_in_new_thread(
    svc: SlackServices,
    client: AsyncWebClient,
    *,
    team_id: str | None,
    channel: str,
    user: str,
    tenant: str | None,
) -> bool:
    """Post an intro message and run the interview in its thread; False if we can't post here."""
    try:
        root = await client.chat_postMessage(channel=channel, **render_text(INTRO), **NO_UNFURL)
    except SlackApiError as exc:
        if exc.response.get("error") in ("not_in_channel", "channel_not_found"):
            return False
        raise
    ts = str(root["ts"])
    key = thread_key(team_id, channel, ts)
    await start_interview(
        svc, client, key=key, channel=channel, thread_ts=ts, user=user, tenant=tenant
    )
    return True


async def post_turn(
    svc: SlackServices,
    client: AsyncWebClient,
    *,
    channel: str,
    thread_ts: str,
    key: str,
    turn: InterviewTurn,
) -> None:
    """Post what the interview says next: a question, the recommendation, or a last word."""
    if turn.status == "asking" and turn.question is not None:
        message = render_question(turn.question, turn.message)
        ts = await post_thread(client, channel, thread_ts, [message])
        await svc.remember(key, "interview", ts)
        return
    if turn.status == "done" and turn.recommendation is not None:
        await post_thread(client, channel, thread_ts, render_recommendation(turn.recommendation))
    else:
        await post_thread(client, channel, thread_ts, [render_text(turn.message or "Done.")])
    await svc.remember(key, "interview", None)


async def answer_open_question(
    svc: SlackServices,
    client: AsyncWebClient,
    *,
    key: str,
    channel: str,
    thread_ts: str,
    question_ts: str,
    user: str,
    value: str,
    question_key: str | None = None,
) -> bool:
    """File `value` as the answer to the open question (posted at `question_ts`), once.

    False when `question_key` is not the open question any more (an old button) or the
    message was already answered (a second click, on any replica); nothing changes then.
    """
    pending = await svc.advisor.interviews.pending(key)
    if pending is None or pending.question is None:
        return False
    if question_key is not None and pending.question.key != question_key:
        return False
    if not await svc.claim(ANSWER_SCOPE, f"{channel}:{question_ts}"):
        return False
    turn = await svc.advisor.interviews.reply(key, value, user_id=user)
    shown = turn.answered.get(pending.question.key)
    if turn.status == "cancelled":
        shown = "Cancelled"
    await client.chat_update(
        channel=channel, ts=question_ts, **render_answered(pending.question, shown)
    )
    await post_turn(svc, client, channel=channel, thread_ts=thread_ts, key=key, turn=turn)
    return True


async def _open_question_ts(svc: SlackServices, key: str) -> str | None:
    return await asyncio.to_thread(svc.threads.question_ts, key)


async def reply_in_words(
    svc: SlackServices,
    client: AsyncWebClient,
    *,
    key: str,
    channel: str,
    thread_ts: str,
    user: str,
    text: str,
) -> None:
    """A message typed in a thread with an open question answers that question."""
    question_ts = await _open_question_ts(svc, key)
    if question_ts is None:
        turn = await svc.advisor.interviews.reply(key, text, user_id=user)
        await post_turn(svc, client, channel=channel, thread_ts=thread_ts, key=key, turn=turn)
        return
    await answer_open_question(
        svc,
        client,
        key=key,
        channel=channel,
        thread_ts=thread_ts,
        question_ts=question_ts,
        user=user,
        value=text,
    )


def thread_of(body: dict[str, Any]) -> tuple[str, str, str]:
    """(channel, thread_ts, message_ts) of the message a block action came from."""
    channel = body["channel"]["id"] if body.get("channel") else body["container"]["channel_id"]
    message = body.get("message") or {}
    message_ts = str(message.get("ts") or body["container"].get("message_ts") or "")
    return channel, str(message.get("thread_ts") or message_ts), message_ts
