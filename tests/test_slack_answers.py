"""Mentions and DMs are answered in the thread, with sources, buttons and stored feedback."""

from __future__ import annotations

from sqlalchemy import select

from knowledge.db import feedback
from tests import slack_signing as sign
from tests.slack_harness import SlackHarness


async def test_mention_is_answered_in_its_thread_with_numbered_sources(
    slack: SlackHarness,
) -> None:
    event = sign.mention("Do we need a fractional AI CTO?", channel="C1")
    response = await slack.event(event)
    assert response.status == 200

    [placeholder] = await slack.fake.wait_for("chat.postMessage")
    assert placeholder.params["thread_ts"] == event["ts"]
    assert placeholder.params["text"] == "Thinking…"
    [update] = await slack.fake.wait_for("chat.update")
    assert update.params["ts"] == placeholder.ts
    blocks = update.params["blocks"]
    sources = next(b for b in blocks if b["type"] == "context")["elements"][0]["text"]
    assert sources.startswith("*Sources*\n[1] Field report › ")
    action_ids = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    # the next step first (the check, for a question about what to do), then feedback
    assert action_ids[0] in ("assessment_start", "check_start")
    assert action_ids[1:] == ["feedback_up", "feedback_down"]
    lead = blocks[0]["text"]["text"]
    assert lead.startswith("*") and lead.endswith("*")  # the answer line, in bold
    assert placeholder.params["unfurl_links"] is False
    assert placeholder.params["unfurl_media"] is False
    assert "link_names" not in placeholder.params and "parse" not in placeholder.params


async def test_follow_up_in_the_thread_is_answered_without_a_mention(slack: SlackHarness) -> None:
    first = sign.mention("What does a fractional AI CTO do?", channel="C1")
    await slack.event(first)
    await slack.fake.wait_for("chat.update")
    await slack.settle()

    follow_up = sign.message(
        "And what should week 1 look like?",
        channel="C1",
        channel_type="channel",
        thread_ts=first["ts"],
    )
    await slack.event(follow_up)
    await slack.fake.wait_for("chat.update", count=2)
    posts = slack.fake.calls_to("chat.postMessage")
    assert [p.params["thread_ts"] for p in posts] == [first["ts"], first["ts"]]


async def test_a_follow_up_in_the_thread_is_read_with_the_question_before_it(
    slack: SlackHarness,
) -> None:
    first = sign.mention("Should we hire a full-time CTO?", channel="C1")
    await slack.event(first)
    await slack.fake.wait_for("chat.update")
    await slack.settle()

    why = sign.message("why not?", channel="C1", channel_type="channel", thread_ts=first["ts"])
    await slack.event(why)
    updates = await slack.fake.wait_for("chat.update", count=2)

    follow_up = updates[1].text()
    assert "closest topics" not in follow_up  # answered, not "the sources don't cover this"
    assert "full-time CTO" in follow_up  # its sources: the report's full-time CTO sections


async def test_channel_chatter_outside_our_threads_is_ignored(slack: SlackHarness) -> None:
    await slack.event(sign.message("lunch?", channel="C1", channel_type="channel"))
    await slack.settle()
    assert slack.fake.calls_to("chat.postMessage") == []


async def test_direct_message_is_answered_in_a_thread(slack: SlackHarness) -> None:
    event = sign.message("When should we not hire a fractional AI CTO?", channel="D1")
    await slack.event(event)
    [update] = await slack.fake.wait_for("chat.update")
    assert update.params["channel"] == "D1"
    assert slack.fake.calls_to("chat.postMessage")[0].params["thread_ts"] == event["ts"]


async def test_feedback_click_is_stored_once_per_user(slack: SlackHarness) -> None:
    await slack.event(sign.mention("Do we need a fractional AI CTO?"))
    [placeholder] = await slack.fake.wait_for("chat.postMessage")
    [update] = await slack.fake.wait_for("chat.update")
    answered = placeholder
    answered.params["blocks"] = update.params["blocks"]

    for _ in range(2):
        await slack.click(answered, "feedback_up")
    await slack.settle()

    with slack.advisor.engine.connect() as conn:
        rows = conn.execute(select(feedback.c.helpful, feedback.c.channel)).all()
    assert rows == [(True, "slack")]
    replies = sorted(c.params["text"] for c in slack.fake.calls_to("response_url"))
    assert replies == ["Thanks for the feedback!", "You already rated this answer. Thanks!"]
