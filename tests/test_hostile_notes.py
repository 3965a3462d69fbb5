"""Hostile notes never exhaust the machine or leak another client's notes (issue 13, items 3
and 5): each hostile file is refused with its reason or indexed in bounded chunks, and the good
notes beside it are indexed. The corpus is generated at run time (tests/hostile_notes_corpus.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document as DocxDocument
from sqlalchemy import select

from graphs.runtime import Advisor
from knowledge.chunking import TARGET_CHARS, chunk_document
from knowledge.chunks import Chunk
from knowledge.db import sources
from knowledge.ingest import IngestReport
from knowledge.scope import DataScope
from knowledge.settings import Settings
from knowledge.sources import MAX_HEADING_CHARS, load_document
from tests.conftest import make_settings
from tests.hostile_notes_corpus import (
    CODEWORDS,
    INDEXED,
    SECRET,
    HostileFolder,
    build_hostile_folder,
    good_fact,
    write_form_bomb_pdf,
    write_other_client,
)

Run = tuple[Advisor, IngestReport]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileFolder:
    """The whole hostile corpus (a 50 MB text among others), generated once for the module."""
    return build_hostile_folder(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def run(hostile: HostileFolder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """Globex's own notes, then acme's hostile folder, ingested once into a real index."""
    advisor = Advisor.open(make_settings(tmp_path_factory.mktemp("hostile-data")))
    advisor.tenants.add("acme")
    advisor.tenants.add("globex")
    advisor.ingestor.ingest_path(hostile.other_client, "globex")
    yield advisor, advisor.ingestor.ingest_path(hostile.folder, "acme")
    advisor.close()


def _failure(report: IngestReport, folder: Path, rel: str) -> str | None:
    key = f"{folder.resolve()}/{rel}: "
    reasons = [f.removeprefix(key) for f in report.failed if f.startswith(key)]
    return reasons[0] if reasons else None


def _chunks_of(advisor: Advisor, tenant: str, path: Path) -> list[Chunk]:
    with advisor.engine.connect() as conn:
        ids = conn.execute(
            select(sources.c.chunk_ids).where(
                sources.c.tenant == tenant, sources.c.path == str(path.resolve())
            )
        ).scalar_one()
    return advisor.index.get_chunks(list(ids), DataScope.of(tenant))


def _texts(advisor: Advisor, question: str, tenant: str) -> str:
    return " ".join(p.chunk.text for p in advisor.index.retrieve_for_tenant(question, tenant, 10))


def test_every_hostile_file_is_refused_with_its_reason_or_indexed_in_bounded_chunks(
    run: Run, hostile: HostileFolder
) -> None:
    advisor, report = run
    for rel, outcome in hostile.expected.items():
        reason = _failure(report, hostile.folder, rel)
        if outcome == INDEXED:
            assert reason is None and str((hostile.folder / rel).resolve()) in report.added, rel
            chunks = _chunks_of(advisor, "acme", hostile.folder / rel)
            assert chunks and max(len(c.text) for c in chunks) <= TARGET_CHARS, rel
        else:
            assert reason is not None and outcome in reason, (rel, reason)
    assert len(report.failed) == sum(o != INDEXED for o in hostile.expected.values())


def test_the_good_notes_beside_hostile_files_are_indexed_and_retrievable(
    run: Run, hostile: HostileFolder
) -> None:
    advisor, report = run
    assert {str(p.resolve()) for p in hostile.good} <= set(report.added)
    for word in CODEWORDS:
        assert good_fact(word) in _texts(advisor, f"Who owns the {word} migration?", "acme")


def test_a_huge_single_paragraph_note_is_chunked_into_bounded_pieces(
    run: Run, hostile: HostileFolder
) -> None:
    advisor, _ = run
    chunks = _chunks_of(advisor, "acme", hostile.folder / "long-memo.txt")
    assert len(chunks) >= 1_900_000 // TARGET_CHARS
    assert all(len(c.text) <= TARGET_CHARS for c in chunks)
    assert all(c.text.endswith(".") for c in chunks[:-1])  # cut at sentence ends
    assert any("Sentence 15000 of the long memo" in c.text for c in chunks)


def test_a_50_mb_note_is_refused_by_its_size_naming_the_setting_to_raise(
    run: Run, hostile: HostileFolder
) -> None:
    reason = _failure(run[1], hostile.folder, "huge-50mb.txt")
    assert reason == (
        "the file is 50.0 MB; files over 20.0 MB are refused (ADVISOR_INGEST_MAX_FILE_BYTES)"
    )


def test_docx_zip_bombs_are_refused_from_the_zip_directory(
    run: Run, hostile: HostileFolder
) -> None:
    for rel in ("paragraph-bomb.docx", "expansion-bomb.docx"):
        reason = _failure(run[1], hostile.folder, rel) or ""
        assert reason.startswith("expands ") and "the limit is 100×" in reason, reason


def test_a_docx_over_the_paragraph_cap_is_refused_though_it_compresses_poorly(
    run: Run, hostile: HostileFolder
) -> None:
    reason = _failure(run[1], hostile.folder, "many-paragraphs.docx")
    assert reason == "more than 100,000 paragraphs (ADVISOR_INGEST_MAX_DOCX_PARAGRAPHS)"


def test_malformed_docx_files_are_refused_with_what_is_wrong(
    run: Run, hostile: HostileFolder
) -> None:
    report = run[1]
    assert "Bad CRC-32" in (_failure(report, hostile.folder, "lying-zip.docx") or "")
    assert "not well-formed XML" in (_failure(report, hostile.folder, "malformed.docx") or "")
    assert "not a zip file" in (_failure(report, hostile.folder, "not-a-zip.docx") or "")


def test_a_link_to_another_clients_note_or_folder_is_refused_and_never_indexed(
    run: Run, hostile: HostileFolder
) -> None:
    advisor, report = run
    for rel in ("leak.md", "shared"):
        assert "links outside the notes folder" in (_failure(report, hostile.folder, rel) or "")
    assert SECRET not in _texts(advisor, "When does the Obsidian merger close?", "acme")
    assert SECRET in _texts(advisor, "When does the Obsidian merger close?", "globex")


def test_dangling_links_and_link_loops_are_reported_as_failed(
    run: Run, hostile: HostileFolder
) -> None:
    report = run[1]
    assert "dangling link" in (_failure(report, hostile.folder, "gone.md") or "")
    for rel in ("loop-a.md", "loop-b.md"):
        assert _failure(report, hostile.folder, rel) == "a symlink loop"


def test_links_inside_the_notes_folder_are_skipped_with_a_warning_and_a_folder_cycle_ends(
    run: Run, hostile: HostileFolder
) -> None:
    report = run[1]
    for rel in hostile.skipped_links:
        key = f"{hostile.folder.resolve()}/{rel}: "
        assert any(w.startswith(key) and "not followed" in w for w in report.warnings), rel
    assert not any("/sub/up/" in key for key in report.added)  # the cycle was not walked


def test_markdown_traps_are_indexed_with_short_labels_and_no_repeated_chunk(
    run: Run, hostile: HostileFolder
) -> None:
    advisor, _ = run
    long_heading = _chunks_of(advisor, "acme", hostile.folder / "long-heading.md")
    assert [len(c.section) for c in long_heading] == [MAX_HEADING_CHARS]
    assert len(_chunks_of(advisor, "acme", hostile.folder / "repeated.md")) == 1
    spaces = _chunks_of(advisor, "acme", hostile.folder / "spaces-heading.md")
    assert [c.text for c in spaces] == ["body"]


def test_a_note_replaced_by_a_link_leaving_the_folder_is_removed_from_the_index(
    advisor: Advisor, tmp_path: Path
) -> None:
    other = write_other_client(tmp_path / "globex")
    folder = tmp_path / "acme"
    folder.mkdir()
    (folder / "board.md").write_text(f"## Board\n{SECRET}\n", encoding="utf-8")
    advisor.tenants.add("acme")
    advisor.ingestor.ingest_path(folder, "acme")
    assert SECRET in _texts(advisor, "Obsidian merger", "acme")  # a copy was indexed

    (folder / "board.md").unlink()
    (folder / "board.md").symlink_to(other / "secret.md")
    report = advisor.ingestor.ingest_path(folder, "acme")

    assert report.removed == [f"{folder.resolve()}/board.md"]
    assert "links outside the notes folder" in (_failure(report, folder, "board.md") or "")
    assert SECRET not in _texts(advisor, "Obsidian merger", "acme")


def test_docx_paragraphs_are_packed_as_paragraphs_and_long_ones_split(tmp_path: Path) -> None:
    path = tmp_path / "review.docx"
    doc = DocxDocument()
    doc.add_heading("Decisions", level=2)
    doc.add_paragraph("We keep the Zephyr gateway.")
    doc.add_paragraph("Priya owns the rollout.")
    doc.add_paragraph(" ".join(f"Sentence {i} is about the Heron budget." for i in range(100)))
    doc.save(str(path))
    chunks = chunk_document(load_document(path, "review.docx"), "acme")
    assert chunks[0].text.startswith("We keep the Zephyr gateway.\n\nPriya owns the rollout.")
    assert len(chunks) >= 5 and all(len(c.text) <= TARGET_CHARS for c in chunks)
    assert {c.section for c in chunks} == {"Decisions"}


def test_ingestion_limits_are_read_from_settings_and_applied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADVISOR_INGEST_MAX_DOCX_XML_BYTES", "50000")
    monkeypatch.setenv("ADVISOR_INGEST_MAX_CHARS", "40")
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")  # type: ignore[call-arg]
    folder = tmp_path / "notes"
    folder.mkdir()
    doc = DocxDocument()
    doc.add_paragraph("Zephyr " * 10_000)
    doc.save(str(folder / "big.docx"))
    (folder / "short.md").write_text("The Zephyr gateway stays.\n", encoding="utf-8")
    (folder / "long.md").write_text("The Zephyr gateway stays in house for now.\n", "utf-8")
    advisor = Advisor.open(settings)
    try:
        advisor.tenants.add("acme")
        report = advisor.ingestor.ingest_path(folder, "acme")
    finally:
        advisor.close()
    assert "ADVISOR_INGEST_MAX_DOCX_XML_BYTES" in (_failure(report, folder, "big.docx") or "")
    assert "ADVISOR_INGEST_MAX_CHARS" in (_failure(report, folder, "long.md") or "")
    assert report.added == [f"{folder.resolve()}/short.md"]


def test_a_tiny_pdf_that_draws_one_form_for_hours_is_refused_at_the_time_limit(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    write_form_bomb_pdf(folder / "form-bomb.pdf")
    (folder / "short.md").write_text("The Zephyr gateway stays.\n", encoding="utf-8")
    advisor = Advisor.open(make_settings(tmp_path / "data", ingest_max_pdf_seconds=0.5))
    try:
        advisor.tenants.add("acme")
        report = advisor.ingestor.ingest_path(folder, "acme")
    finally:
        advisor.close()
    reason = _failure(report, folder, "form-bomb.pdf")
    assert reason == "reading it took over 0.5 s (ADVISOR_INGEST_MAX_PDF_SECONDS)"
    assert report.added == [f"{folder.resolve()}/short.md"]


def _advisor_cli(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k == "ADVISOR_CACHE_DIR" or not k.startswith(("ADVISOR_", "ANTHROPIC_"))
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env={**base, "ADVISOR_DATA_DIR": str(data_dir), **env},
        timeout=180,
        check=False,
    )


def test_cli_ingest_of_a_hostile_folder_reports_each_failure_exits_1_and_keeps_the_good_notes(
    hostile: HostileFolder, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    assert _advisor_cli(data, "tenants", "add", "acme").returncode == 0
    # a lower character limit (from the environment) also refuses the 1.9M-character memo
    result = _advisor_cli(
        data, "ingest", str(hostile.folder), "--tenant", "acme", ADVISOR_INGEST_MAX_CHARS="1000000"
    )
    assert result.returncode == 1, result.stderr
    refused = [rel for rel, outcome in hostile.expected.items() if outcome != INDEXED]
    for rel in [*refused, "long-memo.txt"]:
        assert f"failed: {hostile.folder.resolve()}/{rel}: " in result.stderr, rel
    indexed = len(hostile.good) + sum(o == INDEXED for o in hostile.expected.values()) - 1
    assert f"{indexed} added" in result.stderr and f"{len(refused) + 1} failed" in result.stderr

    answer = _advisor_cli(data, "ask", "--tenant", "acme", "--json", "Who owns Birch migration?")
    quotes = " ".join(c["quote"] for c in json.loads(answer.stdout)["citations"])
    assert "Birch" in quotes
