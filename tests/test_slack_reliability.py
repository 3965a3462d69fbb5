"""Acks first; retries and duplicates answered once; rate limits honoured; errors apologised."""

from __future__ import annotations

import time

from tests import slack_signing as sign
from tests.slack_harness import SlackHarness


async def test_retried_event_is_answered_once(slack: SlackHarness) -> None:
    event = sign.mention("Do we need a fractional AI CTO?")
    first = await slack.event(event, event_id="EvSAME")
    retries = [await slack.event(event, event_id="EvSAME", retry_num=n) for n in (1, 2, 3)]
    await slack.settle()
    assert first.status == 200 and all(r.status == 200 for r in retries)
    assert len(slack.fake.calls_to("chat.postMessage")) == 1
    assert len(slack.fake.calls_to("chat.update")) == 1


async def test_duplicate_event_id_is_answered_once_across_app_instances(
    slack: SlackHarness,
) -> None:
    """The claim is in the database: a second replica (a second app) drops the duplicate too."""
    from aiohttp.test_utils import TestClient, TestServer

    from bot.server import build_app

    replica = TestClient(TestServer(build_app(slack.advisor)))
    await replica.start_server()
    try:
        event = sign.mention("What should week 1 look like?")
        body = sign.event_body(event, event_id="EvTWICE")
        for client in (slack.http, replica):
            await client.post(
                "/slack/events", data=body, headers=sign.signed_headers(body, json_body=True)
            )
        await slack.settle()
        await slack.fake.wait_for("chat.update")
    finally:
        await replica.close()
    assert len(slack.fake.calls_to("chat.postMessage")) == 1


async def test_events_are_acknowledged_before_the_answer_is_ready(slack: SlackHarness) -> None:
    started = time.perf_counter()
    response = await slack.event(sign.mention("Do we need a fractional AI CTO?"))
    acked = time.perf_counter() - started
    assert response.status == 200 and acked < 3.0
    await slack.fake.wait_for("chat.update")


async def test_unhandled_event_types_are_acknowledged_not_retried(slack: SlackHarness) -> None:
    response = await slack.event({"type": "reaction_added", "user": "U1", "reaction": "x"})
    assert response.status == 200


async def test_rate_limited_call_is_retried_after_retry_after(slack: SlackHarness) -> None:
    slack.fake.fail("chat.postMessage", retry_after=1)
    started = time.monotonic()
    await slack.event(sign.mention("Do we need a fractional AI CTO?"))
    [placeholder] = await slack.fake.wait_for("chat.postMessage")
    limited = [c for c in slack.fake.calls if c.method == "chat.postMessage" and c.status == 429]
    assert len(limited) == 1
    assert placeholder.at - limited[0].at >= 0.9
    await slack.fake.wait_for("chat.update")
    assert time.monotonic() - started >= 1.0


async def test_web_api_error_is_logged_and_the_user_gets_an_apology(
    slack: SlackHarness, caplog
) -> None:
    slack.fake.fail("chat.update", error="msg_too_long")
    await slack.event(sign.mention("Do we need a fractional AI CTO?"))
    await slack.settle()
    assert "slack chat.update failed in slack.mention: msg_too_long" in caplog.text
    posts = slack.fake.calls_to("chat.postMessage")
    assert posts[-1].params["text"].startswith("Sorry, something went wrong")
    assert "xoxb-" not in caplog.text
