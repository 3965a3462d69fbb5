"""Claude's answers stream into Slack natively: chat.startStream → appendStream → stopStream
with the cited blocks, in channel threads, DMs and the assistant pane; a Slack that lacks the
methods (or a stream Slack closed) falls back to the placeholder edit, and offline answers,
ready at once, post whole."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from tests import slack_signing as sign
from tests.fakes.anthropic_api import FakeMessagesAPI, Reply, citation, message
from tests.fakes.slack_api import Call
from tests.slack_harness import SlackHarness, slack_app

WORDS = ["Make one ", "slice <!channel> ", "shippable ", "before ", "the next ", "demo."]


def claude_stream(*texts: str) -> Callable[[dict[str, Any]], Reply]:
    """Claude writing `texts` one delta at a time, citing a document it was sent."""

    def reply(body: dict[str, Any]) -> Reply:
        def delta(payload: dict[str, Any]) -> dict[str, Any]:
            return {"type": "content_block_delta", "index": 0, "delta": payload}

        block = {"type": "text", "text": "", "citations": []}
        return Reply(
            stream=[
                {"type": "message_start", "message": message([], input_tokens=3300)},
                {"type": "content_block_start", "index": 0, "content_block": block},
                *(delta({"type": "text_delta", "text": t}) for t in texts),
                delta({"type": "citations_delta", "citation": citation(body, 4, 40)}),
                {"type": "content_block_stop", "index": 0},
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": 9},
                },
                {"type": "message_stop"},
            ]
        )

    return reply


@pytest.fixture
async def streaming(tmp_path: Path, anthropic_api: FakeMessagesAPI) -> AsyncIterator[SlackHarness]:
    """Claude configured, ADVISOR_STREAM on, every delta sent at once (no interval)."""
    anthropic_api.default = claude_stream(*WORDS)
    async with slack_app(
        tmp_path / "data",
        anthropic_api_key="sk-ant-test",
        anthropic_base_url=anthropic_api.url,
        stream_answers=True,
        llm_max_retries=0,
        slack_stream_interval_s=0,
    ) as harness:
        yield harness


def _stream_calls(slack: SlackHarness) -> list[Call]:
    names = ("chat.startStream", "chat.appendStream", "chat.stopStream")
    return [c for c in slack.fake.calls if c.method in names]


def _streamed_text(slack: SlackHarness) -> str:
    return "".join(
        chunk["text"] for c in _stream_calls(slack) for chunk in c.params.get("chunks") or []
    )


async def test_a_claude_answer_streams_start_appends_stop_then_the_cited_answer(
    streaming: SlackHarness, anthropic_api: FakeMessagesAPI
) -> None:
    event = sign.mention("Our first AI pilot stalled after the demo", channel="C1", user="U7")
    await streaming.event(event)
    await streaming.settle()
    fake = streaming.fake

    calls = _stream_calls(streaming)
    methods = [c.method for c in calls]
    assert methods[0] == "chat.startStream" and methods[-1] == "chat.stopStream"
    assert methods.count("chat.appendStream") >= 2 and all(c.status == 200 for c in calls)
    start = calls[0]
    assert start.params["thread_ts"] == event["ts"]  # a thread reply, to the asker
    assert (start.params["recipient_user_id"], start.params["recipient_team_id"]) == ("U7", "T1")
    assert anthropic_api.bodies[0]["stream"] is True
    # Claude's words went out as written, escaped: no channel ping in a stream
    assert _streamed_text(streaming).replace("\u2060", "") == (
        "Make one slice &lt;!channel&gt; shippable before the next demo."
    )
    # the stop carries the cited blocks: sources, the next step, Slack's feedback element
    stop_blocks = calls[-1].params["blocks"]
    assert "*Sources*" in stop_blocks[0]["elements"][0]["text"]
    assert [b["type"] for b in stop_blocks[-2:]] == ["actions", "context_actions"]
    # then the finished answer, with its [n] markers, is written over the streamed text
    stream_ts = fake.streams and next(iter(fake.streams))
    [final] = fake.calls_to("chat.update", ts=stream_ts)
    assert "[1]" in final.text() and final.params["blocks"][-1]["type"] == "context_actions"
    # the placeholder gave way to the stream: one message in the thread, the answer
    [kept] = fake.thread("C1", event["ts"])
    assert kept["ts"] == stream_ts and "[1]" in kept["text"] + str(kept["blocks"])


async def test_a_direct_message_streams_too(streaming: SlackHarness) -> None:
    event = sign.message("Our first AI pilot stalled after the demo", channel="D1")
    await streaming.event(event)
    await streaming.settle()
    methods = [c.method for c in _stream_calls(streaming)]
    assert methods[0] == "chat.startStream" and methods[-1] == "chat.stopStream"
    assert _stream_calls(streaming)[0].params["thread_ts"] == event["ts"]


async def test_the_assistant_pane_streams_under_its_status(streaming: SlackHarness) -> None:
    event = sign.message("Our first AI pilot stalled after the demo", thread_ts="1.000009")
    await streaming.event(event)
    await streaming.settle()
    fake = streaming.fake
    [status] = fake.calls_to("assistant.threads.setStatus")
    assert "Searching the field report…" in status.params["loading_messages"]
    assert fake.calls_to("chat.postMessage") == []  # no placeholder in the pane
    start = _stream_calls(streaming)[0]
    assert start.method == "chat.startStream" and start.params["thread_ts"] == "1.000009"
    assert _stream_calls(streaming)[-1].method == "chat.stopStream"


async def test_a_slack_without_streaming_gets_the_placeholder_edited(
    streaming: SlackHarness,
) -> None:
    streaming.fake.streaming = False  # chat.startStream: unknown_method
    await streaming.event(sign.mention("Our first AI pilot stalled after the demo"))
    await streaming.settle()
    fake = streaming.fake
    [placeholder] = fake.calls_to("chat.postMessage")
    updates = fake.calls_to("chat.update", ts=placeholder.ts)
    assert len(updates) >= 2 and updates[0].params["text"].endswith(" …")
    assert "<!channel>" not in updates[0].params["text"]  # partial text is escaped too
    assert "[1]" in updates[-1].text() and "Sources" in updates[-1].text()
    # the workspace is remembered: the next answer does not try to stream again
    await streaming.event(sign.mention("What should week 1 look like?"))
    await streaming.settle()
    assert [c.method for c in fake.calls].count("chat.startStream") == 1


@pytest.mark.parametrize(
    ("error", "for_the_workspace"),
    [
        ("method_not_supported", True),  # this Slack, token or app cannot stream at all
        ("not_allowed_token_type", True),
        ("missing_scope", True),
        ("channel_type_not_supported", False),  # only here, or only now: try again next time
        ("ratelimited", False),
        ("fatal_error", False),
    ],
)
async def test_a_stream_slack_refuses_to_start_falls_back_to_the_placeholder_edit(
    streaming: SlackHarness, error: str, for_the_workspace: bool
) -> None:
    fake = streaming.fake
    fake.fail("chat.startStream", error=error)
    await streaming.event(sign.mention("Our first AI pilot stalled after the demo"))
    await streaming.settle()
    [placeholder] = fake.calls_to("chat.postMessage")
    updates = fake.calls_to("chat.update", ts=placeholder.ts)
    assert updates[0].params["text"].endswith(" …")  # the text so far, as before streaming
    assert "[1]" in updates[-1].text() and updates[-1].params["blocks"][-1]["type"] == (
        "context_actions"
    )
    assert fake.calls_to("chat.appendStream") == [] and fake.streams == {}

    await streaming.event(sign.mention("What should week 1 look like?"))
    await streaming.settle()
    starts = [c for c in fake.calls if c.method == "chat.startStream"]
    assert len(starts) == (1 if for_the_workspace else 2)
    assert bool(fake.streams) is not for_the_workspace


async def test_a_connection_lost_at_the_start_falls_back_to_the_placeholder_edit(
    streaming: SlackHarness,
) -> None:
    streaming.fake.fail("chat.startStream", body="reset", times=2)  # the client retries once
    await streaming.event(sign.mention("Our first AI pilot stalled after the demo"))
    await streaming.settle()
    [placeholder] = streaming.fake.calls_to("chat.postMessage")
    final = streaming.fake.calls_to("chat.update", ts=placeholder.ts)[-1]
    assert "[1]" in final.text() and "Sources" in final.text()


async def test_a_stream_slack_closed_is_finished_with_chat_update(
    streaming: SlackHarness,
) -> None:
    streaming.fake.stream_lifetime_s = 0  # every append after the start: not streaming
    await streaming.event(sign.mention("Our first AI pilot stalled after the demo"))
    await streaming.settle()
    fake = streaming.fake
    [stream_ts] = list(fake.streams)
    refused = [c for c in fake.calls if c.method == "chat.appendStream"]
    assert len(refused) == 1 and refused[0].status == 400  # one try, then no more appends
    [final] = fake.calls_to("chat.update", ts=stream_ts)
    assert "[1]" in final.text() and final.params["blocks"][-1]["type"] == "context_actions"


async def test_a_stream_the_user_stopped_gets_nothing_more(streaming: SlackHarness) -> None:
    fake = streaming.fake
    arrived = fake.hold("chat.appendStream")
    await streaming.event(sign.mention("Our first AI pilot stalled after the demo"))
    await arrived.wait()
    [stream_ts] = list(fake.streams)
    fake.stop_stream(stream_ts)  # the user pressed Stop while we were appending
    fake.release()
    await streaming.settle()
    assert fake.calls_to("chat.stopStream") == []
    assert fake.calls_to("chat.update", ts=stream_ts) == []


async def test_offline_answers_post_whole_even_with_streaming_on(tmp_path: Path) -> None:
    async with slack_app(tmp_path / "data", stream_answers=True) as slack:
        await slack.event(sign.mention("Our first AI pilot stalled after the demo"))
        await slack.settle()
        assert _stream_calls(slack) == []
        [placeholder] = slack.fake.calls_to("chat.postMessage")
        [answer] = slack.fake.calls_to("chat.update", ts=placeholder.ts)
        assert "Sources" in answer.text()


async def test_without_streaming_the_placeholder_is_replaced_once(slack: SlackHarness) -> None:
    await slack.event(sign.mention("Our first AI pilot stalled after the demo"))
    await slack.settle()
    [placeholder] = slack.fake.calls_to("chat.postMessage")
    assert len(slack.fake.calls_to("chat.update", ts=placeholder.ts)) == 1
