"""A hostile notes folder, generated at run time (nothing hostile is checked in).

Used by tests/test_hostile_notes.py and bench/hostile_notes.py. `build_hostile_folder` writes
every hostile file beside good notes and returns what each hostile file should come to: the
substring of its refusal reason, or `INDEXED` (indexed in bounded chunks).
"""

from __future__ import annotations

import os
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from docx import Document as DocxDocument
from pypdf import PdfWriter

from tests.pdf import write_text_pdf

MB = 1024 * 1024
INDEXED = "indexed"
SECRET = "The Obsidian merger closes on 14 March; only Globex's board knows."
CODEWORDS = [
    *("Aster", "Birch", "Cedar", "Dahlia", "Elm", "Fennel", "Gorse", "Hazel", "Iris"),
    *("Juniper", "Kelp", "Larch", "Maple", "Nettle", "Oak", "Poplar", "Quince", "Rowan"),
    *("Sorrel", "Thyme"),
]
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_DOC_HEAD = f'<?xml version="1.0"?><w:document xmlns:w="{_W_NS}"><w:body>'.encode()
_DOC_TAIL = b"</w:body></w:document>"
_CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


@dataclass(frozen=True, slots=True)
class Sizes:
    """How big the big inputs are: the tests keep them small enough to run fast."""

    huge_text_bytes: int = 50 * MB  # over the 20 MB file limit
    long_memo_chars: int = 1_900_000  # one paragraph, just under the 2M character limit
    over_chars: int = 3_000_000  # under the file limit, over the character limit
    bomb_paragraphs: int = 2_000_000
    bomb_unpacked_bytes: int = 200 * MB
    wide_paragraphs: int = 120_000  # incompressible: passes the ratio, over the paragraph cap


def good_fact(word: str) -> str:
    return f"The {word} migration is owned by the platform lead; {word} ships in week two."


def write_good_notes(folder: Path, count: int = 20) -> list[Path]:
    """`count` ordinary notes (Markdown, one .docx, one .txt, one .pdf), one codeword each."""
    paths = []
    for i, word in enumerate(CODEWORDS[:count], 1):
        name = f"good-{i:02d}"
        if i == 3:
            paths.append(_good_docx(folder / f"{name}.docx", word))
        elif i == 4:
            paths.append(folder / f"{name}.txt")
            paths[-1].write_text(good_fact(word) + "\n", encoding="utf-8")
        elif i == 5:
            paths.append(folder / f"{name}.pdf")
            write_text_pdf(paths[-1], [good_fact(word)])
        else:
            paths.append(folder / f"{name}.md")
            paths[-1].write_text(
                f"---\ntitle: Weekly sync {i}\ndate: 2026-10-{i:02d}\n---\n"
                f"## Decisions\n{good_fact(word)}\n",
                encoding="utf-8",
            )
    return paths


def _good_docx(path: Path, word: str) -> Path:
    doc = DocxDocument()
    doc.add_heading("Decisions", level=2)
    doc.add_paragraph(good_fact(word))
    doc.add_paragraph("A second, short paragraph.")
    doc.save(str(path))
    return path


def write_one_paragraph_text(path: Path, chars: int) -> None:
    """One paragraph of numbered sentences (no blank line anywhere), `chars` long."""
    with path.open("w", encoding="utf-8") as out:
        written, i = 0, 0
        while written < chars:
            sentence = f"Sentence {i} of the long memo keeps the Heron budget under review. "
            sentence = sentence[: chars - written]
            out.write(sentence)
            written, i = written + len(sentence), i + 1


