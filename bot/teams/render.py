"""Teams rendering: Markdown text and Adaptive Card pieces as pure functions of the reply models.

Teams renders a Markdown/HTML subset and turns `<at>…</at>` into mentions: every piece of user,
note or model text is escaped here, so nothing can mention anyone, inject HTML or make a link.
Teams joins single newlines into one paragraph, so paragraphs and list items are separated by a
blank line; an answer's `[n]` markers stay bare, the form Teams' citation entity points at.
"""

from __future__ import annotations

import re
from typing import Any

from graphs.models import Answer, Citation

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|>~])")
_URL = re.compile(r"(?i)\b(https?|ftp)://")
_MARKER = re.compile(r"\[(\d{1,3})\]")
CARD = "application/vnd.microsoft.card.adaptive"
MAX_CITATIONS = 10  # Teams' citation entity (the Agents Playground refuses an 11th)
NAME_CHARS, ABSTRACT_CHARS = 80, 160  # Teams' limits for a citation's name and abstract
HELP_HINT = "Type **help** to see what I can do."
STEP_BUTTONS = ("assessment", "check")  # next steps shown as a card, not a line of text


def escape(text: str) -> str:
    """Neutralise HTML, mention tags, Markdown and auto-links in text we did not write."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN.sub(r"\\\1", text)
    text = _URL.sub(lambda m: m.group(1) + ":/\u200b/", text)
    return text.replace("www.", "www\u200b.").replace("@", "@\u200b")


def cut_words(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut at a word boundary with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:›-–—") + "…"


def with_markers(text: str, numbers: set[int]) -> str:
    """Escaped `text` whose `[n]` markers for the given citation numbers stay bare."""
    out, last = [], 0
    for match in _MARKER.finditer(text):
        if int(match.group(1)) in numbers:
            out += [escape(text[last : match.start()]), match.group()]
            last = match.end()
    return "".join([*out, escape(text[last:])])


def answer_text(answer: Answer) -> str:
    """The answer line in bold, then each quote as a list item, the notice; each `[n]` once,
    where Teams shows it as the citation. Without coverage, a pointer to `help`."""
    numbers = {c.n for c in cited(answer.citations)}
    step_is_button = answer.next_step is not None and answer.next_step.kind in STEP_BUTTONS
    parts: list[str] = []
    for i, line in enumerate(line for line in answer.answer.split("\n") if line.strip()):
        if step_is_button and line.startswith("Next step:"):
            continue  # the card under the answer is the next step
        if i == 0 and answer.lead and line == answer.lead:
            parts.append(_bold_lead(line, numbers))
        elif line.startswith("• "):
            parts.append("- " + with_markers(line[2:], numbers))
        else:
            parts.append(with_markers(line, numbers))
    if answer.notice:
        parts.append(f"_{escape(answer.notice)}_")
    if not answer.covered:
        parts.append(HELP_HINT)
    return "\n\n".join(parts)


def _bold_lead(line: str, numbers: set[int]) -> str:
    """The answer line in bold up to its first marker: Teams shows a `[n]` inside bold as
    plain text, not as the citation."""
    first = next((m for m in _MARKER.finditer(line) if int(m.group(1)) in numbers), None)
    if first is None:
        return f"**{escape(line.strip())}**"
    head, tail = line[: first.start()].strip(), line[first.start() :]
    return (f"**{escape(head)}** " if head else "") + with_markers(tail, numbers)


def cited(citations: list[Citation]) -> list[Citation]:
    return citations[:MAX_CITATIONS]


def citation_name(citation: Citation) -> str:
    """The source as a citation's title: the whole label if it fits, else the document and
    the innermost heading (and date), cut at a word."""
    if len(citation.label) <= NAME_CHARS:
        return citation.label
    innermost = citation.section.split(" › ")[-1] if citation.section else ""
    short = " › ".join(p for p in (citation.source, innermost, citation.date) if p)
    return cut_words(short, NAME_CHARS)


def citation_entity(answer: Answer) -> dict[str, Any]:
    """Teams' citation entity (schema.org Message with Claims): each `[n]` in the text becomes
    a citation showing the source's name and the quoted passage."""
    entity: dict[str, Any] = {
        "type": "https://schema.org/Message",
        "@type": "Message",
        "@context": "https://schema.org",
        "@id": "",
        "citation": [
            {
                "@type": "Claim",
                "position": c.n,
                "appearance": {
                    "@type": "DigitalDocument",
                    "name": citation_name(c),
                    "abstract": cut_words(c.quote, ABSTRACT_CHARS),
                },
            }
            for c in cited(answer.citations)
        ],
    }
    if answer.mode == "llm":
        entity["additionalType"] = ["AIGeneratedContent"]  # Teams' "AI generated" label
    return entity


def sources_text(citations: list[Citation]) -> str:
    """A numbered source list for cards and digests (which carry no citation entity)."""
    return "\n\n".join(f"[{c.n}] {escape(c.label)}" for c in citations)


def card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> dict:
    """An Adaptive Card 1.5 (what Teams desktop, web and mobile render)."""
    out: dict[str, Any] = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "body": body,
    }
    if actions:
        out["actions"] = actions
    return out


def text(value: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": value, "wrap": True, **extra}


def notice(value: str) -> dict[str, Any]:
    """A one-line card of ours (already worded; escaped here)."""
    return card([text(escape(value))])


def attachment(content: dict[str, Any]) -> dict[str, Any]:
    return {"contentType": CARD, "content": content}
