"""What a card button carries, and how a click is read back.

Teams' card renderers treat some property names in action `data` as their own: a button whose
data holds `key` throws in the client (`Cannot assign to read only property 'key'`) and the
click never reaches the bot. So everything we send lives under one name of our own,
`{"advisor": {"do": …, …}}`, and no name from `RESERVED` is used at any depth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ACTION_NAME = "advisor"
CHOICE_INPUT = "advisorChoice"  # an Input.ChoiceSet's id: its value is merged into `data`
TEXT_INPUT = "advisorText"  # the trigger check's description box
RESERVED = frozenset({"key", "ref", "id", "type", "props", "children"})
DOS = frozenset({"answer", "assess", "resume", "check", "feedback"})


def action_data(do: str, **fields: Any) -> dict[str, Any]:
    """The `data` of one of our buttons: `{"advisor": {"do": do, …fields}}`, None dropped."""
    assert do in DOS, do
    return {ACTION_NAME: {"do": do, **{k: v for k, v in fields.items() if v is not None}}}


def execute(title: str, data: dict[str, Any], *, style: str | None = None) -> dict[str, Any]:
    """A Universal Action button: Teams answers it with the card that replaces this one."""
    action: dict[str, Any] = {"type": "Action.Execute", "title": title, "verb": _verb(data)}
    if style:
        action["style"] = style
    return action | {"data": data}


@dataclass(frozen=True, slots=True)
class CardAction:
    """One click, read from either our nested data or the flat data of older cards."""

    do: str
    thread: str | None = None
    question: str | None = None  # the question key the card asked
    choice: str | None = None  # the value chosen (a button's, a choice set's or the text box's)
    label: str | None = None
    number: int | None = None  # the question's number on the card
    of: int | None = None  # the counter's total as the card showed it
    answer: str | None = None  # which answer a legacy feedback button rated
    helpful: bool | None = None
    restart: bool = False


def read_action(data: dict[str, Any]) -> CardAction | None:
    """The click in `data` (an Action.Submit `value` or an Action.Execute `data`), else None."""
    inner = data.get(ACTION_NAME)
    if isinstance(inner, dict):
        fields, chosen = inner, data.get(CHOICE_INPUT) or data.get(TEXT_INPUT)
    elif isinstance(inner, str):  # cards sent before the nesting: flat, `key` included
        fields = {"do": inner, "question": data.get("key"), "choice": data.get("value")} | {
            k: data.get(k) for k in ("thread", "label", "answer", "helpful")
        }
        chosen = None
    else:
        return None
    do = fields.get("do")
    if do not in DOS:
        return None
    return CardAction(
        do=str(do),
        thread=_text(fields.get("thread")),
        question=_text(fields.get("question")),
        choice=_text(chosen) or _text(fields.get("choice")),
        label=_text(fields.get("label")),
        number=_int(fields.get("n")),
        of=_int(fields.get("of")),
        answer=_text(fields.get("answer")),
        helpful=fields.get("helpful") if isinstance(fields.get("helpful"), bool) else None,
        restart=fields.get("restart") is True,
    )


def reserved_names(value: Any, path: str = "data") -> list[str]:
    """Where `value` uses a property name a Teams renderer reserves (empty: none)."""
    found: list[str] = []
    if isinstance(value, dict):
        for name, inner in value.items():
            if name in RESERVED:
                found.append(f"{path}.{name}")
            found += reserved_names(inner, f"{path}.{name}")
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            found += reserved_names(inner, f"{path}[{i}]")
    return found


def _verb(data: dict[str, Any]) -> str:
    inner = data.get(ACTION_NAME)
    return str(inner.get("do")) if isinstance(inner, dict) else "advisor"


def _text(value: object) -> str | None:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)[:4000] or None
    return None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
