"""Benchmark: ingest 2,000 synthetic notes (~4 MB), then time 100 offline answers at that size.

Run: .venv/bin/python bench/ingest_and_ask.py [--notes 2000] [--questions 100]
Prints a Markdown table; docs/benchmarks.md records the numbers with the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graphs.runtime import Advisor
from knowledge.settings import Settings

TOPICS = [
    ("vendor review", "We compared {v1} and {v2} for the support assistant; {v1} won on latency."),
    (
        "incident",
        "The {v1} integration returned stale prices to {n} customers; rollback took {m} minutes.",
    ),
    ("hiring", "We interviewed {n} candidates for the platform lead; {p} owns the scorecard."),
    ("evals", "The eval harness now covers {n} cases; the pass rate moved from {a}% to {b}%."),
    ("governance", "Staff used personal accounts for {v1}; {p} drafted the data boundary policy."),
    ("roadmap", "The {v2} pilot slipped {m} days; {p} proposed narrowing scope to one workflow."),
]
VENDORS = ["Lumen", "Parrotly", "Quokka", "Zephyr", "Heron", "Osprey", "Kestrel", "Marlin"]
PEOPLE = ["Priya", "Tom", "Aiko", "Lars", "Fatima", "Diego", "Mei", "Noor"]


def synthetic_note(i: int, rng: random.Random) -> str:
    title, template = TOPICS[i % len(TOPICS)]
    paragraphs = []
    for _ in range(11):
        paragraphs.append(
            " ".join(
                template.format(
                    v1=rng.choice(VENDORS),
                    v2=rng.choice(VENDORS),
                    n=rng.randint(2, 900),
                    m=rng.randint(5, 90),
                    p=rng.choice(PEOPLE),
                    a=rng.randint(40, 70),
                    b=rng.randint(71, 99),
                )
                for _ in range(2)
            )
        )
    body = "\n\n".join(f"## Part {k}\n{p}" for k, p in enumerate(paragraphs, 1))
    return (
        f"---\ntitle: {title.title()} {i}\ndate: 2026-{1 + i % 12:02d}-{1 + i % 28:02d}\n"
        f"author: Bench\n---\n\n{body}\n"
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def time_answers(advisor: Advisor, questions: list[str], tenant: str) -> list[float]:
    timings = []
    for question in questions:
        start = time.perf_counter()
        await advisor.ask(question, tenant)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=2000)
    parser.add_argument("--questions", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="advisor-bench-") as tmp:
        notes = Path(tmp) / "notes"
        notes.mkdir()
        for i in range(args.notes):
            (notes / f"note-{i:05d}.md").write_text(synthetic_note(i, rng), encoding="utf-8")
        size_mb = sum(p.stat().st_size for p in notes.iterdir()) / 1e6
        advisor = Advisor.open(Settings(_env_file=None, data_dir=Path(tmp) / "data"))
        advisor.tenants.add("bench")
        start = time.perf_counter()
        report = advisor.ingestor.ingest_path(notes, "bench")
        ingest_s = time.perf_counter() - start
        start = time.perf_counter()
        again = advisor.ingestor.ingest_path(notes, "bench")
        reingest_s = time.perf_counter() - start
        base = [
            "Who owns the data boundary policy?",
            "What happened in the incident?",
            "Our pilot stalled after the demo, what now?",
            "How did the evals move?",
            "Which vendor won the review?",
            "Should we hire a fractional AI CTO?",
        ]
        questions = [rng.choice(base) + f" ({rng.choice(VENDORS)})" for _ in range(args.questions)]
        asyncio.run(time_answers(advisor, questions[:3], "bench"))  # warm caches (BM25, model)
        timings = asyncio.run(time_answers(advisor, questions, "bench"))
        advisor.close()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print("| measure | value |\n|---|---|")
    print(f"| notes ingested | {args.notes} ({size_mb:.1f} MB, {report.chunks_written} chunks) |")
    print(f"| ingest time | {ingest_s:.1f} s ({args.notes / ingest_s:.0f} notes/s) |")
    print(f"| re-ingest (unchanged) | {reingest_s:.2f} s, {again.chunks_written} chunks written |")
    print(f"| ask p50 | {statistics.median(timings):.0f} ms |")
    print(f"| ask p95 | {percentile(timings, 0.95):.0f} ms |")
    print(f"| ask max | {max(timings):.0f} ms |")


if __name__ == "__main__":
    main()
