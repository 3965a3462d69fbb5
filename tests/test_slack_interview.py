"""The interview in a Slack thread: buttons, answers shown in place, words count, restarts."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.server import build_app
from graphs.runtime import Advisor
from knowledge.db import assessments
from tests import slack_signing as sign
from tests.fakes.slack_api import Call
from tests.slack_harness import SlackHarness


def _is_question(call: Call) -> bool:
    return any(
        b.get("block_id", "").startswith("interview:") for b in call.params.get("blocks", [])
    )


def _first_choice(call: Call) -> str:
    block = next(b for b in call.params["blocks"] if b.get("block_id", "").startswith("interview:"))
    return block["elements"][0]["action_id"]


async def _start(slack: SlackHarness) -> tuple[dict, Call]:
    event = sign.mention("assess", channel="C1")
    await slack.event(event)
    [question] = await slack.fake.wait_for("chat.postMessage", where=_is_question)
    await slack.settle()  # the open question's message is on record (as it is for a human)
    return event, question


async def test_interview_clicked_through_to_a_recommendation(slack: SlackHarness) -> None:
    event, question = await _start(slack)
    asked = 1
    while True:
        await slack.click(question, _first_choice(question))
        await slack.fake.wait_for("chat.update", count=asked)
        await slack.settle()
        last = slack.fake.calls_to("chat.postMessage")[-1]
        if not _is_question(last):
            break
        question, asked = last, asked + 1
    header = next(b for b in last.params["blocks"] if b["type"] == "header")
    assert header["text"]["text"]
    assert last.params["thread_ts"] == event["ts"]
    actions = [
        e["action_id"]
        for b in last.params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert actions == ["recommendation_share", "interview_restart"]
    updates = slack.fake.calls_to("chat.update")
    assert len(updates) == asked
    assert all(not any(b["type"] == "actions" for b in u.params["blocks"]) for u in updates)
    assert "✓ *Seed*" in updates[0].text()
    with slack.advisor.engine.connect() as conn:
        assert conn.execute(select(assessments.c.channel)).scalars().all() == ["slack"]


async def test_free_text_reply_in_the_thread_answers_the_open_question(slack: SlackHarness) -> None:
    event, question = await _start(slack)
    reply = sign.message(
        "we're a seed-stage startup", channel="C1", channel_type="channel", thread_ts=event["ts"]
    )
    await slack.event(reply)
    [update] = await slack.fake.wait_for("chat.update")
    assert update.params["ts"] == question.ts and "✓ *we're a seed-stage startup*" in update.text()
    questions = await slack.fake.wait_for("chat.postMessage", count=2, where=_is_question)
    assert "interview:pilot_stalled" in str(questions[-1].params["blocks"])


async def test_a_second_click_on_an_answered_question_changes_nothing(slack: SlackHarness) -> None:
    _event, question = await _start(slack)
    await slack.click(question, "interview_answer_0")
    await slack.fake.wait_for("chat.update")
    await slack.settle()
    await slack.click(question, "interview_answer_1")
    await slack.settle()
    assert len(slack.fake.calls_to("chat.update")) == 1
    assert (
        len(
            slack.fake.calls_to(
                "chat.postMessage",
            )
        )
        == 2
    )  # first question, second question
    stale = slack.fake.calls_to("response_url")[-1]
    assert "already been answered" in stale.params["text"]


async def test_cancel_button_ends_the_interview(slack: SlackHarness) -> None:
    _event, question = await _start(slack)
    await slack.click(question, "interview_cancel")
    [update] = await slack.fake.wait_for("chat.update")
    assert "✓ *Cancelled*" in update.text()
    await slack.settle()
    assert "cancelled" in slack.fake.calls_to("chat.postMessage")[-1].params["text"]


async def test_interview_resumes_after_restart(slack: SlackHarness) -> None:
    """A click that arrives after the server was replaced (same database) still resumes."""
    _event, question = await _start(slack)
    await slack.http.close()
    await slack.advisor.interviews.aclose()
    fresh = Advisor.open(slack.advisor.settings)
    slack.http = TestClient(TestServer(build_app(fresh)))
    await slack.http.start_server()
    try:
        await slack.click(question, "interview_answer_0")
        [update] = await slack.fake.wait_for("chat.update")
        assert update.params["ts"] == question.ts
        questions = await slack.fake.wait_for("chat.postMessage", count=2, where=_is_question)
        assert "interview:pilot_stalled" in str(questions[-1].params["blocks"])
    finally:
        await slack.settle()
        await fresh.interviews.aclose()
        fresh.close()
