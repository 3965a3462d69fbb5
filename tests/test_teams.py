"""The Teams face through the real CloudAdapter, driven like the Bot Framework Emulator does."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.server import build_app
from bot.teams.digest import send_proactive
from bot.teams.routes import TEAMS_KEY
from graphs.runtime import Advisor
from tests.conftest import make_settings
from tests.fakes.bot_connector import FakeConnector, card_buttons

_ids = itertools.count(1)
AAD = "aad-northwind"


def activity(connector: FakeConnector, **fields: Any) -> dict[str, Any]:
    base = {
        "type": "message",
        "id": f"in-{next(_ids)}",
        "channelId": "msteams",
        "serviceUrl": connector.url,
        "from": {"id": "29:user", "name": "Lena"},
        "recipient": {"id": "28:bot", "name": "Advisor"},
        "conversation": {"id": "conv-1", "conversationType": "personal"},
        "channelData": {"tenant": {"id": AAD}},
    }
    return base | fields


class Teams:
    def __init__(self, http: TestClient, connector: FakeConnector, advisor: Advisor) -> None:
        self.http, self.connector, self.advisor = http, connector, advisor

    async def send(self, **fields: Any) -> int:
        response = await self.http.post("/api/messages", json=activity(self.connector, **fields))
        return response.status


@pytest.fixture
async def teams(tmp_path: Path) -> AsyncIterator[Teams]:
    connector = await FakeConnector().start()
    advisor = Advisor.open(make_settings(tmp_path / "data"))
    advisor.tenants.add("northwind", teams_tenant=AAD)
    http = TestClient(TestServer(build_app(advisor)))
    await http.start_server()
    try:
        yield Teams(http, connector, advisor)
    finally:
        await http.close()
        await connector.close()
        advisor.close()


async def test_personal_chat_question_is_answered_with_teams_citations(teams: Teams) -> None:
    assert await teams.send(text="Our pilot stalled after the demo, what now?") in (200, 201)
    [reply] = [s for s in teams.connector.sent if s.method == "POST"]
    assert reply.path.startswith("/v3/conversations/conv-1/activities")
    assert reply.activity["channelData"]["feedbackLoopEnabled"] is True  # Teams' own 👍/👎
    # Teams' citation entity: one Claim per numbered source, positions matching the [n] markers
    [entity] = [e for e in reply.activity.get("entities", []) if e.get("@type") == "Message"]
    positions = [c["position"] for c in entity["citation"]]
    assert positions and positions == list(range(1, len(positions) + 1))
    assert all(f"[{p}]" in reply.activity["text"] for p in positions)


async def test_channel_mention_is_stripped_and_escaped(teams: Teams) -> None:
    await teams.send(
        text="<at>Advisor</at> our founders are coding at night <at>Everyone</at>",
        conversation={"id": "conv-2", "conversationType": "channel"},
    )
    [text] = teams.connector.texts()
    assert "<at>" not in text and "Sources" in text


async def test_interview_by_card_actions_to_a_recommendation(teams: Teams) -> None:
    """Action.Submit, as cards sent before Universal Actions still send it: the clicked card
    is updated in place, the next question follows."""
    await teams.send(text="assess")
    asked = 0
    while True:
        buttons = card_buttons(teams.connector.cards()[-1])
        answers = [
            b for b in buttons if b["title"] != "Cancel" and b["data"]["advisor"]["do"] == "answer"
        ]
        if not answers:
            break
        asked += 1
        await teams.send(text="", value=answers[0]["data"], replyToId=f"act-{asked}")
        assert asked < 30
    final = teams.connector.cards()[-1]
    assert "Confidence" in str(final) and "Sources" in str(final)
    updates = [s for s in teams.connector.sent if s.method == "PUT"]
    assert len(updates) == asked and "✓ Stage: Seed" in str(updates[0].activity)


async def test_action_execute_invoke_returns_the_next_card(teams: Teams) -> None:
    await teams.send(text="assess")
    data = card_buttons(teams.connector.cards()[-1])[0]["data"]
    response = await teams.http.post(
        "/api/messages",
        json=activity(
            teams.connector,
            type="invoke",
            name="adaptiveCard/action",
            value={"action": {"type": "Action.Execute", "verb": "answer", "data": data}},
        ),
    )
    assert response.status == 200
    body = await response.json()
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    assert "✓ Stage: Seed" in str(body["value"])  # the clicked card, answered
    assert "2/19" in str(teams.connector.cards()[-1])  # the next question, posted below


async def test_proactive_message_reaches_a_stored_conversation(teams: Teams) -> None:
    await teams.send(
        type="conversationUpdate",
        text=None,
        membersAdded=[{"id": "28:bot"}],
        conversation={"id": "conv-9"},
    )
    endpoint = teams.http.server.app[TEAMS_KEY]
    await send_proactive(endpoint, "conv-9", "**Weekly AI leadership digest**")
    posts = [
        s
        for s in teams.connector.sent
        if s.conversation == "conv-9" and "digest" in (s.activity.get("text") or "")
    ]
    assert len(posts) == 1


async def test_unmapped_tenant_gets_the_field_report_only(teams: Teams) -> None:
    await teams.send(
        text="What did we decide about vendors?", channelData={"tenant": {"id": "aad-stranger"}}
    )
    [text] = teams.connector.texts()
    assert "Vendor review" not in text


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b'{"text": "no type"}', "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'{"type": "message"}', "application/json", 400),
        (b"type=message", "application/x-www-form-urlencoded", 415),
    ],
)
async def test_malformed_activities_are_4xx_never_5xx(
    teams: Teams, body: bytes, content_type: str, status: int
) -> None:
    response = await teams.http.post(
        "/api/messages", data=body, headers={"Content-Type": content_type}
    )
    assert response.status == status


async def test_with_an_app_id_unsigned_requests_are_401(tmp_path: Path) -> None:
    advisor = Advisor.open(
        make_settings(
            tmp_path / "d",
            microsoft_app_id="00000000-0000-0000-0000-000000000001",
            microsoft_app_password="not-a-real-password",
            microsoft_app_tenant_id="00000000-0000-0000-0000-00000000000a",
        )
    )
    async with TestClient(TestServer(build_app(advisor))) as http:
        connector = FakeConnector()
        connector.url = "http://127.0.0.1:9/"
        unsigned = await http.post("/api/messages", json=activity(connector, text="hi"))
        forged = await http.post(
            "/api/messages",
            json=activity(connector, text="hi"),
            headers={"Authorization": "Bearer not.a.jwt"},
        )
        assert unsigned.status == 401 and forged.status == 401
    advisor.close()


def test_a_single_tenant_bot_without_its_tenant_id_is_refused_at_start(tmp_path: Path) -> None:
    advisor = Advisor.open(
        make_settings(
            tmp_path / "d",
            microsoft_app_id="00000000-0000-0000-0000-000000000001",
            microsoft_app_password="not-a-real-password",
        )
    )
    try:
        assert advisor.settings.microsoft_app_type == "SingleTenant"  # how Azure creates bots
        with pytest.raises(ValueError, match="MicrosoftAppTenantId is required"):
            build_app(advisor)
    finally:
        advisor.close()


async def test_a_follow_up_in_the_conversation_is_read_with_the_question_before_it(
    teams: Teams,
) -> None:
    await teams.send(text="Should we hire a full-time CTO?")
    await teams.send(text="why not?")

    follow_up = teams.connector.texts()[-1]
    assert "closest topics" not in follow_up  # answered, not "the sources don't cover this"
    assert "full-time CTO" in follow_up


async def test_a_teams_schedule_without_a_timezone_uses_the_senders(teams: Teams) -> None:
    await teams.send(
        text="digest subscribe tuesday 8:30",
        localTimezone="America/New_York",
        conversation={"id": "conv-ny", "conversationType": "channel"},
    )
    confirmation = teams.connector.texts()[-1]
    assert "Tuesdays at 08:30 (America/New_York)" in confirmation
    assert "your Teams timezone" in confirmation


async def test_a_subscribed_teams_conversation_gets_the_digest_once(teams: Teams) -> None:
    from datetime import UTC, datetime

    from bot.digest_runner import configured_senders, send_due

    await teams.send(
        text="digest subscribe monday 9:00 Europe/Amsterdam",
        conversation={"id": "conv-lead", "conversationType": "channel"},
    )
    assert "Mondays at 09:00 (Europe/Amsterdam)" in teams.connector.texts()[-1]
    senders = configured_senders(teams.advisor, teams.http.server.app[TEAMS_KEY])
    monday = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    first = await send_due(teams.advisor, senders, monday)
    again = await send_due(teams.advisor, senders, monday)
    assert first == [("teams:conv-lead", "2026-W48", "sent")] and again == []
    digests = [t for t in teams.connector.texts() if "Weekly AI leadership digest" in t]
    assert len(digests) == 1 and "Sources" in digests[0]


async def test_an_activity_over_the_size_cap_is_413(teams: Teams) -> None:
    body = activity(teams.connector, text="x" * 300_000)
    response = await teams.http.post("/api/messages", json=body)
    assert response.status == 413 and teams.connector.attempts == []


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,
        b'{"type": "message", "channelData": ' + b'{"a": ' * 65 + b"1" + b"}" * 65 + b"}",
        b'{"type": "message", "value": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    ],
    ids=["100k brackets", "65 levels in channelData", "5000 levels in value"],
)
async def test_deeply_nested_json_is_400_not_a_recursion_error(teams: Teams, body: bytes) -> None:
    response = await teams.http.post(
        "/api/messages", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status == 400 and "nested deeper" in (await response.json())["error"]


ODD_VALUES = ["answer", 5, None, [1, 2], True, {"action": "x"}, {"action": {"type": "Submit"}}]


@pytest.mark.parametrize("value", ODD_VALUES, ids=[repr(v)[:24] for v in ODD_VALUES])
async def test_an_action_execute_with_an_odd_value_gets_a_clear_card_error(
    teams: Teams, value: object
) -> None:
    response = await teams.http.post(
        "/api/messages",
        json=activity(teams.connector, type="invoke", name="adaptiveCard/action", value=value),
    )
    assert response.status == 200
    body = await response.json()
    assert body["statusCode"] == 400 and body["type"] == "application/vnd.microsoft.error"
    assert "Action.Execute" in body["value"]["message"]


async def test_an_action_execute_with_non_object_data_gets_a_clear_card_error(
    teams: Teams,
) -> None:
    value = {"action": {"type": "Action.Execute", "verb": "answer", "data": "1"}}
    response = await teams.http.post(
        "/api/messages",
        json=activity(teams.connector, type="invoke", name="adaptiveCard/action", value=value),
    )
    body = await response.json()
    assert response.status == 200 and body["statusCode"] == 400
    assert "data must be an object" in body["value"]["message"]


@pytest.mark.parametrize("name", ["composeExtension/query", "task/fetch", "made/up", None, ""])
async def test_invokes_this_bot_does_not_offer_are_400(teams: Teams, name: str | None) -> None:
    response = await teams.http.post(
        "/api/messages",
        json=activity(teams.connector, type="invoke", name=name, value="x"),
    )
    assert response.status == 400


@pytest.mark.parametrize(
    "value",
    ["x", 5, [1], {"advisor": 5}, {"advisor": ["answer"]}, {"advisor": "answer", "thread": 7}],
    ids=["string", "number", "list", "advisor number", "advisor list", "thread number"],
)
async def test_a_card_submit_with_an_odd_value_gets_a_reply(teams: Teams, value: object) -> None:
    assert await teams.send(text=None, value=value) in (200, 201)
    [reply] = [s for s in teams.connector.sent if s.method == "POST"]
    assert reply.activity.get("text") or reply.activity.get("attachments")


async def test_a_card_for_another_conversations_interview_is_refused(teams: Teams) -> None:
    await teams.send(text="assess", conversation={"id": "conv-a"})
    data = card_buttons(teams.connector.cards()[-1])[0]["data"]
    await teams.send(text="", value=data, conversation={"id": "conv-b"})
    assert "another conversation" in str(teams.connector.cards()[-1])
