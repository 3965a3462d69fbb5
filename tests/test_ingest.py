"""Ingestion is incremental and idempotent, and one bad file never sinks the batch."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document as DocxDocument

from graphs.runtime import Advisor
from knowledge.sources import load_document
from tests.pdf import write_text_pdf


def _note(folder: Path, name: str, title: str, body: str, date: str = "2026-10-01") -> Path:
    path = folder / name
    path.write_text(
        f"---\nclient: Test\ndate: {date}\nauthor: Op\ntitle: {title}\n---\n\n{body}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    _note(folder, "a.md", "Kickoff", "## Decisions\nWe keep the Zephyr gateway in house.")
    _note(folder, "b.md", "Risks", "## Risks\nThe Quokka export has no owner yet.")
    return folder


def test_second_run_reindexes_nothing(advisor: Advisor, notes: Path) -> None:
    advisor.tenants.add("client")
    first = advisor.ingestor.ingest_path(notes, "client")
    second = advisor.ingestor.ingest_path(notes, "client")
    assert len(first.added) == 2 and first.chunks_written == 2
    assert second.chunks_written == 0 and second.chunks_deleted == 0
    assert len(second.unchanged) == 2


def test_changed_file_replaces_only_its_chunks(advisor: Advisor, notes: Path) -> None:
    advisor.tenants.add("client")
    advisor.ingestor.ingest_path(notes, "client")
    before = advisor.index.count()
    _note(notes, "b.md", "Risks", "## Risks\nThe Quokka export now belongs to Priya.")
    report = advisor.ingestor.ingest_path(notes, "client")
    assert report.updated == [f"{notes.resolve()}/b.md"]
    assert (report.chunks_written, report.chunks_deleted) == (1, 1)
    assert advisor.index.count() == before
    hits = advisor.index.retrieve_for_tenant("Who owns the Quokka export?", "client")
    quokka = [p.chunk.text for p in hits if "Quokka" in p.chunk.text]
    assert quokka == ["## Risks\nThe Quokka export now belongs to Priya."[len("## Risks\n") :]]


def test_vanished_file_is_removed_from_the_index(advisor: Advisor, notes: Path) -> None:
    advisor.tenants.add("client")
    advisor.ingestor.ingest_path(notes, "client")
    (notes / "b.md").unlink()
    report = advisor.ingestor.ingest_path(notes, "client")
    assert report.removed == [f"{notes.resolve()}/b.md"]
    texts = [p.chunk.text for p in advisor.index.retrieve_for_tenant("Quokka export", "client")]
    assert not any("Quokka" in t for t in texts)


def test_corrupt_files_are_named_and_the_rest_still_indexed(advisor: Advisor, notes: Path) -> None:
    advisor.tenants.add("client")
    (notes / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (notes / "broken.docx").write_bytes(b"PK\x03\x04 not a zip")
    report = advisor.ingestor.ingest_path(notes, "client")
    assert sorted(f.split(":")[0].rsplit("/", 1)[1] for f in report.failed) == [
        "broken.docx",
        "broken.pdf",
    ]
    assert len(report.added) == 2 and not report.ok


def test_non_utf8_text_is_decoded_with_a_warning(advisor: Advisor, notes: Path) -> None:
    advisor.tenants.add("client")
    (notes / "latin.txt").write_bytes("Caf\xe9 budget review: the Zephyr spend".encode("latin-1"))
    report = advisor.ingestor.ingest_path(notes, "client")
    assert any("latin.txt" in w and "UTF-8" in w for w in report.warnings)
    assert report.ok


def test_pdf_and_docx_keep_pages_and_headings_as_labels(tmp_path: Path) -> None:
    pdf = tmp_path / "memo.pdf"
    write_text_pdf(pdf, ["Decision memo: keep the Zephyr gateway."])
    docx_path = tmp_path / "review.docx"
    doc = DocxDocument()
    doc.add_heading("Vendor review", level=1)
    doc.add_heading("Decisions", level=2)
    doc.add_paragraph("We replace Parrot with an in-house router.")
    doc.save(str(docx_path))

    pdf_doc = load_document(pdf, "memo.pdf")
    assert pdf_doc.sections[0].headings == ("p. 1",)
    assert "Zephyr gateway" in pdf_doc.sections[0].text
    docx_doc = load_document(docx_path, "review.docx")
    assert [s.headings for s in docx_doc.sections] == [("Decisions",)]


def test_channel_notes_from_two_replicas_never_remove_each_other(
    advisor: Advisor, tmp_path: Path
) -> None:
    """Each replica writes notes into its own data dir; both stay in the shared index."""
    from knowledge.notes import add_note

    advisor.tenants.add("client")
    add_note(
        advisor.ingestor,
        tmp_path / "replica-a",
        "client",
        author="Ann",
        text="Decision: the Zephyr gateway stays in house.",
    )
    add_note(
        advisor.ingestor,
        tmp_path / "replica-b",
        "client",
        author="Bo",
        text="Risk: the Quokka export has no owner.",
    )
    texts = " ".join(
        p.chunk.text
        for p in advisor.index.retrieve_for_tenant("Zephyr gateway Quokka export", "client", k=10)
    )
    assert "Zephyr" in texts and "Quokka" in texts


def test_channel_notes_are_stored_and_any_replica_can_restore_and_reindex_them(
    advisor: Advisor, tmp_path: Path
) -> None:
    from knowledge.notes import add_note, notes_dir, sync_channel_notes

    advisor.tenants.add("client")
    advisor.tenants.add("other")
    path, _ = add_note(
        advisor.ingestor, tmp_path / "replica-a", "client", author="Ann", text="Zephyr stays."
    )
    add_note(advisor.ingestor, tmp_path / "replica-a", "other", author="Ed", text="Quokka.")

    written, report = sync_channel_notes(advisor.ingestor, tmp_path / "replica-b", "client")

    restored = notes_dir(tmp_path / "replica-b", "client") / path.name
    assert written == 1 and restored.read_text() == path.read_text()
    assert not notes_dir(tmp_path / "replica-b", "other").exists()  # only the tenant asked for
    assert report.unchanged and report.chunks_written == 0  # already in the shared index
    again, rebuilt = sync_channel_notes(advisor.ingestor, tmp_path / "replica-b", force=True)
    assert again == 1 and rebuilt.chunks_written >= 2  # after an index rebuild: re-embedded


def test_force_re_embeds_unchanged_files(advisor: Advisor, notes: Path) -> None:
    advisor.tenants.add("client")
    advisor.ingestor.ingest_path(notes, "client")
    again = advisor.ingestor.ingest_path(notes, "client", force=True)
    assert again.chunks_written == 2 and again.chunks_deleted == 0 and len(again.updated) == 2
