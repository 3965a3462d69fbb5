"""Ingestion yields the CPU to answering: its threads run at a lower OS priority, answers' don't."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from graphs.runtime import Advisor
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[1]
linux_only = pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="Linux scheduling")


def _niceness() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


@linux_only
def test_a_note_added_from_a_face_is_indexed_below_the_threads_that_answer(
    tmp_path: Path,
) -> None:
    adv = Advisor.open(make_settings(tmp_path / "d", ingest_priority="idle"))
    try:
        adv.tenants.add("acme")

        async def scenario() -> tuple[object, int, int, int]:
            report = await adv.add_note_in_background(
                "acme", author="Ann", text="Decision: the Zephyr gateway stays in house."
            )
            loop = asyncio.get_running_loop()
            ingest = await loop.run_in_executor(adv.ingest_thread, _niceness)
            ingest_policy = await loop.run_in_executor(adv.ingest_thread, os.sched_getscheduler, 0)
            answering = await asyncio.to_thread(_niceness)
            return report, ingest, ingest_policy, answering

        report, ingest, policy, answering = asyncio.run(scenario())
        assert report.ok and report.chunks_written
        assert ingest == min(19, _niceness() + 10)  # idle is capped at nice +10 in a server
        assert policy != os.SCHED_IDLE
        assert answering == _niceness()
        answer = asyncio.run(adv.ask("What did we decide about the Zephyr gateway?", "acme"))
        assert any(c.tenant == "acme" for c in answer.citations)
    finally:
        adv.close()


@linux_only
@pytest.mark.parametrize(
    ("priority", "policy"), [("idle", "SCHED_IDLE"), ("normal", "SCHED_OTHER")]
)
def test_an_ingest_process_runs_every_thread_at_its_ingest_priority(
    priority: str, policy: str
) -> None:
    probe = (
        "import os, threading\n"
        "from knowledge.priority import lower_this_process\n"
        "threading.Thread(target=threading.Event().wait, daemon=True).start()\n"
        f"print(lower_this_process({priority!r}))\n"
        "print(sorted({os.sched_getscheduler(int(t)) for t in os.listdir('/proc/self/task')}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[0] == priority
    assert out[1] == str([getattr(os, policy)])
