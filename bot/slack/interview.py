"""The interview in Slack: each question a message with buttons; a click (or words in the thread)
resumes the graph; the answered question shows the answer instead of its buttons.

Where the open question lives is stored in the database and each question message can be
answered once (claim-once), so clicks work after a restart and never race across replicas.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.delivery import NO_UNFURL, post_thread
from bot.slack.home import Viewer
from bot.slack.render import render_text
from bot.slack.render_assessment import (
    render_answered,
    render_question,
    render_recommendation,
)
from bot.slack.services import SlackServices
from bot.slack.threads import thread_key
from bot.slack.workers import api_error_code
from graphs.models import Facts, InterviewTurn

log = logging.getLogger(__name__)
FOCUSED_INTRO = (
    "A few questions to settle the trigger check. Answer with the buttons or in words in this "
    "thread; say “cancel” to stop or “restart” for the full assessment."
)
NEVER_SHOWN = "-"  # expected key when no question message is on record: matches none
RESUMED = "Picking up where we left off:"
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
    facts: Facts | None = None,
    focus: Sequence[str] | None = None,
) -> None:
    """Start (or start over) the interview in a thread and post its first question; from a
    check, pre-filled with what was read and asking only what is missing."""
    async with svc.locks.hold(f"slack-thread:{key}"):
        turn = await svc.advisor.interviews.start(
            key, tenant=tenant, user_id=user, channel="slack", text=text, facts=facts, focus=focus
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
    facts: Facts | None = None,
    focus: Sequence[str] | None = None,
) -> bool:
    """Post an intro message and run the interview in its thread; False if we can't post here."""
    intro = INTRO if focus is None else FOCUSED_INTRO
    try:
        root = await client.chat_postMessage(channel=channel, **render_text(intro), **NO_UNFURL)
    except SlackApiError as exc:
        if api_error_code(exc) in ("not_in_channel", "channel_not_found"):
            return False
        raise
    ts = str(root["ts"])
    key = thread_key(team_id, channel, ts)
    await start_interview(
        svc,
        client,
        key=key,
        channel=channel,
        thread_ts=ts,
        user=user,
        tenant=tenant,
        facts=facts,
        focus=focus,
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
    viewer: Viewer | None = None,
) -> None:
    """Post what the interview says next: a question, the recommendation, or a last word.
    A finished assessment refreshes the App Home of `viewer` (who answered last)."""
    if turn.status == "asking" and turn.question is not None:
        message = render_question(turn.question, turn.message)
        ts = await post_thread(client, channel, thread_ts, [message])
        await svc.remember(key, "interview", ts, turn.question.key)
        return
    if turn.status == "done" and turn.recommendation is not None:
        await post_thread(client, channel, thread_ts, render_recommendation(turn.recommendation))
        if viewer is not None:
            await svc.homes.refresh(client, viewer)
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
    viewer: Viewer | None = None,
) -> bool:
    """File `value` as the answer to the question the user saw, posted at `question_ts`.

    Safe to repeat: the interview files an answer only while its question is still open, so a
    second click, a retried delivery or a replica racing this one changes nothing. The next
    question is posted before the answered one is edited, so a failed edit never stalls the
    interview; and when the open question was never shown (a crash or a failed post after
    the answer was filed), it is posted now. False when nothing needed doing (an old button).
    """
    where = {"channel": channel, "thread_ts": thread_ts, "key": key}
    async with svc.locks.hold(f"slack-thread:{key}"):  # what the thread shows, one at a time
        shown = await asyncio.to_thread(svc.threads.shown_question, key)
        expect = question_key or (shown.key if shown else None) or NEVER_SHOWN
        turn = await svc.advisor.interviews.reply(key, value, user_id=user, expect=expect)
        if turn.stale:
            on_screen = turn.question is not None and shown is not None
            if on_screen and shown.key == turn.question.key:  # type: ignore[union-attr]
                return False  # the open question is showing: an old or a second click
            turn.message = RESUMED
            await post_turn(svc, client, **where, turn=turn, viewer=viewer)
            return True
        await post_turn(svc, client, **where, turn=turn, viewer=viewer)
    if question_ts and turn.answered_question is not None:
        await _show_answered(client, channel, question_ts, turn)
    return True


async def _show_answered(
    client: AsyncWebClient, channel: str, ts: str, turn: InterviewTurn
) -> None:
    """Replace the answered question's buttons with its answer. Cosmetic: a failure is logged
    and the interview goes on (buttons left behind only get "already answered")."""
    question = turn.answered_question
    assert question is not None
    shown = "Cancelled" if turn.status == "cancelled" else turn.answered.get(question.key)
    try:
        await client.chat_update(channel=channel, ts=ts, **render_answered(question, shown))
    except (SlackApiError, SlackClientError, OSError, TimeoutError) as exc:
        log.warning("could not mark question %s as answered: %s", question.key, type(exc).__name__)


async def reply_in_words(
    svc: SlackServices,
    client: AsyncWebClient,
    *,
    key: str,
    channel: str,
    thread_ts: str,
    user: str,
    text: str,
    viewer: Viewer | None = None,
) -> None:
    """A message typed in a thread with an open question answers the question on screen."""
    shown = await asyncio.to_thread(svc.threads.shown_question, key)
    await answer_open_question(
        svc,
        client,
        key=key,
        channel=channel,
        thread_ts=thread_ts,
        question_ts=shown.ts if shown else "",
        user=user,
        value=text,
        viewer=viewer,
    )


def thread_of(body: dict[str, Any]) -> tuple[str, str, str]:
    """(channel, thread_ts, message_ts) of the message a block action came from."""
    channel = body["channel"]["id"] if body.get("channel") else body["container"]["channel_id"]
    message = body.get("message") or {}
    message_ts = str(message.get("ts") or body["container"].get("message_ts") or "")
    return channel, str(message.get("thread_ts") or message_ts), message_ts
