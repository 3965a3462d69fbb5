"""Benchmark: Slack ack latency of our app vs a bare Bolt app that only acks.

200 signed `app_mention` events at concurrency 20, over loopback HTTP, to (a) a bare `AsyncApp`
whose one listener acks, and (b) our full server (`bot.server.build_app`: signature check,
dedup claim in SQLite, tenancy, the answer spawned after ack and running meanwhile). Both talk
to the loopback fake Web API, so nothing leaves the machine.

Run: .venv/bin/python bench/slack_ack.py [--events 200] [--concurrency 20] [--rounds 5]
One round's p99 is its 2nd-slowest ack, so single rounds are noisy (±30 % here): the table
reports medians over rounds. docs/benchmarks.md records the numbers with the machine.
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


async def run(events: int, concurrency: int, rounds: int = 5) -> dict[str, list[list[float]]]:
    """Per app, `rounds` rounds of `events` events (a round's answers finish before the next)."""
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
    results: dict[str, list[list[float]]] = {}
    ours = build_app(advisor, served=True)  # as `advisor serve` builds it
    for name, app in (
        ("bare Bolt (ack only)", bare_app(fake.api_url)),
        ("Fractional Advisor", ours),
    ):
        runner, url = await serve(app)
        tag = f"a{len(results)}"
        await fire(url, concurrency, concurrency, f"{tag}warm")  # warm-up
        results[name] = []
        for r in range(rounds):
            results[name].append(await fire(url, events, concurrency, f"{tag}r{r}"))
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
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    results = asyncio.run(run(args.events, args.concurrency, args.rounds))
    print(
        f"{args.events} signed events at concurrency {args.concurrency}, {args.rounds} rounds; "
        "each cell is the median over rounds\n"
    )
    print("| app | p50 | p95 | p99 | max | p99 of each round |")
    print("|---|---|---|---|---|---|")
    median_p99 = {}
    for name, runs in results.items():
        cells = [statistics.median(pct(v, q) for v in runs) for q in (50, 95, 99)]
        cells.append(statistics.median(max(v) for v in runs))
        median_p99[name] = cells[2]
        each = ", ".join(f"{pct(v, 99):.1f}" for v in runs)
        print(f"| {name} | " + " | ".join(f"{c:.1f} ms" for c in cells) + f" | {each} |")
    bare, ours = median_p99.values()
    print(f"\np99 ratio (ours / bare, medians): {ours / bare:.2f}×")


if __name__ == "__main__":
    main()