def write_huge_text(path: Path, size: int) -> None:
    """`size` bytes of words on one line, written in 1 MB blocks."""
    block = ("lorem ipsum dolor sit amet " * 40_000)[:MB].encode()
    with path.open("wb") as out:
        for _ in range(size // MB):
            out.write(block)


def _write_docx(path: Path, body_blocks: Iterable[bytes]) -> None:
    """A minimal .docx whose document.xml is streamed from `body_blocks`."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        with archive.open("word/document.xml", "w", force_zip64=True) as out:
            out.write(_DOC_HEAD)
            for block in body_blocks:
                out.write(block)
            out.write(_DOC_TAIL)


def write_xml_junk_docx(path: Path, xml_bytes: int) -> None:
    """No paragraph, no text: `xml_bytes` of bookmarks with random ids, just under the XML
    limit and compressible enough to pass the file size limit (the costliest .docx to read)."""
    ids = os.urandom(MB // 2).hex().encode()
    block = b"".join(b'<w:bookmarkStart w:id="%s"/>' % ids[i : i + 8] for i in range(0, MB, 8))
    _write_docx(path, (block for _ in range(xml_bytes // len(block))))


def write_lying_docx(path: Path) -> None:
    """A .docx whose zip directory says document.xml is 1 KB unzipped; it is 400 KB."""
    text = os.urandom(200_000).hex().encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("word/document.xml", _DOC_HEAD + b"<w:p><w:r><w:t>" + text + _DOC_TAIL)
    data = bytearray(path.read_bytes())
    start = data.find(b"PK\x01\x02")
    while start != -1:
        name_len = int.from_bytes(data[start + 28 : start + 30], "little")
        if data[start + 46 : start + 46 + name_len] == b"word/document.xml":
            data[start + 24 : start + 28] = (1024).to_bytes(4, "little")
        start = data.find(b"PK\x01\x02", start + 4)
    path.write_bytes(bytes(data))


def write_paragraph_bomb(path: Path, paragraphs: int) -> None:
    block = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 10_000
    _write_docx(path, (block for _ in range(paragraphs // 10_000)))


def write_expansion_bomb(path: Path, unpacked: int) -> None:
    """One paragraph of spaces: highly compressible, ~1,000× when unzipped."""
    spaces = b" " * MB
    blocks = [b"<w:p><w:r><w:t>", *(spaces for _ in range(unpacked // MB)), b"</w:t></w:r></w:p>"]
    _write_docx(path, blocks)


def write_wide_docx(path: Path, paragraphs: int) -> None:
    """Many paragraphs of random text: compresses poorly, so only the paragraph cap stops it."""
    noise = os.urandom(paragraphs * 8).hex().encode()
    _write_docx(
        path,
        (
            b"<w:p><w:r><w:t>%s</w:t></w:r></w:p>" % noise[i : i + 16]
            for i in range(0, len(noise), 16)
        ),
    )


def write_malformed_docx(path: Path) -> None:
    """A valid zip whose document.xml stops mid-element."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("word/document.xml", _DOC_HEAD + b"<w:p><w:r><w:t>cut off")


def write_content_pdf(path: Path, content: bytes, *, xobject_uses: int = 0) -> None:
    """A one-page PDF whose content stream (Flate-compressed) is `content`; with
    `xobject_uses`, the page instead draws that content as a form XObject this many times."""
    stream = zlib.compress(content, 9)
    page_ops = b"/X Do " * xobject_uses
    page = zlib.compress(page_ops, 9) if xobject_uses else stream
    resources = b"/Font << /F1 5 0 R >>" + (b" /XObject << /X 6 0 R >>" if xobject_uses else b"")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << " + resources + b" >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(page) + page + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 5 0 R"
        b" >> >> /Length %d /Filter /FlateDecode >>\nstream\n"
        % len(stream)
        + stream
        + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))


def write_form_bomb_pdf(path: Path, operands: int = 200_000, uses: int = 5_000) -> None:
    """A few KB: one page drawing, `uses` times, a form of one operator with `operands`
    numbers; every use is parsed again, so reading it takes hours."""
    write_content_pdf(path, b"1 " * operands + b"m\n", xobject_uses=uses)


def write_many_pages_pdf(path: Path, pages: int) -> None:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(72, 72)
    writer.write(str(path))


def write_markdown_traps(folder: Path) -> dict[str, str]:
    """Markdown that used to hang or explode: an alias bomb in front matter, a heading with
    200k spaces inside (the old heading pattern backtracked quadratically), a 100k-character
    heading, 6,000 tiny sections, a repeated paragraph (duplicate chunk ids)."""
    lol = "\n".join(f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 9))
    (folder / "alias-bomb.md").write_text(
        f"---\nl0: &l0 lol\n{lol}\ntitle: *l8\n---\nbody\n", encoding="utf-8"
    )
    (folder / "spaces-heading.md").write_text("# a" + " " * 200_000 + "b\nbody\n", "utf-8")
    (folder / "long-heading.md").write_text("## " + "h" * 100_000 + "\nbody text\n", "utf-8")
    sections = "".join(f"## Section {i}\nline {i}\n" for i in range(6_000))
    (folder / "tiny-sections.md").write_text(sections, encoding="utf-8")
    paragraph = "The Kestrel review repeats itself. " * 17
    (folder / "repeated.md").write_text((paragraph + "\n\n") * 10, encoding="utf-8")
    return {
        "alias-bomb.md": "must be a single value",
        "spaces-heading.md": INDEXED,
        "long-heading.md": INDEXED,
        "tiny-sections.md": "ADVISOR_INGEST_MAX_CHUNKS",
        "repeated.md": INDEXED,
    }


