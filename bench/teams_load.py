"""Benchmark: `/healthz` latency while clients post large activities to Teams' `/api/messages`.

The server (`bot.server.build_app`, as `advisor serve` builds it) runs in its own process; this
process runs the loopback Bot Framework connector, `--clients` clients posting `--size-kb`
activities back to back, and a probe timing `GET /healthz` every `--probe-ms`. Two scenarios:
- `forged`: app-id mode, `Authorization: Bearer x` (the attack in issue 13, item 4);
- `emulator`: emulator mode, loopback callers whose activities are accepted and answered.
Two payload shapes: one huge `text`, or thousands of small `entities` (deserialisation-heavy).

Run: .venv/bin/python bench/teams_load.py [--clients 4] [--seconds 8] [--size-kb 664]
     [--max-body-kb 1024]  (raise the body cap so emulator-mode activities are parsed)
Prints a Markdown table of probe latencies; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import ClientSession, ClientTimeout

APP_ID = "00000000-0000-0000-0000-0000000000b1"


def serve(conn: Any, app_id: str, extra_hosts: str, max_body_kb: int) -> None:
    """Child process: the real server on a free loopback port, reported back through `conn`."""
    from aiohttp import web

    from bot.server import build_app
    from graphs.runtime import Advisor
    from knowledge.settings import Settings

    fields: dict[str, Any] = {"data_dir": Path(tempfile.mkdtemp(prefix="teams-bench-"))}
    if app_id:
        fields |= {
            "microsoft_app_id": app_id,
            "microsoft_app_password": "bench-not-a-secret",
            "microsoft_app_tenant_id": "00000000-0000-0000-0000-0000000000b2",
        }
    if extra_hosts:
        fields["teams_extra_service_hosts"] = extra_hosts
    if max_body_kb:
        fields["teams_max_body_bytes"] = max_body_kb * 1024
    settings = Settings(_env_file=None, **fields)  # type: ignore[call-arg]
    advisor = Advisor.open(settings)

    async def main() -> None:
        runner = web.AppRunner(build_app(advisor, served=True), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        conn.send(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        await asyncio.Event().wait()

    asyncio.run(main())


def activity(service_url: str, size_kb: int, shape: str, i: int) -> bytes:
    base: dict[str, Any] = {
        "type": "message",
        "id": f"bench-{i}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": "29:bench", "name": "Bench"},
        "recipient": {"id": "28:bot", "name": "Advisor"},
        "conversation": {"id": f"bench-{i % 4}", "conversationType": "personal"},
        "text": "help",
    }
    if shape == "text":
        base["text"] = "help " + "x" * (size_kb * 1024)
    else:
        mention = {
            "type": "mention",
            "text": "<at>x</at>",
            "mentioned": {"id": "29:u", "name": "U"},
        }
        count = size_kb * 1024 // len(json.dumps(mention))
        base["entities"] = [mention] * count
    return json.dumps(base).encode()


async def load(url: str, body: bytes, headers: dict[str, str], stop: asyncio.Event) -> list[int]:
    statuses: list[int] = []
    async with ClientSession(timeout=ClientTimeout(total=120)) as session:
        while not stop.is_set():
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                statuses.append(response.status)
    return statuses


async def probe(url: str, every_s: float, stop: asyncio.Event) -> list[float]:
    latencies: list[float] = []
    async with ClientSession(timeout=ClientTimeout(total=120)) as session:
        while not stop.is_set():
            started = time.perf_counter()
            async with session.get(url) as response:
                await response.read()
            latencies.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(every_s)
    return latencies


async def scenario(
    port: int, connector_url: str, args: argparse.Namespace, forged: bool, shape: str
) -> tuple[list[float], list[float], list[int]]:
    base = f"http://127.0.0.1:{port}"
    headers = {"Content-Type": "application/json"}
    if forged:
        headers["Authorization"] = "Bearer x"
    body = activity(connector_url, args.size_kb, shape, 0)
    stop = asyncio.Event()
    idle_stop = asyncio.Event()
    idle_task = asyncio.create_task(probe(f"{base}/healthz", args.probe_ms / 1000, idle_stop))
    await asyncio.sleep(1.0)
    idle_stop.set()
    idle = await idle_task
    probe_task = asyncio.create_task(probe(f"{base}/healthz", args.probe_ms / 1000, stop))
    loaders = [
        asyncio.create_task(load(f"{base}/api/messages", body, headers, stop))
        for _ in range(args.clients)
    ]
    await asyncio.sleep(args.seconds)
    stop.set()
    busy = await probe_task
    statuses = [s for task in loaders for s in await task]
    return idle, busy, statuses


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run(args: argparse.Namespace) -> None:
    from tests.fakes.bot_connector import FakeConnector

    connector = await FakeConnector().start()
    ctx = multiprocessing.get_context("spawn")
    print(f"{args.clients} clients, {args.size_kb} KB activities, {args.seconds} s each\n")
    print("| scenario | shape | requests (status) | idle p50 | busy p50 | p95 | max |")
    print("|---|---|---|---|---|---|---|")
    for forged in (True, False):
        for shape in ("text", "entities"):
            parent, child = ctx.Pipe()
            extra = "" if not forged else connector.url.rstrip("/")
            proc = ctx.Process(
                target=serve, args=(child, APP_ID if forged else "", extra, args.max_body_kb)
            )
            proc.start()
            port = parent.recv()
            try:
                idle, busy, statuses = await scenario(port, connector.url, args, forged, shape)
            finally:
                proc.terminate()
                proc.join()
            counts = ", ".join(f"{s}×{statuses.count(s)}" for s in sorted(set(statuses)))
            name = "app id, `Bearer x`" if forged else "emulator, loopback"
            print(
                f"| {name} | {shape} | {counts} | {statistics.median(idle):.1f} ms | "
                f"{statistics.median(busy):.1f} ms | {pct(busy, 95):.1f} ms | {max(busy):.1f} ms |"
            )
    await connector.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--size-kb", type=int, default=664)
    parser.add_argument("--probe-ms", type=float, default=50.0)
    parser.add_argument(
        "--max-body-kb", type=int, default=0, help="ADVISOR_TEAMS_MAX_BODY_BYTES/1024 (0: default)"
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
