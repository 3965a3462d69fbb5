"""PDF and .docx loaders, each bounded by `IngestLimits`: pypdf's decoding limits tightened
and a deadline per file; a .docx read as a stream of XML elements after its archive is checked
for size and expansion, so a zip bomb or a paragraph bomb is refused with its reason."""

from __future__ import annotations

import re
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from knowledge.sources import (
    DEFAULT_LIMITS,
    Document,
    IngestLimits,
    LimitError,
    Section,
    SourceError,
    _mb,
    _short,
    _title_from,
    _too_many_chars,
    markdown_sections,
)

_PDF_MAX_TOKENS_PER_STREAM = 1_000_000  # pypdf allows 2M: ~500 MB and 15 s for one stream
_PDF_DECODE_LIMITS = (
    "array_based_stream_maximum_output_length",
    "brotli_maximum_output_length",
    "lzw_maximum_output_length",
    "run_length_maximum_output_length",
    "stream_decoding_work_maximum_length",
    "zlib_maximum_output_length",
)


def load_pdf(path: Path, rel: str, limits: IngestLimits = DEFAULT_LIMITS) -> Document:
    """Page by page within pypdf's safety limits, tightened so no stream decodes past the
    content limit (pypdf's own 75 MB lets one page's text cost about a gigabyte)."""
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError, PyPdfError

    caps = dict.fromkeys(_PDF_DECODE_LIMITS, limits.max_pdf_content_bytes)
    caps["stream_parsing_work_maximum_count"] = _PDF_MAX_TOKENS_PER_STREAM
    try:
        with apply_configuration(**caps):
            sections = _pdf_sections(PdfReader(str(path)), limits)
    except LimitReachedError as exc:
        raise LimitError(
            f"over a PDF safety limit: {exc} (a stream may decode to at most "
            "ADVISOR_INGEST_MAX_PDF_CONTENT_BYTES)"
        ) from exc
    except (PyPdfError, ValueError, OSError, KeyError) as exc:
        raise SourceError(f"not a readable PDF ({exc})") from exc
    if not sections:
        raise SourceError("the PDF has no extractable text (scanned images?)")
    return Document(_title_from(path), rel, sections)


