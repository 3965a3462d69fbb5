"""Migrations and the code's tables never drift; a stale shared schema stops the app."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from graphs.runtime import Advisor
from knowledge.db import make_engine, metadata
from knowledge.migrate import SchemaOutOfDateError, current_revision, head_revision, upgrade
from tests.conftest import make_settings


def _drift(engine: Engine) -> list:
    with engine.connect() as conn:
        return compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), metadata
        )


def test_migrations_build_exactly_the_declared_schema_on_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
    assert _drift(engine) == []


@pytest.mark.postgres
def test_migrations_build_exactly_the_declared_schema_on_postgres(
    empty_postgres_url: str,
) -> None:
    engine = make_engine(empty_postgres_url)
    upgrade(engine)
    assert _drift(engine) == []
    engine.dispose()


def test_embedded_sqlite_migrates_itself_on_first_open(tmp_path: Path) -> None:
    advisor = Advisor.open(make_settings(tmp_path / "d"))
    assert current_revision(advisor.engine) == head_revision(advisor.engine)
    advisor.close()


@pytest.mark.postgres
def test_a_shared_postgres_is_never_migrated_implicitly(
    tmp_path: Path, empty_postgres_url: str
) -> None:
    with pytest.raises(SchemaOutOfDateError, match="run `advisor db upgrade`"):
        Advisor.open(make_settings(tmp_path / "d", database_url=empty_postgres_url))
