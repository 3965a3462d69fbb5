"""The digest, written up by Claude from the same facts — with citations, never new facts.

The offline digest is built first (records, counts, verbatim quotes). Claude gets exactly those
quotes as cited documents and the counts as text, and writes a short "this week in brief" on
top. Any failure leaves the offline digest as it is.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import anthropic

from graphs.digest import Digest, DigestItem, DigestSection
from graphs.prompts import DIGEST_PROMPT
from knowledge.settings import Settings

log = logging.getLogger(__name__)


def _request(digest: Digest, settings: Settings) -> dict[str, Any]:
    documents = [
        {
            "type": "document",
            "title": c.label,
            "citations": {"enabled": True},
            "source": {"type": "text", "media_type": "text/plain", "data": c.quote},
        }
        for c in digest.citations
    ]
    facts = "\n".join(f"{s.title}: " + "; ".join(i.text for i in s.items) for s in digest.sections)
    return {
        "model": settings.anthropic_model,
        "max_tokens": min(settings.max_tokens, 600),
        "system": [{"type": "text", "text": DIGEST_PROMPT}],
        "messages": [
            {
                "role": "user",
                "content": [*documents, {"type": "text", "text": f"Facts of the week:\n{facts}"}],
            }
        ],
    }


def _summary(message: Any, digest: Digest) -> DigestItem:
    parts, cited = [], []
    for block in message.content:
        if getattr(block, "type", None) != "text":
            continue
        marks = []
        for c in block.citations or []:
            index = getattr(c, "document_index", -1)
            if 0 <= index < len(digest.citations):
                n = digest.citations[index].n
                marks.append(f"[{n}]")
                cited.append(n)
        parts.append(block.text + (" " + "".join(dict.fromkeys(marks)) if marks else ""))
    text = "".join(parts).strip()
    if not text:
        raise ValueError("Claude returned no text")
    return DigestItem(text=text, citations=list(dict.fromkeys(cited)))


async def write_summary(digest: Digest, settings: Settings, client: Any) -> Digest:
    """`digest` with Claude's cited summary on top, or unchanged if anything goes wrong."""
    if client is None or digest.quiet:
        return digest
    try:
        async with asyncio.timeout(settings.answer_deadline_s):
            message = await client.messages.create(**_request(digest, settings))
        item = _summary(message, digest)
    except (anthropic.APIError, TimeoutError, ValueError) as exc:
        log.warning(
            "digest write-up with Claude failed (%s); sending the offline digest",
            type(exc).__name__,
        )
        return digest
    summary = DigestSection(key="summary", title="This week in brief", items=[item])
    return digest.model_copy(update={"sections": [summary, *digest.sections], "mode": "llm"})
