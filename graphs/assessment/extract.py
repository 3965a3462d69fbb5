"""Reading a description with Claude: the same contract as the offline reader.

One forced tool call whose input is, per fact, a tri-state value and the founder's own words
it rests on (a separate request from any cited answer: citations and tool output are never
combined). The tool input is validated strictly; evidence that is not the founder's text
verbatim is dropped, and a fact asserted without evidence stays unknown. Any fault, or any
invalid output, falls back to the offline reader.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from graphs.assessment.reader import FactReading, Reading, Span
from graphs.models import CONTEXT_KEYS, DISQUALIFIER_KEYS, SIGNAL_KEYS, STAGES
from graphs.prompts import EXTRACTION_PROMPT
from graphs.redact import redact
from knowledge.settings import Settings

if TYPE_CHECKING:
    import anthropic

log = logging.getLogger(__name__)
TOOL_NAME = "record_facts"
CLAUDE_CONFIDENCE = 0.9  # a stated fact with verbatim evidence
_GROUPS = {"signals": SIGNAL_KEYS, "disqualifiers": DISQUALIFIER_KEYS, "context": CONTEXT_KEYS}


_TRI = {"type": ["boolean", "null"]}
_STAGE = {"enum": [*STAGES, None]}


def _fact(value: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "value": value,
            "evidence": {
                "type": ["string", "null"],
                "description": "The founder's words that state it, copied exactly; null if none.",
            },
        },
        "required": ["value", "evidence"],
        "additionalProperties": False,
    }


def _group(keys: tuple[str, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {k: _fact(_TRI) for k in keys},
        "additionalProperties": False,
    }


FACTS_TOOL: dict[str, Any] = {
    "name": TOOL_NAME,
    "description": (
        "Record what the text says about the company: per fact true, false or null (not said), "
        "with the exact words it rests on. Omit or null what the text does not say."
    ),
    "input_schema": {
        "type": "object",
        "properties": {
            "stage": _fact(_STAGE),
            **{group: _group(keys) for group, keys in _GROUPS.items()},
        },
        "required": ["stage", *_GROUPS],
        "additionalProperties": False,
    },
}


class ExtractionError(ValueError):
    """The model's tool input does not have the contract's shape."""


def reading_from_tool_input(text: str, data: Any) -> Reading:
    """Validate the tool input strictly and turn it into a Reading of `text`."""
    if not isinstance(data, dict) or set(data) - {"stage", *_GROUPS}:
        raise ExtractionError("the tool input must be an object of stage and fact groups")
    reading = Reading(text=text)
    reading.facts["stage"] = _read(text, "stage", data.get("stage"), allowed=STAGES)
    for group, keys in _GROUPS.items():
        facts = data.get(group) or {}
        if not isinstance(facts, dict) or set(facts) - set(keys):
            raise ExtractionError(f"{group}: unknown keys {sorted(set(facts) - set(keys))}")
        for key in keys:
            reading.facts[key] = _read(text, key, facts.get(key), allowed=(True, False))
    return reading


def _read(text: str, key: str, item: Any, *, allowed: tuple[Any, ...]) -> FactReading:
    if item is None:
        return FactReading(key, None, 0.0)
    if not isinstance(item, dict) or set(item) - {"value", "evidence"}:
        raise ExtractionError(f"{key}: expected {{value, evidence}}")
    value, evidence = item.get("value"), item.get("evidence")
    if value is not None and (value not in allowed or isinstance(value, bool) != (key != "stage")):
        raise ExtractionError(f"{key}: {value!r} is not allowed")
    if evidence is not None and not isinstance(evidence, str):
        raise ExtractionError(f"{key}: evidence must be text")
    at = text.find(evidence) if evidence else -1
    if value is None or at < 0:  # a fact is read only from words the founder wrote
        return FactReading(key, None, 0.0)
    span = Span(at, at + len(evidence), evidence)  # type: ignore[arg-type]
    return FactReading(key, value, CLAUDE_CONFIDENCE, span, best_guess=value)


async def read_description(
    text: str,
    settings: Settings,
    client: anthropic.AsyncAnthropic | None,
    offline: Callable[[str], Reading],
) -> tuple[Reading, str]:
    """(Claude's reading of `text` when available and valid, else the offline one; its source)."""
    if client is None:
        return await asyncio.to_thread(offline, text), "offline"
    import anthropic  # loaded with the client; an offline process never imports the SDK (~1 s)

    sent = redact(text) if settings.redact_pii else text
    try:
        async with asyncio.timeout(settings.answer_deadline_s):
            message = await client.messages.create(
                model=settings.anthropic_model,
                max_tokens=2048,
                system=EXTRACTION_PROMPT,
                tools=[FACTS_TOOL],
                tool_choice={"type": "tool", "name": TOOL_NAME},
                messages=[{"role": "user", "content": [{"type": "text", "text": sent}]}],
            )
        block = next(b for b in message.content if getattr(b, "type", "") == "tool_use")
        return reading_from_tool_input(sent, block.input), "llm"
    except (anthropic.APIError, TimeoutError, StopIteration, ExtractionError) as exc:
        log.warning("reading with Claude failed (%s); using the offline reader", type(exc).__name__)
        return await asyncio.to_thread(offline, text), "offline"
