"""Installing the Slack app through OAuth: `/slack/install` → Slack → `/slack/oauth_redirect`,
the installation kept in our database, and each workspace answered with its own token."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.oauth.installation_store.models.installation import Installation
from sqlalchemy import select

from bot.digest_runner import configured_senders
from bot.server import SLACK_KEY, build_app
from bot.slack.installations import SqlInstallationStore
from bot.slack.oauth import BOT_SCOPES, SlackNotConfiguredError, installation_store, slack_mode
from graphs.digest_schedule import DeliveryError, DigestStore
from graphs.runtime import Advisor
from knowledge.db import audit_log, slack_bots
from knowledge.sealing import Sealer, new_key
from tests import slack_signing as sign
from tests.conftest import make_settings
from tests.fakes.slack_api import FakeSlackApi, Grant

CLIENT_ID, CLIENT_SECRET = "111.222", "oauth-client-secret-0123"
NORTHWIND = Grant(team_id="T9", team_name="Northwind", bot_token="xoxb-northwind-installed")


def _installed_bots(advisor: Advisor) -> list[object]:
    with advisor.engine.connect() as conn:
        return list(conn.execute(select(slack_bots)).all())


async def until(condition: Callable[[], bool], what: str, within_s: float = 10.0) -> None:
    """Listeners run after the ack: wait (bounded) for their effect."""
    deadline = time.monotonic() + within_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within_s} s: {what}")
        await asyncio.sleep(0.05)


class OAuthSlack:
    def __init__(self, fake: FakeSlackApi, http: TestClient, advisor: Advisor) -> None:
        self.fake, self.http, self.advisor = fake, http, advisor

    async def start_install(self) -> tuple[str, dict[str, str]]:
        """Open the install page as a browser would: the state in its "Add to Slack" link, and
        the cookie the browser keeps (it is `Secure`, so over plain loopback HTTP the test
        sends it back itself, as the browser would over HTTPS)."""
        page = await self.http.get("/slack/install")
        assert page.status == 200
        link = re.search(
            r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', await page.text()
        )
        assert link is not None, "the install page links to Slack's authorize URL"
        query = parse_qs(urlparse(link.group(1).replace("&amp;", "&")).query)
        assert query["client_id"] == [CLIENT_ID]
        cookie = page.headers["Set-Cookie"].split(";", 1)[0]
        return query["state"][0], {"Cookie": cookie}

    async def finish_install(self, code: str, state: str, browser: dict[str, str]) -> int:
        """Slack sends the browser back to the redirect URL with a code and the state."""
        done = await self.http.get(
            "/slack/oauth_redirect", params={"code": code, "state": state}, headers=browser
        )
        return done.status

    async def install(self, grant: Grant, code: str = "code-1") -> int:
        state, browser = await self.start_install()
        self.fake.grant(code, grant)
        return await self.finish_install(code, state, browser)

    async def mention(self, team: str, text: str = "our pilot stalled after the demo") -> int:
        body = sign.event_body(sign.mention(text), team=team)
        response = await self.http.post(
            "/slack/events", data=body, headers=sign.signed_headers(body, json_body=True)
        )
        await self.http.server.app[SLACK_KEY].services.workers.drain(grace_s=20)
        return response.status

    def answers(self) -> list[str | None]:
        return [c.token for c in self.fake.calls_to("chat.postMessage")]


@contextlib.asynccontextmanager
async def running(tmp_path: Path, **settings: object) -> AsyncIterator[OAuthSlack]:
    """Our server installing through OAuth, with the loopback Slack API."""
    fake = await FakeSlackApi().start()
    fake.accept_client(CLIENT_ID, CLIENT_SECRET)
    advisor = Advisor.open(
        make_settings(
            tmp_path / "data",
            slack_client_id=CLIENT_ID,
            slack_client_secret=CLIENT_SECRET,
            slack_signing_secret=sign.SECRET,
            slack_api_url=fake.api_url,
            secret_keys=new_key(),
            **settings,
        )
    )
    http = TestClient(TestServer(build_app(advisor)))
    await http.start_server()
    try:
        yield OAuthSlack(fake, http, advisor)
    finally:
        await http.close()
        await fake.close()
        advisor.close()


@pytest.fixture
async def oauth_slack(tmp_path: Path) -> AsyncIterator[OAuthSlack]:
    async with running(tmp_path) as slack:
        yield slack


async def test_install_page_asks_slack_for_the_manifest_scopes_with_a_one_time_state(
    oauth_slack: OAuthSlack,
) -> None:
    page = await oauth_slack.http.get("/slack/install")
    html = await page.text()

    assert page.status == 200
    cookie = page.headers["Set-Cookie"]
    assert "slack-app-oauth-state=" in cookie and "Secure" in cookie and "HttpOnly" in cookie
    scope = re.search(r"scope=([^&\"]+)", html)
    assert scope is not None and scope.group(1).split(",") == list(BOT_SCOPES)
    first, second = await oauth_slack.start_install(), await oauth_slack.start_install()
    assert first[0] != second[0]


async def test_a_completed_install_answers_that_workspace_with_its_own_token(
    oauth_slack: OAuthSlack,
) -> None:
    assert await oauth_slack.install(NORTHWIND) == 200

    exchange = oauth_slack.fake.calls_to("oauth.v2.access")
    assert len(exchange) == 1 and exchange[0].params["code"] == "code-1"
    assert await oauth_slack.mention("T9") == 200
    assert oauth_slack.answers() == [NORTHWIND.bot_token]


async def test_the_installed_token_is_sealed_in_the_database_and_the_install_audited(
    oauth_slack: OAuthSlack,
) -> None:
    await oauth_slack.install(NORTHWIND)

    with oauth_slack.advisor.engine.connect() as conn:
        stored = conn.execute(select(slack_bots.c.data)).scalar_one()
        audited = conn.execute(select(audit_log.c.kind, audit_log.c.outcome)).all()
    assert stored.startswith("fernet:") and NORTHWIND.bot_token not in stored
    assert [(kind, outcome["event"], outcome["team_id"]) for kind, outcome in audited] == [
        ("install", "installed", "T9")
    ]


async def test_with_mapped_only_installs_an_unmapped_workspace_is_refused_and_audited(
    tmp_path: Path,
) -> None:
    async with running(tmp_path, slack_install_mapped_only=True) as slack:
        slack.advisor.tenants.add("northwind", slack_team="T9")
        stranger = Grant(team_id="T666", team_name="Stranger", bot_token="xoxb-stranger")

        assert await slack.install(stranger, code="code-stranger") == 403
        assert await slack.install(NORTHWIND) == 200

        assert {w.team_id for w in installation_store(slack.advisor).workspaces()} == {"T9"}
        with slack.advisor.engine.connect() as conn:
            events = [o["event"] for o in conn.execute(select(audit_log.c.outcome)).scalars()]
        assert events == ["refused: not mapped to a client", "installed"]


async def test_a_workspace_that_never_installed_gets_no_answer(oauth_slack: OAuthSlack) -> None:
    await oauth_slack.install(NORTHWIND)

    assert await oauth_slack.mention("T404") == 200  # acknowledged, so Slack does not retry
    assert oauth_slack.answers() == []


async def test_a_redirect_from_another_browser_is_refused_before_any_exchange(
    oauth_slack: OAuthSlack,
) -> None:
    state, _browser = await oauth_slack.start_install()
    _state, other_browser = await oauth_slack.start_install()
    oauth_slack.fake.grant("code-1", NORTHWIND)

    assert await oauth_slack.finish_install("code-1", state, {}) == 400
    assert await oauth_slack.finish_install("code-1", state, other_browser) == 400
    assert oauth_slack.fake.calls_to("oauth.v2.access") == []


async def test_a_state_cannot_be_replayed_and_a_bad_code_stores_nothing(
    oauth_slack: OAuthSlack,
) -> None:
    state, browser = await oauth_slack.start_install()

    assert await oauth_slack.finish_install("forged", state, browser) == 401
    oauth_slack.fake.grant("code-1", NORTHWIND)
    assert await oauth_slack.finish_install("code-1", state, browser) == 401  # state used up

    assert len([c for c in oauth_slack.fake.calls if c.method == "oauth.v2.access"]) == 1
    with oauth_slack.advisor.engine.connect() as conn:
        assert conn.execute(select(slack_bots)).all() == []


async def test_uninstalling_forgets_the_token_and_the_workspace_is_no_longer_answered(
    oauth_slack: OAuthSlack,
) -> None:
    await oauth_slack.install(NORTHWIND)
    assert await oauth_slack.mention("T9") == 200
    body = sign.event_body({"type": "app_uninstalled"}, team="T9")
    response = await oauth_slack.http.post(
        "/slack/events", data=body, headers=sign.signed_headers(body, json_body=True)
    )

    assert response.status == 200
    await until(lambda: not _installed_bots(oauth_slack.advisor), "the bot token is forgotten")
    assert await oauth_slack.mention("T9") == 200
    assert oauth_slack.answers() == [NORTHWIND.bot_token]  # the one from before


async def test_a_digest_goes_out_with_the_token_of_the_subscribing_workspace(
    oauth_slack: OAuthSlack,
) -> None:
    await oauth_slack.install(NORTHWIND)
    store = DigestStore(oauth_slack.advisor.engine)
    installed = store.subscribe("slack", "CLEAD", None, "monday 9:00 UTC", workspace=":T9")
    stranger = store.subscribe("slack", "COTHER", None, "monday 9:00 UTC", workspace=":T404")
    sender = configured_senders(oauth_slack.advisor)["slack"]
    digest = oauth_slack.advisor.digest_preview(None, channel="slack")

    await sender.send(installed, digest)
    with pytest.raises(DeliveryError, match="T404 is not installed") as refused:
        await sender.send(stranger, digest)

    posted = oauth_slack.fake.calls_to("chat.postMessage", channel="CLEAD")
    assert posted and {c.token for c in posted} == {NORTHWIND.bot_token}
    assert refused.value.retryable is False


def test_one_workspace_token_and_oauth_credentials_do_not_mix(tmp_path: Path) -> None:
    both = make_settings(
        tmp_path, slack_bot_token="xoxb-1", slack_client_id="1.2", slack_client_secret="s"
    )
    half = make_settings(tmp_path, slack_client_id="1.2")

    with pytest.raises(SlackNotConfiguredError, match="not both"):
        slack_mode(both)
    with pytest.raises(SlackNotConfiguredError, match="SLACK_CLIENT_SECRET"):
        slack_mode(half)
    assert slack_mode(make_settings(tmp_path)) is None


def test_the_install_asks_for_exactly_the_scopes_of_the_manifest() -> None:
    import yaml

    manifest = Path(__file__).parents[1] / "deploy" / "slack" / "manifest.yml"
    scopes = yaml.safe_load(manifest.read_text())["oauth_config"]["scopes"]["bot"]
    assert sorted(scopes) == sorted(BOT_SCOPES)


def _advisor_cli(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k == "ADVISOR_CACHE_DIR" or not k.startswith(("ADVISOR_", "ANTHROPIC_", "SLACK_"))
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=clean | {"ADVISOR_DATA_DIR": str(data_dir)} | env,
        timeout=120,
        check=False,
    )


def test_the_operator_lists_installations_with_the_client_each_maps_to(tmp_path: Path) -> None:
    key = _advisor_cli(tmp_path, "slack", "keygen").stdout.strip()
    oauth_env = {
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": "s",
        "ADVISOR_SECRET_KEYS": key,
    }
    advisor = Advisor.open(make_settings(tmp_path))
    try:
        store = SqlInstallationStore(advisor.engine, CLIENT_ID, Sealer([key]))
        for team, name in (("T9", "Northwind"), ("T7", "Acme")):
            store.save(
                Installation(
                    team_id=team,
                    team_name=name,
                    user_id="U1",
                    bot_token=f"xoxb-{team}",
                    bot_id="B1",
                    bot_user_id="UB",
                )
            )
        advisor.tenants.add("northwind", slack_team="T9")
    finally:
        advisor.close()

    listed = _advisor_cli(tmp_path, "slack", "installations", "--json", **oauth_env)

    assert listed.returncode == 0, listed.stderr
    rows = {row["team_id"]: row for row in map(json.loads, listed.stdout.splitlines())}
    assert rows["T9"]["client"] == "northwind" and rows["T7"]["client"] is None
    assert "xoxb" not in listed.stdout


def test_serve_refuses_a_token_and_oauth_credentials_together(tmp_path: Path) -> None:
    result = _advisor_cli(
        tmp_path,
        "serve",
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET="s",
        SLACK_SIGNING_SECRET="x",
    )
    assert result.returncode == 2
    assert "not both" in result.stderr
