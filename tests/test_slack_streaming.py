"""Streaming (ADVISOR_STREAM): Claude's text shows up in Slack's placeholder as it is written."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.server import build_app
from graphs.runtime import Advisor
from tests import slack_signing as sign
from tests.conftest import make_settings
from tests.fakes.anthropic_api import FakeMessagesAPI, streamed_text
from tests.fakes.slack_api import FakeSlackApi
from tests.slack_harness import BOT_TOKEN, SlackHarness


@pytest.fixture
async def streaming_slack(
    tmp_path: Path, anthropic_api: FakeMessagesAPI
) -> AsyncIterator[SlackHarness]:
    fake = await FakeSlackApi().start()
    advisor = Advisor.open(
        make_settings(
            tmp_path / "data",
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=sign.SECRET,
            slack_api_url=fake.api_url,
            anthropic_api_key="sk-ant-test",
            anthropic_base_url=anthropic_api.url,
            stream_answers=True,
            llm_max_retries=0,
        )
    )
    http = TestClient(TestServer(build_app(advisor)))
    await http.start_server()
    try:
        yield SlackHarness(fake, http, advisor)
    finally:
        await http.close()
        await fake.close()
        advisor.close()


async def test_partial_text_replaces_the_placeholder_then_the_cited_answer(
    streaming_slack: SlackHarness, anthropic_api: FakeMessagesAPI
) -> None:
    anthropic_api.default = streamed_text("Make one slice <!channel> ", "shippable.")
    await streaming_slack.event(sign.mention("Our first AI pilot stalled after the demo"))
    await streaming_slack.settle()
    [placeholder] = streaming_slack.fake.calls_to("chat.postMessage")
    updates = streaming_slack.fake.calls_to("chat.update", ts=placeholder.ts)
    assert len(updates) >= 2
    assert updates[0].params["text"].endswith(" …")
    assert "<!channel>" not in updates[0].params["text"]  # partial text is escaped too
    assert "[1]" in updates[-1].text() and "Sources" in updates[-1].text()
    assert anthropic_api.bodies[0]["stream"] is True


async def test_without_streaming_the_placeholder_is_replaced_once(
    slack: SlackHarness,
) -> None:
    await slack.event(sign.mention("Our first AI pilot stalled after the demo"))
    await slack.settle()
    [placeholder] = slack.fake.calls_to("chat.postMessage")
    assert len(slack.fake.calls_to("chat.update", ts=placeholder.ts)) == 1
