"""The Teams bot: parse an activity, call the core, render the reply. No business logic here."""

from __future__ import annotations

import logging
import re
from typing import Any

from botbuilder.core import InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import (
    Activity,
    AdaptiveCardInvokeResponse,
    Entity,
)

from bot.teams import render
from bot.teams.store import ConversationStore
from graphs.models import InterviewTurn
from graphs.qa.graph import QuestionError
from graphs.runtime import Advisor
from knowledge.identity import hash_user
from knowledge.notes import NoteError
from knowledge.records import record_feedback
from knowledge.tenants import TenantError

log = logging.getLogger(__name__)
CARD_ERROR = "application/vnd.microsoft.error"
SORRY = "Sorry, something went wrong on my side. Please try again in a minute."
_MENTION = re.compile(r"<at>.*?</at>", re.S)
HELP = (
    "Ask me anything about AI technical leadership, or: **ask** <question> · **assess** "
    "(the interview) · **check** <description> · **digest** preview|subscribe|unsubscribe · "
    "**note add** <text> · **help**"
)


class CitationEntity(Entity):
    """msrest's Entity drops unknown fields when serialising; Teams' citation entity needs its
    schema.org fields on the wire."""

    _attribute_map = {  # noqa: RUF012 - msrest reads this class attribute
        "type": {"key": "type", "type": "str"},
        "at_type": {"key": "@type", "type": "str"},
        "at_context": {"key": "@context", "type": "str"},
        "at_id": {"key": "@id", "type": "str"},
        "additional_type": {"key": "additionalType", "type": "[str]"},
        "citation": {"key": "citation", "type": "[object]"},
    }

    def __init__(self, **fields: Any) -> None:
        super().__init__(type=fields["type"])
        self.at_type = fields.get("@type")
        self.at_context = fields.get("@context")
        self.at_id = fields.get("@id")
        self.additional_type = fields.get("additionalType")
        self.citation = fields.get("citation")


