"""The bundled corpus: the field report (public, verbatim) and the fictional sample clients."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from knowledge.chunking import chunk_document
from knowledge.chunks import LABEL_SEPARATOR, PUBLIC_TENANT, Chunk
from knowledge.ingest import Ingestor, IngestReport
from knowledge.sources import Document, load_document

CORPUS_DIR = Path(__file__).parent / "corpus"
SAMPLES_DIR = Path(__file__).parent / "samples"
FIELD_REPORT_FILE = CORPUS_DIR / "field-report.md"
# The key the ingestor gives the bundled report (ingest_field_report): chunk ids derive from
# it, so the chunks parsed here are the very chunks in the index.
FIELD_REPORT_PATH = "bundled:corpus/field-report.md"
SAMPLE_TENANTS = ("northwind", "acme")


class UnknownSectionError(KeyError):
    """A rule or table names a field-report section that does not exist."""


@cache
def field_report() -> Document:
    """The field report, parsed once per process."""
    return load_document(FIELD_REPORT_FILE, FIELD_REPORT_PATH)


@cache
def field_report_chunks() -> tuple[Chunk, ...]:
    return tuple(chunk_document(field_report(), PUBLIC_TENANT))


def section_label(*headings: str) -> str:
    """`Field report › H2 › H3` for the given headings (validated)."""
    label = LABEL_SEPARATOR.join((field_report().title, *headings))
    if not field_report_section_chunks(label):
        raise UnknownSectionError(label)
    return label


def field_report_section_chunks(label: str) -> tuple[Chunk, ...]:
    """Every chunk whose label is `label` or lies under it, in document order."""
    prefix = label + LABEL_SEPARATOR
    return tuple(c for c in field_report_chunks() if c.label == label or c.label.startswith(prefix))


def field_report_labels() -> list[str]:
    """Every distinct section label of the report, in document order."""
    seen: dict[str, None] = {}
    for chunk in field_report_chunks():
        seen.setdefault(chunk.label, None)
    return list(seen)


def sample_notes_dir(tenant: str) -> Path:
    return SAMPLES_DIR / tenant


def ingest_field_report(ingestor: Ingestor) -> IngestReport:
    """Index the bundled field report as tenant `public` (a no-op when unchanged)."""
    return ingestor.ingest_path(CORPUS_DIR, PUBLIC_TENANT, key_prefix="bundled:corpus")


def ingest_samples(ingestor: Ingestor, tenant: str) -> IngestReport:
    """Index one fictional sample client's notes (demo data)."""
    return ingestor.ingest_path(
        sample_notes_dir(tenant), tenant, key_prefix=f"bundled:samples/{tenant}"
    )
