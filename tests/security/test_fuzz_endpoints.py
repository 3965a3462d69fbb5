"""Fuzzing the public endpoints: whatever arrives, the answer is 2xx/4xx and the server lives."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.server import CHANNEL_PATHS, build_app
from graphs.runtime import Advisor
from tests import slack_signing as sign
from tests.conftest import make_settings
from tests.fakes.slack_api import FakeSlackApi

CONTENT_TYPES = [
    "application/json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "multipart/form-data; boundary=x",
    "",
    "application/json; charset=latin-1",
]
odd_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | odd_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(odd_text, inner, max_size=4),
    max_leaves=12,
)
bodies = st.one_of(
    st.binary(max_size=2000),
    odd_text.map(str.encode),
    json_values.map(lambda v: json.dumps(v).encode()),
)


def registered_channel_endpoints(app: web.Application) -> list[str]:
    """Every channel endpoint the server registers (Slack, and Teams once it is wired)."""
    paths = {r.resource.canonical for r in app.router.routes() if r.method == "POST"}
    return sorted(paths & set(CHANNEL_PATHS))


@pytest.fixture(scope="module")
def server():
    """(loop, client, endpoints) — one real server for the whole module."""
    loop = asyncio.new_event_loop()
    fake = loop.run_until_complete(FakeSlackApi().start())
    workdir = Path(__import__("tempfile").mkdtemp(prefix="advisor-fuzz-"))
    advisor = Advisor.open(
        make_settings(
            workdir,
            slack_bot_token="xoxb-fuzz-not-real",
            slack_signing_secret=sign.SECRET,
            slack_api_url=fake.api_url,
        )
    )
    app = build_app(advisor)
    http = TestClient(TestServer(app), loop=loop)
    loop.run_until_complete(http.start_server())
    yield loop, http, registered_channel_endpoints(app)
    loop.run_until_complete(http.close())
    loop.run_until_complete(fake.close())
    advisor.close()
    loop.close()


def _send(server, path: str, body: bytes, headers: dict[str, str]) -> int:
    loop, http, _ = server

    async def go() -> int:
        async with http.post(path, data=body, headers=headers) as response:
            return response.status

    return loop.run_until_complete(go())


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.data(),
    body=bodies,
    content_type=st.sampled_from(CONTENT_TYPES),
    signed=st.booleans(),
    timestamp=st.one_of(st.none(), odd_text),
)
def test_malformed_requests_never_get_a_5xx(
    server,
    data,
    body: bytes,
    content_type: str,
    signed: bool,
    timestamp: str | None,
) -> None:
    path = data.draw(st.sampled_from(server[2]))
    headers = {"Content-Type": content_type} if content_type else {}
    if signed:
        headers |= sign.signed_headers(body, json_body=True)
        headers["Content-Type"] = content_type or "application/octet-stream"
    elif timestamp is not None:
        printable = "".join(ch for ch in timestamp if ch.isprintable() and ord(ch) < 256)
        headers |= {"X-Slack-Request-Timestamp": printable[:40], "X-Slack-Signature": "v0=00"}
    status = _send(server, path, body, headers)
    assert status < 500, (path, body[:80], headers)


def test_huge_payloads_are_refused_and_the_server_stays_up(server) -> None:
    body = b'{"type": "event_callback", "pad": "' + b"x" * 1_200_000 + b'"}'
    for path in server[2]:
        status = _send(server, path, body, sign.signed_headers(body, json_body=True))
        assert status == 413, path
    loop, http, _ = server

    async def alive() -> int:
        async with http.get("/healthz") as response:
            return response.status

    assert loop.run_until_complete(alive()) == 200


def test_the_fuzzed_endpoints_include_slack(server) -> None:
    assert "/slack/events" in server[2]


@pytest.fixture(scope="module")
def oauth_server():
    """(loop, client, advisor): a server that installs through OAuth."""
    loop = asyncio.new_event_loop()
    fake = loop.run_until_complete(FakeSlackApi().start())
    fake.accept_client("111.222", "oauth-secret")
    workdir = Path(__import__("tempfile").mkdtemp(prefix="advisor-fuzz-oauth-"))
    advisor = Advisor.open(
        make_settings(
            workdir,
            slack_client_id="111.222",
            slack_client_secret="oauth-secret",
            slack_signing_secret=sign.SECRET,
            slack_api_url=fake.api_url,
        )
    )
    http = TestClient(TestServer(build_app(advisor)), loop=loop)
    loop.run_until_complete(http.start_server())
    yield loop, http, advisor
    loop.run_until_complete(http.close())
    loop.run_until_complete(fake.close())
    advisor.close()
    loop.close()


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.dictionaries(st.sampled_from(["code", "state", "error", "team"]), odd_text),
    cookie=st.one_of(st.none(), odd_text),
)
def test_forged_install_redirects_never_get_a_5xx_nor_install_anything(
    oauth_server, params: dict[str, str], cookie: str | None
) -> None:
    from sqlalchemy import select

    from knowledge.db import slack_bots

    loop, http, advisor = oauth_server
    printable = "".join(ch for ch in cookie or "" if ch.isprintable() and 32 < ord(ch) < 127)
    headers = {"Cookie": f"slack-app-oauth-state={printable}"} if cookie is not None else {}

    async def go() -> int:
        async with http.get("/slack/oauth_redirect", params=params, headers=headers) as response:
            return response.status

    assert loop.run_until_complete(go()) < 500
    with advisor.engine.connect() as conn:
        assert conn.execute(select(slack_bots)).all() == []
