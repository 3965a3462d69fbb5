"""One client's notes never reach another client; unmapped callers see the field report only."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphs.runtime import Advisor
from knowledge.chunks import PUBLIC_TENANT
from knowledge.tenants import TenantError


@pytest.fixture
def two_clients(advisor: Advisor, tmp_path: Path) -> Advisor:
    for tenant, secret in (
        ("alpha", "Project Heron budget is 410k"),
        ("beta", "Project Osprey budget is 95k"),
    ):
        folder = tmp_path / tenant
        folder.mkdir()
        (folder / "note.md").write_text(
            f"---\ntitle: Budget\ndate: 2026-10-02\n---\n\n## Budget\n{secret}.\n", encoding="utf-8"
        )
        advisor.tenants.add(tenant)
        advisor.ingestor.ingest_path(folder, tenant)
    return advisor


def test_retrieval_is_scoped_to_public_and_the_callers_tenant(two_clients: Advisor) -> None:
    for caller, other in (("alpha", "beta"), ("beta", "alpha")):
        passages = two_clients.index.retrieve_for_tenant("project budget", caller, k=50)
        tenants = {p.chunk.tenant for p in passages}
        assert tenants <= {PUBLIC_TENANT, caller}
        assert caller in tenants
        assert other not in tenants


def test_unmapped_caller_sees_the_field_report_only(two_clients: Advisor) -> None:
    passages = two_clients.index.retrieve_for_tenant("project budget Heron Osprey", None, k=50)
    assert passages and {p.chunk.tenant for p in passages} == {PUBLIC_TENANT}


async def test_answers_never_cite_another_clients_notes(two_clients: Advisor) -> None:
    answer = await two_clients.ask("What is the budget of Project Osprey?", "alpha")
    assert "Osprey" not in answer.answer
    assert all(c.tenant in (PUBLIC_TENANT, "alpha") for c in answer.citations)


def test_channel_identities_map_to_one_tenant(advisor: Advisor) -> None:
    advisor.tenants.add("alpha", slack_team="T123")
    advisor.tenants.add("alpha", teams_tenant="aad-1")  # add on an existing tenant adds mapping
    advisor.tenants.add("beta")  # a tenant may have no mapping at all
    assert advisor.tenants.resolve("slack", "T123") == "alpha"
    assert advisor.tenants.resolve("teams", "aad-1") == "alpha"
    assert advisor.tenants.resolve("slack", "T999") is None
    with pytest.raises(TenantError, match="already belongs to tenant 'alpha'"):
        advisor.tenants.add("beta", slack_team="T123")
    assert [t.name for t in advisor.tenants.all()] == ["alpha", "beta"]


@pytest.mark.parametrize("bad", ["public", "Has Spaces", "", "x" * 70, "../etc"])
def test_invalid_or_reserved_tenant_names_are_refused(advisor: Advisor, bad: str) -> None:
    with pytest.raises(TenantError):
        advisor.tenants.add(bad)


async def test_unknown_tenant_error_lists_known_tenants(advisor: Advisor) -> None:
    advisor.tenants.add("alpha")
    with pytest.raises(TenantError, match="unknown tenant 'nope'; known tenants: alpha"):
        await advisor.ask("anything", "nope")
