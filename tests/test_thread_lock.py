"""One writer per interview thread, and no lock left behind once a thread goes quiet."""

from __future__ import annotations

import asyncio

from graphs.thread_lock import ThreadLocks


async def test_two_actions_on_one_thread_take_turns_and_other_threads_do_not_wait() -> None:
    locks = ThreadLocks()
    order: list[str] = []
    first_in = asyncio.Event()

    async def act(thread: str, name: str, hold_s: float) -> None:
        async with locks.hold(thread):
            order.append(f"{name} in")
            first_in.set()
            await asyncio.sleep(hold_s)
            order.append(f"{name} out")

    first = asyncio.create_task(act("T1", "a", 0.05))
    await first_in.wait()
    second = asyncio.create_task(act("T1", "b", 0))
    other = asyncio.create_task(act("T2", "c", 0))
    await asyncio.gather(first, second, other)
    assert order.index("a out") < order.index("b in")  # same thread: one after the other
    assert order.index("c in") < order.index("a out")  # another thread: no waiting


async def test_a_quiet_thread_keeps_no_lock() -> None:
    locks = ThreadLocks()
    for n in range(1000):
        async with locks.hold(f"thread-{n}"):
            assert len(locks) == 1
    assert len(locks) == 0


async def test_a_failed_action_releases_its_lock() -> None:
    locks = ThreadLocks()
    try:
        async with locks.hold("T1"):
            raise RuntimeError("the work failed")
    except RuntimeError:
        pass
    assert len(locks) == 0
    async with asyncio.timeout(1):
        async with locks.hold("T1"):
            pass
