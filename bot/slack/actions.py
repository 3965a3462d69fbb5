"""Buttons: interview answers, feedback, "Run the assessment", "Share", "Start over", and
the App Home's "Run the assessment" and "Run the trigger check"."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext

from bot.slack import render_assessment as ra
from bot.slack.delivery import NO_UNFURL, respond_to
from bot.slack.home import Viewer
from bot.slack.interview import (
    answer_open_question,
    start_in_new_thread,
    start_interview,
    thread_of,
)
from bot.slack.render import (
    ACTION_FEEDBACK,
    ACTION_FEEDBACK_DOWN,
    ACTION_FEEDBACK_UP,
    ACTION_START_ASSESSMENT,
    ACTION_START_CHECK,
    APOLOGY,
    parse_feedback_value,
    render_text,
)
from bot.slack.render_check import ACTION_CONTINUE_CHECK, parse_continue_value
from bot.slack.render_home import ACTION_HOME_ASSESS, ACTION_HOME_CHECK
from bot.slack.services import SlackServices
from bot.slack.tenancy import Scope
from bot.slack.threads import thread_key
from graphs.audit import AuditEvent
from knowledge.identity import hash_user
from knowledge.records import Vote, record_feedback

VOTED: dict[Vote, str] = {
    "new": "Thanks for the feedback!",
    "changed": "Thanks: your feedback on this answer is updated.",
    "same": "You already rated this answer. Thanks!",
}
STALE = "That question has already been answered (or the assessment moved on)."
INVITE = "I can't post in this channel. Invite me (/invite) or DM me “assess”."
OUTDATED = "That button doesn't work any more. Say “assess” to start a new assessment."
log = logging.getLogger(__name__)


def register(app: AsyncApp, svc: SlackServices) -> None:
    def on(action_id: str | re.Pattern[str], job: Any, name: str) -> None:
        async def listener(ack: AsyncAck, body: dict, context: AsyncBoltContext) -> None:
            await ack()
            url = body.get("response_url")

            async def apologise() -> None:
                if url:
                    await respond_to(url, render_text(APOLOGY), response_type="ephemeral")

            work = guarded(lambda: job(svc, body, context), body)
            svc.spawn_for_event(context, work, name=name, apology=apologise)

        app.action(action_id)(listener)

    on(re.compile(f"^{ra.ACTION_ANSWER}_"), answer_clicked, "slack.interview_answer")
    on(ra.ACTION_CANCEL, cancel_clicked, "slack.interview_cancel")
    on(ra.ACTION_RESTART, restart_clicked, "slack.interview_restart")
    on(ACTION_START_ASSESSMENT, assessment_clicked, "slack.assessment_start")
    on(ACTION_FEEDBACK, feedback_clicked, "slack.feedback")
    on(re.compile(f"^({ACTION_FEEDBACK_UP}|{ACTION_FEEDBACK_DOWN})$"), feedback_clicked, "slack.fb")
    on(ACTION_HOME_ASSESS, home_assessment_clicked, "slack.home_assessment")
    on(ACTION_HOME_CHECK, home_check_clicked, "slack.home_check")
    on(ra.ACTION_SHARE_RECOMMENDATION, share_recommendation, "slack.share_recommendation")
    on(ra.ACTION_SHARE_CHECK, share_check, "slack.share_check")
    on(ACTION_CONTINUE_CHECK, check_continued, "slack.check_continue")
    on(ACTION_START_CHECK, check_form_opened, "slack.check_form")


async def guarded(job: Callable[[], Awaitable[Any]], body: dict) -> None:
    """A click whose value we did not write gets a short answer, not a traceback. The job is
    built only when this runs (a duplicate delivery never starts it)."""
    try:
        await job()
    except ra.ButtonValueError as exc:
        log.warning("ignored a click with a value we did not write: %s", exc)
        await _tell(body, OUTDATED)


def _action(body: dict) -> dict[str, Any]:
    return body["actions"][0]


async def _tell(body: dict, text: str) -> None:
    if body.get("response_url"):
        message = render_text(text)
        await respond_to(body["response_url"], message, response_type="ephemeral")


async def answer_clicked(svc: SlackServices, body: dict, context: AsyncBoltContext) -> None:
    action = _action(body)
    raw = action["selected_option"]["value"] if "selected_option" in action else action.get("value")
    question_key, value = ra.parse_answer_value(raw)
    await _answer(svc, body, context, question_key, value)


async def cancel_clicked(svc: SlackServices, body: dict, context: AsyncBoltContext) -> None:
    await _answer(svc, body, context, str(_action(body)["value"]), "cancel")


async def _answer(
    svc: SlackServices, body: dict, context: AsyncBoltContext, question_key: str, value: str
) -> None:
    channel, thread_ts, message_ts = thread_of(body)
    done = await answer_open_question(
        svc,
        context.client,
        key=thread_key(context.team_id, channel, thread_ts),
        channel=channel,
        thread_ts=thread_ts,
        question_ts=message_ts,
        user=context.user_id or "",
        value=value,
        question_key=question_key,
        viewer=Viewer(context.team_id, context.enterprise_id, context.user_id or ""),
    )
    if not done:
        await _tell(body, STALE)


async def restart_clicked(svc: SlackServices, body: dict, context: AsyncBoltContext) -> None:
    channel, thread_ts, _ts = thread_of(body)
    scope = await _scope(svc, body, context, channel)
    await start_interview(
        svc,
        context.client,
        key=thread_key(context.team_id, channel, thread_ts),
        channel=channel,
        thread_ts=thread_ts,
        user=context.user_id or "",
        tenant=scope.tenant,
    )


async def assessment_clicked(svc: SlackServices, body: dict, context: AsyncBoltContext) -> None:
    """From an answer: the interview in that thread; from an ephemeral result: a new thread."""
    channel, thread_ts, _ts = thread_of(body)
    scope = await _scope(svc, body, context, channel)
    user = context.user_id or ""
    if body.get("container", {}).get("is_ephemeral") or not thread_ts:
        started = await start_in_new_thread(
            svc,
            context.client,
            team_id=context.team_id,
            channel=channel,
            user=user,
            tenant=scope.tenant,
        )
        if not started:
            await _tell(body, INVITE)
        return
    await start_interview(
        svc,
        context.client,
        key=thread_key(context.team_id, channel, thread_ts),
        channel=channel,
        thread_ts=thread_ts,
        user=user,
        tenant=scope.tenant,
    )


async def check_form_opened(svc: SlackServices, body: dict, context: AsyncBoltContext) -> None:
    """ "Run the trigger check" under an answer: the form, replied to via this click's URL."""
    channel, _thread_ts, _ts = thread_of(body)
    meta = json.dumps({"channel": channel, "response_url": body.get("response_url") or ""})
    if not body.get("trigger_id"):
        await _tell(body, "Use /trigger-check to describe your company.")
        return
    await context.client.views_open(trigger_id=body["trigger_id"], view=ra.render_check_modal(meta))


