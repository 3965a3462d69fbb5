"""Loaders: turn files (.md, .txt, .pdf, .docx) into documents made of labelled sections.

A section keeps its heading path, which becomes the citation label. Loaders never guess
at a file they cannot read: they raise `SourceError` with the file name, and the batch
goes on without it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path

import yaml

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".pdf", ".docx")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)


class SourceError(Exception):
    """A file could not be read or parsed; the message names the file and the reason."""


@dataclass(slots=True)
class Section:
    headings: tuple[str, ...]
    text: str


@dataclass(slots=True)
class Document:
    title: str
    path: str
    sections: list[Section]
    date: str | None = None
    author: str | None = None
    meta: dict[str, object] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def read_text(path: Path, warnings: list[str]) -> str:
    """Read UTF-8 text; undecodable bytes are replaced and reported, never fatal."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        warnings.append(f"{path.name}: not valid UTF-8, undecodable bytes were replaced")
        return raw.decode("utf-8", errors="replace")


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise SourceError(f"front matter is not valid YAML ({exc.__class__.__name__})") from exc
    if not isinstance(meta, dict):
        raise SourceError("front matter must be a mapping of keys to values")
    return meta, text[match.end() :]


def markdown_sections(body: str, *, root: tuple[str, ...] = ()) -> list[Section]:
    """Split Markdown by headings; each section carries its heading path.

    An H1 is the document's title: it labels only the text right below it, and is left
    out of the paths of the sections under it (so labels read "Doc › Section").
    """
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    lines: list[str] = []
    path: tuple[str, ...] = root

    def flush() -> None:
        text = "\n".join(lines).strip()
        if text:
            sections.append(Section(path, text))
        lines.clear()

    for line in body.splitlines():
        match = _HEADING.match(line)
        if not match:
            lines.append(line)
            continue
        flush()
        level, title = len(match.group(1)), match.group(2).strip()
        stack = [(lvl, t) for lvl, t in stack if lvl < level]
        stack.append((level, title))
        inner = tuple(t for lvl, t in stack if lvl > 1)
        path = root + (inner or (title,))
    flush()
    return sections


def _as_date(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, Date):
        return value.isoformat()
    return str(value)


def load_markdown(path: Path, rel: str) -> Document:
    warnings: list[str] = []
    meta, body = split_front_matter(read_text(path, warnings))
    title = str(meta.get("title") or _title_from(path))
    sections = markdown_sections(body)
    return Document(
        title=title,
        path=rel,
        sections=sections,
        date=_as_date(meta.get("date")),
        author=str(meta["author"]) if meta.get("author") else None,
        meta=meta,
        warnings=warnings,
    )


def load_text(path: Path, rel: str) -> Document:
    warnings: list[str] = []
    text = read_text(path, warnings)
    return Document(_title_from(path), rel, [Section((), text.strip())], warnings=warnings)


def load_pdf(path: Path, rel: str) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except (PdfReadError, ValueError, OSError, KeyError) as exc:
        raise SourceError(f"not a readable PDF ({exc})") from exc
    sections = [Section((f"p. {i}",), text) for i, text in enumerate(pages, 1) if text]
    if not sections:
        raise SourceError("the PDF has no extractable text (scanned images?)")
    return Document(_title_from(path), rel, sections)


def load_docx(path: Path, rel: str) -> Document:
    import zipfile

    from docx import Document as DocxDocument

    try:
        doc = DocxDocument(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SourceError(f"not a readable .docx file ({exc.__class__.__name__})") from exc
    markdown: list[str] = []
    for para in doc.paragraphs:
        style = (para.style.name if para.style is not None else "") or ""
        if style.startswith("Heading") and style[-1:].isdigit():
            markdown.append("#" * int(style[-1]) + " " + para.text)
        elif para.text.strip():
            markdown.append(para.text)
    title = doc.core_properties.title or _title_from(path)
    return Document(title, rel, markdown_sections("\n".join(markdown)))


_LOADERS = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_text,
    ".pdf": load_pdf,
    ".docx": load_docx,
}


def load_document(path: Path, rel: str) -> Document:
    """Load one file; raises `SourceError` naming the file when it cannot be read."""
    loader = _LOADERS.get(path.suffix.lower())
    if loader is None:
        raise SourceError(f"{rel}: unsupported file type {path.suffix!r}")
    try:
        return loader(path, rel)
    except SourceError as exc:
        raise SourceError(f"{rel}: {exc}") from exc
    except OSError as exc:
        raise SourceError(f"{rel}: cannot read ({exc.strerror or exc})") from exc
    except Exception as exc:
        raise SourceError(f"{rel}: cannot parse ({exc.__class__.__name__}: {exc})") from exc


def discover(root: Path) -> Iterable[Path]:
    """Supported files under `root` (or `root` itself), sorted, hidden files skipped."""
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(root).parts)
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES and not hidden:
            yield path


def _title_from(path: Path) -> str:
    stem = re.sub(r"^\d{4}-\d{2}-\d{2}[-_ ]*", "", path.stem)
    return stem.replace("-", " ").replace("_", " ").strip().capitalize() or path.stem
