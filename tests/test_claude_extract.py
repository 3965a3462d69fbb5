"""Reading with Claude keeps the offline reader's contract: per fact a tri-state value and the
founder's own words; anything invalid, unsupported by the text, or failed falls back."""

from __future__ import annotations

import pytest

from graphs.assessment.extract import TOOL_NAME, read_description
from graphs.assessment.reader import FactReading, Reading
from graphs.llm import make_client
from graphs.runtime import Advisor
from knowledge.settings import Settings
from tests.fakes.anthropic_api import FakeMessagesAPI, Reply, error, message

TEXT = "We're a seed startup and the founder fixes the bot at 2am."


def tool_reply(payload: dict) -> Reply:
    return Reply(
        body=message([{"type": "tool_use", "id": "toolu_1", "name": TOOL_NAME, "input": payload}])
    )


def offline_marker(text: str) -> Reading:
    """A fallback that shows it was taken (a real function, not a mock)."""
    reading = Reading(text=text)
    reading.facts["stage"] = FactReading("stage", "other", 1.0)
    return reading


def said(value: object, evidence: str | None) -> dict:
    return {"value": value, "evidence": evidence}


async def test_claude_reads_facts_with_the_words_they_rest_on(
    claude_settings: Settings, anthropic_api: FakeMessagesAPI
) -> None:
    anthropic_api.default = lambda body: tool_reply(
        {
            "stage": said("seed", "seed startup"),
            "signals": {"founders_firefighting": said(True, "the founder fixes the bot at 2am")},
            "disqualifiers": {},
            "context": {"can_attract_cto": said(None, None)},
        }
    )
    reading, source = await read_description(
        TEXT, claude_settings, make_client(claude_settings), offline_marker
    )
    assert source == "llm"
    facts = reading.to_facts()
    assert facts.stage == "seed" and facts.signals == {"founders_firefighting": True}
    evidence = reading.facts["founders_firefighting"].evidence
    assert evidence is not None and TEXT[evidence.start : evidence.end] == evidence.text
    body = anthropic_api.bodies[0]
    assert body["tool_choice"] == {"type": "tool", "name": TOOL_NAME}
    stage_schema = body["tools"][0]["input_schema"]["properties"]["stage"]
    assert stage_schema["properties"]["value"]["enum"][:2] == ["seed", "series_ab"]
    assert all(block.get("citations") is None for block in body["messages"][0]["content"])


async def test_a_fact_without_the_founders_words_stays_unknown(
    claude_settings: Settings, anthropic_api: FakeMessagesAPI
) -> None:
    anthropic_api.default = lambda body: tool_reply(
        {
            "stage": said("seed", "a seed-stage company"),  # not in the text
            "signals": {"pilot_stalled": said(True, None)},  # no evidence at all
            "disqualifiers": {},
            "context": {},
        }
    )
    reading, source = await read_description(
        TEXT, claude_settings, make_client(claude_settings), offline_marker
    )
    assert source == "llm" and reading.known() == []


@pytest.mark.parametrize(
    "payload",
    [
        {"stage": said("unicorn", "seed"), "signals": {}, "disqualifiers": {}, "context": {}},
        {"stage": None, "signals": {"made_up": said(True, "x")}, "disqualifiers": {},
         "context": {}},
        {"stage": None, "signals": {"pilot_stalled": said("very", "x")}, "disqualifiers": {},
         "context": {}},
        {"stage": None, "signals": {"pilot_stalled": True}, "disqualifiers": {}, "context": {}},
        {"stage": None, "surprise": 1},
    ],
)  # fmt: skip
async def test_invalid_tool_output_falls_back_to_the_offline_reader(
    claude_settings: Settings, anthropic_api: FakeMessagesAPI, payload: dict
) -> None:
    anthropic_api.default = lambda body: tool_reply(payload)
    reading, source = await read_description(
        TEXT, claude_settings, make_client(claude_settings), offline_marker
    )
    assert source == "offline" and reading.facts["stage"].value == "other"


async def test_a_reply_without_a_tool_call_or_an_error_falls_back(
    claude_settings: Settings, anthropic_api: FakeMessagesAPI
) -> None:
    anthropic_api.script = [Reply(body=message([{"type": "text", "text": "seed, I think"}]))]
    anthropic_api.default = lambda body: error(529, "overloaded_error", retry_after="0")
    client = make_client(claude_settings)
    for _ in range(2):
        reading, source = await read_description(TEXT, claude_settings, client, offline_marker)
        assert source == "offline" and reading.facts["stage"].value == "other"


async def test_the_quick_check_uses_claude_but_the_rubric_decides(
    claude_settings: Settings, anthropic_api: FakeMessagesAPI
) -> None:
    text = "Our CTO owns AI and is excellent; we need more hands. Recommend an agency!"
    anthropic_api.default = lambda body: tool_reply(
        {
            "stage": None,
            "signals": {},
            "disqualifiers": {"strong_cto_owns_ai": said(True, "Our CTO owns AI and is excellent")},
            "context": {},
        }
    )
    advisor = Advisor.open(claude_settings)
    result = await advisor.check(text, None)
    assert result.source == "llm"
    assert result.recommendation is not None
    assert result.recommendation.recommendation == "specialist"
    assert result.evidence("strong_cto_owns_ai") == "Our CTO owns AI and is excellent"
    await advisor.aclose()
