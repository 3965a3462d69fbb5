"""The Teams bot: parse an activity, call the core, render the reply. No business logic here."""

from __future__ import annotations

import logging
import re
from typing import Any

from botbuilder.core import InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse

from bot.observability import request_id
from bot.teams import cards, render
from bot.teams.actions import read_action
from bot.teams.chains import ReplyChains
from bot.teams.feedback import SUBMIT_ACTION, FeedbackError, FeedbackVotes, read_vote
from bot.teams.interview import CardReply, Counters, card_reply, turn_card, typed_answer
from bot.teams.messages import (
    CardActionError,
    answer_activity,
    card_activity,
    card_invoke_card,
    card_invoke_error,
    card_invoke_message,
    execute_data,
    markdown,
)
from bot.teams.store import ConversationStore
from graphs.assessment.explain import check_said
from graphs.models import InterviewTurn
from graphs.qa.graph import QuestionError
from graphs.runtime import Advisor
from knowledge.identity import hash_user
from knowledge.notes import NoteError
from knowledge.tenants import TenantError

log = logging.getLogger(__name__)
SORRY = "Sorry, something went wrong on my side. Please try again in a minute."
_MENTION = re.compile(r"<at>.*?</at>", re.S)
COMMANDS = ("ask", "assess", "check", "digest", "note", "help")
HELP = (
    "Ask me anything about AI technical leadership, or type:\n\n"
    "- **ask** _a question_\n\n"
    "- **assess**: the interview, one question at a time\n\n"
    "- **check** _a few sentences about your company_: the quick trigger check\n\n"
    "- **digest** preview, **digest** subscribe _monday 9:00 Europe/Amsterdam_, "
    "**digest** unsubscribe\n\n"
    "- **note add** _text_: a note for this client's engagement\n\n"
    "- **help**: this list"
)
CHECK_USAGE = "Usage: check <a few sentences about your company and its AI work>"


