"""Faults in the middle of an interview answer never leave the thread stuck.

Each Slack call an answer makes (editing the answered question, posting the next one) fails
once, as Slack or a proxy in front of it fails: a JSON 500, an HTML 503, a plain-text 503, a
call that hangs past the client's timeout, a dropped connection. Then the user does the next
thing a person would (clicks again, types an answer, says "restart"): the thread must show
the question the interview is really at, every action gets a reply, and no answer is lost.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.slack.threads import thread_key
from graphs.models import Facts
from tests import slack_signing as sign
from tests.fakes.slack_api import Call
from tests.slack_harness import SlackHarness, slack_app

FAILURES = ["json", "html", "text", "hang", "reset"]
METHODS = ["chat.update", "chat.postMessage"]
NEXT_ACTIONS = ["click", "words", "restart"]
CASES = [
    (method, body, action)
    for (method, body), action in zip(
        itertools.product(METHODS, FAILURES), itertools.cycle(NEXT_ACTIONS), strict=False
    )
]


@pytest.fixture
async def slack(tmp_path: Path) -> AsyncIterator[SlackHarness]:
    async with slack_app(tmp_path / "data", slack_timeout_s=1) as harness:
        yield harness


def _question_key(call: Call) -> str | None:
    for block in call.params.get("blocks", []):
        if block.get("block_id", "").startswith("interview:"):
            return block["block_id"].split(":", 1)[1]
    return None


def _questions(slack: SlackHarness) -> list[Call]:
    return [c for c in slack.fake.calls_to("chat.postMessage") if _question_key(c)]


async def _open_key(slack: SlackHarness, key: str) -> str | None:
    turn = await slack.advisor.interviews.pending(key)
    return turn.question.key if turn and turn.question else None


async def _facts(slack: SlackHarness, key: str) -> Facts:
    facts = await slack.advisor.interviews.facts(key)
    assert facts is not None
    return facts


async def _start(slack: SlackHarness) -> tuple[str, str, Call]:
    event = sign.mention("assess", channel="C1")
    await slack.event(event)
    [question] = await slack.fake.wait_for("chat.postMessage", where=_question_key)
    await slack.settle()
    return thread_key("T1", "C1", event["ts"]), event["ts"], question


def _replies(slack: SlackHarness) -> int:
    """Everything the user can see arrive: thread messages and ephemeral replies."""
    return len(slack.fake.calls_to("chat.postMessage")) + len(slack.fake.calls_to("response_url"))


async def _next_action(slack: SlackHarness, action: str, thread_ts: str, first: Call) -> None:
    if action == "click":  # the user clicks the only question they can see again
        await slack.click(first, "interview_answer_0")
    else:
        text = "yes" if action == "words" else "restart"
        await slack.event(
            sign.message(text, channel="C1", channel_type="channel", thread_ts=thread_ts)
        )
    await slack.settle()


@pytest.mark.parametrize(("method", "body", "action"), CASES)
async def test_a_failed_call_while_answering_never_sticks_the_interview(
    slack: SlackHarness, method: str, body: str, action: str
) -> None:
    key, thread_ts, first = await _start(slack)
    slack.fake.fail(method, status=500, error="internal_error", body=body)  # type: ignore[arg-type]

    await slack.click(first, "interview_answer_0")  # "Seed"
    await slack.settle()
    assert (await _facts(slack, key)).stage == "seed", "the answer was filed"

    before = _replies(slack)
    await _next_action(slack, action, thread_ts, first)
    assert _replies(slack) > before, "every user action gets a reply"

    open_key = await _open_key(slack, key)
    assert open_key is not None
    assert _question_key(_questions(slack)[-1]) == open_key, "the thread shows the open question"
    if action != "restart":
        assert (await _facts(slack, key)).stage == "seed", "nothing was lost"
    await _click_through(slack, key)


async def _click_through(slack: SlackHarness, key: str) -> None:
    """From wherever it is, the interview still reaches a recommendation."""
    for _ in range(25):
        question = _questions(slack)[-1]
        await slack.click(question, "interview_answer_1")  # "No" (or Series A/B)
        await slack.settle()
        if await _open_key(slack, key) is None:
            break
    last = slack.fake.calls_to("chat.postMessage")[-1]
    assert any(b["type"] == "header" for b in last.params["blocks"]), "a recommendation"


async def test_a_double_click_posts_the_next_question_once(slack: SlackHarness) -> None:
    key, _ts, first = await _start(slack)
    await slack.click(first, "interview_answer_0")
    await slack.click(first, "interview_answer_1")
    await slack.settle()
    assert [_question_key(q) for q in _questions(slack)] == ["stage", await _open_key(slack, key)]
    assert (await _facts(slack, key)).stage == "seed"  # the first click won, once
    assert "already been answered" in slack.fake.calls_to("response_url")[-1].params["text"]


async def test_a_plain_text_outage_page_still_gets_the_user_an_apology(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    slack.fake.fail("chat.update", body="text")
    await slack.event(sign.mention("Do we need a fractional AI CTO?"))
    await slack.settle()
    assert "slack chat.update failed in slack.mention: http_503" in caplog.text
    assert slack.fake.calls_to("chat.postMessage")[-1].params["text"].startswith("Sorry")
