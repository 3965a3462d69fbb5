"""Claude answers through the official SDK: native citations, a cached prefix, bounded faults.

Request layout (the order matters for prompt caching):
    system: SYSTEM_PROMPT
    user:   [every field-report chunk as a cited document … (cache breakpoint on the last)]
            [the caller's retrieved note passages as documents] [the question]
The prefix up to the breakpoint depends on nothing per-request, so consecutive questions send
it byte for byte and Claude reads it from cache. Notes and the question come after it.

Any failure — after the SDK's own bounded retries — falls back to the offline composer with
`degraded=True`. The whole attempt lives inside the answer deadline.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

import anthropic

from graphs.models import Answer, Citation, Usage
from graphs.prompts import EARLIER_TURNS_INTRO, FALLBACK_NOTICE, SYSTEM_PROMPT
from graphs.qa.compose_offline import OfflineComposer
from graphs.qa.conversation import Turn, retrieval_query
from graphs.redact import redact
from knowledge.chunks import PUBLIC_TENANT, Chunk
from knowledge.corpus import field_report_chunks
from knowledge.index import allowed_tenants
from knowledge.passages import Passage
from knowledge.settings import Settings

log = logging.getLogger(__name__)
CONNECT_TIMEOUT_S = 5.0


class ClaudeUnusableError(RuntimeError):
    """Claude answered, but with nothing we can use (no text, no valid citations)."""


def make_client(settings: Settings) -> anthropic.AsyncAnthropic:
    """The async client with our limits: the SDK retries, nothing else does."""
    key = settings.anthropic_api_key.get_secret_value() if settings.anthropic_api_key else None
    return anthropic.AsyncAnthropic(
        api_key=key,
        base_url=settings.anthropic_base_url,
        timeout=anthropic.Timeout(settings.answer_deadline_s, connect=CONNECT_TIMEOUT_S),
        max_retries=settings.llm_max_retries,
    )


def _document(chunk: Chunk, *, cache: bool = False) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "document",
        "source": {"type": "text", "media_type": "text/plain", "data": chunk.text},
        "title": chunk.label,
        "citations": {"enabled": True},
    }
    if cache:
        block["cache_control"] = {"type": "ephemeral"}
    return block


def build_request(
    settings: Settings,
    question: str,
    passages: Sequence[Passage],
    tenant: str | None,
    history: Sequence[Turn] = (),
) -> tuple[dict[str, Any], list[Chunk]]:
    """The Messages API request and the chunk behind each document index. Earlier turns go
    after the documents, so the cached prefix stays the same bytes."""
    allowed = allowed_tenants(tenant)
    public = list(field_report_chunks())
    notes = []
    for passage in passages:
        chunk = passage.chunk
        if chunk.tenant not in allowed:
            log.error("refused to send chunk %s of another tenant to Claude", chunk.chunk_id)
        elif chunk.tenant != PUBLIC_TENANT:
            notes.append(chunk)
    earlier = _earlier_turns(history)
    if settings.redact_pii:
        notes = [_redacted(c) for c in notes]
        question, earlier = redact(question), redact(earlier)
    content = [_document(c, cache=i == len(public) - 1) for i, c in enumerate(public)]
    content += [_document(c) for c in notes]
    if earlier:
        content.append({"type": "text", "text": earlier})
    content.append({"type": "text", "text": f"Question: {question}"})
    request = {
        "model": settings.anthropic_model,
        "max_tokens": settings.max_tokens,
        "system": [{"type": "text", "text": SYSTEM_PROMPT}],
        "messages": [{"role": "user", "content": content}],
    }
    return request, public + notes


def _earlier_turns(history: Sequence[Turn]) -> str:
    """The conversation so far, as context for a follow-up (data, like everything else)."""
    if not history:
        return ""
    lines = [EARLIER_TURNS_INTRO]
    for turn in history:
        lines += [f"Q: {turn.question}", f"A: {turn.answer}"]
    return "\n".join(lines)


def _redacted(chunk: Chunk) -> Chunk:
    from dataclasses import replace

    return replace(chunk, text=redact(chunk.text))


def map_response(message: Any, documents: Sequence[Chunk], model: str) -> Answer:
    """Text blocks → answer text with [n] markers; citations → our numbered citations."""
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    for block in message.content:
        if getattr(block, "type", None) != "text":
            continue
        markers = []
        for cited in block.citations or []:
            chunk = _cited_chunk(cited, documents)
            if chunk is None:
                continue
            if chunk.chunk_id not in numbers:
                numbers[chunk.chunk_id] = len(citations) + 1
                citations.append(
                    Citation.of(chunk, numbers[chunk.chunk_id], cited.cited_text.strip())
                )
            if f"[{numbers[chunk.chunk_id]}]" not in markers:
                markers.append(f"[{numbers[chunk.chunk_id]}]")
        parts.append(block.text + (" " + "".join(markers) if markers else ""))
    text = "".join(parts).strip()
    if not text:
        raise ClaudeUnusableError("Claude returned no text")
    usage = message.usage
    return Answer(
        answer=text,
        citations=citations,
        mode="llm",
        model=model,
        usage=Usage(
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_read_input_tokens=usage.cache_read_input_tokens or 0,
            cache_creation_input_tokens=usage.cache_creation_input_tokens or 0,
        ),
    )


def _cited_chunk(cited: Any, documents: Sequence[Chunk]) -> Chunk | None:
    index = getattr(cited, "document_index", None)
    if not isinstance(index, int) or not 0 <= index < len(documents):
        log.warning("dropped a citation of document %r: not one we sent", index)
        return None
    chunk = documents[index]
    quote = " ".join((getattr(cited, "cited_text", "") or "").split())
    if not quote or quote not in " ".join(chunk.text.split()):
        log.warning("dropped a citation of %s: quoted text is not in the chunk", chunk.chunk_id)
        return None
    return chunk


class ClaudeComposer:
    """Writes cited answers with Claude; any fault yields the offline answer, degraded."""

    def __init__(
        self, settings: Settings, client: anthropic.AsyncAnthropic, fallback: OfflineComposer
    ) -> None:
        self._settings = settings
        self._client = client
        self._fallback = fallback

    async def compose(
        self,
        question: str,
        passages: Sequence[Passage],
        *,
        tenant: str | None,
        history: Sequence[Turn] = (),
    ) -> Answer:
        request, documents = build_request(self._settings, question, passages, tenant, history)
        try:
            async with asyncio.timeout(self._settings.answer_deadline_s):
                message = await self._client.messages.create(**request)
            return map_response(message, documents, self._settings.anthropic_model)
        except (anthropic.APIError, TimeoutError, ClaudeUnusableError, ValueError) as exc:
            # ValueError: malformed JSON bodies and responses that fail validation
            return self._degraded(question, passages, tenant, history, exc)

    async def stream(
        self,
        question: str,
        passages: Sequence[Passage],
        *,
        tenant: str | None,
        history: Sequence[Turn] = (),
    ) -> AsyncIterator[str | Answer]:
        """Yields text deltas as Claude writes, then the final Answer (or the fallback)."""
        request, documents = build_request(self._settings, question, passages, tenant, history)
        try:
            async with asyncio.timeout(self._settings.answer_deadline_s):
                async with self._client.messages.stream(**request) as stream:
                    async for text in stream.text_stream:
                        yield text
                    message = await stream.get_final_message()
            yield map_response(message, documents, self._settings.anthropic_model)
        except (anthropic.APIError, TimeoutError, ClaudeUnusableError, ValueError) as exc:
            yield self._degraded(question, passages, tenant, history, exc)

    def _degraded(
        self,
        question: str,
        passages: Sequence[Passage],
        tenant: str | None,
        history: Sequence[Turn],
        exc: Exception,
    ) -> Answer:
        status = getattr(exc, "status_code", None)
        log.warning(
            "Claude failed (%s%s); answering offline",
            type(exc).__name__,
            f" {status}" if status else "",
        )
        focus = retrieval_query(question, history)
        answer = self._fallback.compose_sync(focus, passages, tenant=tenant)
        return answer.model_copy(update={"degraded": True, "notice": FALLBACK_NOTICE})
