"""The loopback Web API answers the methods our Slack face relies on as Slack does, errors
included, when driven by the real slack_sdk client (what the other Slack tests trust)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack_api import FakeSlackApi

Api = tuple[FakeSlackApi, AsyncWebClient]


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    fake = await FakeSlackApi().start()
    try:
        yield fake, AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
    finally:
        await fake.close()


async def _error(call: object) -> str:
    with pytest.raises(SlackApiError) as raised:
        await call  # type: ignore[misc]
    return str(raised.value.response["error"])


async def test_a_stream_starts_appends_and_stops_through_chat_stream(api: Api) -> None:
    fake, client = api
    streamer = await client.chat_stream(
        buffer_size=1, channel="C1", thread_ts="1.1", recipient_team_id="T1", recipient_user_id="U1"
    )
    await streamer.append(markdown_text="Hello ")
    await streamer.append(markdown_text="world")

    def vote(text: str) -> dict:
        return {"text": {"type": "plain_text", "text": text}, "value": text}

    buttons = {"type": "feedback_buttons", "action_id": "f"}
    buttons |= {"positive_button": vote("Y"), "negative_button": vote("N")}
    feedback = {"type": "context_actions", "elements": [buttons]}
    await streamer.stop(blocks=[feedback])
    [stream] = fake.streams.values()
    assert (stream.text, stream.state, stream.appends) == ("Hello world", "stopped", 1)
    assert fake.thread("C1", "1.1")[0]["blocks"][-1]["type"] == "context_actions"
    # a stopped stream takes nothing more
    stop = client.chat_stopStream(channel="C1", ts=stream.ts)
    assert await _error(stop) == "message_not_in_streaming_state"


async def test_streaming_errors_are_slacks(api: Api) -> None:
    fake, client = api
    chunks = [{"type": "markdown_text", "text": "x"}]
    start = client.chat_startStream(channel="C1", thread_ts="1.1", chunks=chunks)
    assert await _error(start) == "missing_recipient_user_id"  # a channel needs the recipient
    dm = await client.chat_startStream(channel="D1", thread_ts="1.1", chunks=chunks)
    long = [{"type": "markdown_text", "text": "x" * 12_001}]
    append = client.chat_appendStream(channel="D1", ts=dm["ts"], chunks=long)
    assert await _error(append) == "msg_too_long"
    bad = client.chat_stopStream(channel="D1", ts=dm["ts"], blocks=[{"type": "nonsense"}])
    assert await _error(bad) == "invalid_blocks"
    fake.stop_stream(dm["ts"])
    stopped = client.chat_appendStream(channel="D1", ts=dm["ts"], chunks=chunks)
    assert await _error(stopped) == "stopped_by_user"
    fake.streaming = False
    assert await _error(client.chat_startStream(channel="D1", thread_ts="1", chunks=chunks)) == (
        "unknown_method"
    )


async def test_views_status_title_and_messages_are_checked(api: Api) -> None:
    fake, client = api
    home = {
        "type": "home",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}}],
    }
    published = await client.views_publish(user_id="U1", view=home)
    assert fake.home_views["U1"]["hash"] == published["view"]["hash"]
    stale = client.views_publish(user_id="U1", view=home, hash="h-old")
    assert await _error(stale) == "hash_conflict"
    modal = client.views_publish(user_id="U1", view={**home, "type": "modal"})
    assert await _error(modal) == "invalid_arguments"
    too_many = client.assistant_threads_setStatus(
        channel_id="D1", thread_ts="1.1", status="is thinking…", loading_messages=["…"] * 11
    )
    assert await _error(too_many) == "invalid_arguments"
    untitled = client.assistant_threads_setTitle(channel_id="D1", thread_ts="1.1", title="")
    assert await _error(untitled) == "invalid_arguments"
    await client.assistant_threads_setTitle(channel_id="D1", thread_ts="1.1", title="Week 1")
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    assert await _error(client.chat_postMessage(channel="C1", text="t", blocks=blocks)) == (
        "invalid_blocks"
    )
    sixty = [{"type": "divider"}] * 51
    assert await _error(client.chat_postMessage(channel="C1", text="t", blocks=sixty)) == (
        "invalid_blocks"
    )
