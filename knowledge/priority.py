"""Ingestion yields the CPU to answering: its threads run at a lower OS scheduling priority.

On a shared box (two cores, a Chroma server, PostgreSQL and the replicas) a note being
embedded and indexed competes with every founder's question. Ingest work therefore lowers the
priority of the thread it runs on, and the threads it starts (numpy's, onnxruntime's) inherit
it. `low` (the default) is nice +10; `idle` (Linux `SCHED_IDLE`) runs it only on CPU that
nothing else wants, below even nice 19, which on a box that is never idle can stall an
`advisor ingest` for as long as it stays busy (and measured no better: docs/benchmarks.md,
"Answers while another client ingests"); `normal` leaves it alone.

A serving process never puts a thread of its own below `low`: a thread that holds the GIL,
or a lock of the embedded Chroma, at idle priority would make the answers waiting on it wait
for idle CPU too.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Literal

log = logging.getLogger(__name__)

IngestPriority = Literal["idle", "low", "normal"]
LOW_NICE = 10  # added to the thread's niceness (19 at most)


def lower_this_process(priority: IngestPriority) -> str:
    """Lower every thread of this process (an `advisor ingest`: numpy's and Chroma's threads
    exist before the first note is read); what it now runs at, for the log."""
    try:
        tids = [int(t) for t in os.listdir("/proc/self/task")]
    except OSError:  # no /proc: the calling thread, and what it starts from now on
        tids = [threading.get_native_id()]
    return [_lower(tid, priority) for tid in tids][-1]


def lower_this_thread(priority: IngestPriority, *, serving: bool = False) -> str:
    """Lower the calling thread (and the threads it starts from now on); what it now runs
    at. `serving`: in a process that also answers (`low` at most)."""
    if serving and priority == "idle":
        priority = "low"
    return _lower(threading.get_native_id(), priority)


def _lower(tid: int, priority: IngestPriority) -> str:
    """On Linux a priority is a thread's own; where the OS refuses, the log says so and the
    work runs as it was."""
    if priority == "normal":
        return "normal"
    if priority == "idle" and hasattr(os, "SCHED_IDLE"):
        try:
            os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))
            return "idle"
        except OSError as exc:
            log.warning("ingest priority: SCHED_IDLE refused (%s); using nice instead", exc)
    try:
        niceness = min(19, os.getpriority(os.PRIO_PROCESS, tid) + LOW_NICE)
        os.setpriority(os.PRIO_PROCESS, tid, niceness)
    except (OSError, AttributeError) as exc:  # AttributeError: no setpriority (Windows)
        log.warning("ingest priority: could not lower it (%s); ingesting at normal priority", exc)
        return "normal"
    return f"nice {niceness}"
