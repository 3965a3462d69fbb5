"""Load benchmark: signed Slack events at rising concurrency against a real `advisor serve`.

Starts the server as a separate process (embedded SQLite + Chroma, offline answers) with the
Slack Web API pointed at a loopback fake, then for each concurrency level sends N mention
events and reports ack latency percentiles, answers completed and errors.

Run: .venv/bin/python bench/load.py [--events 100] [--levels 10,20,50]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp

from tests import slack_signing as sign
from tests.fakes.slack_api import FakeSlackApi

QUESTIONS = [
    "Our pilot stalled after the demo, what now?",
    "Founders patch AI flows at night",
    "Is vendor lock-in slowing us down?",
    "What should week 1 look like?",
    "Should we hire a full-time CTO?",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(api_url: str, data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "SLACK_"))}
    env |= {
        "ADVISOR_DATA_DIR": str(data_dir),
        "SLACK_BOT_TOKEN": "xoxb-bench-not-real",
        "SLACK_SIGNING_SECRET": sign.SECRET,
        "SLACK_API_URL": api_url,
        "ADVISOR_DIGEST_SCHEDULER": "false",
        "ADVISOR_LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=1):
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("advisor serve did not become ready")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def level(url: str, fake: FakeSlackApi, events: int, concurrency: int) -> dict:
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    errors = 0
    before = len(fake.calls_to("chat.update"))

    async def one(session: aiohttp.ClientSession, i: int) -> None:
        nonlocal errors
        event = sign.mention(QUESTIONS[i % len(QUESTIONS)], channel=f"C{i % 7}")
        body = sign.event_body(event)
        async with gate:
            started = time.perf_counter()
            async with session.post(
                f"{url}/slack/events", data=body, headers=sign.signed_headers(body, json_body=True)
            ) as resp:
                await resp.read()
                latencies.append((time.perf_counter() - started) * 1000)
                errors += resp.status != 200

    started = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(one(session, i) for i in range(events)))
    with contextlib.suppress(AssertionError):  # some answers missing: reported below
        await fake.wait_for("chat.update", count=before + events, within_s=120)
    answered = len(fake.calls_to("chat.update")) - before
    return {
        "concurrency": concurrency,
        "p50": pct(latencies, 0.5),
        "p95": pct(latencies, 0.95),
        "p99": pct(latencies, 0.99),
        "mean": statistics.fmean(latencies),
        "answered": answered,
        "events": events,
        "errors": errors,
        "seconds": time.perf_counter() - started,
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--levels", default="10,20,50")
    args = parser.parse_args()
    fake = await FakeSlackApi().start()
    with tempfile.TemporaryDirectory(prefix="advisor-load-") as tmp:
        proc, url = await asyncio.to_thread(start_server, fake.api_url, Path(tmp))
        try:
            rows = [await level(url, fake, args.events, int(c)) for c in args.levels.split(",")]
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    await fake.close()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; {args.events} events/level")
    print("| concurrency | ack p50 | ack p95 | ack p99 | answers completed | errors | wall |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['concurrency']} | {r['p50']:.1f} ms | {r['p95']:.1f} ms | {r['p99']:.1f} ms "
            f"| {r['answered']}/{r['events']} | {r['errors']} | {r['seconds']:.1f} s |"
        )


if __name__ == "__main__":
    asyncio.run(main())