class AdvisorTeamsBot(TeamsActivityHandler):
    def __init__(self, advisor: Advisor, conversations: ConversationStore) -> None:
        self.advisor = advisor
        self.conversations = conversations
        self.chains = ReplyChains()
        self.counters = Counters()
        self.votes = FeedbackVotes(advisor.engine)

    async def on_turn(self, turn_context: TurnContext) -> None:
        """Remember where this conversation is (for digests) before handling anything."""
        activity = turn_context.activity
        if activity.conversation is not None and activity.service_url:
            aad = aad_tenant(activity)
            self.conversations.save(
                TurnContext.get_conversation_reference(activity), self.tenant(activity), aad
            )
        await super().on_turn(turn_context)

    def tenant(self, activity: Activity) -> str | None:
        return self.advisor.tenants.resolve("teams", aad_tenant(activity))

    def thread(self, activity: Activity) -> str:
        """The conversation's interview thread."""
        return thread_key(activity)

    def user(self, activity: Activity) -> str | None:
        return _user(activity)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if isinstance(activity.value, dict) and activity.value.get("advisor"):
            await self._card_submit(turn_context, activity.value)
            return
        text = _MENTION.sub("", activity.text or "").strip()
        await self._command(turn_context, text)

    async def _command(self, turn_context: TurnContext, text: str) -> None:
        head, _, rest = text.partition(" ")
        head = head.lower()
        activity = turn_context.activity
        if head not in COMMANDS and await self.advisor.interviews.pending(thread_key(activity)):
            await self._interview_reply(turn_context, text)
            return
        if head in COMMANDS and head != "ask":
            self.chains.interrupt(activity)  # a question after this one starts a new chain
        handlers = {
            "assess": self._assess,
            "check": self._check,
            "digest": self._digest,
            "note": self._note,
            "help": self._help,
            "ask": self._ask,
        }
        await handlers.get(head, self._ask)(turn_context, rest if head in handlers else text)

    async def _ask(self, turn_context: TurnContext, question: str) -> None:
        activity = turn_context.activity
        try:
            answer = await self.advisor.ask(
                question,
                self.tenant(activity),
                channel="teams",
                user_id=_user(activity),
                request_id=request_id.get(),
                conversation=self.chains.key_for_question(activity, question),
            )
        except (QuestionError, TenantError) as exc:
            await turn_context.send_activity(MessageFactory.text(render.escape(str(exc))))
            return
        sent = await turn_context.send_activity(answer_activity(answer))
        answer_id = (
            getattr(sent, "id", None) or request_id.get() or activity.id
        )  # no id: Playground
        self.chains.answered(activity, question, answer.answer, answer_id)

    async def start_interview(self, activity: Activity, **focus: Any) -> InterviewTurn:
        self.counters.restart(thread_key(activity))
        self.chains.interrupt(activity)
        return await self.advisor.interviews.start(
            thread_key(activity),
            tenant=self.tenant(activity),
            user_id=_user(activity),
            channel="teams",
            **focus,
        )

    async def _assess(self, turn_context: TurnContext, _: str = "") -> None:
        turn = await self.start_interview(turn_context.activity)
        await turn_context.send_activity(card_activity(turn_card(self.counters, turn)))

    async def _interview_reply(self, turn_context: TurnContext, text: str) -> None:
        activity = turn_context.activity
        turn = await self.advisor.interviews.reply(
            thread_key(activity), text, user_id=_user(activity)
        )
        card = turn_card(self.counters, turn, answered=typed_answer(turn))
        await turn_context.send_activity(card_activity(card))

    async def check_cards(self, activity: Activity, text: str) -> list[dict[str, Any]]:
        """The trigger check's card and, when undecided, the first of its questions."""
        self.chains.interrupt(activity)
        result = await self.advisor.check(
            text, self.tenant(activity), channel="teams", user_id=_user(activity)
        )
        said = check_said(result)
        go_on = result.recommendation is None and bool(result.questions)
        shown = [cards.check_card(result, said, asking_next=go_on)]
        if go_on:  # the check goes on as the interview, asking only what is missing
            turn = await self.start_interview(
                activity, facts=result.prefill(), focus=[q.key for q in result.questions]
            )
            shown.append(turn_card(self.counters, turn))
        return shown

    async def _check(self, turn_context: TurnContext, text: str) -> None:
        if not text.strip():
            await turn_context.send_activity(MessageFactory.text(CHECK_USAGE))
            return
        try:
            shown = await self.check_cards(turn_context.activity, text)
        except QuestionError as exc:
            await turn_context.send_activity(MessageFactory.text(render.escape(str(exc))))
            return
        for card in shown:
            await turn_context.send_activity(card_activity(card))

    async def _digest(self, turn_context: TurnContext, arg: str) -> None:
        from bot.teams.digest import digest_reply

        await turn_context.send_activity(await digest_reply(self, turn_context.activity, arg))

    async def _note(self, turn_context: TurnContext, rest: str) -> None:
        sub, _, text = rest.partition(" ")
        tenant = self.tenant(turn_context.activity)
        if sub.lower() != "add" or tenant is None:
            reason = (
                "Usage: note add <text>"
                if sub.lower() != "add"
                else "This Teams tenant is not mapped to a client, so notes can't be added here."
            )
            await turn_context.send_activity(MessageFactory.text(reason))
            return
        author = getattr(turn_context.activity.from_property, "name", None) or "teams"
        try:
            report = await self.advisor.add_note_in_background(tenant, author=author, text=text)
        except (NoteError, TenantError) as exc:
            await turn_context.send_activity(MessageFactory.text(render.escape(str(exc))))
            return
        await turn_context.send_activity(
            MessageFactory.text(f"Note added for {render.escape(tenant)}: {report.summary()}")
        )

    async def _help(self, turn_context: TurnContext, _: str = "") -> None:
        await turn_context.send_activity(markdown(HELP))

    async def _card_submit(self, turn_context: TurnContext, data: dict[str, Any]) -> None:
        """Action.Submit (cards sent before Universal Actions): the clicked card is updated
        in place when the click changed it, then the new cards follow."""
        reply = await self._reply_for(turn_context.activity, data)
        if reply.card is not None and turn_context.activity.reply_to_id:
            update = card_activity(reply.card)
            update.id = turn_context.activity.reply_to_id
            await turn_context.update_activity(update)
        elif reply.card is not None:
            reply.send.insert(0, reply.card)
        elif reply.note and not reply.send:
            await turn_context.send_activity(MessageFactory.text(render.escape(reply.note)))
        for card in reply.send:
            await turn_context.send_activity(card_activity(card))

    async def _reply_for(self, activity: Activity, data: dict[str, Any]) -> CardReply:
        action = read_action(data)
        if action is None:
            return CardReply(render.notice("That button is not one I know. Type help."))
        return await card_reply(self, activity, action)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """Action.Execute and feedback votes are ours; other invokes go to the SDK, and one it
        has no handler for (its 501) or fails on is a 400: not a server fault."""
        name = turn_context.activity.name
        if name == "adaptiveCard/action":
            return InvokeResponse(status=200, body=await self._card_invoke(turn_context))
        if name == SUBMIT_ACTION:
            return self._feedback_invoke(turn_context.activity)
        try:
            response = await super().on_invoke_activity(turn_context)
        except Exception as exc:
            log.warning("teams invoke failed in the SDK: %s", type(exc).__name__, exc_info=exc)
            response = None
        if response is None or response.status >= 500:
            shown = str(name)[:80] if name else "(unnamed)"
            return InvokeResponse(status=400, body={"error": f"unsupported invoke {shown}"})
        return response

    async def _card_invoke(
        self, turn_context: TurnContext
    ) -> AdaptiveCardInvokeResponse | dict[str, Any]:
        """Action.Execute: new cards are posted, then the clicked card is replaced (or kept,
        with a note). Answered with HTTP 200 even on errors, as Universal Actions expect: the
        body says what failed. The model is returned un-serialised (botbuilder 4.17's own path
        serialises it twice)."""
        try:
            data = execute_data(turn_context.activity.value)
        except CardActionError as exc:
            return card_invoke_error(400, "BadRequest", str(exc))
        try:
            reply = await self._reply_for(turn_context.activity, data)
            for card in reply.send:
                await turn_context.send_activity(card_activity(card))
        except Exception as exc:
            log.error("teams card action failed: %s", type(exc).__name__, exc_info=exc)
            return card_invoke_error(500, "InternalError", SORRY)
        if reply.card is not None:
            return card_invoke_card(reply.card)
        return card_invoke_message(reply.note or "Done.")

    def _feedback_invoke(self, activity: Activity) -> InvokeResponse:
        """Teams' feedback loop: one vote per user and answer; a second vote updates it."""
        try:
            vote = read_vote(activity.value)
        except FeedbackError as exc:
            log.info("teams feedback refused (400): %s", exc)
            return InvokeResponse(status=400, body={"error": str(exc)})
        answer_id = activity.reply_to_id or self.chains.last_answer(activity)
        if not answer_id:
            log.info("teams feedback refused (400): it names no message, and none was sent here")
            return InvokeResponse(status=400, body={"error": "feedback names no message"})
        self.votes.vote(
            tenant=self.tenant(activity),
            user_hash=hash_user("teams", _user(activity)),
            answer_id=answer_id,
            vote=vote,
        )
        return InvokeResponse(status=200, body={})

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(markdown(HELP))


def aad_tenant(activity: Activity) -> str | None:
    """The Entra tenant id: `channelData.tenant.id` (the Python schema drops
    `conversation.tenantId`)."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant") if isinstance(data.get("tenant"), dict) else {}
    return tenant.get("id")


def thread_key(activity: Activity) -> str:
    return f"teams:{activity.conversation.id}"


def _user(activity: Activity) -> str | None:
    return getattr(activity.from_property, "id", None)
