"""Fuzzing Teams' `/api/messages`: 1,000 hostile requests against the real server and the real
CloudAdapter, half in emulator mode and half in app-id mode (tokens signed by a loopback key
server). Whatever arrives, the answer is never a 5xx, and the bot connects to no host it may
not: a process-wide audit hook sees every name lookup and connect, and blocks (and records)
any that would leave the machine."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.server import build_app
from graphs.runtime import Advisor
from tests.conftest import make_settings
from tests.fakes.bot_connector import FakeConnector
from tests.fakes.bot_identity import FakeBotIdentity, signing_key

APP_ID = "00000000-0000-0000-0000-0000000000f1"
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
# Where an app-id bot may legitimately go (its Entra token, the Bot Framework): blocked here
# so nothing leaves the machine, but not a finding.
APP_ID_DESTINATIONS = {"login.microsoftonline.com", "smba.trafficmanager.net"}


# --- the network guard ------------------------------------------------------------------------
@dataclass
class NetworkGuard:
    active: bool = False
    lookups: list[str] = field(default_factory=list)  # non-loopback names, blocked
    ports: set[int] = field(default_factory=set)  # loopback ports connected to

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.active:
            return
        if event == "socket.getaddrinfo":
            host = args[0].decode() if isinstance(args[0], bytes) else str(args[0])
            if host not in LOOPBACK:
                self.lookups.append(host)
                raise socket.gaierror(socket.EAI_NONAME, f"fuzz guard: {host} not resolved")
        elif event == "socket.connect" and isinstance(args[1], tuple):
            host, port = args[1][0], args[1][1]
            if host not in LOOPBACK:
                self.lookups.append(str(host))
                raise ConnectionRefusedError(f"fuzz guard: {host} not contacted")
            self.ports.add(port)


GUARD = NetworkGuard()
sys.addaudithook(GUARD)  # audit hooks cannot be removed: inactive outside this module's tests


# --- servers ------------------------------------------------------------------------------------
@dataclass
class Target:
    loop: asyncio.AbstractEventLoop
    http: TestClient
    connector: FakeConnector
    identity: FakeBotIdentity
    app_id: bool

    def send(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        """The status, and the error our endpoint gave (for the statistics)."""

        async def go() -> tuple[int, str]:
            skip = [] if "Content-Type" in headers else ["Content-Type"]
            async with self.http.post(
                "/api/messages", data=body, headers=headers, skip_auto_headers=skip
            ) as response:
                text = await response.text(errors="replace")
                return response.status, text[:60] if response.status >= 400 else ""

        return self.loop.run_until_complete(go())

    def allowed_ports(self) -> set[int]:
        ports = {self.http.port, _port(self.connector.url), _port(self.identity.url)}
        return ports | ({9} if not self.app_id else set())  # emulator mode: any loopback


def _port(url: str) -> int:
    return int(url.rstrip("/").rsplit(":", 1)[1])


def _target(app_id: bool) -> Iterator[Target]:
    loop = asyncio.new_event_loop()
    connector = loop.run_until_complete(FakeConnector().start())
    identity = FakeBotIdentity().start()
    fields: dict[str, Any] = {"teams_send_timeout_s": 1.0, "teams_auth_timeout_s": 3}
    if app_id:
        fields |= {
            "microsoft_app_id": APP_ID,
            "microsoft_app_password": "not-a-real-password",
            "microsoft_app_tenant_id": "00000000-0000-0000-0000-0000000000f2",
            "teams_openid_metadata_url": identity.channel_metadata_url,
            "teams_emulator_openid_metadata_url": identity.emulator_metadata_url,
            "teams_extra_service_hosts": connector.url,
        }
    advisor = Advisor.open(make_settings(Path(tempfile.mkdtemp(prefix="fuzz-teams-")), **fields))
    advisor.tenants.add("northwind", teams_tenant="aad-northwind")
    http = TestClient(TestServer(build_app(advisor)), loop=loop)
    loop.run_until_complete(http.start_server())
    GUARD.active = True
    try:
        yield Target(loop, http, connector, identity, app_id)
    finally:
        GUARD.active = False
        loop.run_until_complete(http.close())
        loop.run_until_complete(connector.close())
        identity.stop()
        advisor.close()
        loop.close()


@pytest.fixture(scope="module")
def emulator() -> Iterator[Target]:
    yield from _target(app_id=False)


@pytest.fixture(scope="module")
def app_mode() -> Iterator[Target]:
    yield from _target(app_id=True)


# --- what arrives ---------------------------------------------------------------------------
odd_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | odd_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(odd_text, inner, max_size=3),
    max_leaves=8,
)
TYPES = [
    "message",
    "invoke",
    "conversationUpdate",
    "installationUpdate",
    "messageReaction",
    "event",
    "typing",
    "endOfConversation",
    "messageUpdate",
    "delay",
    "invokeResponse",
    "",
]
INVOKE_NAMES = [
    "adaptiveCard/action",
    "composeExtension/query",
    "task/fetch",
    "signin/verifyState",
    "signin/tokenExchange",
    "healthCheck",
    "fileConsent/invoke",
    "config/fetch",
    "x" * 300,
]
FIELDS = [
    "type",
    "id",
    "channelId",
    "serviceUrl",
    "from",
    "recipient",
    "conversation",
    "text",
    "channelData",
    "value",
    "name",
    "entities",
    "attachments",
    "replyToId",
    "localTimezone",
    "membersAdded",
    "deliveryMode",
    "timestamp",
    "locale",
    "relatesTo",
    "action",
]
SERVICE_URLS = [
    "http://evil.example/",
    "http://10.1.2.3/",
    "http://169.254.169.254/latest/",
    "http://127.0.0.1:3203@evil.example/",
    "http://127.0.0.1:9/",
    "http://[::1/",
    "https://smba.trafficmanager.net/amer/",
    "http://2130706433/",
    "file:///etc/passwd",
    "http://localhost.evil.example/",
    "https://evil.trafficmanager.net/",
    "{0}",
]
ODD_VALUES = st.one_of(
    json_values,
    st.fixed_dictionaries({"action": json_values}),
    st.fixed_dictionaries(
        {"action": st.fixed_dictionaries({"type": st.just("Action.Execute"), "data": json_values})}
    ),
    st.fixed_dictionaries({"advisor": json_values, "thread": json_values, "value": json_values}),
)
CONTENT_TYPES = [
    "application/json; charset=utf-16",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "",
    "application/jsonx",
]


def often(usual: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`usual` four times in five, so most requests get far enough to reach the bot."""
    return st.integers(0, 4).flatmap(lambda roll: rare if roll == 0 else usual)


