"""`kill -9` of the server at each step of an interview answer, on SQLite and PostgreSQL.

A real `advisor serve` process answers a real interview over loopback (Slack is the fake Web
API). At each step of an answer it is killed: right after the ack, while it posts the next
question, while it edits the answered one, and while a typed answer is being handled (then
Slack retries the event after the restart). After every restart the user does the next thing
a person would; the thread must show the question the interview is really at, every action
gets a reply, and every answer given so far is still filed, exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.slack.threads import thread_key
from graphs.assessment.graph import build_assessment_graph
from graphs.checkpoint import open_checkpointer
from graphs.models import Facts
from knowledge.settings import Settings
from tests import slack_signing as sign
from tests.fakes.slack_api import Call, FakeSlackApi
from tests.servers import free_port, wait_http

BOT_TOKEN = "xoxb-test-0000-not-a-real-token"
LEASE_S = 1.0


class Server:
    """`advisor serve` as a child process that the test can kill and start again."""

    def __init__(self, data_dir: Path, fake: FakeSlackApi, database_url: str | None) -> None:
        self.data_dir, self.port = data_dir, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        clean = {
            k: v
            for k, v in os.environ.items()
            if k == "ADVISOR_CACHE_DIR"
            or not k.startswith(("ADVISOR_", "SLACK_", "ANTHROPIC_", "CHROMA_", "Microsoft"))
        }
        self.env = clean | {
            "ADVISOR_DATA_DIR": str(data_dir),
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": sign.SECRET,
            "SLACK_API_URL": fake.api_url,
            "ADVISOR_DIGEST_SCHEDULER": "false",
            "ADVISOR_EVENT_LEASE_S": str(LEASE_S),
        }
        if database_url:
            self.env["ADVISOR_DATABASE_URL"] = database_url
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    async def start(self) -> None:
        self.starts += 1
        log = (self.data_dir.parent / f"serve-{self.starts}.log").open("w")
        self.proc = await asyncio.to_thread(
            subprocess.Popen,
            [sys.executable, "-m", "bot.cli", "serve", "--port", str(self.port)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        await asyncio.to_thread(wait_http, f"{self.url}/readyz", 90)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


class Interview:
    """One interview thread driven through signed requests, read back from the checkpoint."""

    def __init__(self, server: Server, fake: FakeSlackApi, http: aiohttp.ClientSession) -> None:
        self.server, self.fake, self.http = server, fake, http
        self.thread_ts = ""
        self.settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            data_dir=server.data_dir,
            database_url=server.env.get("ADVISOR_DATABASE_URL"),
        )

    @property
    def key(self) -> str:
        return thread_key("T1", "C1", self.thread_ts)

    async def post(self, body: bytes, *, json_body: bool, retry: int | None = None) -> int:
        headers = sign.signed_headers(body, json_body=json_body)
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        async with self.http.post(
            f"{self.server.url}/slack/events", data=body, headers=headers
        ) as response:
            return response.status

    async def start(self) -> None:
        event = sign.mention("assess", channel="C1")
        self.thread_ts = event["ts"]
        assert await self.post(sign.event_body(event), json_body=True) == 200
        await self.fake.wait_for("chat.postMessage", where=_question_key, within_s=30)
        await self.quiet()

    async def click(self, question: Call, choice: int) -> int:
        block = next(b for b in question.params["blocks"] if _question_key_of(b))
        element = block["elements"][choice]
        payload = sign.block_action(
            {
                "action_id": element["action_id"],
                "block_id": "b",
                "type": "button",
                "value": element["value"],
            },
            message={"ts": question.ts, "thread_ts": self.thread_ts, "text": "…"},
            response_url=self.fake.response_url("click"),
        )
        return await self.post(sign.interactive_body(payload), json_body=False)

    def typed(self, text: str, event_id: str) -> bytes:
        event = sign.message(text, channel="C1", channel_type="channel", thread_ts=self.thread_ts)
        return sign.event_body(event, event_id=event_id)

    async def quiet(self, seconds: float = 0.6) -> None:
        """Wait until the server has stopped talking to Slack for a moment."""
        seen = -1
        while seen != len(self.fake.calls):
            seen = len(self.fake.calls)
            await asyncio.sleep(seconds)

    async def state(self) -> tuple[str | None, Facts]:
        """(the open question's key, the facts filed so far), read from the checkpoint."""
        async with AsyncExitStack() as stack:
            saver = await open_checkpointer(self.settings, stack)
            graph = build_assessment_graph().compile(checkpointer=saver)
            snapshot = await graph.aget_state({"configurable": {"thread_id": self.key}})
        open_key = snapshot.interrupts[0].value["question"]["key"] if snapshot.interrupts else None
        return open_key, Facts.model_validate(snapshot.values["facts"])

    def questions(self) -> list[Call]:
        return [c for c in self.fake.calls_to("chat.postMessage") if _question_key(c)]

    def replies(self) -> int:
        return len(self.fake.calls_to("chat.postMessage")) + len(self.fake.calls_to("response_url"))

    async def assert_recovered(self, filed: dict[str, Any], before: int) -> None:
        """The thread recovers: checked again after each quiet moment for up to 30 s, because a
        server starved of CPU can fall silent for longer than one quiet moment mid-recovery."""
        deadline = asyncio.get_running_loop().time() + 30
        while True:
            await self.quiet()
            try:
                return await self._recovered(filed, before)
            except AssertionError:
                if asyncio.get_running_loop().time() > deadline:
                    raise

    async def _recovered(self, filed: dict[str, Any], before: int) -> None:
        open_key, facts = await self.state()
        assert self.replies() > before, "the user's action got a reply"
        assert _question_key(self.questions()[-1]) == open_key, "the thread shows the open question"
        known = {"stage": facts.stage, **facts.signals}
        assert {k: known.get(k) for k in filed} == filed, "no answer lost or filed twice"


def _question_key_of(block: dict[str, Any]) -> str | None:
    block_id = block.get("block_id", "")
    return block_id.split(":", 1)[1] if block_id.startswith("interview:") else None


def _question_key(call: Call) -> str | None:
    return next(filter(None, map(_question_key_of, call.params.get("blocks", []))), None)


@pytest.fixture
async def world(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Interview]:
    database_url = request.getfixturevalue("postgres_url") if request.param else None
    fake = await FakeSlackApi().start()
    server = Server(tmp_path / "data", fake, database_url)
    await server.start()
    async with aiohttp.ClientSession() as http:
        try:
            yield Interview(server, fake, http)
        finally:
            server.stop()
            await fake.close()


async def _kill_while(it: Interview, method: str, action: Any) -> None:
    """Hold Slack's answer to `method`, do `action`, and kill the server while it waits."""
    arrived = it.fake.hold(method)
    assert await action() == 200
    await asyncio.wait_for(arrived.wait(), 30)
    it.server.kill()
    it.fake.release()
    await it.server.start()


BACKENDS = [
    pytest.param(False, id="sqlite"),
    pytest.param(True, id="postgres", marks=pytest.mark.postgres),
]


@pytest.mark.parametrize("world", BACKENDS, indirect=True)
async def test_an_interview_survives_a_kill_at_every_step_of_an_answer(world: Interview) -> None:
    it = world
    await it.start()
    filed: dict[str, Any] = {}

    # 1. killed right after the ack of a click ("Seed"): the next click finishes the step
    first = it.questions()[-1]
    assert await it.click(first, 0) == 200
    it.server.kill()
    await it.server.start()
    before = it.replies()
    await it.click(first, 0)
    filed["stage"] = "seed"
    await it.assert_recovered(filed, before)

    # 2. killed while posting the next question: a click on the old one posts it
    question = it.questions()[-1]
    await _kill_while(it, "chat.postMessage", lambda: it.click(question, 0))  # "Yes"
    filed[_question_key(question)] = True
    before = it.replies()
    await it.click(question, 0)
    await it.assert_recovered(filed, before)

    # 3. killed while marking the answered question: the thread goes on with typed words
    question = it.questions()[-1]
    await _kill_while(it, "chat.update", lambda: it.click(question, 1))  # "No"
    filed[_question_key(question)] = False
    shown = it.questions()[-1]  # the next question went out before the edit
    assert shown.ts != question.ts
    before = it.replies()
    assert await it.post(it.typed("no", "EvTYPED1"), json_body=True) == 200
    filed[_question_key(shown)] = False
    await it.assert_recovered(filed, before)

    # 4. killed while a typed answer is handled: Slack's retry after the restart finishes it
    question = it.questions()[-1]
    body = it.typed("yes", "EvTYPED2")
    await _kill_while(it, "chat.postMessage", lambda: it.post(body, json_body=True))
    filed[_question_key(question)] = True
    await asyncio.sleep(LEASE_S + 0.5)  # the dead worker's lease runs out
    before = it.replies()
    assert await it.post(body, json_body=True, retry=1) == 200
    await it.assert_recovered(filed, before)

    # 5. killed right after the ack of a typed answer: the retry files it (or, had the work
    # finished before the kill, is dropped: the reply went out either way)
    question = it.questions()[-1]
    body = it.typed("no", "EvTYPED3")
    before = it.replies()
    assert await it.post(body, json_body=True) == 200
    it.server.kill()
    await it.server.start()
    await asyncio.sleep(LEASE_S + 0.5)
    assert await it.post(body, json_body=True, retry=1) == 200
    filed[_question_key(question)] = False
    await it.assert_recovered(filed, before)

    # the retry of work that did finish is still dropped: nothing is filed twice
    posted = len(it.fake.calls_to("chat.postMessage"))
    assert await it.post(body, json_body=True, retry=2) == 200
    await it.quiet()
    assert len(it.fake.calls_to("chat.postMessage")) == posted
