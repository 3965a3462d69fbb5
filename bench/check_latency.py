"""Benchmark: the offline trigger check, end to end (`Advisor.check`), on the golden situations.

Run: .venv/bin/python bench/check_latency.py [--rounds 3]
Reports the first check after start (cold) and p50/p95/max of the rest, and how long the event
loop was blocked at most while checks ran (a 2 ms heartbeat task measures it): the reading
runs in a worker thread, so acks are not held up by it.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graphs.assessment.evaluation import load_situations
from graphs.runtime import Advisor
from knowledge.settings import Settings

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "golden" / "situations"


async def heartbeat(stop: asyncio.Event, gaps: list[float]) -> None:
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.002)
        now = time.perf_counter()
        gaps.append(now - last - 0.002)
        last = now


async def main(rounds: int) -> None:
    texts = [s.text for half in ("dev", "test") for s in load_situations(GOLDEN / f"{half}.yaml")]
    with tempfile.TemporaryDirectory() as workdir:
        advisor = Advisor.open(Settings(_env_file=None, data_dir=Path(workdir)))  # type: ignore[call-arg]
        started = time.perf_counter()
        await advisor.check(texts[0], None, channel="bench")
        cold = time.perf_counter() - started
        stop, gaps = asyncio.Event(), []
        beat = asyncio.create_task(heartbeat(stop, gaps))
        times = []
        for _ in range(rounds):
            for text in texts:
                t = time.perf_counter()
                await advisor.check(text, None, channel="bench")
                times.append(time.perf_counter() - t)
        stop.set()
        await beat
        await advisor.aclose()
    times.sort()
    ms = [t * 1000 for t in times]
    print(f"machine: {platform.machine()}, {platform.python_version()}")
    print("| checks | cold (first) | p50 | p95 | max | longest event-loop stall |")
    print("|---|---|---|---|---|---|")
    print(
        f"| {len(ms)} | {cold * 1000:.0f} ms | {statistics.median(ms):.1f} ms | "
        f"{ms[int(len(ms) * 0.95) - 1]:.1f} ms | {ms[-1]:.1f} ms | {max(gaps) * 1000:.1f} ms |"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main(parser.parse_args().rounds))
