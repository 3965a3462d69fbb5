"""Two `advisor serve` replicas on one PostgreSQL and one Chroma server, as in production.

Real processes, real servers on loopback; only Slack is a loopback fake.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests import slack_signing as sign
from tests.fakes.slack_api import Call, FakeSlackApi
from tests.servers import free_port, wait_http

pytestmark = pytest.mark.postgres
BOT_TOKEN = "xoxb-test-0000-not-a-real-token"


def replica_env(
    postgres_url: str, chroma_port: int, fake: FakeSlackApi, *, scheduler: bool
) -> dict[str, str]:
    """The environment of an `advisor serve` replica: shared PostgreSQL and Chroma server,
    one Slack workspace (a bot token)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k == "ADVISOR_CACHE_DIR"
        or not k.startswith(("ADVISOR_", "SLACK_", "ANTHROPIC_", "CHROMA_", "Microsoft"))
    }
    return env | {
        "ADVISOR_DATABASE_URL": postgres_url,
        "CHROMA_HOST": "127.0.0.1",
        "CHROMA_PORT": str(chroma_port),
        "ADVISOR_COLLECTION": f"c{uuid.uuid4().hex[:10]}",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": sign.SECRET,
        "SLACK_API_URL": fake.api_url,
        "ADVISOR_DIGEST_SCHEDULER": str(scheduler).lower(),
    }


class Replica:
    def __init__(self, name: str, env: dict[str, str], data_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / f"{name}.log"
        data_dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--port", str(self.port)],
            env=env | {"ADVISOR_DATA_DIR": str(data_dir)},
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self) -> None:
        wait_http(f"{self.url}/readyz", timeout=90)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 40) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout=timeout)


@pytest.fixture
async def cluster(
    tmp_path: Path, postgres_url: str, chroma_server: int
) -> AsyncIterator[tuple[FakeSlackApi, Replica, Replica]]:
    fake = await FakeSlackApi().start()
    env = replica_env(postgres_url, chroma_server, fake, scheduler=False)
    a = Replica("a", env, tmp_path / "a")
    b = Replica("b", env, tmp_path / "b")
    try:
        await asyncio.to_thread(a.wait_ready)
        await asyncio.to_thread(b.wait_ready)
        yield fake, a, b
    finally:
        for replica in (a, b):
            replica.stop(signal.SIGKILL)
        await fake.close()


async def post(url: str, body: bytes, *, json_body: bool) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{url}/slack/events", data=body, headers=sign.signed_headers(body, json_body=json_body)
        ) as response,
    ):
        return response.status


def _question(call: Call) -> bool:
    return any(b.get("block_id", "").startswith("interview:") for b in call.params["blocks"])


async def click_first(replica: Replica, fake: FakeSlackApi, question: Call) -> int:
    block = next(
        b for b in question.params["blocks"] if b.get("block_id", "").startswith("interview:")
    )
    element = block["elements"][0]
    payload = sign.block_action(
        {
            "action_id": element["action_id"],
            "block_id": block["block_id"],
            "type": "button",
            "value": element.get("value", ""),
        },
        message={"ts": question.ts, "thread_ts": question.params.get("thread_ts"), "text": "…"},
        response_url=fake.response_url("click"),
    )
    return await post(replica.url, sign.interactive_body(payload), json_body=False)


async def test_the_same_event_delivered_to_both_replicas_is_answered_once(cluster) -> None:
    fake, a, b = cluster
    body = sign.event_body(
        sign.mention("Our pilot stalled after the demo, what now?"), event_id="EvSAME1"
    )
    assert await asyncio.gather(
        post(a.url, body, json_body=True), post(b.url, body, json_body=True)
    ) == [200, 200]
    await fake.wait_for("chat.update", within_s=30)
    await asyncio.sleep(2)  # give a duplicate every chance to show up
    assert len(fake.calls_to("chat.postMessage")) == 1
    assert len(fake.calls_to("chat.update")) == 1


async def test_interview_moves_between_replicas_and_survives_a_killed_one(cluster) -> None:
    fake, a, b = cluster
    await post(a.url, sign.event_body(sign.mention("assess")), json_body=True)
    [first] = await fake.wait_for("chat.postMessage", where=_question, within_s=30)
    assert await click_first(b, fake, first) == 200  # answered through the other replica
    questions = await fake.wait_for("chat.postMessage", count=2, where=_question, within_s=30)
    a.stop(signal.SIGKILL)  # the replica that started it dies mid-interview
    assert await click_first(b, fake, questions[1]) == 200
    questions = await fake.wait_for("chat.postMessage", count=3, where=_question, within_s=30)
    keys = [
        next(
            b["block_id"]
            for b in q.params["blocks"]
            if b.get("block_id", "").startswith("interview:")
        )
        for q in questions
    ]
    assert keys == ["interview:stage", "interview:pilot_stalled", "interview:strategy_by_tools"]


async def test_sigterm_finishes_the_answer_in_flight_then_exits(cluster) -> None:
    fake, a, _b = cluster
    await post(
        a.url,
        sign.event_body(sign.mention("Founders are patching AI flows at night")),
        json_body=True,
    )
    exit_code = await asyncio.to_thread(a.stop, signal.SIGTERM)
    assert exit_code == 0
    [update] = await fake.wait_for("chat.update", within_s=5)
    assert "Sources" in update.text() or "[1]" in update.text()