def write_links(folder: Path, other_client: Path) -> tuple[dict[str, str], set[str]]:
    """Symlinks out of the folder, dangling, looping; and two inside it (skipped, warned)."""
    (folder / "leak.md").symlink_to(other_client / "secret.md")
    (folder / "shared").symlink_to(other_client, target_is_directory=True)
    (folder / "gone.md").symlink_to(folder / "deleted-long-ago.md")
    (folder / "loop-a.md").symlink_to(folder / "loop-b.md")
    (folder / "loop-b.md").symlink_to(folder / "loop-a.md")
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to(folder, target_is_directory=True)  # a folder cycle
    (folder / "alias.md").symlink_to(folder / "good-01.md")
    refused = {
        "leak.md": "links outside the notes folder",
        "shared": "links outside the notes folder",
        "gone.md": "dangling link",
        "loop-a.md": "symlink loop",
        "loop-b.md": "symlink loop",
    }
    return refused, {"sub/up", "alias.md"}


def write_other_client(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "secret.md").write_text(f"## Board\n{SECRET}\n", encoding="utf-8")
    return folder


@dataclass(frozen=True, slots=True)
class HostileFolder:
    folder: Path
    other_client: Path
    good: list[Path]
    expected: dict[str, str]  # relative path → refusal reason substring, or INDEXED
    skipped_links: set[str]


def build_hostile_folder(base: Path, sizes: Sizes = Sizes()) -> HostileFolder:
    """Every hostile input of issue 13, beside 20 good notes, in `base/acme`."""
    other = write_other_client(base / "globex")
    folder = base / "acme"
    folder.mkdir(parents=True)
    good = write_good_notes(folder)
    write_huge_text(folder / "huge-50mb.txt", sizes.huge_text_bytes)
    write_one_paragraph_text(folder / "long-memo.txt", sizes.long_memo_chars)
    write_one_paragraph_text(folder / "over-char-limit.txt", sizes.over_chars)
    write_paragraph_bomb(folder / "paragraph-bomb.docx", sizes.bomb_paragraphs)
    write_expansion_bomb(folder / "expansion-bomb.docx", sizes.bomb_unpacked_bytes)
    write_wide_docx(folder / "many-paragraphs.docx", sizes.wide_paragraphs)
    write_lying_docx(folder / "lying-zip.docx")
    write_malformed_docx(folder / "malformed.docx")
    (folder / "not-a-zip.docx").write_bytes(b"PK\x03\x04 not really a zip")
    write_many_pages_pdf(folder / "many-pages.pdf", 2_001)
    expected = {
        "huge-50mb.txt": "ADVISOR_INGEST_MAX_FILE_BYTES",
        "long-memo.txt": INDEXED,
        "over-char-limit.txt": "ADVISOR_INGEST_MAX_CHARS",
        "paragraph-bomb.docx": "ADVISOR_INGEST_MAX_EXPANSION_RATIO",
        "expansion-bomb.docx": "ADVISOR_INGEST_MAX_EXPANSION_RATIO",
        "many-paragraphs.docx": "ADVISOR_INGEST_MAX_DOCX_PARAGRAPHS",
        "lying-zip.docx": "Bad CRC-32",
        "malformed.docx": "not well-formed XML",
        "not-a-zip.docx": "not a readable .docx",
        "many-pages.pdf": "ADVISOR_INGEST_MAX_PDF_PAGES",
        **write_markdown_traps(folder),
    }
    refused_links, skipped_links = write_links(folder, other)
    expected.update(refused_links)
    return HostileFolder(folder, other, good, expected, skipped_links)
