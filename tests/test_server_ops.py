"""Operations endpoints: liveness, readiness that follows the database, Prometheus metrics."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.server import build_app
from graphs.runtime import Advisor
from tests import slack_signing as sign
from tests.conftest import make_settings
from tests.slack_harness import SlackHarness
from tests.tcp_proxy import TcpProxy


async def test_healthz_and_readyz_answer_when_all_is_well(advisor: Advisor) -> None:
    async with TestClient(TestServer(build_app(advisor))) as http:
        assert (await http.get("/healthz")).status == 200
        ready = await http.get("/readyz")
        assert ready.status == 200 and (await ready.json()) == {"ok": True}


@pytest.mark.postgres
async def test_readyz_turns_503_while_postgres_is_gone_and_recovers(
    tmp_path: Path, postgres_url: str
) -> None:
    host_port = postgres_url.split("@", 1)[1].split("/", 1)[0]
    host, port = host_port.split(":")
    proxy = TcpProxy(host, int(port)).start()
    url = postgres_url.replace(host_port, f"127.0.0.1:{proxy.port}")
    advisor = Advisor.open(make_settings(tmp_path / "d", database_url=url))
    async with TestClient(TestServer(build_app(advisor))) as http:
        assert (await http.get("/readyz")).status == 200
        proxy.stop()
        down = await http.get("/readyz")
        assert down.status == 503
        assert "database" in (await down.json())["failed"]
        proxy.start()
        for _ in range(20):
            if (await http.get("/readyz")).status == 200:
                break
            await asyncio.sleep(0.25)
        assert (await http.get("/readyz")).status == 200
    proxy.close()
    advisor.close()


async def test_metrics_count_requests_acks_and_answers(slack: SlackHarness) -> None:
    await slack.event(sign.mention("Our pilot stalled after the demo, what now?"))
    await slack.settle()
    body = await (await slack.http.get("/metrics")).text()
    assert 'advisor_requests_total{channel="slack",outcome="ok"} 1.0' in body
    assert 'advisor_ack_seconds_count{channel="slack"} 1.0' in body
    assert 'advisor_answer_seconds_count{channel="slack",mode="offline"} 1.0' in body


async def test_forged_requests_are_counted_as_rejected(slack: SlackHarness) -> None:
    body = sign.event_body(sign.mention("hello"))
    await slack.post(
        body,
        {
            "X-Slack-Request-Timestamp": "1",
            "X-Slack-Signature": "v0=bad",
            "Content-Type": "application/json",
        },
    )
    metrics = await (await slack.http.get("/metrics")).text()
    assert 'advisor_requests_total{channel="slack",outcome="http_401"} 1.0' in metrics
