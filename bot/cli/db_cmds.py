"""`advisor db upgrade | status`: schema migrations for the state database."""

from __future__ import annotations

import typer

from bot.cli.common import load_settings
from knowledge.db import make_engine
from knowledge.migrate import current_revision, head_revision, upgrade

db_app = typer.Typer(help="State database schema (Alembic migrations).")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations and move an older index to its current layout (run once per
    release, from one process, before the bots start)."""
    from knowledge.index import KnowledgeIndex

    settings = load_settings()
    engine = make_engine(settings.state_url)
    before = current_revision(engine)
    upgrade(engine)
    typer.echo(f"schema: {before or 'empty'} → {current_revision(engine)}")
    index = KnowledgeIndex(settings, engine)  # the move takes ~1.3 s per 1,000 chunks, once
    if index.moved_on_open:
        typer.echo(f"index: {index.moved_on_open} chunks moved to one collection per client")
    index.close()
    engine.dispose()


@db_app.command("status")
def db_status() -> None:
    """Show the schema revision of the database and of the code."""
    engine = make_engine(load_settings().state_url)
    current, head = current_revision(engine), head_revision(engine)
    typer.echo(
        f"database: {current or 'empty'}  code: {head}  "
        f"{'up to date' if current == head else 'run: advisor db upgrade'}"
    )
    engine.dispose()
    if current != head:
        raise typer.Exit(1)
