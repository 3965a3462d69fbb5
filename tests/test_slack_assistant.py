"""The assistant pane: a greeting with suggested prompts, then answers with a status."""

from __future__ import annotations

from tests import slack_signing as sign
from tests.slack_harness import SlackHarness


async def test_assistant_thread_started_greets_with_suggested_prompts(slack: SlackHarness) -> None:
    event = {
        "type": "assistant_thread_started",
        "assistant_thread": {
            "user_id": "U1",
            "channel_id": "D1",
            "thread_ts": "1.000001",
            "context": {},
        },
    }
    response = await slack.event(event)
    assert response.status == 200
    [prompts] = await slack.fake.wait_for("assistant.threads.setSuggestedPrompts")
    titles = [p["title"] for p in prompts.params["prompts"]]
    assert titles == [
        "Do we need a fractional AI CTO?",
        "Run a trigger check",
        "What should week 1 look like?",
    ]
    [greeting] = slack.fake.calls_to("chat.postMessage")
    assert greeting.params["thread_ts"] == "1.000001"


async def test_assistant_message_shows_a_status_then_the_answer(slack: SlackHarness) -> None:
    event = sign.message("Do we need a fractional AI CTO?", channel="D1", thread_ts="1.000001")
    await slack.event(event)
    [status] = await slack.fake.wait_for("assistant.threads.setStatus")
    assert status.params["status"] == "is thinking…"
    [answer] = await slack.fake.wait_for("chat.postMessage")
    assert answer.params["thread_ts"] == "1.000001" and "*Sources*" in answer.text()


async def test_messages_tab_greets_each_user_once(slack: SlackHarness) -> None:
    event = {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "messages"}
    for _ in range(2):
        await slack.event(dict(event))
    await slack.settle()
    assert len(slack.fake.calls_to("chat.postMessage")) == 1


async def test_trigger_check_prompt_explains_how_to_check(slack: SlackHarness) -> None:
    await slack.event(sign.message("Run a trigger check", channel="D1", thread_ts="1.000002"))
    [reply] = await slack.fake.wait_for("chat.postMessage")
    assert "check:" in reply.params["text"]
