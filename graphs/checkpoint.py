"""Checkpointers for the interview: SQLite in the data dir, PostgreSQL for scale-out.

Checkpoints hold only JSON-like state, so deserialisation runs in strict msgpack mode: a
tampered checkpoint cannot make us import and build arbitrary types.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from knowledge.settings import Settings


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
    await saver.setup()
    return saver