class _PdfDeadline:
    """Called before every content operator text extraction runs (forms included): stops a
    PDF of a few KB that draws one costly form thousands of times, which no size shows."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def __call__(self, *_args: object) -> None:
        if self.passed:  # pypdf swallows this inside a form; the page's next operator won't
            raise LimitError(self.reason)

    @property
    def passed(self) -> bool:
        return time.monotonic() > self.deadline

    @property
    def reason(self) -> str:
        return f"reading it took over {self.seconds:g} s (ADVISOR_INGEST_MAX_PDF_SECONDS)"


def _pdf_sections(reader: Any, limits: IngestLimits) -> list[Section]:
    """One section per page with text; refuses too many pages, too much page content (all
    pages together, measured before each page is parsed), too much time or too many
    characters."""
    if len(reader.pages) > limits.max_pdf_pages:
        raise LimitError(
            f"{len(reader.pages):,} pages; the limit is {limits.max_pdf_pages:,} "
            "(ADVISOR_INGEST_MAX_PDF_PAGES)"
        )
    sections: list[Section] = []
    chars = content = 0
    deadline = _PdfDeadline(limits.max_pdf_seconds)
    for number, page in enumerate(reader.pages, 1):
        contents = page.get_contents()
        content += len(contents.get_data()) if contents is not None else 0
        if content > limits.max_pdf_content_bytes:
            raise LimitError(
                f"more than {_mb(limits.max_pdf_content_bytes)} of page content "
                "(ADVISOR_INGEST_MAX_PDF_CONTENT_BYTES)"
            )
        text = (page.extract_text(visitor_operand_before=deadline) or "").strip()
        if deadline.passed:
            raise LimitError(deadline.reason)
        chars += len(text)
        if chars > limits.max_chars:
            raise _too_many_chars(limits)
        if text:
            sections.append(Section((f"p. {number}",), text))
    return sections


def load_docx(path: Path, rel: str, limits: IngestLimits = DEFAULT_LIMITS) -> Document:
    """A .docx read as a stream after its zip is checked: python-docx would build the whole
    tree (2 million paragraphs take minutes; an expansion bomb takes gigabytes)."""
    try:
        with zipfile.ZipFile(path) as archive:
            _check_zip(archive, path.stat().st_size, limits)
            title, markdown = _docx_markdown(archive, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise SourceError(f"not a readable .docx file ({exc.__class__.__name__}: {exc})") from exc
    return Document(title or _title_from(path), rel, markdown_sections("\n\n".join(markdown)))


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_DOCX_TEXT = {_W + "t": None, _W + "tab": "\t", _W + "br": "\n", _W + "cr": "\n"}
_HEADING_STYLE = re.compile(r"heading\s*([1-9])", re.IGNORECASE)


def _check_zip(archive: zipfile.ZipFile, size: int, limits: IngestLimits) -> None:
    """Refuse a zip bomb from its directory alone (Python's zipfile never inflates an entry
    past its declared size: it stops with a CRC error)."""
    entries = archive.infolist()
    if len(entries) > limits.max_zip_entries:
        raise LimitError(
            f"{len(entries):,} zip entries; the limit is {limits.max_zip_entries:,} "
            "(ADVISOR_INGEST_MAX_ZIP_ENTRIES)"
        )
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > limits.max_expansion_ratio * max(size, 1):
        raise LimitError(
            f"expands {unpacked / max(size, 1):,.0f}× when unzipped ({_mb(unpacked)} from "
            f"{_mb(size)}); the limit is {limits.max_expansion_ratio:,.0f}× "
            "(ADVISOR_INGEST_MAX_EXPANSION_RATIO)"
        )


def _xml_elements(archive: zipfile.ZipFile, name: str, limits: IngestLimits) -> Iterator:
    """Each element of one XML part as it ends, then dropped: memory stays flat whatever
    the part holds. No DTDs, no entities, no network."""
    from lxml import etree

    try:
        entry = archive.getinfo(name)
    except KeyError:
        return
    if entry.file_size > limits.max_docx_xml_bytes:
        raise LimitError(
            f"{name} is {_mb(entry.file_size)} unzipped; the limit is "
            f"{_mb(limits.max_docx_xml_bytes)} (ADVISOR_INGEST_MAX_DOCX_XML_BYTES)"
        )
    with archive.open(entry) as stream:
        events = etree.iterparse(
            stream, events=("end",), resolve_entities=False, load_dtd=False, no_network=True
        )
        try:
            for _event, element in events:
                yield element
                parent = element.getparent()
                if parent is not None:
                    parent.remove(element)
        except etree.XMLSyntaxError as exc:
            raise SourceError(f"{name} is not well-formed XML ({exc})") from exc


def _heading_styles(archive: zipfile.ZipFile, limits: IngestLimits) -> dict[str, int]:
    """Style id → heading level, for the paragraph styles named "Heading N"."""
    levels: dict[str, int] = {}
    for element in _xml_elements(archive, "word/styles.xml", limits):
        if element.tag == _W + "name" and len(levels) < 1000:
            style_id = element.getparent().get(_W + "styleId")
            match = _HEADING_STYLE.fullmatch(element.get(_W + "val") or "")
            if style_id and match:
                levels[style_id] = int(match.group(1))
    return levels


def _docx_markdown(archive: zipfile.ZipFile, limits: IngestLimits) -> tuple[str, list[str]]:
    """The core title and the body as Markdown paragraphs (headings from "Heading N" styles),
    refusing too many paragraphs or characters."""
    if "word/document.xml" not in archive.namelist():
        raise SourceError("no word/document.xml inside (not a Word document)")
    levels = _heading_styles(archive, limits)
    paragraphs: list[str] = []
    parts: list[str] = []
    style, count, chars = "", 0, 0
    for element in _xml_elements(archive, "word/document.xml", limits):
        tag = element.tag
        if tag in _DOCX_TEXT:
            text = _DOCX_TEXT[tag] or element.text or ""
            chars += len(text)
            if chars > limits.max_chars:
                raise _too_many_chars(limits)
            parts.append(text)
        elif tag == _W + "pStyle":
            style = element.get(_W + "val") or ""
        elif tag == _W + "p":
            count += 1
            if count > limits.max_docx_paragraphs:
                raise LimitError(
                    f"more than {limits.max_docx_paragraphs:,} paragraphs "
                    "(ADVISOR_INGEST_MAX_DOCX_PARAGRAPHS)"
                )
            text, level = "".join(parts), levels.get(style) or _heading_level(style)
            if level and level <= 6 and text.strip():
                paragraphs.append("#" * level + " " + text)
            elif text.strip():
                paragraphs.append(text)
            parts, style = [], ""
    return _docx_title(archive, limits), paragraphs


def _heading_level(style_id: str) -> int:
    match = _HEADING_STYLE.fullmatch(style_id)
    return int(match.group(1)) if match else 0


def _docx_title(archive: zipfile.ZipFile, limits: IngestLimits) -> str:
    for element in _xml_elements(archive, "docProps/core.xml", limits):
        if element.tag == _DC_TITLE and element.text and element.text.strip():
            return _short(element.text)
    return ""
