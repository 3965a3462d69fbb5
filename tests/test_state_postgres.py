"""The same state code runs on PostgreSQL when ADVISOR_DATABASE_URL points at it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graphs.runtime import Advisor
from knowledge.records import claim_once
from knowledge.scope import DataScope
from tests.conftest import make_settings

pytestmark = pytest.mark.postgres


async def test_tenants_ingest_answers_and_audit_on_postgres(
    tmp_path: Path, postgres_url: str
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "n.md").write_text(
        "---\ntitle: Kickoff\ndate: 2026-10-01\n---\n## Owners\n"
        "Priya owns the Zephyr evaluation harness.\n",
        encoding="utf-8",
    )
    advisor = Advisor.open(make_settings(tmp_path / "data", database_url=postgres_url))
    assert advisor.engine.dialect.name == "postgresql"
    advisor.tenants.add("alpha", slack_team="T1")
    assert advisor.tenants.resolve("slack", "T1") == "alpha"
    first = advisor.ingestor.ingest_path(notes, "alpha")
    again = advisor.ingestor.ingest_path(notes, "alpha")
    assert first.chunks_written == 1 and again.chunks_written == 0
    answer = await advisor.ask("Who owns the Zephyr evaluation harness?", "alpha")
    assert any(c.tenant == "alpha" and "Priya" in c.quote for c in answer.citations)
    rows = list(
        advisor.audit.rows(DataScope.operator(), since=datetime.now(UTC) - timedelta(minutes=5))
    )
    assert [r["kind"] for r in rows] == ["answer"]
    advisor.close()


def test_claim_once_holds_across_engines_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    a = Advisor.open(make_settings(tmp_path / "a", database_url=postgres_url))
    b = Advisor.open(make_settings(tmp_path / "b", database_url=postgres_url))
    assert claim_once(a.engine, "slack-event", "T1:Ev1") is True
    assert claim_once(b.engine, "slack-event", "T1:Ev1") is False
    a.close()
    b.close()


async def test_replicas_starting_together_both_open_the_checkpointer(
    tmp_path: Path, postgres_url: str
) -> None:
    """LangGraph's checkpoint tables are created by the first replica to start; the others
    wait for it instead of failing on the half-written migration table."""
    from contextlib import AsyncExitStack

    from graphs.checkpoint import open_checkpointer

    settings = make_settings(tmp_path, database_url=postgres_url)
    async with AsyncExitStack() as first, AsyncExitStack() as second, AsyncExitStack() as third:
        savers = await asyncio.gather(
            *(open_checkpointer(settings, stack) for stack in (first, second, third))
        )
        config = {"configurable": {"thread_id": "t", "checkpoint_ns": ""}}
        assert all([await saver.aget_tuple(config) is None for saver in savers])