async def check_continued(svc: SlackServices, body: dict, context: AsyncBoltContext) -> None:
    """An undecided check goes on as the interview, pre-filled with what was read and asking
    only the questions that would settle it: in a new thread (checks answer ephemerally)."""
    facts, focus = parse_continue_value(_action(body).get("value"))
    channel, _thread_ts, _ts = thread_of(body)
    scope = await _scope(svc, body, context, channel)
    started = await start_in_new_thread(
        svc,
        context.client,
        team_id=context.team_id,
        channel=channel,
        user=context.user_id or "",
        tenant=scope.tenant,
        facts=facts,
        focus=focus,
    )
    if not started:
        await _tell(body, INVITE)


async def feedback_clicked(svc: SlackServices, body: dict, context: AsyncBoltContext) -> None:
    """A vote on an answer (Slack's feedback buttons, or the 👍/👎 buttons of older answers):
    one per user and answer, a second one replaces the first; stored with a hashed user id
    and recorded in the audit log."""
    action = _action(body)
    if action["action_id"] == ACTION_FEEDBACK:
        answer_id, helpful = parse_feedback_value(action.get("value"))
    else:  # an older answer's button: its value is the answer, its id says which way
        answer_id = str(action.get("value") or "")[:64]
        helpful = action["action_id"] == ACTION_FEEDBACK_UP
    if not answer_id:
        raise ra.ButtonValueError("a vote without an answer")
    client_tenant = svc.scopes.client_for(context.team_id, context.enterprise_id)
    vote = await asyncio.to_thread(
        record_feedback,
        svc.advisor.engine,
        tenant=client_tenant,
        channel="slack",
        user_hash=hash_user("slack", context.user_id),
        answer_id=answer_id,
        helpful=helpful,
    )
    if vote != "same":
        event = AuditEvent(
            kind="feedback",
            tenant=client_tenant,
            channel="slack",
            user_id=context.user_id,
            mode="vote",
            request_id=answer_id,
            outcome={"answer_id": answer_id, "helpful": helpful, "vote": vote},
        )
        await asyncio.to_thread(svc.advisor.audit.record, event)
    await _tell(body, VOTED[vote])


async def home_assessment_clicked(
    svc: SlackServices, body: dict, context: AsyncBoltContext
) -> None:
    """From the App Home: the interview in a new thread of the user's DM with the app."""
    user = context.user_id or ""
    channel = await _direct_channel(context, user)
    scope = await _scope(svc, body, context, channel)
    await start_in_new_thread(
        svc, context.client, team_id=context.team_id, channel=channel, user=user,
        tenant=scope.tenant,
    )  # fmt: skip


async def home_check_clicked(svc: SlackServices, body: dict, context: AsyncBoltContext) -> None:
    """From the App Home: the trigger-check form; its result goes to the user's DM."""
    if not body.get("trigger_id"):
        return
    channel = await _direct_channel(context, context.user_id or "")
    meta = json.dumps({"channel": channel, "response_url": ""})
    await context.client.views_open(trigger_id=body["trigger_id"], view=ra.render_check_modal(meta))


async def _direct_channel(context: AsyncBoltContext, user: str) -> str:
    """The user's DM with the app (conversations.open; the Home tab has no channel)."""
    opened = await context.client.conversations_open(users=user)
    return str(opened["channel"]["id"])


async def share_recommendation(svc: SlackServices, body: dict, context: AsyncBoltContext) -> None:
    """Post the result to the channel itself (not the thread), saying who shared it."""
    channel, _thread, _ts = thread_of(body)
    rec = svc.advisor.recommend(ra.parse_facts_value(_action(body)["value"]))
    for message in ra.render_shared(rec, context.user_id):
        await context.client.chat_postMessage(channel=channel, **message, **NO_UNFURL)


async def share_check(svc: SlackServices, body: dict, context: AsyncBoltContext) -> None:
    """An ephemeral trigger-check result, posted for the channel via its response_url."""
    rec = svc.advisor.recommend(ra.parse_facts_value(_action(body)["value"]))
    for message in ra.render_shared(rec, context.user_id):
        await respond_to(
            body["response_url"], message, response_type="in_channel", replace_original=False
        )


async def _scope(svc: SlackServices, body: dict, context: AsyncBoltContext, channel: str) -> Scope:
    return await svc.scopes.resolve(
        context.client,
        team_id=context.team_id,
        enterprise_id=context.enterprise_id,
        channel_id=channel,
        body=body,
    )
