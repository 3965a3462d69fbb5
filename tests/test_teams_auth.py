"""Who gets into `/api/messages`: Bot Framework tokens checked before the body is read (app-id
mode, keys served on loopback), loopback-only emulator mode, and serviceUrls the bot refuses
to contact. The real server and CloudAdapter throughout; the fakes speak the remote protocols."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference
from sqlalchemy import select

from bot.server import build_app
from bot.teams.digest import send_proactive
from bot.teams.routes import TEAMS_KEY
from bot.teams.service_url import ServiceUrlError, ServiceUrlPolicy
from graphs.digest_schedule import DeliveryError
from graphs.runtime import Advisor
from knowledge.db import feedback
from tests.conftest import make_settings
from tests.fakes.bot_connector import FakeConnector
from tests.fakes.bot_identity import FakeBotIdentity, signing_key

APP_ID = "00000000-0000-0000-0000-0000000000a1"
AAD = "aad-northwind"
_ids = itertools.count(1)
HOSTILE_SERVICE_URLS = [
    "http://evil.example/",
    "http://10.1.2.3/",
    "http://169.254.169.254/latest/meta-data/",
    "http://127.0.0.1:3203@evil.example/",
    "http://[::ffff:169.254.169.254]/",
    "http://2130706433/",
    "https://evil.trafficmanager.net/",
]
# In app-id mode also loopback (unless listed) and Bot Framework hosts on another port
NOT_BOT_FRAMEWORK = [
    *HOSTILE_SERVICE_URLS,
    "http://127.0.0.1:9/",
    "https://smba.trafficmanager.net:8443/amer/",
]


def activity(service_url: str, **fields: Any) -> dict[str, Any]:
    base = {
        "type": "message",
        "id": f"in-{next(_ids)}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": "29:user", "name": "Lena"},
        "recipient": {"id": "28:bot", "name": "Advisor"},
        "conversation": {"id": "conv-1", "conversationType": "personal"},
        "channelData": {"tenant": {"id": AAD}},
    }
    return base | fields


def vote_invoke(service_url: str, **fields: Any) -> dict[str, Any]:
    """A feedback vote (`message/submitAction`): answered in the HTTP response and stored, so
    no outbound call (and no Entra token for the bot) is needed to see that the request got
    in. An Action.Execute would post its next card through the connector."""
    value = {"actionName": "feedback", "actionValue": {"reaction": "like", "feedback": ""}}
    invoke = {"type": "invoke", "name": "message/submitAction", "value": value}
    return activity(service_url, replyToId=f"answer-{next(_ids)}", **invoke | fields)


def votes(advisor: Advisor) -> list[tuple[str, bool]]:
    """The Teams votes the bot stored: (answer id, helpful)."""
    with advisor.engine.connect() as conn:
        rows = conn.execute(
            select(feedback.c.answer_id, feedback.c.helpful).where(feedback.c.channel == "teams")
        )
        return [(row.answer_id, row.helpful) for row in rows]


@dataclass
class Server:
    http: TestClient
    connector: FakeConnector
    identity: FakeBotIdentity
    advisor: Advisor

    async def post(self, body: Any, token: str | None = None, **headers: str) -> int:
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if isinstance(body, dict):
            send: dict[str, Any] = {"json": body}
        else:
            send = {"data": body}
            headers.setdefault("Content-Type", "application/json")
        async with self.http.post("/api/messages", headers=headers, **send) as response:
            await response.read()
            return response.status


async def serve(tmp_path: Path, *, app_id: bool, **more: Any) -> Server:
    identity = FakeBotIdentity(**more.pop("identity", {})).start()
    connector = await FakeConnector().start()
    settings: dict[str, Any] = {}
    if app_id:
        settings = {
            "microsoft_app_id": APP_ID,
            "microsoft_app_password": "not-a-real-password",
            "microsoft_app_tenant_id": "00000000-0000-0000-0000-00000000000a",
            "teams_openid_metadata_url": identity.channel_metadata_url,
            "teams_emulator_openid_metadata_url": identity.emulator_metadata_url,
            # a loopback connector is no Bot Framework host: it has to be listed, explicitly
            "teams_extra_service_hosts": connector.url,
        }
    advisor = Advisor.open(make_settings(tmp_path / "data", **settings | more))
    advisor.tenants.add("northwind", teams_tenant=AAD)
    http = TestClient(TestServer(build_app(advisor)))
    await http.start_server()
    return Server(http, connector, identity, advisor)


@pytest.fixture
async def app_mode(tmp_path: Path) -> AsyncIterator[Server]:
    server = await serve(tmp_path, app_id=True)
    yield server
    await shut(server)


@pytest.fixture
async def emulator(tmp_path: Path) -> AsyncIterator[Server]:
    server = await serve(tmp_path, app_id=False)
    yield server
    await shut(server)


async def shut(server: Server) -> None:
    await server.http.close()
    await server.connector.close()
    server.advisor.close()
    server.identity.stop()


# --- app-id mode: the token first --------------------------------------------------------
async def test_a_junk_token_with_100k_nested_brackets_is_401(app_mode: Server) -> None:
    assert await app_mode.post(b"[" * 100_000, token="x") == 401


async def test_a_forged_token_is_refused_before_the_body_is_read(app_mode: Server) -> None:
    oversized = b'{"type": "message", "pad": "' + b"x" * 300_000 + b'"}'
    assert await app_mode.post(oversized, token="x") == 401  # not 413: the body was not read


async def test_a_valid_channel_token_reaches_the_bot(app_mode: Server) -> None:
    url = app_mode.connector.url
    token = app_mode.identity.channel_token(APP_ID, url)
    invoke = vote_invoke(url)
    assert await app_mode.post(invoke, token=token) == 200
    assert votes(app_mode.advisor) == [(invoke["replyToId"], True)]


async def test_an_emulator_token_for_this_bot_reaches_the_bot(app_mode: Server) -> None:
    token = app_mode.identity.emulator_token(APP_ID)
    invoke = vote_invoke(app_mode.connector.url)
    assert await app_mode.post(invoke, token=token) == 200
    assert votes(app_mode.advisor) == [(invoke["replyToId"], True)]


FORGERIES = {
    "expired": {"exp": int(time.time()) - 3600, "nbf": int(time.time()) - 7200},
    "never expires": {"exp": None},
    "not yet valid": {"nbf": int(time.time()) + 3600},
    "another bot's": {"aud": "00000000-0000-0000-0000-0000000000ff"},
    "no audience": {"aud": None},
    "wrong issuer": {"iss": "https://evil.example"},
    "no issuer": {"iss": None},
    "signed by another key": {"_key": signing_key("attacker")},
    "unknown key id": {"_kid": "rotated-away"},
    "unsigned": {"_alg": "none"},
    "hmac": {"_alg": "HS256", "_key": "a-shared-secret-guess-of-32-bytes-or-more"},
    "for another serviceUrl": {"serviceurl": "https://smba.trafficmanager.net/amer/"},
    "without serviceurl claim": {"serviceurl": None},
}


async def test_forged_channel_tokens_are_401_and_nothing_is_sent(app_mode: Server) -> None:
    url = app_mode.connector.url
    statuses = {}
    for forgery, claims in FORGERIES.items():
        token = app_mode.identity.channel_token(APP_ID, url, **dict(claims))
        invoke = await app_mode.post(vote_invoke(url), token=token)
        message = await app_mode.post(activity(url, text="hi"), token=token)
        statuses[forgery] = (invoke, message)
    assert statuses == {forgery: (401, 401) for forgery in FORGERIES}
    assert app_mode.connector.attempts == []


async def test_malformed_authorization_headers_are_401(app_mode: Server) -> None:
    body = vote_invoke(app_mode.connector.url)
    headers = ["Basic dXNlcjpwYXNz", "Bearer", "Bearer a.b.c", "bearer x", "Bearer x y", "x" * 9000]
    statuses = {h[:20]: await app_mode.post(body, Authorization=h) for h in headers}
    assert set(statuses.values()) <= {400, 401}, statuses


async def test_our_own_outbound_token_shape_is_not_a_caller(app_mode: Server) -> None:
    """An Emulator-style token is checked by `appid`; one minted for the connector (audience
    api.botframework.com, appid = this bot) must not be replayable as an inbound call."""
    token = app_mode.identity.emulator_token(APP_ID, aud="https://api.botframework.com")
    assert await app_mode.post(vote_invoke(app_mode.connector.url), token=token) == 401


async def test_a_key_not_endorsed_for_the_channel_is_401(tmp_path: Path) -> None:
    server = await serve(tmp_path, app_id=True, identity={"endorsements": ("msteams",)})
    try:
        url = server.connector.url
        token = server.identity.channel_token(APP_ID, url)
        assert await server.post(vote_invoke(url, channelId="webchat"), token=token) == 401
        assert await server.post(vote_invoke(url), token=token) == 200
    finally:
        await shut(server)


async def test_a_signed_activity_for_a_disallowed_host_is_400_and_never_contacted(
    app_mode: Server, caplog: pytest.LogCaptureFixture
) -> None:
    statuses = {}
    for url in NOT_BOT_FRAMEWORK:
        token = app_mode.identity.channel_token(APP_ID, url)
        statuses[url] = await app_mode.post(activity(url, text="hi"), token=token)
    assert set(statuses.values()) == {400}, statuses
    assert app_mode.connector.attempts == []
    assert caplog.text.count("serviceUrl not contacted") == len(statuses)


async def test_slow_signing_keys_cost_a_401_not_a_stalled_server(tmp_path: Path) -> None:
    server = await serve(tmp_path, app_id=True, teams_auth_timeout_s=0.3)
    try:
        server.identity.stall_s = 1.0
        token = server.identity.channel_token(APP_ID, server.connector.url)
        started = time.perf_counter()
        refused = asyncio.create_task(server.post(vote_invoke(server.connector.url), token))
        await asyncio.sleep(0.05)
        async with server.http.get("/healthz") as health:
            assert health.status == 200 and time.perf_counter() - started < 0.25
        assert await refused == 401 and time.perf_counter() - started < 0.9
    finally:
        server.identity.stall_s = 0
        await shut(server)


async def test_unreachable_signing_keys_are_401(tmp_path: Path) -> None:
    server = await serve(
        tmp_path, app_id=True, teams_openid_metadata_url="http://127.0.0.1:9/v1/openid"
    )
    try:
        token = server.identity.channel_token(APP_ID, server.connector.url)
        assert await server.post(vote_invoke(server.connector.url), token=token) == 401
    finally:
        await shut(server)


# --- emulator mode: this machine only ------------------------------------------------------
async def test_emulator_mode_refuses_forwarded_requests(
    emulator: Server, caplog: pytest.LogCaptureFixture
) -> None:
    body = activity(emulator.connector.url, text="hi")
    forwarded = [
        {"X-Forwarded-For": "203.0.113.9"},
        {"Forwarded": "for=203.0.113.9;proto=https"},
        {"X-Real-IP": "203.0.113.9"},
        {"Via": "1.1 caddy"},
    ]
    assert [await emulator.post(body, **header) for header in forwarded] == [403] * 4
    assert emulator.connector.attempts == []
    assert caplog.text.count("emulator mode (no MicrosoftAppId) is for local development") == 4


async def test_emulator_mode_takes_no_tokens(emulator: Server) -> None:
    token = emulator.identity.channel_token(APP_ID, emulator.connector.url)
    assert await emulator.post(activity(emulator.connector.url, text="hi"), token=token) == 401


async def test_emulator_mode_never_contacts_a_non_loopback_service_url(
    emulator: Server, caplog: pytest.LogCaptureFixture
) -> None:
    statuses = {url: await emulator.post(activity(url, text="hi")) for url in HOSTILE_SERVICE_URLS}
    assert set(statuses.values()) == {400}, statuses
    assert emulator.connector.attempts == []
    assert caplog.text.count("serviceUrl not contacted") == len(HOSTILE_SERVICE_URLS)


async def test_emulator_mode_answers_at_localhost(emulator: Server) -> None:
    port = emulator.connector.url.rsplit(":", 1)[1].strip("/")
    assert await emulator.post(activity(f"http://localhost:{port}/", text="help")) in (200, 201)
    assert emulator.connector.texts()


async def test_a_stored_reference_to_a_disallowed_host_gets_no_digest(emulator: Server) -> None:
    endpoint = emulator.http.server.app[TEAMS_KEY]
    reference = ConversationReference(
        conversation=ConversationAccount(id="conv-old"),
        service_url="http://169.254.169.254/latest/",
        channel_id="msteams",
        bot=ChannelAccount(id="28:bot"),
    )
    endpoint.bot.conversations.save(reference, "northwind", AAD)
    with pytest.raises(DeliveryError, match="serviceUrl not allowed") as refused:
        await send_proactive(endpoint, "conv-old", "**Weekly AI leadership digest**")
    assert not refused.value.retryable and emulator.connector.attempts == []


# --- the host list itself ---------------------------------------------------------------
def test_bot_framework_hosts_are_allowed_and_look_alikes_are_not() -> None:
    policy = ServiceUrlPolicy(emulator=False, extra_hosts=[])
    for url in [
        "https://smba.trafficmanager.net/amer/",
        "https://smba.trafficmanager.net:443/teams/",
        "https://smba.infra.gcc.teams.microsoft.com/teams",
        "https://smba.infra.gov.teams.microsoft.us/teams",
        "https://smba.infra.dod.teams.microsoft.us/teams",
        "https://webchat.botframework.com/",
        "https://directline.botframework.azure.us/",
    ]:
        policy.check(url)
    for url in [
        "http://smba.trafficmanager.net/amer/",  # not https
        "https://evil.trafficmanager.net/",  # anyone can name a Traffic Manager profile
        "https://botframework.com.evil.example/",
        "https://smba.trafficmanager.net.evil.example/",
        "https://user@smba.trafficmanager.net/",
        "https://smba.trafficmanager.net/{0}/",
        "http://localhost:3978/",
    ]:
        with pytest.raises(ServiceUrlError):
            policy.check(url)


def test_an_extra_host_in_a_private_or_metadata_range_refuses_to_start() -> None:
    for extra in ["http://169.254.169.254", "10.0.0.5:8443", "http://[fe80::1]:80"]:
        with pytest.raises(ServiceUrlError):
            ServiceUrlPolicy(emulator=False, extra_hosts=[extra])
    allowed = ServiceUrlPolicy(emulator=False, extra_hosts=["http://127.0.0.1:3978"])
    allowed.check("http://127.0.0.1:3978/v3/")
    with pytest.raises(ServiceUrlError):
        allowed.check("http://127.0.0.1:3979/")  # the listed port only
