"""The Slack app under test: our real aiohttp server and Bolt app over loopback HTTP, driven by
signed requests, talking to the loopback fake Web API."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from bot.server import SLACK_KEY, build_app
from graphs.runtime import Advisor
from tests import slack_signing as sign
from tests.conftest import make_settings
from tests.fakes.slack_api import Call, FakeSlackApi

BOT_TOKEN = "xoxb-test-0000-not-a-real-token"


class SlackHarness:
    def __init__(self, fake: FakeSlackApi, http: TestClient, advisor: Advisor) -> None:
        self.fake, self.http, self.advisor = fake, http, advisor

    async def settle(self) -> None:
        """Wait until the work started after every ack so far has finished: Bolt's listeners
        (which run after the ack) and the jobs they handed to our workers."""
        workers = self.http.server.app[SLACK_KEY].services.workers
        for _ in range(50):
            listeners = [t for t in asyncio.all_tasks() if _is_bolt_listener(t)]
            if not listeners and not workers.busy:
                return
            await asyncio.gather(*listeners, return_exceptions=True)
            await workers.drain(grace_s=20)

    async def post(self, body: bytes, headers: dict[str, str]) -> ClientResponse:
        return await self.http.post("/slack/events", data=body, headers=headers)

    async def event(self, event: dict[str, Any], **kw: Any) -> ClientResponse:
        retry = kw.pop("retry_num", None)
        body = sign.event_body(event, **kw)
        headers = sign.signed_headers(body, json_body=True)
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.post(body, headers)

    async def command(self, command: str, text: str, **kw: Any) -> ClientResponse:
        kw.setdefault("response_url", self.fake.response_url())
        body = sign.command_body(command, text, **kw)
        return await self.post(body, sign.signed_headers(body, json_body=False))

    async def interact(self, payload: dict[str, Any]) -> ClientResponse:
        body = sign.interactive_body(payload)
        return await self.post(body, sign.signed_headers(body, json_body=False))

    async def click(
        self, posted: Call, action_id: str, *, negative: bool = False, **kw: Any
    ) -> ClientResponse:
        """Click the element `action_id` of a message the bot posted (as the fake saw it); on
        feedback buttons the positive one, or the negative one with `negative`."""
        action = _clicked(_find_element(posted.params["blocks"], action_id), negative)
        message = {"ts": posted.ts, "thread_ts": posted.params.get("thread_ts"), "text": "…"}
        kw.setdefault("channel", posted.params.get("channel", "C1"))
        payload = sign.block_action(
            {"action_id": action_id, "block_id": "b", **action},
            message=message,
            response_url=kw.pop("response_url", self.fake.response_url("click")),
            **kw,
        )
        return await self.interact(payload)


def _is_bolt_listener(task: asyncio.Task[Any]) -> bool:
    code = getattr(task.get_coro(), "cr_code", None)
    return code is not None and code.co_name == "run_ack_function_asynchronously"


def _find_element(blocks: list[dict[str, Any]], action_id: str) -> dict[str, Any]:
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no element {action_id!r} in {blocks}")


def _clicked(element: dict[str, Any], negative: bool = False) -> dict[str, Any]:
    """What Slack sends for a click on `element`."""
    if element["type"] == "static_select":
        return {"type": "static_select", "selected_option": element["options"][0]}
    if element["type"] == "feedback_buttons":  # the value of the button that was pressed
        pressed = element["negative_button" if negative else "positive_button"]
        return {"type": "feedback_buttons", "value": pressed["value"]}
    return {"type": "button", "value": element.get("value", "")}


@contextlib.asynccontextmanager
async def slack_app(data_dir: Path, **overrides: Any) -> AsyncIterator[SlackHarness]:
    """The app on loopback with the fake Web API; `overrides` are Settings fields."""
    fake = await FakeSlackApi().start()
    options: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": sign.SECRET,
        "slack_api_url": fake.api_url,
        "slack_note_channels": ["CNOTES"],
    }
    advisor = Advisor.open(make_settings(data_dir, **(options | overrides)))
    http = TestClient(TestServer(build_app(advisor)))
    await http.start_server()
    try:
        yield SlackHarness(fake, http, advisor)
    finally:
        await http.close()
        await fake.close()
        await advisor.aclose()


@pytest.fixture
async def slack(tmp_path: Path) -> AsyncIterator[SlackHarness]:
    async with slack_app(tmp_path / "data") as harness:
        yield harness
