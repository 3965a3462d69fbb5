"""The assistant pane: a greeting with suggested prompts, then answers with a status that says
what is happening, a title from the first question, and replies through Bolt's `say()` so
Bolt's thread-context store works."""

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
    assert status.params["loading_messages"] == [
        "Searching the field report…",
        "Checking the rubric…",
        "Writing a cited answer…",
    ]  # no "reading your notes": this workspace has no client, so no notes are read
    [answer] = await slack.fake.wait_for("chat.postMessage")
    assert answer.params["thread_ts"] == "1.000001" and "*Sources*" in answer.text()
    assert answer.params["metadata"]["event_type"] == "assistant_thread_context"  # say()


async def test_a_clients_status_says_its_notes_are_read(slack: SlackHarness) -> None:
    slack.advisor.tenants.add("acme", slack_team=sign.TEAM)
    await slack.event(sign.message("Who owns the pilot?", channel="D1", thread_ts="1.000003"))
    [status] = await slack.fake.wait_for("assistant.threads.setStatus")
    assert "Reading your engagement notes…" in status.params["loading_messages"]


async def test_the_first_question_titles_the_thread_once(slack: SlackHarness) -> None:
    for text in ("Do we need a fractional AI CTO?", "And what would week 1 look like?"):
        await slack.event(sign.message(text, channel="D1", thread_ts="1.000004"))
        await slack.settle()
    [title] = slack.fake.calls_to("assistant.threads.setTitle")
    where = (title.params["channel_id"], title.params["thread_ts"], title.params["title"])
    assert where == ("D1", "1.000004", "Do we need a fractional AI CTO?")
    await slack.event(sign.message("assess", channel="D1", thread_ts="1.000005"))
    await slack.settle()
    assert slack.fake.calls_to("assistant.threads.setTitle")[-1].params["title"] == "Assessment"


async def test_the_thread_context_travels_with_the_replies(slack: SlackHarness) -> None:
    """The greeting (via say()) carries the channel the user was viewing; when the user moves
    to another channel Bolt saves the new context on it, and later replies read it back."""
    thread = {"user_id": "U1", "channel_id": "D1", "thread_ts": "1.000006"}
    viewing = {"channel_id": "C-ROADMAP", "team_id": "T1", "enterprise_id": None}
    await slack.event(
        {"type": "assistant_thread_started", "assistant_thread": thread | {"context": viewing}}
    )
    [greeting] = await slack.fake.wait_for("chat.postMessage")
    assert greeting.params["metadata"]["event_payload"]["channel_id"] == "C-ROADMAP"
    await slack.settle()

    moved = {"channel_id": "C-HIRING", "team_id": "T1", "enterprise_id": None}
    await slack.event(
        {
            "type": "assistant_thread_context_changed",
            "assistant_thread": thread | {"context": moved},
        }
    )
    await slack.settle()
    [kept] = slack.fake.thread("D1", "1.000006")
    assert kept["metadata"]["event_payload"]["channel_id"] == "C-HIRING"

    await slack.event(
        sign.message("What should week 1 look like?", channel="D1", thread_ts="1.000006")
    )
    await slack.settle()
    answer = slack.fake.calls_to("chat.postMessage")[-1]
    assert answer.params["metadata"]["event_payload"]["channel_id"] == "C-HIRING"


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


async def test_a_status_or_title_slack_refuses_still_gets_the_answer(slack: SlackHarness) -> None:
    slack.fake.fail("assistant.threads.setStatus", error="missing_scope")
    slack.fake.fail("assistant.threads.setTitle", error="missing_scope")
    await slack.event(sign.message("Do we need a fractional AI CTO?", thread_ts="1.000007"))
    [answer] = await slack.fake.wait_for("chat.postMessage")
    assert "*Sources*" in answer.text()
