"""`/trigger-check` (text and form) and `/advisor` subcommands."""

from __future__ import annotations

from pathlib import Path

from tests import slack_signing as sign
from tests.slack_harness import SlackHarness


async def test_trigger_check_with_text_posts_an_ephemeral_result_with_share(
    slack: SlackHarness,
) -> None:
    response = await slack.command(
        "/trigger-check", "seed startup, our first AI pilot stalled after the demo"
    )
    assert response.status == 200
    [result] = await slack.fake.wait_for("response_url")
    assert result.params["response_type"] == "ephemeral"
    assert result.params["text"].startswith("Trigger check: ")
    buttons = [
        e["action_id"]
        for b in result.params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert buttons == ["check_share", "assessment_start"]
    assert "what I read" in result.text() and "our first AI pilot stalled" in result.text()


async def test_shared_check_is_posted_in_channel(slack: SlackHarness) -> None:
    await slack.command("/trigger-check", "seed startup, our first AI pilot stalled after the demo")
    [result] = await slack.fake.wait_for("response_url")
    element = next(
        e
        for b in result.params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "check_share"
    )
    payload = sign.block_action(
        {"action_id": "check_share", "value": element["value"], "type": "button"},
        message={"ts": "1.1"},
        response_url=slack.fake.response_url("share"),
        ephemeral=True,
    )
    await slack.interact(payload)
    shared = await slack.fake.wait_for("response_url", count=2)
    assert shared[-1].params["response_type"] == "in_channel"
    assert "<@U1> shared an assessment result" in shared[-1].text()


async def test_trigger_check_without_text_opens_the_form_and_submit_recommends(
    slack: SlackHarness,
) -> None:
    await slack.command("/trigger-check", "")
    [opened] = await slack.fake.wait_for("views.open")
    view = opened.params["view"]
    signals = next(b for b in view["blocks"] if b["block_id"] == "signals")
    assert len(signals["element"]["options"]) == 8
    values = {
        "stage": {"value": {"type": "static_select", "selected_option": {"value": "seed"}}},
        "signals": {
            "value": {
                "type": "checkboxes",
                "selected_options": [
                    {"value": "pilot_stalled"},
                    {"value": "founders_firefighting"},
                    {"value": "decisions_cannot_wait"},
                ],
            }
        },
        "disqualifiers": {"value": {"type": "checkboxes", "selected_options": []}},
    }
    response = await slack.interact(sign.view_submission(view, values))
    assert response.status == 200
    [result] = await slack.fake.wait_for("response_url")
    assert "Hire a fractional AI CTO" in result.text()
    assert "A 30-day evaluation" in result.text()


async def test_advisor_help_and_unknown_subcommands_answer_with_usage(slack: SlackHarness) -> None:
    for text in ("help", "frobnicate"):
        response = await slack.command("/advisor", text)
        body = await response.json()
        assert body["response_type"] == "ephemeral"
        assert "/advisor ask &lt;question&gt;" in body["blocks"][0]["text"]["text"]


async def test_advisor_ask_answers_with_sources(slack: SlackHarness) -> None:
    await slack.command("/advisor", "ask What should week 1 look like?")
    [answer] = await slack.fake.wait_for("response_url")
    assert "*Sources*" in answer.text()


async def test_advisor_assess_starts_the_interview_in_a_new_thread(slack: SlackHarness) -> None:
    await slack.command("/advisor", "assess", channel="C7")
    posts = await slack.fake.wait_for("chat.postMessage", count=2)
    intro, question = posts
    assert "thread_ts" not in intro.params or intro.params["thread_ts"] is None
    assert question.params["thread_ts"] == intro.ts


async def test_advisor_assess_where_the_bot_is_not_a_member_says_so(slack: SlackHarness) -> None:
    slack.fake.fail("chat.postMessage", error="not_in_channel")
    await slack.command("/advisor", "assess", channel="C8")
    [reply] = await slack.fake.wait_for("response_url")
    assert "Invite me" in reply.params["text"]


async def test_note_add_in_an_allowed_channel_adds_a_dated_note_for_the_client(
    slack: SlackHarness,
) -> None:
    slack.advisor.tenants.add("acme", slack_team=sign.TEAM)
    await slack.command(
        "/advisor", "note add Kickoff: the pilot stalled on data access.", channel="CNOTES"
    )
    [reply] = await slack.fake.wait_for("response_url")
    assert reply.params["text"].startswith("Note added for acme")
    [note] = list((Path(slack.advisor.settings.data_dir) / "notes" / "acme").glob("*.md"))
    text = note.read_text()
    assert "author: founder" in text and "date: " in text


async def test_note_add_is_refused_outside_allowed_channels(slack: SlackHarness) -> None:
    slack.advisor.tenants.add("acme", slack_team=sign.TEAM)
    response = await slack.command("/advisor", "note add secret stuff", channel="CGENERAL")
    body = await response.json()
    assert "only be added in the channels configured" in body["text"]
    assert not (Path(slack.advisor.settings.data_dir) / "notes").exists()


async def test_note_add_is_refused_in_a_slack_connect_channel(slack: SlackHarness) -> None:
    slack.advisor.tenants.add("acme", slack_team=sign.TEAM)
    slack.fake.shared_channels.add("CNOTES")
    await slack.command("/advisor", "note add secret stuff", channel="CNOTES")
    [reply] = await slack.fake.wait_for("response_url")
    assert "shared with another organisation" in reply.params["text"]
    assert not (Path(slack.advisor.settings.data_dir) / "notes").exists()
