"""Loaders: turn files (.md, .txt; .pdf and .docx in `knowledge.office`) into documents
made of labelled sections.

A section keeps its heading path, which becomes the citation label. Loaders never guess
at a file they cannot read: they raise `SourceError` with the file name, and the batch
goes on without it. Every loader is bounded by `IngestLimits`, so a hostile or accidental
huge file is refused with its reason instead of exhausting the machine.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".pdf", ".docx")
MAX_HEADING_CHARS = 200  # a heading or title longer than this is cut: labels ride on every chunk
MAX_FRONT_MATTER_CHARS = 64 * 1024
_BLOCK = 1 << 20
_HEADING = re.compile(r"^(#{1,6})\s+(.+)$")  # trailing "#"s are stripped in code (no backtracking)
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)


class SourceError(Exception):
    """A file could not be read or parsed; the message names the file and the reason."""


class LimitError(SourceError):
    """A file is over one of the ingestion limits; the message names the setting to raise."""


@dataclass(frozen=True, slots=True)
class IngestLimits:
    """Caps on what one file may cost; the defaults keep any input well under 1 GiB of memory.

    `Settings` exposes each as an `ADVISOR_INGEST_*` variable; these defaults are the settings'.
    """

    max_file_bytes: int = 20 * 1024 * 1024  # refused on `stat`, before a byte is read
    max_chars: int = 2_000_000  # extracted text per file (~1,000 pages)
    max_chunks: int = 5_000  # chunks per file (many tiny sections)
    max_expansion_ratio: float = 100.0  # .docx: unzipped size / file size
    max_docx_xml_bytes: int = 64 * 1024 * 1024  # .docx: each XML part read, unzipped
    max_docx_paragraphs: int = 100_000
    max_zip_entries: int = 10_000
    max_pdf_pages: int = 2_000
    max_pdf_content_bytes: int = 16 * 1024 * 1024  # .pdf: decoded page content, all pages
    max_pdf_seconds: float = 60.0  # .pdf: text extraction time (the one limit not of size)


DEFAULT_LIMITS = IngestLimits()


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


def _mb(size: float) -> str:
    return f"{size / 1024 / 1024:,.1f} MB"


def check_size(path: Path, limits: IngestLimits) -> int:
    """The file's size from `stat`; refuses an oversized file before anything reads it."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise LimitError(
            f"the file is {_mb(size)}; files over {_mb(limits.max_file_bytes)} are refused "
            "(ADVISOR_INGEST_MAX_FILE_BYTES)"
        )
    return size


def file_sha256(path: Path, rel: str, limits: IngestLimits = DEFAULT_LIMITS) -> str:
    """SHA-256 of the file, hashed in blocks; refuses an oversized file (named `rel`) before
    reading it, and never reads past the limit (a file still growing)."""
    try:
        check_size(path, limits)
    except LimitError as exc:
        raise LimitError(f"{rel}: {exc}") from exc
    digest, left = hashlib.sha256(), limits.max_file_bytes + 1
    with path.open("rb") as handle:
        while left > 0 and (block := handle.read(min(_BLOCK, left))):
            digest.update(block)
            left -= len(block)
    if left <= 0:
        raise LimitError(f"{rel}: the file grew past {_mb(limits.max_file_bytes)} while read")
    return digest.hexdigest()


def _too_many_chars(limits: IngestLimits) -> LimitError:
    return LimitError(
        f"more than {limits.max_chars:,} characters of text (ADVISOR_INGEST_MAX_CHARS)"
    )


