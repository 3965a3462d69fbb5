"""Structured extraction: free text → stage, signals, disqualifiers, context (typed Facts).

With Claude: one forced tool call whose input schema is the Facts shape (a separate request
from any cited answer — citations and tool output are never combined). The model's output is
validated; anything invalid, and any fault, falls back to the offline detector.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import anthropic
from pydantic import ValidationError

from graphs.models import CONTEXT_KEYS, DISQUALIFIER_KEYS, SIGNAL_KEYS, STAGES, Facts
from graphs.prompts import EXTRACTION_PROMPT
from graphs.redact import redact
from knowledge.settings import Settings

log = logging.getLogger(__name__)
TOOL_NAME = "record_facts"


def _tri_map(keys: tuple[str, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {k: {"type": ["boolean", "null"]} for k in keys},
        "additionalProperties": False,
    }


FACTS_TOOL: dict[str, Any] = {
    "name": TOOL_NAME,
    "description": "Record what the text says about the company. Omit or null what it doesn't.",
    "input_schema": {
        "type": "object",
        "properties": {
            "stage": {"type": ["string", "null"], "enum": [*STAGES, None]},
            "signals": _tri_map(SIGNAL_KEYS),
            "disqualifiers": _tri_map(DISQUALIFIER_KEYS),
            "context": _tri_map(CONTEXT_KEYS),
        },
        "required": ["stage", "signals", "disqualifiers", "context"],
        "additionalProperties": False,
    },
}


def facts_from_tool_input(data: Any) -> Facts:
    """Validate the model's tool input strictly: unknown keys or wrong types are rejected."""
    facts = Facts.model_validate(data)
    for group, keys in (
        ("signals", SIGNAL_KEYS),
        ("disqualifiers", DISQUALIFIER_KEYS),
        ("context", CONTEXT_KEYS),
    ):
        unknown = set(getattr(facts, group)) - set(keys)
        if unknown:
            raise ValueError(f"unknown {group} keys: {sorted(unknown)}")
    return facts


def _offline(text: str) -> Facts:
    from graphs.assessment.detect import detect_facts

    return detect_facts(text)


async def extract_facts(
    text: str,
    settings: Settings,
    client: anthropic.AsyncAnthropic | None,
    fallback: Callable[[str], Facts] = _offline,
) -> Facts:
    """Claude's reading of `text` when available and valid; the offline detector otherwise."""
    if client is None:
        return fallback(text)
    sent = redact(text) if settings.redact_pii else text
    try:
        async with asyncio.timeout(settings.answer_deadline_s):
            message = await client.messages.create(
                model=settings.anthropic_model,
                max_tokens=1024,
                system=EXTRACTION_PROMPT,
                tools=[FACTS_TOOL],
                tool_choice={"type": "tool", "name": TOOL_NAME},
                messages=[{"role": "user", "content": [{"type": "text", "text": sent}]}],
            )
        block = next(b for b in message.content if getattr(b, "type", "") == "tool_use")
        return facts_from_tool_input(block.input)
    except (anthropic.APIError, TimeoutError, StopIteration, ValidationError, ValueError) as exc:
        log.warning(
            "extraction with Claude failed (%s); using the offline detector", type(exc).__name__
        )
        return fallback(text)
