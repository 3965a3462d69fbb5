"""The field report's vectors are held and ranked in process; Chroma is asked for the caller's
own client's notes only, and a new revision of the report is picked up by every process.

Real Chroma server (behind a loopback proxy that records what it is asked), real PostgreSQL,
real ingestion of the bundled report and the sample clients.
"""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings

from graphs.runtime import Advisor
from knowledge.chunks import PUBLIC_TENANT
from knowledge.corpus import CORPUS_DIR, FIELD_REPORT_FILE, SAMPLE_TENANTS, ingest_samples
from knowledge.embedding import embed
from knowledge.index import CANDIDATES, allowed_tenants
from knowledge.passages import Passage
from knowledge.report_vectors import RECHECK_S
from knowledge.vectors import collection_name
from knowledge.vocabulary import expand_query
from tests.chroma_recorder import ChromaRecorder
from tests.conftest import make_settings

pytestmark = pytest.mark.postgres
QUESTIONS = [
    "What did we decide about vendors?",
    "Our pilot stalled after the demo, what now?",
    "Who owns the pilot?",
    "Do we need a fractional AI CTO or an agency?",
]


@pytest.fixture
def recorder(chroma_server: int) -> Iterator[ChromaRecorder]:
    proxy = ChromaRecorder(chroma_server)
    yield proxy
    proxy.close()


@pytest.fixture
def base_name() -> str:
    return f"r{uuid.uuid4().hex[:10]}"  # this test's collections on the shared server


def _open(tmp: Path, postgres_url: str, port: int, base: str) -> Advisor:
    return Advisor.open(
        make_settings(
            tmp,
            database_url=postgres_url,
            chroma_host="127.0.0.1",
            chroma_port=port,
            collection=base,
        )
    )


@pytest.fixture
def advisor(
    tmp_path: Path, postgres_url: str, recorder: ChromaRecorder, base_name: str
) -> Iterator[Advisor]:
    adv = _open(tmp_path / "a", postgres_url, recorder.port, base_name)
    for tenant in SAMPLE_TENANTS:
        adv.tenants.add(tenant)
        ingest_samples(adv.ingestor, tenant)
    yield adv
    adv.close()


def _chroma(port: int) -> Any:
    settings = ChromaSettings(anonymized_telemetry=False)
    return chromadb.HttpClient(host="127.0.0.1", port=port, settings=settings)


def _collection_ids(port: int, base: str) -> dict[str, str]:
    client = _chroma(port)
    tenants = (PUBLIC_TENANT, *SAMPLE_TENANTS)
    return {str(client.get_collection(collection_name(base, t)).id): t for t in tenants}


def _asked(recorder: ChromaRecorder, ids: dict[str, str]) -> list[tuple[str, str]]:
    """(tenant, call) of each collection query or get recorded since the last look."""
    asked = []
    for _method, path in recorder.take():
        parts = path.rstrip("/").split("/")
        if len(parts) > 2 and parts[-3] == "collections" and parts[-1] in ("query", "get"):
            asked.append((ids.get(parts[-2], "another index"), parts[-1]))
    return asked


def _chroma_ranking(
    adv: Advisor, port: int, base: str, question: str, tenant: str | None
) -> list[str]:
    """What the dense ranker answered before: each allowed collection asked for its nearest,
    merged by distance (ties by id)."""
    client, hits = _chroma(port), []
    vector = embed(adv.settings.data_dir / "models" / "wordllama", [expand_query(question)])
    for t in sorted(allowed_tenants(tenant)):
        got = client.get_collection(collection_name(base, t)).query(
            query_embeddings=vector, n_results=CANDIDATES, include=["distances"]
        )
        hits += zip(got["ids"][0], got["distances"][0], strict=True)
    return [cid for cid, _ in sorted(hits, key=lambda hit: (hit[1], hit[0]))[:CANDIDATES]]


def test_an_answer_asks_chroma_about_the_callers_notes_only(
    advisor: Advisor, recorder: ChromaRecorder, base_name: str
) -> None:
    ids = _collection_ids(chroma_server_port(recorder), base_name)
    advisor.index.retrieve_for_tenant(QUESTIONS[0], "northwind")  # the report, loaded once
    recorder.take()
    for question in QUESTIONS:
        passages = advisor.index.retrieve_for_tenant(question, "northwind")
        assert {p.chunk.tenant for p in passages} <= {PUBLIC_TENANT, "northwind"}
        asked = _asked(recorder, ids)
        assert ("northwind", "query") in asked
        assert {tenant for tenant, _ in asked} == {"northwind"}, asked


def test_a_question_without_a_client_asks_chroma_nothing(
    advisor: Advisor, recorder: ChromaRecorder, base_name: str
) -> None:
    ids = _collection_ids(chroma_server_port(recorder), base_name)
    advisor.index.retrieve_for_tenant(QUESTIONS[1], None)
    recorder.take()
    passages = advisor.index.retrieve_for_tenant(QUESTIONS[3], None)
    assert passages and {p.chunk.tenant for p in passages} == {PUBLIC_TENANT}
    assert _asked(recorder, ids) == []


def test_the_report_ranks_as_chroma_ranks_it(
    advisor: Advisor, recorder: ChromaRecorder, base_name: str
) -> None:
    port = chroma_server_port(recorder)
    for tenant in (None, *SAMPLE_TENANTS):
        for question in QUESTIONS:
            ranked = advisor.index.retrieve_dense(question, tenant, CANDIDATES)
            assert ranked == _chroma_ranking(advisor, port, base_name, question, tenant)


def test_a_new_report_revision_reaches_another_process_within_seconds(
    advisor: Advisor,
    recorder: ChromaRecorder,
    base_name: str,
    postgres_url: str,
    tmp_path: Path,
) -> None:
    other = _open(tmp_path / "b", postgres_url, recorder.port, base_name)
    try:
        question = "What does the quokka escalation ladder say?"
        before = other.index.retrieve_for_tenant(question, "acme")
        assert not any("quokka" in p.chunk.text for p in before)
        release = tmp_path / "release"
        shutil.copytree(CORPUS_DIR, release)
        report = release / FIELD_REPORT_FILE.name
        added = "\n## Quokka escalation ladder\n\nThe quokka escalation ladder: call the CTO.\n"
        report.write_text(report.read_text(encoding="utf-8") + added, encoding="utf-8")
        advisor.ingestor.ingest_path(release, PUBLIC_TENANT, key_prefix="bundled:corpus")
        deadline = time.monotonic() + RECHECK_S + 5
        while not _quotes_quokka(other.index.retrieve_for_tenant(question, "acme")[:3]):
            assert time.monotonic() < deadline, "the new report revision was not picked up"
            time.sleep(0.1)
        assert other.index.retrieve_dense(question, "acme", CANDIDATES) == _chroma_ranking(
            other, chroma_server_port(recorder), base_name, question, "acme"
        )
    finally:
        other.close()


def _quotes_quokka(passages: list[Passage]) -> bool:
    return any(p.chunk.tenant == PUBLIC_TENANT and "quokka" in p.chunk.text for p in passages)


def chroma_server_port(recorder: ChromaRecorder) -> int:
    """The real server behind the proxy (a direct client, so its requests are not counted)."""
    return int(recorder.target.rsplit(":", 1)[1])
