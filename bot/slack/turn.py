"""One user message in a thread: an interview answer, a command, or a question answered."""

from __future__ import annotations

import re
from typing import Literal

from slack_sdk.web.async_client import AsyncWebClient

from bot.observability import request_id
from bot.slack.home import Viewer
from bot.slack.interview import reply_in_words, start_interview
from bot.slack.render import answer_tail, plain, render_answer, render_text
from bot.slack.render_check import render_check
from bot.slack.reply import AssistantPane, ThreadReply
from bot.slack.services import Incoming, SlackServices
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
TITLE_SCOPE = "slack-title"
MAX_TITLE_CHARS = 60
CHECK_LOADING = (
    "Reading your description…",
    "Checking the eight trigger signals…",
    "Checking the rubric…",
)


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


def answer_loading(tenant: str | None) -> list[str]:
    """What the status says while a question is answered (notes only for a mapped client)."""
    steps = ["Searching the field report…"]
    if tenant:
        steps.append("Reading your engagement notes…")
    return [*steps, "Checking the rubric…", "Writing a cited answer…"]


def thread_title(intent: Intent, text: str) -> str:
    """An assistant thread's title, from its first message."""
    if intent == "assess":
        return "Assessment"
    if intent in ("check", "check_help"):
        return plain(f"Trigger check: {text}" if text else "Trigger check", MAX_TITLE_CHARS)
    return plain(text, MAX_TITLE_CHARS)


class ThreadTurn:
    """One message in a thread; `reply` shows the work under way and posts the result."""

    def __init__(
        self,
        svc: SlackServices,
        client: AsyncWebClient,
        msg: Incoming,
        pane: AssistantPane | None = None,
    ) -> None:
        self.svc, self.client, self.msg, self.pane = svc, client, msg, pane
        self.reply = ThreadReply(svc, client, msg, pane)

    @property
    def viewer(self) -> Viewer:
        return Viewer(self.msg.team_id, self.msg.enterprise_id, self.msg.user)

    async def run(self) -> None:
        svc, client, msg = self.svc, self.client, self.msg
        where = {"key": msg.key, "channel": msg.channel, "thread_ts": msg.thread_ts}
        if await svc.advisor.interviews.pending(msg.key) is not None:
            await reply_in_words(
                svc, client, **where, user=msg.user, text=msg.text, viewer=self.viewer
            )
            return
        intent, text = classify(msg.text)
        if self.pane is not None and await svc.claim(TITLE_SCOPE, msg.key):
            await self.reply.title(thread_title(intent, text or msg.text))
        scope = await svc.scope_of(client, msg)
        if intent == "assess":
            await start_interview(svc, client, **where, user=msg.user, tenant=scope.tenant)
        elif intent == "check_help":
            await self.reply.deliver([render_text(CHECK_HELP)])
        elif intent == "check":
            await self._check(text, scope.tenant)
        else:
            await self._answer(scope.tenant, scope.notices)

    async def _check(self, text: str, tenant: str | None) -> None:
        """The verdict, or the leaning and then, right here, only the missing questions."""
        svc, msg = self.svc, self.msg
        await self.reply.working(CHECK_LOADING)
        result = await svc.advisor.check(
            text, tenant, channel="slack", user_id=msg.user, request_id=request_id.get()
        )
        undecided = result.recommendation is None and bool(result.questions)
        await self.reply.deliver(render_check(result, asking_next=undecided))
        if undecided:
            where = {"key": msg.key, "channel": msg.channel, "thread_ts": msg.thread_ts}
            focus = [q.key for q in result.questions]
            await start_interview(
                svc, self.client, **where, user=msg.user, tenant=tenant,
                facts=result.prefill(), focus=focus,
            )  # fmt: skip

    async def _answer(self, tenant: str | None, notices: tuple[str, ...]) -> None:
        msg = self.msg
        await self.reply.working(answer_loading(tenant))
        try:
            answer = await self.svc.advisor.ask(
                msg.text,
                tenant,
                channel="slack",
                user_id=msg.user,
                request_id=request_id.get(),
                on_delta=self.reply.on_delta(),
                conversation=msg.key,
            )
        except (QuestionError, TenantError) as exc:
            await self.reply.deliver([render_text(str(exc))])
            return
        answer_id = request_id.get() or msg.body.get("event_id") or msg.thread_ts
        await self.reply.deliver(
            render_answer(answer, answer_id=answer_id, notices=notices),
            tail=answer_tail(answer, answer_id=answer_id, notices=notices),
            streamed_as=answer.answer if answer.lead is None else None,
        )
        await self.svc.remember(msg.key, "answer")

    async def apologise(self) -> None:
        await self.reply.apologise()
