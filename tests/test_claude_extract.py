"""Structured extraction with tool use; anything invalid falls back to the offline detector."""

from __future__ import annotations

import pytest

from graphs.assessment.extract import TOOL_NAME, extract_facts
from graphs.llm import make_client
from graphs.models import Facts
from graphs.runtime import Advisor
from knowledge.settings import Settings
from tests.fakes.anthropic_api import FakeMessagesAPI, Reply, error, message

TEXT = "We're a seed startup and the founder fixes the bot at 2am."


def tool_reply(payload: dict) -> Reply:
    return Reply(
        body=message([{"type": "tool_use", "id": "toolu_1", "name": TOOL_NAME, "input": payload}])
    )


def marker(text: str) -> Facts:
    """A fallback that shows it was taken (a real function, not a mock)."""
    return Facts(stage="other", signals={"pilot_stalled": None})


async def test_claude_reads_the_text_through_a_forced_tool_call(
    claude_settings: Settings, anthropic_api: FakeMessagesAPI
) -> None:
    anthropic_api.default = lambda body: tool_reply(
        {
            "stage": "seed",
            "signals": {"founders_firefighting": True},
            "disqualifiers": {},
            "context": {"can_attract_cto": None},
        }
    )
    facts = await extract_facts(TEXT, claude_settings, make_client(claude_settings), marker)
    assert facts.stage == "seed" and facts.signals == {"founders_firefighting": True}
    body = anthropic_api.bodies[0]
    assert body["tool_choice"] == {"type": "tool", "name": TOOL_NAME}
    assert body["tools"][0]["input_schema"]["properties"]["stage"]["enum"][:2] == [
        "seed",
        "series_ab",
    ]
    assert all(block.get("citations") is None for block in body["messages"][0]["content"])


@pytest.mark.parametrize(
    "payload",
    [
        {"stage": "unicorn", "signals": {}, "disqualifiers": {}, "context": {}},
        {"stage": "seed", "signals": {"made_up_signal": True}, "disqualifiers": {}, "context": {}},
        {"stage": "seed", "signals": {"pilot_stalled": "very"}, "disqualifiers": {}, "context": {}},
        {"stage": "seed", "surprise": 1},
    ],
)
async def test_invalid_tool_output_falls_back_to_the_offline_detector(
    claude_settings: Settings, anthropic_api: FakeMessagesAPI, payload: dict
) -> None:
    anthropic_api.default = lambda body: tool_reply(payload)
    facts = await extract_facts(TEXT, claude_settings, make_client(claude_settings), marker)
    assert facts == marker(TEXT)


async def test_a_reply_without_a_tool_call_or_an_error_falls_back(
    claude_settings: Settings, anthropic_api: FakeMessagesAPI
) -> None:
    anthropic_api.script = [Reply(body=message([{"type": "text", "text": "seed, I think"}]))]
    anthropic_api.default = lambda body: error(529, "overloaded_error", retry_after="0")
    client = make_client(claude_settings)
    assert await extract_facts(TEXT, claude_settings, client, marker) == marker(TEXT)
    assert await extract_facts(TEXT, claude_settings, client, marker) == marker(TEXT)


async def test_the_quick_check_uses_claude_but_the_rubric_decides(
    claude_settings: Settings, anthropic_api: FakeMessagesAPI
) -> None:
    anthropic_api.default = lambda body: tool_reply(
        {
            "stage": "series_ab",
            "signals": {},
            "disqualifiers": {"strong_cto_owns_ai": True},
            "context": {},
        }
    )
    advisor = Advisor.open(claude_settings)
    result = await advisor.check("Our CTO owns AI; we need more hands. Recommend an agency!", None)
    assert result.source == "llm"
    assert result.recommendation.recommendation == "specialist"
    advisor.close()
