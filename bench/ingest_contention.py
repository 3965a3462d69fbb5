"""Answers while another client ingests, by ingest priority, side by side (on demand).

One `advisor serve` on an index that is already built (a PostgreSQL database and a Chroma
server, e.g. kept from `bench/scale.py shared --keep`); then, in turn, an `advisor ingest` of
new notes for client0 at each `ADVISOR_INGEST_PRIORITY` given, alternating, while signed
Slack mentions for other tenants are timed until the `chat.update` that answers them. An idle
phase comes first and last. Each row gives the 1-minute load average at its start and end.

Run: .venv/bin/python bench/ingest_contention.py --database-url postgresql://…/db \
       --chroma-port 8000 --priorities normal,idle --repeat 2
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from answer_budget import store_options, stores_env  # noqa: E402
from ingest_and_ask import percentile  # noqa: E402
from scale import Asker, Replica, answers, ingest, write_notes  # noqa: E402

from tests.fakes.slack_api import FakeSlackApi  # noqa: E402


def cpu_seconds(name: str) -> float:
    """CPU time used so far by every process whose command is `name` (PostgreSQL's backends)
    or whose command line holds it (`chroma run`)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue
        if name in cmdline or stat.read_text().split(" (", 1)[1].startswith(name):
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def report(label: str, timings: dict[str, list[float]], began: str, extra: str = "") -> None:
    every = [ms for t in timings.values() for ms in t]
    print(
        f"| {label} | {percentile(every, 0.5):.0f} / {percentile(every, 0.95):.0f} ms "
        f"({len(every)}) | {extra} | {began} → {load()} |",
        flush=True,
    )


async def ingest_phase(
    args: argparse.Namespace, asker: Asker, teams: list[str], env: dict[str, str]
) -> None:
    """New notes for client0 through `advisor ingest` (at `env`'s priority), answers timed
    until it exits; with the CPU time the ingest, Chroma and PostgreSQL spent meanwhile."""
    folder = args.work / f"more-{time.monotonic_ns()}"
    write_notes(folder, 0, args.more, start=random.randrange(10**5, 10**7))
    began, started = load(), time.perf_counter()
    cpu = {n: cpu_seconds(n) for n in ("postgres", "chroma run")}
    own = os.times().children_user + os.times().children_system
    writer = ingest(env, folder, "client0", args.work / "ingest")
    timings = await answers(asker, [args.url], teams, writer, args.questions)
    seconds = time.perf_counter() - started
    if writer.wait():
        raise SystemExit(f"advisor ingest failed ({writer.returncode})")
    used = {n: cpu_seconds(n) - c for n, c in cpu.items()}
    own = os.times().children_user + os.times().children_system - own
    extra = (
        f"{args.more} notes, {seconds:.1f} s; CPU s: ingest {own:.1f}, "
        f"Chroma {used['chroma run']:.1f}, PostgreSQL {used['postgres']:.1f}"
    )
    report(f"client0 ingests, {env['ADVISOR_INGEST_PRIORITY']}", timings, began, extra)


async def run(args: argparse.Namespace, work: Path) -> None:
    fake = await FakeSlackApi().start()
    env = stores_env(fake, args)
    replica = Replica("serve", env, work / "serve")
    try:
        args.url, args.work = replica.url, work
        asker, urls = Asker(fake), [replica.url]
        teams = [f"T{c}" for c in (1, 2, 3)]
        await answers(asker, urls, teams, None, 3)  # warm
        print("| phase | answer p50 / p95 (n) | ingest | load 1 min |\n|---|---|---|---|")
        began = load()
        report("idle", await answers(asker, urls, teams, None, args.questions), began)
        for _ in range(args.repeat):
            for priority in args.priorities.split(","):
                await ingest_phase(args, asker, teams, env | {"ADVISOR_INGEST_PRIORITY": priority})
        began = load()
        report("idle", await answers(asker, urls, teams, None, args.questions), began)
    finally:
        replica.stop()
        await fake.close()


def main() -> None:
    parser = store_options(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    parser.add_argument("--priorities", default="normal,idle")
    parser.add_argument("--repeat", type=int, default=2, help="rounds of the alternation")
    parser.add_argument("--more", type=int, default=300, help="notes per concurrent ingest")
    parser.add_argument("--questions", type=int, default=20, help="per tenant, at least")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; replica and ingest at the niceness this script runs at")
    with tempfile.TemporaryDirectory(prefix="advisor-contention-") as tmp:
        asyncio.run(run(args, Path(tmp)))


if __name__ == "__main__":
    main()