async def test_a_digest_due_on_both_replicas_is_posted_once(
    tmp_path: Path, postgres_url: str, chroma_server: int
) -> None:
    from datetime import UTC, datetime

    from graphs.digest_schedule import WEEKDAYS, DigestStore
    from knowledge.db import make_engine

    two_days_ago = WEEKDAYS[(datetime.now(UTC).weekday() - 2) % 7]  # always due, always late
    engine = make_engine(postgres_url)
    DigestStore(engine).subscribe("slack", "CLEAD", None, f"{two_days_ago} 9:00 UTC")
    engine.dispose()
    fake = await FakeSlackApi().start()
    env = replica_env(postgres_url, chroma_server, fake, scheduler=True)
    replicas = [Replica(name, env, tmp_path / name) for name in ("a", "b")]
    try:
        for replica in replicas:
            await asyncio.to_thread(replica.wait_ready)
        await fake.wait_for(
            "chat.postMessage", within_s=30, where=lambda c: c.params.get("channel") == "CLEAD"
        )
        await asyncio.sleep(3)  # both replicas have run their start-up catch-up by now
        posted = fake.calls_to("chat.postMessage", channel="CLEAD")
        assert len(posted) == 1
        assert "sent late" in str(posted[0].params["blocks"][1])
    finally:
        for replica in replicas:
            replica.stop(signal.SIGKILL)
        await fake.close()


async def test_a_slack_install_started_on_one_replica_finishes_on_the_other(
    tmp_path: Path, postgres_url: str, chroma_server: int
) -> None:
    """OAuth state and installations live in PostgreSQL: the browser may land on any replica,
    and every replica then answers the new workspace with its token."""
    import re
    from urllib.parse import parse_qs, urlparse

    from sqlalchemy import select

    from knowledge.db import make_engine, slack_bots
    from knowledge.sealing import new_key
    from tests.fakes.slack_api import Grant

    fake = await FakeSlackApi().start()
    fake.accept_client("111.222", "oauth-secret")
    env = replica_env(postgres_url, chroma_server, fake, scheduler=False)
    del env["SLACK_BOT_TOKEN"]
    env |= {
        "SLACK_CLIENT_ID": "111.222",
        "SLACK_CLIENT_SECRET": "oauth-secret",
        "ADVISOR_SECRET_KEYS": new_key(),
    }
    a, b = (Replica(name, env, tmp_path / name) for name in ("a", "b"))
    try:
        for replica in (a, b):
            await asyncio.to_thread(replica.wait_ready)
        async with aiohttp.ClientSession() as browser:
            async with browser.get(f"{a.url}/slack/install") as page:
                link = re.search(r'href="(https://slack\.com/oauth[^"]+)"', await page.text())
                cookie = page.headers["Set-Cookie"].split(";", 1)[0]
            assert link is not None
            state = parse_qs(urlparse(link.group(1).replace("&amp;", "&")).query)["state"][0]
            fake.grant("code-x", Grant("T9", "Northwind", "xoxb-installed-t9"))
            async with browser.get(
                f"{b.url}/slack/oauth_redirect",
                params={"code": "code-x", "state": state},
                headers={"Cookie": cookie},
            ) as done:
                assert done.status == 200
        body = sign.event_body(sign.mention("Our pilot stalled, what now?"), team="T9")
        assert await post(a.url, body, json_body=True) == 200
        [answer] = await fake.wait_for("chat.postMessage", within_s=30)
        assert answer.token == "xoxb-installed-t9"
        engine = make_engine(postgres_url)
        with engine.connect() as conn:
            [stored] = conn.execute(select(slack_bots.c.team_id, slack_bots.c.data)).all()
        engine.dispose()
        assert stored.team_id == "T9" and "xoxb-installed-t9" not in stored.data
    finally:
        for replica in (a, b):
            replica.stop(signal.SIGKILL)
        await fake.close()


async def test_a_note_added_on_one_replica_is_answered_from_on_the_other_at_once(
    tmp_path: Path, postgres_url: str, chroma_server: int
) -> None:
    """The lexical index lives in PostgreSQL, written with the note's registration: replica B
    finds replica A's new note by its words on the next question, with nothing to reload."""
    from knowledge.db import make_engine
    from knowledge.tenants import TenantRegistry

    engine = make_engine(postgres_url)
    TenantRegistry(engine).add("northwind", slack_team=sign.TEAM)
    engine.dispose()
    fake = await FakeSlackApi().start()
    env = replica_env(postgres_url, chroma_server, fake, scheduler=False)
    env["ADVISOR_NOTE_CHANNELS"] = "CNOTES"
    a, b = (Replica(name, env, tmp_path / name) for name in ("a", "b"))
    try:
        for replica in (a, b):
            await asyncio.to_thread(replica.wait_ready)
        note = "Quillfeather renewal: the Osprey contract renews in March, Priya decides."
        command = sign.command_body(
            "/advisor", f"note add {note}", response_url=fake.response_url(), channel="CNOTES"
        )
        assert await post(a.url, command, json_body=False) == 200
        [added] = await fake.wait_for("response_url", within_s=30)
        assert "Note added for northwind" in added.text()
        question = sign.event_body(sign.mention("When does the quillfeather contract renew?"))
        assert await post(b.url, question, json_body=True) == 200
        [answer] = await fake.wait_for("chat.update", within_s=30)
        assert "Quillfeather" in answer.text()
    finally:
        for replica in (a, b):
            replica.stop(signal.SIGKILL)
        await fake.close()
