"""Mentions and DMs are answered in the thread, with sources, buttons and stored feedback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from knowledge.db import feedback
from knowledge.scope import DataScope
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
    # the next step (the check, for a question about what to do) as a button
    assert action_ids in (["assessment_start"], ["check_start"])
    # then Slack's own feedback element, last
    assert blocks[-1]["type"] == "context_actions"
    [element] = blocks[-1]["elements"]
    assert element["type"] == "feedback_buttons" and element["action_id"] == "answer_feedback"
    assert element["positive_button"]["value"].startswith("up:")
    assert element["negative_button"]["value"].startswith("down:")
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


async def _answered(slack: SlackHarness):  # type: ignore[no-untyped-def]
    await slack.event(sign.mention("Do we need a fractional AI CTO?"))
    [placeholder] = await slack.fake.wait_for("chat.postMessage")
    [update] = await slack.fake.wait_for("chat.update")
    placeholder.params["blocks"] = update.params["blocks"]
    return placeholder


async def test_feedback_is_one_vote_per_user_and_a_second_vote_updates_it(
    slack: SlackHarness,
) -> None:
    answered = await _answered(slack)
    await slack.click(answered, "answer_feedback")  # 👍
    await slack.settle()
    await slack.click(answered, "answer_feedback")  # 👍 again: nothing changes
    await slack.settle()
    await slack.click(answered, "answer_feedback", negative=True)  # changed their mind
    await slack.click(answered, "answer_feedback", user="U2")  # someone else
    await slack.settle()

    with slack.advisor.engine.connect() as conn:
        rows = conn.execute(
            select(feedback.c.helpful, feedback.c.channel).order_by(feedback.c.id)
        ).all()
    assert sorted(rows) == [(False, "slack"), (True, "slack")]  # U1's vote updated; U2's
    replies = [c.params["text"] for c in slack.fake.calls_to("response_url")]
    assert replies[:2] == ["Thanks for the feedback!", "You already rated this answer. Thanks!"]
    assert sorted(replies[2:]) == [
        "Thanks for the feedback!",
        "Thanks: your feedback on this answer is updated.",
    ]


async def test_each_vote_is_in_the_audit_log(slack: SlackHarness) -> None:
    answered = await _answered(slack)
    await slack.click(answered, "answer_feedback", negative=True)
    await slack.settle()
    await slack.click(answered, "answer_feedback")
    await slack.settle()

    since = datetime.now(UTC) - timedelta(minutes=5)
    votes = list(slack.advisor.audit.rows(DataScope.operator(), since=since, kinds=["feedback"]))
    [answer] = list(slack.advisor.audit.rows(DataScope.operator(), since=since, kinds=["answer"]))
    assert [v["outcome"]["vote"] for v in votes] == ["new", "changed"]
    assert [v["outcome"]["helpful"] for v in votes] == [False, True]
    # the vote names the answer it is about: the answer's own request id
    assert {v["request_id"] for v in votes} == {answer["request_id"]}
    assert votes[0]["user_hash"] == answer["user_hash"]


async def test_the_thumbs_of_answers_posted_before_feedback_buttons_still_count(
    slack: SlackHarness,
) -> None:
    payload = sign.block_action(
        {"action_id": "feedback_down", "type": "button", "value": "answer-old"},
        message={"ts": "1700000000.000001"},
        response_url=slack.fake.response_url("fb"),
    )
    await slack.interact(payload)
    await slack.settle()
    with slack.advisor.engine.connect() as conn:
        rows = conn.execute(select(feedback.c.answer_id, feedback.c.helpful)).all()
    assert rows == [("answer-old", False)]


async def test_a_vote_we_did_not_write_is_refused_politely(slack: SlackHarness) -> None:
    payload = sign.block_action(
        {"action_id": "answer_feedback", "type": "feedback_buttons", "value": "maybe:x"},
        message={"ts": "1700000000.000001"},
        response_url=slack.fake.response_url("fb"),
    )
    await slack.interact(payload)
    await slack.settle()
    [reply] = slack.fake.calls_to("response_url")
    assert "doesn't work any more" in reply.params["text"]
    with slack.advisor.engine.connect() as conn:
        assert conn.execute(select(feedback.c.id)).all() == []
