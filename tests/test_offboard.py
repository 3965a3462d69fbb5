"""Offboarding a client deletes its confidential material, and only its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from graphs.runtime import Advisor
from knowledge.db import channel_notes, conversation_turns, digest_subscriptions, sources
from knowledge.index import make_chroma_client
from knowledge.offboard import offboard
from knowledge.tenants import TenantError
from knowledge.vectors import collection_name


def _count(advisor: Advisor, table, tenant: str) -> int:  # type: ignore[no-untyped-def]
    with advisor.engine.connect() as conn:
        query = select(func.count()).select_from(table).where(table.c.tenant == tenant)
        return conn.execute(query).scalar_one()


@pytest.fixture
async def two_clients(advisor: Advisor, tmp_path: Path) -> Advisor:
    for tenant, secret in (("leaving", "Zephyr budget is 95k"), ("staying", "Quokka ships")):
        advisor.tenants.add(tenant, slack_team=f"T-{tenant}")
        folder = tmp_path / tenant
        folder.mkdir()
        (folder / "n.md").write_text(f"---\ntitle: Notes\ndate: 2026-10-01\n---\n\n{secret}.\n")
        advisor.ingestor.ingest_path(folder, tenant)
        advisor.add_note(tenant, author="Ann", text=f"Decision: {secret} (from the channel).")
        await advisor.ask("What did we decide?", tenant, conversation=f"thread-{tenant}")
        advisor.digests.subscribe("slack", f"C-{tenant}", tenant, "monday 9:00 UTC")
    return advisor


async def test_a_dry_run_counts_and_deletes_nothing(two_clients: Advisor) -> None:
    advisor = two_clients
    plan = offboard(
        advisor.index, advisor.engine, advisor.settings.data_dir, "leaving", dry_run=True
    )

    assert plan.index_chunks >= 2 and plan.source_records == 2 and plan.channel_notes == 1
    assert plan.note_files == 1 and plan.conversation_turns == 1
    assert plan.digest_subscriptions == 1 and plan.channel_identities == 1
    assert advisor.tenants.require("leaving") == "leaving"
    assert _count(advisor, sources, "leaving") == 2


async def test_offboarding_removes_the_clients_material_and_keeps_the_others(
    two_clients: Advisor,
) -> None:
    advisor = two_clients
    offboard(advisor.index, advisor.engine, advisor.settings.data_dir, "leaving")

    assert advisor.index.chunks_for_tenant("leaving") == []
    for table in (sources, channel_notes, conversation_turns, digest_subscriptions):
        assert _count(advisor, table, "leaving") == 0
    assert not (advisor.settings.data_dir / "notes" / "leaving").exists()
    assert advisor.tenants.resolve("slack", "T-leaving") is None
    with pytest.raises(TenantError):
        advisor.tenants.require("leaving")

    assert len(advisor.index.chunks_for_tenant("staying")) >= 2
    assert _count(advisor, channel_notes, "staying") == 1
    assert advisor.tenants.resolve("slack", "T-staying") == "staying"


async def test_offboarding_drops_the_clients_vector_collection(two_clients: Advisor) -> None:
    advisor = two_clients
    base = advisor.settings.collection
    client = make_chroma_client(advisor.settings)  # the same embedded system: not closed here

    offboard(advisor.index, advisor.engine, advisor.settings.data_dir, "leaving")

    names = {c.name for c in client.list_collections()}
    assert collection_name(base, "leaving") not in names
    assert collection_name(base, "staying") in names
