"""Alembic environment: our one metadata, the engine handed in by `knowledge.migrate`."""

from __future__ import annotations

from alembic import context

from knowledge.db import metadata

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; use `advisor db upgrade`")
run_migrations_online()
