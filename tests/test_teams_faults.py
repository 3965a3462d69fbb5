"""Every call to the Bot Framework connector failing the ways real ones do (a JSON 500, an HTML
503 from a proxy, plain text, a hang): the inbound request still gets a non-5xx answer, the
failure is logged with the request id, the attempts stay bounded, and the next message in the
conversation is answered normally."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.observability import SecretScrubber
from bot.server import build_app
from bot.teams.digest import send_proactive
from bot.teams.routes import TEAMS_KEY
from graphs.digest_schedule import DeliveryError
from graphs.runtime import Advisor
from tests.conftest import make_settings
from tests.fakes.bot_connector import FAULTS, FakeConnector, card_buttons

KINDS = [*FAULTS, "timeout"]
AAD = "aad-northwind"
_ids = itertools.count(1)


class Conversation:
    def __init__(self, http: TestClient, connector: FakeConnector) -> None:
        self.http, self.connector = http, connector

    async def send(self, **fields: Any) -> int:
        body = {
            "type": "message",
            "id": f"in-{next(_ids)}",
            "channelId": "msteams",
            "serviceUrl": self.connector.url,
            "from": {"id": "29:user", "name": "Lena"},
            "recipient": {"id": "28:bot", "name": "Advisor"},
            "conversation": {"id": "conv-f", "conversationType": "personal"},
            "channelData": {"tenant": {"id": AAD}},
        } | fields
        async with self.http.post("/api/messages", json=body) as response:
            return response.status

    def answers(self) -> list[str]:
        return self.connector.answers()


@pytest.fixture
async def chat(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[Conversation]:
    caplog.handler.addFilter(SecretScrubber([]))  # stamps each record with the request id
    connector = await FakeConnector().start()
    connector.stall_s = 1.0
    settings = make_settings(tmp_path / "data", teams_send_timeout_s=0.3, teams_send_retries=1)
    advisor = Advisor.open(settings)
    advisor.tenants.add("northwind", teams_tenant=AAD)
    http = TestClient(TestServer(build_app(advisor)))
    await http.start_server()
    try:
        yield Conversation(http, connector)
    finally:
        await http.close()
        await connector.close()
        advisor.close()


def failure_records(caplog: pytest.LogCaptureFixture) -> list[Any]:
    return [r for r in caplog.records if r.name.startswith("bot.teams") and r.levelname == "ERROR"]


@pytest.mark.parametrize("kind", KINDS)
async def test_a_failed_reply_is_logged_and_the_next_message_is_answered(
    chat: Conversation, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    chat.connector.fail(kind)
    assert await chat.send(text="Our pilot stalled after the demo, what now?") in (200, 201)
    attempts = len(chat.connector.attempts)
    assert 1 <= attempts <= 4  # the answer and the apology, at most one retry each
    [failed, *_] = failure_records(caplog)
    assert failed.request_id and "teams turn failed" in failed.getMessage()

    chat.connector.heal()
    assert await chat.send(text="Should we hire a full-time CTO?") in (200, 201)
    assert len(chat.answers()) == 1
    async with chat.http.get("/healthz") as health:
        assert health.status == 200


@pytest.mark.parametrize("kind", ["json-500", "timeout"])
async def test_an_interview_click_during_an_outage_is_answered_after_it(
    chat: Conversation, kind: str
) -> None:
    await chat.send(text="assess")
    answer = card_buttons(chat.connector.cards()[-1])[0]
    chat.connector.fail(kind)
    assert await chat.send(text="", value=answer["data"], replyToId="act-1") in (200, 201)

    chat.connector.heal()
    assert await chat.send(text="restart") in (200, 201)
    assert "1/" in str(chat.connector.cards()[-1])  # the interview is asked again, not stuck


async def test_an_action_execute_during_an_outage_is_a_card_error_then_goes_on(
    chat: Conversation,
) -> None:
    """The next question is posted below the clicked card: with the connector down the click
    gets Universal Actions' error answer (HTTP 200, never a 5xx), and after it the same click
    goes on."""
    chat.connector.fail("html-503")
    value = {"action": {"type": "Action.Execute", "data": {"advisor": "assess"}}}
    body = {
        "type": "invoke",
        "name": "adaptiveCard/action",
        "value": value,
        "channelId": "msteams",
        "serviceUrl": chat.connector.url,
        "from": {"id": "29:user"},
        "conversation": {"id": "conv-f"},
        "channelData": {"tenant": {"id": AAD}},
    }
    async with chat.http.post("/api/messages", json=body) as response:
        failed = await response.json()
        assert response.status == 200 and failed["statusCode"] == 500
        assert failed["type"] == "application/vnd.microsoft.error"
    chat.connector.heal()
    async with chat.http.post("/api/messages", json=body) as response:
        assert response.status == 200 and (await response.json())["statusCode"] == 200
    assert "1/19" in str(chat.connector.cards()[-1])


@pytest.mark.parametrize("kind", ["json-500", "html-503", "timeout"])
async def test_a_digest_to_a_failing_connector_is_retryable_and_then_sent(
    chat: Conversation, kind: str
) -> None:
    await chat.send(text="help")
    endpoint = chat.http.server.app[TEAMS_KEY]
    chat.connector.fail(kind)
    with pytest.raises(Exception) as failed:
        await send_proactive(endpoint, "conv-f", "**Weekly AI leadership digest**")
    assert not isinstance(failed.value, DeliveryError) or failed.value.retryable
    chat.connector.heal()
    await send_proactive(endpoint, "conv-f", "**Weekly AI leadership digest**")
    assert sum("Weekly AI" in t for t in chat.connector.texts()) == 1