@st.composite
def activities(draw: st.DrawFn, connector_url: str) -> dict[str, Any]:
    kind = draw(often(st.sampled_from(["message", "invoke"]), st.sampled_from(TYPES)))
    body: dict[str, Any] = {
        "type": kind,
        "id": "fz-1",
        "channelId": draw(st.sampled_from(["msteams", "emulator", "webchat", "slack"])),
        "serviceUrl": draw(often(st.just(connector_url), st.sampled_from(SERVICE_URLS) | odd_text)),
        "from": {"id": "29:fuzz", "name": "Fuzz"},
        "recipient": {"id": "28:bot", "name": "Advisor"},
        "conversation": {"id": draw(often(st.just("conv-z"), st.sampled_from(["", "teams:x"])))},
        "channelData": {"tenant": {"id": draw(st.sampled_from(["aad-northwind", "aad-other"]))}},
        "text": draw(st.sampled_from(["help", "assess", "digest preview", "ask why?", ""])),
    }
    if kind == "invoke":
        names = st.sampled_from(INVOKE_NAMES) | odd_text
        body["name"] = draw(often(st.just("adaptiveCard/action"), names))
    if draw(st.booleans()):
        body["value"] = draw(ODD_VALUES)
    mutations = draw(often(st.just(0), st.integers(1, 4)))
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=mutations, unique=True)):
        if draw(st.booleans()):
            body.pop(name, None)
        else:
            body[name] = draw(json_values)
    return body


