"""One writer per interview thread: open-source LangGraph does not serialise runs on a thread.

In one process an asyncio lock per thread is enough; with replicas on PostgreSQL, a session
advisory lock keyed by the thread id makes two clicks on two replicas take turns.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import Engine, text


def _key(thread_id: str) -> int:
    """A stable signed 64-bit key for pg_advisory_lock."""
    return int.from_bytes(hashlib.sha256(thread_id.encode()).digest()[:8], "big", signed=True)


class ThreadLocks:
    """A lock per thread, kept only while someone holds or awaits it (months of threads
    would otherwise each leave a lock behind)."""

    def __init__(self, engine: Engine | None = None) -> None:
        self._local: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}
        postgres = engine is not None and engine.dialect.name == "postgresql"
        self._engine = engine if postgres else None

    def __len__(self) -> int:
        """Threads with a holder or a waiter."""
        return len(self._local)

    @asynccontextmanager
    async def hold(self, thread_id: str) -> AsyncIterator[None]:
        lock = self._local.setdefault(thread_id, asyncio.Lock())
        self._users[thread_id] = self._users.get(thread_id, 0) + 1
        try:
            async with lock, self._across_replicas(thread_id):
                yield
        finally:
            self._users[thread_id] -= 1
            if not self._users[thread_id]:
                del self._users[thread_id], self._local[thread_id]

    @asynccontextmanager
    async def _across_replicas(self, thread_id: str) -> AsyncIterator[None]:
        """On PostgreSQL, a session advisory lock: another replica's click waits its turn."""
        if self._engine is None:
            yield
            return
        conn = await asyncio.to_thread(self._engine.connect)
        try:
            await asyncio.to_thread(
                conn.execute, text("SELECT pg_advisory_lock(:k)"), {"k": _key(thread_id)}
            )
            try:
                yield
            finally:
                await asyncio.to_thread(
                    conn.execute,
                    text("SELECT pg_advisory_unlock(:k)"),
                    {"k": _key(thread_id)},
                )
        finally:
            await asyncio.to_thread(conn.close)
