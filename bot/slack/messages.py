"""Mentions, DMs and thread follow-ups → an answer (or the interview) in the thread."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any, Literal

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.observability import request_id
from bot.slack.delivery import NO_UNFURL, post_thread
from bot.slack.interview import reply_in_words, start_interview
from bot.slack.render import APOLOGY, THINKING, escape_mrkdwn, render_answer, render_text
from bot.slack.render_check import render_check
from bot.slack.services import Incoming, SlackServices, without_mentions
from bot.slack.threads import thread_key
from graphs.qa.graph import QuestionError
from knowledge.tenants import TenantError

Intent = Literal["assess", "check_help", "check", "ask"]
_ASSESS = re.compile(r"^(assess|run the assessment|start the assessment|assessment)\W*$", re.I)
_CHECK_HELP = re.compile(r"^(run a )?trigger[ -]check\W*$", re.I)
_CHECK = re.compile(r"^(trigger[ -])?check\s*:\s*(?P<text>.+)$", re.I | re.S)
CHECK_HELP = (
    "Describe the company in one message starting with “check:” (stage, what is stuck, who "
    "owns AI), e.g. “check: seed startup, our pilot stalled after the demo”. Or use "
    "/trigger-check for a form."
)
_SKIPPED_SUBTYPES = {None, "file_share", "thread_broadcast"}


def classify(text: str) -> tuple[Intent, str]:
    """What a message asks for: the interview, the trigger check, or an answer."""
    text = text.strip()
    if _ASSESS.match(text):
        return "assess", ""
    if _CHECK_HELP.match(text):
        return "check_help", ""
    match = _CHECK.match(text)
    if match:
        return "check", match.group("text").strip()
    return "ask", text


def register(app: AsyncApp, svc: SlackServices) -> None:
    async def on_mention(event: dict, body: dict, context: AsyncBoltContext) -> None:
        spawn_turn(svc, context, _incoming(event, body, context), "slack.mention")

    async def on_message(event: dict, body: dict, context: AsyncBoltContext) -> None:
        if not await _for_us(svc, event, context):
            return
        spawn_turn(svc, context, _incoming(event, body, context), "slack.message")

    app.event("app_mention")(on_mention)
    app.event("message")(on_message)


def _incoming(event: dict, body: dict, context: AsyncBoltContext, **extra: Any) -> Incoming:
    return Incoming(
        team_id=context.team_id,
        enterprise_id=context.enterprise_id,
        channel=event["channel"],
        thread_ts=str(event.get("thread_ts") or event["ts"]),
        user=event.get("user") or "",
        text=without_mentions(event.get("text") or ""),
        body=body,
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


STREAM_UPDATE_S = 1.0


class ThreadTurn:
    """One user message in a thread: an interview answer, a command, or a question.

    Holds the "thinking…" placeholder, so a failure replaces it with an apology.
    """

    def __init__(self, svc: SlackServices, client: AsyncWebClient, msg: Incoming) -> None:
        self.svc, self.client, self.msg = svc, client, msg
        self.placeholder_ts: str | None = None

    async def run(self) -> None:
        svc, client, msg = self.svc, self.client, self.msg
        where = {"key": msg.key, "channel": msg.channel, "thread_ts": msg.thread_ts}
        if await svc.advisor.interviews.pending(msg.key) is not None:
            await reply_in_words(svc, client, **where, user=msg.user, text=msg.text)
            return
        intent, text = classify(msg.text)
        scope = await svc.scope_of(client, msg)
        if intent == "assess":
            await start_interview(svc, client, **where, user=msg.user, tenant=scope.tenant)
        elif intent == "check_help":
            await self._post([render_text(CHECK_HELP)])
        elif intent == "check":
            await self._check(text, scope.tenant)
        else:
            await self._answer(scope.tenant, scope.notices)

    async def _check(self, text: str, tenant: str | None) -> None:
        """The verdict, or the leaning and then, right here, only the missing questions."""
        svc, msg = self.svc, self.msg
        await self._thinking()
        result = await svc.advisor.check(
            text, tenant, channel="slack", user_id=msg.user, request_id=request_id.get()
        )
        undecided = result.recommendation is None and bool(result.questions)
        await self._post(render_check(result, asking_next=undecided))
        if undecided:
            where = {"key": msg.key, "channel": msg.channel, "thread_ts": msg.thread_ts}
            focus = [q.key for q in result.questions]
            await start_interview(
                svc, self.client, **where, user=msg.user, tenant=tenant,
                facts=result.prefill(), focus=focus,
            )  # fmt: skip

    async def _answer(self, tenant: str | None, notices: tuple[str, ...]) -> None:
        await self._thinking()
        msg = self.msg
        try:
            answer = await self.svc.advisor.ask(
                msg.text,
                tenant,
                channel="slack",
                user_id=msg.user,
                request_id=request_id.get(),
                on_delta=self._streamer(),
                conversation=msg.key,
            )
        except (QuestionError, TenantError) as exc:
            await self._post([render_text(str(exc))])
            return
        answer_id = request_id.get() or msg.body.get("event_id") or msg.thread_ts
        await self._post(render_answer(answer, answer_id=answer_id, notices=notices))
        await self.svc.remember(msg.key, "answer")

    def _streamer(self):  # type: ignore[no-untyped-def]
        """With ADVISOR_STREAM, show Claude's text in the placeholder as it is written
        (chat.update at most once a second: Slack's per-channel rate)."""
        if not self.svc.advisor.settings.stream_answers or self.placeholder_ts is None:
            return None
        written: list[str] = []
        last = 0.0

        async def on_delta(text: str) -> None:
            nonlocal last
            written.append(text)
            if time.monotonic() - last < STREAM_UPDATE_S:
                return
            last = time.monotonic()
            partial = escape_mrkdwn("".join(written))[-2900:] + " …"
            await self.client.chat_update(
                channel=self.msg.channel, ts=self.placeholder_ts, text=partial
            )

        return on_delta

    async def _thinking(self) -> None:
        msg = self.msg
        if msg.assistant:
            await self.client.assistant_threads_setStatus(
                channel_id=msg.channel, thread_ts=msg.thread_ts, status="is thinking…"
            )
            return
        posted = await self.client.chat_postMessage(
            channel=msg.channel, thread_ts=msg.thread_ts, text=THINKING, **NO_UNFURL
        )
        self.placeholder_ts = str(posted["ts"])

    async def _post(self, messages: list[dict[str, Any]]) -> None:
        msg, replace = self.msg, self.placeholder_ts
        self.placeholder_ts = None
        await post_thread(self.client, msg.channel, msg.thread_ts, messages, replace_ts=replace)

    async def apologise(self) -> None:
        await self._post([render_text(APOLOGY)])


def spawn_turn(svc: SlackServices, context: AsyncBoltContext, msg: Incoming, name: str) -> None:
    turn = ThreadTurn(svc, context.client, msg)
    svc.spawn_for_event(context, turn.run(), name=name, apology=turn.apologise)