@st.composite
def bodies(draw: st.DrawFn, connector_url: str) -> tuple[bytes, dict[str, Any] | None]:
    """Raw bytes, and the activity they encode when there is one (for signing)."""
    shape = draw(
        often(st.just("activity"), st.sampled_from(["truncated", "deep", "huge", "garbage"]))
    )
    if shape == "garbage":
        return draw(st.binary(max_size=500)), None
    if shape == "deep":
        depth = draw(st.sampled_from([65, 200, 1_000, 5_000, 100_000]))
        opener = draw(st.sampled_from([b"[", b'{"a":', b'{"type":"message","value":[']))
        return opener * depth, None
    body = draw(activities(connector_url))
    if shape == "huge":
        body["text"] = "x" * draw(st.sampled_from([5_000, 100_000, 270_000]))
    raw = json.dumps(body).encode()
    if shape == "truncated":
        return raw[: draw(st.integers(0, max(0, len(raw) - 1)))], None
    return raw, body


FORGED = ["none", "junk", "bearer-x", "expired", "other-aud", "other-key", "unsigned"]
FORGED += ["claim-mismatch"]
ascii_junk = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=80)


def authorization(draw: st.DrawFn, target: Target, activity: dict[str, Any] | None) -> str | None:
    url = (activity or {}).get("serviceUrl")
    url = url if isinstance(url, str) else target.connector.url
    kind = draw(
        often(st.sampled_from(["valid", "valid", "valid", "emulator"]), st.sampled_from(FORGED))
    )
    identity = target.identity
    forged = {
        "expired": {"exp": 1_000_000_000, "nbf": 999_000_000},
        "other-aud": {"aud": "00000000-0000-0000-0000-0000000000ee"},
        "other-key": {"_key": signing_key("attacker")},
        "unsigned": {"_alg": "none"},
        "claim-mismatch": {"serviceurl": "https://smba.trafficmanager.net/emea/"},
        "valid": {},
    }
    if kind == "none":
        return None
    if kind == "junk":
        return "Bearer " + draw(ascii_junk)
    if kind == "bearer-x":
        return "Bearer x"
    if kind == "emulator":
        return "Bearer " + identity.emulator_token(APP_ID)
    return "Bearer " + identity.channel_token(APP_ID, url, **forged[kind])


def request(draw: st.DrawFn, target: Target) -> tuple[bytes, dict[str, str]]:
    body, activity = draw(bodies(target.connector.url))
    headers: dict[str, str] = {}
    content_type = draw(often(st.just("application/json"), st.sampled_from(CONTENT_TYPES)))
    if content_type:
        headers["Content-Type"] = content_type
    if target.app_id:
        token = authorization(draw, target, activity)
    else:
        headers |= draw(
            st.sampled_from(
                [{}] * 12 + [{"X-Forwarded-For": "203.0.113.7"}, {"Forwarded": "for=x"}]
            )
        )
        token = draw(st.sampled_from([None] * 16 + ["Bearer x"]))
    if token is not None:
        headers["Authorization"] = token
    return body, headers


FUZZ = settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def fuzz_once(target: Target, data: st.DataObject) -> None:
    body, headers = request(data.draw, target)
    GUARD.lookups.clear()
    GUARD.ports.clear()
    status, error = target.send(body, headers)
    event(f"HTTP {status} {error}")  # `pytest --hypothesis-show-statistics` shows the spread
    assert status < 500, (status, headers, body[:200])
    if target.app_id:
        assert set(GUARD.lookups) <= APP_ID_DESTINATIONS, GUARD.lookups
        assert GUARD.ports <= target.allowed_ports(), GUARD.ports
    else:  # any loopback port is a developer's own machine; nothing else, ever
        assert GUARD.lookups == [], GUARD.lookups


@FUZZ
@given(data=st.data())
def test_emulator_mode_never_answers_5xx_nor_leaves_loopback(
    emulator: Target, data: st.DataObject
) -> None:
    fuzz_once(emulator, data)


@FUZZ
@given(data=st.data())
def test_app_id_mode_never_answers_5xx_nor_contacts_a_disallowed_host(
    app_mode: Target, data: st.DataObject
) -> None:
    fuzz_once(app_mode, data)


def test_the_guard_would_have_seen_a_leak(emulator: Target) -> None:
    """The audit hook is live while the servers are: an outbound lookup is blocked and seen."""
    GUARD.lookups.clear()
    with pytest.raises(OSError):
        socket.getaddrinfo("evil.example", 80)
    assert GUARD.lookups == ["evil.example"]
