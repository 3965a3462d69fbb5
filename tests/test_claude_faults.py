"""Every Claude failure ends in the offline answer, degraded, within the deadline."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from graphs.llm import ClaudeComposer, make_client
from graphs.qa.compose_offline import OfflineComposer
from graphs.runtime import Advisor
from knowledge.settings import Settings
from tests.conftest import make_settings
from tests.fakes.anthropic_api import (
    FakeMessagesAPI,
    Reply,
    citation,
    error,
    message,
    streamed_text,
)

QUESTION = "Our first AI pilot stalled after the demo, what now?"


def ok(body: dict) -> Reply:
    return Reply(
        body=message(
            [
                {
                    "type": "text",
                    "text": "Make one slice shippable.",
                    "citations": [citation(body, 4, 40)],
                }
            ]
        )
    )


@pytest.fixture
def advisor_llm(claude_settings: Settings):
    adv = Advisor.open(claude_settings)
    yield adv
    adv.close()


async def test_429_is_retried_by_the_sdk_then_answered(
    advisor_llm: Advisor, anthropic_api: FakeMessagesAPI
) -> None:
    anthropic_api.script = [error(429, "rate_limit_error", retry_after="0")]
    anthropic_api.default = ok
    answer = await advisor_llm.ask(QUESTION, None)
    assert answer.mode == "llm" and not answer.degraded
    assert len(anthropic_api.requests) == 2


@pytest.mark.parametrize(
    ("status", "kind"), [(529, "overloaded_error"), (500, "api_error"), (503, "api_error")]
)
async def test_persistent_server_errors_fall_back_offline(
    advisor_llm: Advisor, anthropic_api: FakeMessagesAPI, status: int, kind: str
) -> None:
    anthropic_api.default = lambda body: error(status, kind, retry_after="0")
    answer = await advisor_llm.ask(QUESTION, None)
    assert answer.mode == "offline" and answer.degraded and answer.citations
    assert answer.notice and "Claude was unavailable" in answer.notice
    assert len(anthropic_api.requests) == 2  # one try + llm_max_retries=1, no extra layer


@pytest.mark.parametrize(
    ("status", "kind"), [(400, "invalid_request_error"), (401, "authentication_error")]
)
async def test_client_errors_are_not_retried(
    advisor_llm: Advisor, anthropic_api: FakeMessagesAPI, status: int, kind: str
) -> None:
    anthropic_api.default = lambda body: error(status, kind)
    answer = await advisor_llm.ask(QUESTION, None)
    assert answer.degraded and len(anthropic_api.requests) == 1


async def test_malformed_json_falls_back(
    advisor_llm: Advisor, anthropic_api: FakeMessagesAPI
) -> None:
    anthropic_api.default = lambda body: Reply(body='{"id": "msg", "content": [')
    answer = await advisor_llm.ask(QUESTION, None)
    assert answer.degraded and answer.mode == "offline"


async def test_a_slow_claude_never_pushes_past_the_deadline(
    tmp_path: Path, anthropic_api: FakeMessagesAPI
) -> None:
    settings = make_settings(
        tmp_path / "d",
        anthropic_api_key="sk-ant-test",
        anthropic_base_url=anthropic_api.url,
        answer_deadline_s=1.5,
        llm_max_retries=2,
    )
    adv = Advisor.open(settings)
    await adv.warm_up()  # as `advisor serve` does before it listens
    anthropic_api.default = lambda body: Reply(body=message([]), delay=10)
    started = time.monotonic()
    answer = await adv.ask(QUESTION, None)
    elapsed = time.monotonic() - started
    assert answer.degraded and elapsed <= settings.answer_deadline_s + 1.0
    await adv.aclose()


async def test_connection_refused_falls_back(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before use: nothing listens there
    settings = make_settings(
        tmp_path / "d",
        anthropic_api_key="sk-ant-test",
        anthropic_base_url=f"http://127.0.0.1:{port}",
        answer_deadline_s=5,
        llm_max_retries=1,
    )
    adv = Advisor.open(settings)
    answer = await adv.ask(QUESTION, None)
    assert answer.degraded and answer.citations
    adv.close()


async def test_streaming_yields_deltas_then_the_cited_answer(
    claude_settings: Settings, anthropic_api: FakeMessagesAPI, advisor_llm: Advisor
) -> None:
    anthropic_api.default = streamed_text("Make one slice ", "shippable.")
    composer = ClaudeComposer(
        claude_settings,
        make_client(claude_settings),
        OfflineComposer(claude_settings.data_dir / "models" / "wordllama"),
    )
    passages = advisor_llm.index.retrieve_for_tenant(QUESTION, None)
    items = [item async for item in composer.stream(QUESTION, passages, tenant=None)]
    *deltas, final = items
    assert deltas == ["Make one slice ", "shippable."]
    assert final.mode == "llm" and final.answer == "Make one slice shippable. [1]"
    assert anthropic_api.bodies[0]["stream"] is True