def read_text(path: Path, warnings: list[str], limits: IngestLimits = DEFAULT_LIMITS) -> str:
    """Read UTF-8 text in blocks, stopping at the character limit; undecodable bytes are
    replaced and reported, never fatal."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
    parts: list[str] = []
    chars = 0
    with path.open("rb") as handle:
        while True:
            block = handle.read(_BLOCK)
            try:
                text = decoder.decode(block, final=not block)
            except UnicodeDecodeError:
                warnings.append(f"{path.name}: not valid UTF-8, undecodable bytes were replaced")
                decoder.errors = "replace"
                text = decoder.decode(block, final=not block)
            chars += len(text)
            if chars > limits.max_chars:
                raise _too_many_chars(limits)
            parts.append(text)
            if not block:
                return "".join(parts)


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    """YAML front matter (within the first 64 KB) and the body after it."""
    match = _FRONT_MATTER.match(text[: MAX_FRONT_MATTER_CHARS + 8])
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise SourceError(f"front matter is not valid YAML ({exc.__class__.__name__})") from exc
    if not isinstance(meta, dict):
        raise SourceError("front matter must be a mapping of keys to values")
    return meta, text[match.end() :]


def _short(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_HEADING_CHARS else text[: MAX_HEADING_CHARS - 1] + "…"


def _heading(line: str) -> tuple[int, str] | None:
    match = _HEADING.match(line)
    if not match:
        return None
    title = match.group(2).rstrip()
    return len(match.group(1)), _short(title.rstrip("#").rstrip() or title)


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
        heading = _heading(line)
        if heading is None:
            lines.append(line)
            continue
        flush()
        level, title = heading
        stack = [(lvl, t) for lvl, t in stack if lvl < level]
        stack.append((level, title))
        inner = tuple(t for lvl, t in stack if lvl > 1)
        path = root + (inner or (title,))
    flush()
    return sections


def _scalar(meta: dict[str, object], key: str) -> str | None:
    """A front-matter value as text; a list or mapping is refused (an alias bomb's `str()`
    would never finish)."""
    value = meta.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, Date):
        return value.isoformat()
    if not isinstance(value, str | int | float | bool):
        raise SourceError(f"front matter {key!r} must be a single value, not a list or mapping")
    return _short(str(value))


def load_markdown(path: Path, rel: str, limits: IngestLimits = DEFAULT_LIMITS) -> Document:
    warnings: list[str] = []
    meta, body = split_front_matter(read_text(path, warnings, limits))
    return Document(
        title=_scalar(meta, "title") or _title_from(path),
        path=rel,
        sections=markdown_sections(body),
        date=_scalar(meta, "date"),
        author=_scalar(meta, "author"),
        meta=meta,
        warnings=warnings,
    )


def load_text(path: Path, rel: str, limits: IngestLimits = DEFAULT_LIMITS) -> Document:
    warnings: list[str] = []
    text = read_text(path, warnings, limits)
    return Document(_title_from(path), rel, [Section((), text.strip())], warnings=warnings)


_LOADERS = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_text,
}


def _loader(suffix: str) -> Any:
    if suffix in (".pdf", ".docx"):
        from knowledge import office  # pypdf and the XML reader, imported on first use

        return {".pdf": office.load_pdf, ".docx": office.load_docx}[suffix]
    return _LOADERS.get(suffix)


def load_document(path: Path, rel: str, limits: IngestLimits = DEFAULT_LIMITS) -> Document:
    """Load one file within `limits`; raises `SourceError` naming the file when it cannot be
    read or is over a limit."""
    loader = _loader(path.suffix.lower())
    try:
        if loader is None:
            raise SourceError(f"unsupported file type {path.suffix!r}")
        check_size(path, limits)
        return loader(path, rel, limits)
    except SourceError as exc:
        raise type(exc)(f"{rel}: {exc}") from exc
    except OSError as exc:
        raise SourceError(f"{rel}: cannot read ({exc.strerror or exc})") from exc
    except Exception as exc:
        raise SourceError(f"{rel}: cannot parse ({exc.__class__.__name__}: {exc})") from exc


@dataclass(frozen=True, slots=True)
class Found:
    """A candidate under the ingest root: a file to read, or why it is not read."""

    path: Path
    refused: str | None = None  # reported as a failure
    skipped: str | None = None  # reported as a warning
    unlisted_folder: bool = False  # what was indexed under it stays (unreadable for now)


def discover(root: Path) -> Iterator[Found]:
    """Supported files under `root` (or `root` itself), sorted, hidden entries skipped.

    Symlinks are never followed, so another client's folder can't be linked in and a link
    cycle can't loop. A link leaving `root`, a dangling link and a link loop are refused
    (failures, named with the reason); a link staying inside `root` is skipped with a
    warning, since what it points to is indexed where it is. A `root` named on the command
    line is resolved first (naming a link there is the operator's choice). Folders are walked
    without recursion, so depth can't overflow the stack.
    """
    root = root.resolve()
    if root.is_file():
        yield Found(root)
        return
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as exc:
            reason = f"cannot list the folder ({exc.strerror or exc})"
            yield Found(folder, refused=reason, unlisted_folder=True)
            continue
        subfolders: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                continue
            if entry.is_symlink():
                found = _link(path, root)
                if found is not None:
                    yield found
            elif entry.is_dir(follow_symlinks=False):
                subfolders.append(path)
            elif entry.is_file(follow_symlinks=False) and _supported(path):
                yield Found(path)
        folders.extend(reversed(subfolders))


def _supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def _link(path: Path, root: Path) -> Found | None:
    """Why a symlink is not read, or None when it could never have been a note."""
    could_be_note = _supported(path) or not path.suffix
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        reason = "a dangling link (its target does not exist)"
        return Found(path, refused=reason) if could_be_note else None
    except (RuntimeError, OSError):  # Python 3.11 raises RuntimeError on a loop, later ELOOP
        return Found(path, refused="a symlink loop") if could_be_note else None
    if not (could_be_note or target.is_dir() or _supported(target)):
        return None
    if target != root and not target.is_relative_to(root):
        return Found(
            path,
            refused=f"links outside the notes folder (to {target}); links are not followed, "
            "ingest that folder itself if it belongs to this client",
        )
    return Found(path, skipped="a link inside the notes folder, not followed (links never are)")


def _title_from(path: Path) -> str:
    stem = re.sub(r"^\d{4}-\d{2}-\d{2}[-_ ]*", "", path.stem)
    return stem.replace("-", " ").replace("_", " ").strip().capitalize() or path.stem
