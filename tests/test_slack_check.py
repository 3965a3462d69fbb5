"""A trigger check that cannot decide goes on as the interview: pre-filled with what was
read, asking only the questions that settle it, and ending in a recommendation."""

from __future__ import annotations

from tests import slack_signing as sign
from tests.fakes.slack_api import Call
from tests.slack_harness import SlackHarness

PARTIAL = "We're a seed startup and thinking about AI."


def _question_key(call: Call) -> str | None:
    for block in call.params.get("blocks", []):
        if block.get("block_id", "").startswith("interview:"):
            return block["block_id"].split(":", 1)[1]
    return None


def _button(call: Call, action_id: str) -> dict:
    return next(
        e
        for b in call.params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )


async def test_a_partial_trigger_check_ends_in_a_recommendation_after_the_missing_questions(
    slack: SlackHarness,
) -> None:
    await slack.command("/trigger-check", PARTIAL, channel="C1")
    [result] = await slack.fake.wait_for("response_url")
    assert "Leaning towards" in result.text() and "To settle it" in result.text()
    button = _button(result, "check_continue")
    assert button["text"]["text"].startswith("Answer 3 questions")

    click = sign.block_action(
        {"action_id": "check_continue", "value": button["value"], "type": "button"},
        message={"ts": "1.1"},
        response_url=slack.fake.response_url("go-on"),
        ephemeral=True,
    )
    await slack.interact(click)
    await slack.settle()
    [intro, first] = slack.fake.calls_to("chat.postMessage")
    assert "A few questions" in intro.text() and _question_key(first) != "stage"  # stage was read

    asked = []
    for _ in range(8):  # at most MAX_FOCUSED questions, never the whole interview
        question = [c for c in slack.fake.calls_to("chat.postMessage") if _question_key(c)][-1]
        if _question_key(question) in asked:
            break
        asked.append(_question_key(question))
        await slack.click(question, "interview_answer_0")  # "Yes"
        await slack.settle()
        last = slack.fake.calls_to("chat.postMessage")[-1]
        if not _question_key(last):
            break
    assert 1 <= len(asked) <= 3
    headers = [b for b in last.params["blocks"] if b["type"] == "header"]
    assert headers and "fractional AI CTO" in headers[0]["text"]["text"]
    assert "you answered yes" in last.text()  # each reason shows the founder's answer


async def test_a_check_in_a_thread_goes_on_right_there(slack: SlackHarness) -> None:
    event = sign.mention(f"check: {PARTIAL}", channel="C1")
    await slack.event(event)
    await slack.settle()
    posts = slack.fake.calls_to("chat.postMessage")
    assert all(p.params.get("thread_ts") == event["ts"] for p in posts)
    assert _question_key(posts[-1]) is not None  # the first missing question, in the thread
    checked = slack.fake.calls_to("chat.update")[0]  # the "Thinking…" placeholder, replaced
    assert "Leaning towards" in checked.text() and "check_continue" not in str(checked.params)
