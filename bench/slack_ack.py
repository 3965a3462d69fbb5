"""Benchmark: Slack ack latency of our app vs a bare Bolt app that only acks.

200 signed `app_mention` events at concurrency 20, over loopback HTTP, to (a) a bare `AsyncApp`
whose one listener acks, and (b) our full server (`bot.server.build_app`: signature check,
dedup claim in SQLite, tenancy, the answer spawned after ack and running meanwhile). Both talk
to the loopback fake Web API, so nothing leaves the machine.

Run: .venv/bin/python bench/slack_ack.py [--events 200] [--concurrency 20]
Prints a Markdown table; docs/benchmarks.md records the numbers with the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import ClientSession, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.server import SLACK_KEY, build_app
from graphs.runtime import Advisor
from knowledge.settings import Settings
from tests import slack_signing as sign
from tests.fakes.slack_api import FakeSlackApi

TOKEN = "xoxb-bench-0000"


def bare_app(api_url: str) -> web.Application:
    """The baseline: Bolt's own aiohttp adapter and one listener that only acks."""
    bolt = AsyncApp(
        signing_secret=sign.SECRET, client=AsyncWebClient(token=TOKEN, base_url=api_url)
    )

    @bolt.event("app_mention")
    async def only_ack(ack) -> None:  # type: ignore[no-untyped-def]
        await ack()

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", events)
    return app


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}/slack/events"


async def fire(url: str, events: int, concurrency: int, tag: str) -> list[float]:
    """Latency (ms) of each signed event, `concurrency` in flight at a time."""
    slots = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(session: ClientSession, i: int) -> None:
        body = sign.event_body(
            sign.mention(f"Do we need a fractional AI CTO? ({i})"), event_id=f"Ev{tag}{i:06d}"
        )
        headers = sign.signed_headers(body, json_body=True)
        async with slots:
            started = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                assert response.status == 200, response.status
            latencies.append((time.perf_counter() - started) * 1000)

    async with ClientSession() as session:
        await asyncio.gather(*(one(session, i) for i in range(events)))
    return latencies


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run(events: int, concurrency: int) -> dict[str, list[float]]:
    fake = await FakeSlackApi().start()
    data_dir = Path(tempfile.mkdtemp(prefix="slack-bench-"))
    settings = Settings(
        _env_file=None,
        data_dir=data_dir,
        slack_bot_token=TOKEN,  # type: ignore[call-arg]
        slack_signing_secret=sign.SECRET,
        slack_api_url=fake.api_url,
    )
    advisor = Advisor.open(settings)
    results: dict[str, list[float]] = {}
    ours = build_app(advisor, served=True)  # as `advisor serve` builds it
    for name, app in (
        ("bare Bolt (ack only)", bare_app(fake.api_url)),
        ("Fractional Advisor", ours),
    ):
        runner, url = await serve(app)
        await fire(url, concurrency, concurrency, f"warm{len(results)}")  # warm-up
        results[name] = await fire(url, events, concurrency, f"run{len(results)}")
        if SLACK_KEY in app:
            await app[SLACK_KEY].services.workers.drain(grace_s=120)
        await runner.cleanup()
    await fake.close()
    advisor.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    results = asyncio.run(run(args.events, args.concurrency))
    print(f"{args.events} signed events, concurrency {args.concurrency}\n")
    print("| app | p50 | p95 | p99 | max | mean |")
    print("|---|---|---|---|---|---|")
    for name, values in results.items():
        row = [pct(values, 50), pct(values, 95), pct(values, 99), max(values)]
        cells = " | ".join(f"{v:.1f} ms" for v in [*row, statistics.fmean(values)])
        print(f"| {name} | {cells} |")
    bare, ours = (pct(v, 99) for v in results.values())
    print(f"\np99 ratio (ours / bare): {ours / bare:.2f}×")


if __name__ == "__main__":
    main()