class AdvisorTeamsBot(TeamsActivityHandler):
    def __init__(self, advisor: Advisor, conversations: ConversationStore) -> None:
        self.advisor = advisor
        self.conversations = conversations

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

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if isinstance(activity.value, dict) and activity.value.get("advisor"):
            await self._card_action(turn_context, activity.value)
            return
        text = _MENTION.sub("", activity.text or "").strip()
        await self._command(turn_context, text)

    async def _command(self, turn_context: TurnContext, text: str) -> None:
        head, _, rest = text.partition(" ")
        head = head.lower()
        thread = thread_key(turn_context.activity)
        if head not in ("ask", "assess", "check", "digest", "note", "help") and (
            await self.advisor.interviews.pending(thread)
        ):
            await self._interview_reply(turn_context, thread, text)
            return
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
                conversation=thread_key(activity),
            )
        except (QuestionError, TenantError) as exc:
            await turn_context.send_activity(MessageFactory.text(render.escape(str(exc))))
            return
        reply = MessageFactory.text(render.answer_text(answer))
        reply.text_format = "markdown"
        reply.attachments = [render.attachment(render.feedback_card(activity.id or "answer"))]
        if answer.citations:
            reply.entities = [CitationEntity(**render.citation_entity(answer.citations))]
        await turn_context.send_activity(reply)

    async def _assess(self, turn_context: TurnContext, _: str = "") -> None:
        activity = turn_context.activity
        turn = await self.advisor.interviews.start(
            thread_key(activity),
            tenant=self.tenant(activity),
            user_id=_user(activity),
            channel="teams",
        )
        await self._show_turn(turn_context, turn)

    async def _interview_reply(self, turn_context: TurnContext, thread: str, text: str) -> None:
        turn = await self.advisor.interviews.reply(
            thread, text, user_id=_user(turn_context.activity)
        )
        await self._show_turn(turn_context, turn)

    async def _show_turn(self, turn_context: TurnContext, turn: InterviewTurn) -> None:
        await turn_context.send_activity(
            MessageFactory.attachment(render.attachment(turn_card(turn)))
        )

    async def _check(self, turn_context: TurnContext, text: str) -> None:
        activity = turn_context.activity
        try:
            result = await self.advisor.check(
                text, self.tenant(activity), channel="teams", user_id=_user(activity)
            )
        except QuestionError as exc:
            await turn_context.send_activity(MessageFactory.text(render.escape(str(exc))))
            return
        said = {r.key: f"you said: “{r.evidence}”" for r in result.read if r.evidence}
        go_on = result.recommendation is None and bool(result.questions)
        card = render.check_card(result, said, asking_next=go_on)
        await turn_context.send_activity(MessageFactory.attachment(render.attachment(card)))
        if go_on:  # the check goes on as the interview, asking only what is missing
            turn = await self.advisor.interviews.start(
                thread_key(activity),
                tenant=self.tenant(activity),
                user_id=_user(activity),
                channel="teams",
                facts=result.prefill(),
                focus=[q.key for q in result.questions],
            )
            await self._show_turn(turn_context, turn)

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
            report = self.advisor.add_note(tenant, author=author, text=text)
        except (NoteError, TenantError) as exc:
            await turn_context.send_activity(MessageFactory.text(render.escape(str(exc))))
            return
        await turn_context.send_activity(
            MessageFactory.text(f"Note added for {render.escape(tenant)}: {report.summary()}")
        )

    async def _help(self, turn_context: TurnContext, _: str = "") -> None:
        await turn_context.send_activity(MessageFactory.text(HELP))

    async def _card_action(self, turn_context: TurnContext, data: dict[str, Any]) -> None:
        """Action.Submit: answer the interview (and show the choice on the card) or feedback."""
        card = await self.handle_card(turn_context.activity, data)
        if data.get("advisor") == "answer" and turn_context.activity.reply_to_id:
            label = str(data.get("label") or data.get("value"))
            update = MessageFactory.attachment(
                render.attachment(render.answered_card(str(data.get("key")), label))
            )
            update.id = turn_context.activity.reply_to_id
            await turn_context.update_activity(update)
        await turn_context.send_activity(MessageFactory.attachment(render.attachment(card)))

    async def handle_card(self, activity: Activity, data: dict[str, Any]) -> dict:
        """The card that answers a button (Action.Submit or Action.Execute) with `data`."""
        kind = data.get("advisor")
        if kind == "feedback":
            record_feedback(
                self.advisor.engine,
                tenant=self.tenant(activity),
                channel="teams",
                user_hash=hash_user("teams", _user(activity)),
                answer_id=str(data.get("answer", "")),
                helpful=bool(data.get("helpful")),
            )
            return render._card([render._text("Thanks for the feedback!")])
        if kind == "assess":
            turn = await self.advisor.interviews.start(
                thread_key(activity),
                tenant=self.tenant(activity),
                user_id=_user(activity),
                channel="teams",
            )
            return turn_card(turn)
        if kind == "answer":
            thread = thread_key(activity)
            if str(data.get("thread") or thread) != thread:
                return _notice("That card belongs to another conversation's interview.")
            turn = await self.advisor.interviews.reply(
                thread,
                str(data.get("value", "")),
                user_id=_user(activity),
                expect=str(data["key"]) if data.get("key") else None,
            )
            if turn.stale:  # a second click, or a card from earlier: show where we are
                turn.message = "That one was already answered. Here is where we are:"
            return turn_card(turn)
        return _notice("That button is not one I know. Type **help** to see what I can do.")

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """Action.Execute is ours; other invokes go to the SDK, and one it has no handler for
        (its 501) or fails on is a 400: a feature this bot does not offer, not a server fault."""
        name = turn_context.activity.name
        if name == "adaptiveCard/action":
            return InvokeResponse(status=200, body=await self._card_invoke(turn_context))
        try:
            response = await super().on_invoke_activity(turn_context)
        except Exception as exc:
            log.warning("teams invoke failed in the SDK: %s", type(exc).__name__, exc_info=exc)
            response = None
        if response is None or response.status >= 500:
            shown = str(name)[:80] if name else "(unnamed)"
            return InvokeResponse(status=400, body={"error": f"unsupported invoke {shown}"})
        return response

    async def _card_invoke(self, turn_context: TurnContext) -> AdaptiveCardInvokeResponse:
        """Action.Execute: the card is replaced by the next question (or the result). Answered
        with HTTP 200 even on errors, as Universal Actions expect: the body says what failed.
        The model is returned un-serialised (botbuilder 4.17's own path serialises it twice)."""
        try:
            data = execute_data(turn_context.activity.value)
        except CardActionError as exc:
            return card_invoke_error(400, "BadRequest", str(exc))
        try:
            card = await self.handle_card(turn_context.activity, data)
        except Exception as exc:
            log.error("teams card action failed: %s", type(exc).__name__, exc_info=exc)
            return card_invoke_error(500, "InternalError", SORRY)
        return AdaptiveCardInvokeResponse(status_code=200, type=render.CARD, value=card)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(MessageFactory.text(HELP))


class CardActionError(ValueError):
    """An Action.Execute invoke whose value is not shaped as one; the message says how."""


def execute_data(value: object) -> dict[str, Any]:
    """The `data` of an `adaptiveCard/action` invoke value, checked by shape: Teams sends
    `{"action": {"type": "Action.Execute", "verb": …, "data": {…}}}`; anything else may come
    from a client that is not Teams (a string, a number, null)."""
    if not isinstance(value, dict):
        raise CardActionError(
            f"invoke value must be an object with an Action.Execute action, not {_kind(value)}"
        )
    action = value.get("action")
    if not isinstance(action, dict) or action.get("type") != "Action.Execute":
        raise CardActionError("invoke value.action must be an object of type Action.Execute")
    data = action.get("data")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CardActionError(f"invoke value.action.data must be an object, not {_kind(data)}")
    return data


def card_invoke_error(status: int, code: str, message: str) -> AdaptiveCardInvokeResponse:
    """Universal Actions' error answer; Teams shows `message` on the card."""
    return AdaptiveCardInvokeResponse(
        status_code=status, type=CARD_ERROR, value={"code": code, "message": message}
    )


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _notice(text: str) -> dict[str, Any]:
    return render._card([render._text(text)])


def turn_card(turn: InterviewTurn) -> dict[str, Any]:
    if turn.status == "asking" and turn.question is not None:
        return render.question_card(turn.question, turn.thread_id, turn.message)
    if turn.status == "done" and turn.recommendation is not None and not turn.message:
        return render.recommendation_card(turn.recommendation)
    return render._card([render._text(render.escape(turn.message or "Done."))])


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
