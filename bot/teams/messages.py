"""Outgoing activities and incoming invoke values: the Bot Framework shapes around our cards."""

from __future__ import annotations

from typing import Any

from botbuilder.core import MessageFactory
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse, Entity

from bot.teams import cards, render
from graphs.models import Answer

CARD_ERROR = "application/vnd.microsoft.error"
CARD_MESSAGE = "application/vnd.microsoft.activity.message"


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


def answer_activity(answer: Answer) -> Activity:
    """An answer as Teams shows AI answers: Markdown text whose `[n]` are citations, Teams'
    own feedback buttons, and the next step as a card when it starts a flow."""
    reply = markdown(render.answer_text(answer))
    if answer.citations:
        reply.entities = [CitationEntity(**render.citation_entity(answer))]
    step = cards.next_step_card(answer.next_step) if answer.next_step else None
    if step is not None:
        reply.attachments = [render.attachment(step)]
    reply.channel_data = {"feedbackLoopEnabled": True}
    return reply


def markdown(text: str) -> Activity:
    message = MessageFactory.text(text)
    message.text_format = "markdown"
    return message


def card_activity(card: dict[str, Any]) -> Activity:
    return MessageFactory.attachment(render.attachment(card))


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


def card_invoke_card(card: dict[str, Any]) -> AdaptiveCardInvokeResponse:
    """The card that replaces the clicked one."""
    return AdaptiveCardInvokeResponse(status_code=200, type=render.CARD, value=card)


def card_invoke_message(text: str) -> dict[str, Any]:
    """The clicked card stays as it is; Teams shows `text` briefly. A plain body: the SDK's
    model only serialises an object `value`."""
    return {"statusCode": 200, "type": CARD_MESSAGE, "value": text}


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__
