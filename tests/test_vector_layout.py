"""One vector collection per client: the layout is the isolation, and old indexes are moved once.

Real Chroma (embedded, and a `chroma run` server), real ingestion; the one-collection layout of
earlier releases is rebuilt here with Chroma's own client, as those releases wrote it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from graphs.runtime import Advisor
from knowledge.corpus import SAMPLE_TENANTS, ingest_samples
from knowledge.embedding import WordLlamaEmbedding
from knowledge.index import make_chroma_client
from knowledge.settings import Settings
from knowledge.vectors import collection_name
from tests.conftest import make_settings
from tests.test_cli import advisor as advisor_cli

QUESTIONS = {
    "northwind": "What did we decide about vendors?",
    "acme": "Who owns the pilot?",
    None: "Our pilot stalled after the demo, what now?",
}


def _names(client: Any) -> set[str]:
    return {getattr(c, "name", c) for c in client.list_collections()}


def _everything(collection: Any) -> dict[str, Any]:
    return collection.get(include=["embeddings", "documents", "metadatas"])


def _one_collection_layout(settings: Settings, keep_moved: int = 0) -> int:
    """Rewrite the index as earlier releases kept it: every tenant's chunks in one collection
    named `settings.collection`. `keep_moved`: leave that many chunks of each tenant in its own
    collection too (a move interrupted between copying a page and deleting it). The chunks."""
    client = make_chroma_client(settings)
    legacy = client.get_or_create_collection(
        settings.collection,
        embedding_function=WordLlamaEmbedding(settings.data_dir / "models" / "wordllama"),
        configuration={"hnsw": {"space": "cosine"}},
    )
    total = 0
    # this index's collections only: a shared server also holds other tests' indexes
    own_names = {collection_name(settings.collection, t) for t in ("public", *SAMPLE_TENANTS)}
    for name in sorted(_names(client) & own_names):
        own = client.get_collection(name)
        got = _everything(own)
        legacy.add(
            ids=got["ids"],
            embeddings=got["embeddings"],
            documents=got["documents"],
            metadatas=got["metadatas"],
        )
        total += len(got["ids"])
        if keep_moved:
            own.delete(ids=got["ids"][keep_moved:])
        else:
            client.delete_collection(name)
    client.close()
    return total


def _answers(advisor: Advisor) -> dict[str | None, list[str]]:
    return {
        tenant: [p.chunk.chunk_id for p in advisor.index.retrieve_for_tenant(q, tenant)]
        for tenant, q in QUESTIONS.items()
    }


@contextmanager
def _opened(settings: Settings) -> Iterator[Advisor]:
    advisor = Advisor.open(settings)
    try:
        yield advisor
    finally:
        advisor.close()


@pytest.fixture(params=["embedded", "chroma server"])
def layout_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "embedded":
        return make_settings(tmp_path / "data")
    port = request.getfixturevalue("chroma_server")
    return make_settings(
        tmp_path / "data",
        chroma_host="127.0.0.1",
        chroma_port=port,
        collection=f"c{tmp_path.name[-20:].replace('_', '')}x",
    )


def _with_samples(settings: Settings) -> dict[str | None, list[str]]:
    with _opened(settings) as advisor:
        for tenant in SAMPLE_TENANTS:
            advisor.tenants.add(tenant)
            ingest_samples(advisor.ingestor, tenant)
        return _answers(advisor)


def test_each_client_and_the_field_report_have_a_collection_of_their_own(
    demo_advisor: Advisor,
) -> None:
    settings = demo_advisor.settings
    client = make_chroma_client(settings)  # the same embedded system: not closed here
    tenants = ("public", *SAMPLE_TENANTS)

    assert _names(client) == {collection_name(settings.collection, t) for t in tenants}
    for tenant in tenants:
        got = client.get_collection(collection_name(settings.collection, tenant)).get()
        assert got["ids"] and {m["tenant"] for m in got["metadatas"]} == {tenant}


def test_an_index_in_the_one_collection_layout_is_moved_once_and_answers_the_same(
    layout_settings: Settings,
) -> None:
    settings = layout_settings
    before = _with_samples(settings)
    chunks = _one_collection_layout(settings)

    with _opened(settings) as advisor:  # the first open moves the chunks
        assert advisor.index.count() == chunks
        assert _answers(advisor) == before
    with _opened(settings) as advisor:  # the next finds nothing to move
        assert advisor.index.count() == chunks
        assert _answers(advisor) == before
    client = make_chroma_client(settings)
    names = _names(client)
    client.close()
    assert settings.collection not in names
    assert collection_name(settings.collection, "acme") in names


def test_a_move_interrupted_halfway_finishes_on_the_next_open_without_duplicates(
    settings: Settings,
) -> None:
    before = _with_samples(settings)
    chunks = _one_collection_layout(settings, keep_moved=3)

    with _opened(settings) as advisor:
        assert advisor.index.count() == chunks
        assert _answers(advisor) == before


def test_a_note_added_after_the_move_is_found_in_its_clients_collection(
    settings: Settings, tmp_path: Path
) -> None:
    _with_samples(settings)
    _one_collection_layout(settings)
    notes = tmp_path / "more"
    notes.mkdir()
    (notes / "pelican.md").write_text("---\ntitle: Pelican\n---\n\nPelican renews in May.\n")

    with _opened(settings) as advisor:
        advisor.ingestor.ingest_path(notes, "acme", key_prefix="more")
        found = advisor.index.retrieve_for_tenant("When does Pelican renew?", "acme")
        elsewhere = advisor.index.retrieve_for_tenant("When does Pelican renew?", "northwind")

    assert found[0].chunk.tenant == "acme" and "Pelican" in found[0].chunk.text
    assert all("Pelican" not in p.chunk.text for p in elsewhere)


def test_db_upgrade_moves_an_older_index_before_the_bots_start(settings: Settings) -> None:
    _with_samples(settings)
    chunks = _one_collection_layout(settings)

    first = advisor_cli(settings.data_dir, "db", "upgrade")
    again = advisor_cli(settings.data_dir, "db", "upgrade")

    assert first.returncode == 0, first.stderr
    assert f"index: {chunks} chunks moved to one collection per client" in first.stdout
    assert again.returncode == 0 and "moved" not in again.stdout


def test_a_client_without_notes_yet_is_answered_from_the_report(
    layout_settings: Settings,
) -> None:
    with _opened(layout_settings) as advisor:
        advisor.tenants.add("newco")  # registered, nothing ingested: no collection of its own
        advisor.warm_answer_path()  # the warm-up takes the first client's path
        answer = asyncio.run(advisor.ask(QUESTIONS[None], "newco"))
        names = _names(make_chroma_client(layout_settings))

    assert answer.covered and answer.citations
    assert {c.tenant for c in answer.citations} == {"public"}
    assert collection_name(layout_settings.collection, "newco") not in names  # reads create none
