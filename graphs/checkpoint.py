"""Checkpointers for the interview: SQLite in the data dir, PostgreSQL for scale-out.

Checkpoints hold only JSON-like state, so deserialisation runs in strict msgpack mode: a
tampered checkpoint cannot make us import and build arbitrary types.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from knowledge.settings import Settings

_SETUP_LOCK = 0x61647669736F72  # "advisor": the advisory lock around checkpointer migrations


def strict_serde() -> JsonPlusSerializer:
    return JsonPlusSerializer(allowed_msgpack_modules=None)


async def open_checkpointer(settings: Settings, stack: AsyncExitStack) -> BaseCheckpointSaver:
    """Open the configured saver; its connections are closed with `stack`."""
    if settings.uses_postgres:
        return await _open_postgres(settings.state_url, stack)
    return await _open_sqlite(settings.ensure_data_dir() / "checkpoints.db", stack)


async def _open_sqlite(path: Path, stack: AsyncExitStack) -> BaseCheckpointSaver:
    import aiosqlite
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    conn = await aiosqlite.connect(str(path))
    stack.push_async_callback(conn.close)
    await conn.execute("PRAGMA journal_mode=WAL")
    await conn.execute("PRAGMA busy_timeout=5000")
    saver = AsyncSqliteSaver(conn, serde=strict_serde())
    await saver.setup()
    return saver


async def _open_postgres(url: str, stack: AsyncExitStack) -> BaseCheckpointSaver:
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from psycopg.rows import dict_row
    from psycopg_pool import AsyncConnectionPool

    conninfo = url.replace("postgresql+psycopg://", "postgresql://", 1)
    pool = AsyncConnectionPool(
        conninfo,
        min_size=1,
        max_size=5,
        open=False,
        kwargs={"autocommit": True, "row_factory": dict_row, "prepare_threshold": 0},
    )
    await pool.open()
    stack.push_async_callback(pool.close)
    saver = AsyncPostgresSaver(pool, serde=strict_serde())  # type: ignore[arg-type]
    # Replicas starting together would race through LangGraph's own migrations (duplicate
    # key in checkpoint_migrations): the first takes the lock and migrates, the rest wait.
    # They poll with pg_try_advisory_lock: a session blocked in pg_advisory_lock holds a
    # snapshot, and the migration's CREATE INDEX CONCURRENTLY would wait for it forever.
    async with pool.connection() as conn:
        await _take_setup_lock(conn)
        try:
            await saver.setup()
        finally:
            await conn.execute("SELECT pg_advisory_unlock(%s)", (_SETUP_LOCK,))
    return saver


async def _take_setup_lock(conn: Any, wait_s: float = 120.0) -> None:
    deadline = time.monotonic() + wait_s
    for _attempt in itertools.count():
        query = "SELECT pg_try_advisory_lock(%s) AS locked"
        row = await (await conn.execute(query, (_SETUP_LOCK,))).fetchone()
        if row["locked"]:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"another process has held the checkpoint set-up lock for {wait_s:.0f} s"
            )
        await asyncio.sleep(0.1)
