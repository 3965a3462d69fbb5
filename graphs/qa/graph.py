"""Question answering as a graph: contextualise → retrieve → compose → check (or → not_covered).

`contextualise` reads a follow-up together with the question before it (graphs/conversation.py);

`compose` is the seam for the writer: the offline composer by default, Claude when
configured (graphs/llm.py). `check` is the last line of defence: a citation whose quote is not
in its chunk, or whose chunk is not readable by this caller, never reaches a user.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple, Protocol, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from graphs.models import Answer, Citation
from graphs.qa.compose_offline import not_covered_answer
from graphs.qa.conversation import Turn, is_follow_up, with_previous
from graphs.qa.coverage import Coverage, judge
from knowledge.corpus import field_report_chunks
from knowledge.index import KnowledgeIndex, allowed_tenants
from knowledge.passages import Passage

log = logging.getLogger(__name__)


OnDelta = Callable[[str], Awaitable[None]]


class QuestionError(ValueError):
    """The question is empty or otherwise unusable; the message tells the user what to do."""


class Composer(Protocol):
    async def compose(
        self,
        question: str,
        passages: Sequence[Passage],
        *,
        tenant: str | None,
        history: Sequence[Turn] = (),
    ) -> Answer: ...


@dataclass(frozen=True, slots=True)
class QAContext:
    index: KnowledgeIndex
    composer: Composer
    top_k: int = 6
    stream: bool = False  # emit text deltas when the composer can stream


class QAState(TypedDict, total=False):
    question: str
    tenant: str | None
    history: list[Turn]  # earlier turns of this conversation the caller may see
    query: str  # what retrieval searches for
    follow_up: bool  # read together with the conversation's previous question
    passages: list[Passage]
    covered: bool
    answer: Answer


async def contextualise(state: QAState, runtime: Runtime[QAContext]) -> dict:
    """A follow-up ("and at seed stage?") is searched together with the question before it; a
    question on a new topic is answered on its own, without the earlier turns."""
    question, history = state["question"], state.get("history") or []
    if not history:
        return {"query": question, "follow_up": False}
    known = await asyncio.to_thread(runtime.context.index.term_known, state.get("tenant"))
    if is_follow_up(question, history, known):
        return {"query": with_previous(question, history), "follow_up": True}
    return {"query": question, "history": [], "follow_up": False}


async def retrieve(state: QAState, runtime: Runtime[QAContext]) -> dict:
    ctx = runtime.context
    # Retrieval is blocking (Chroma, numpy, SQLite): keep it off the event loop so acks and
    # other requests never wait behind it.
    query = state.get("query") or state["question"]
    passages, coverage = await asyncio.to_thread(
        _retrieve, ctx.index, query, state.get("tenant"), ctx.top_k
    )
    return {"passages": passages, "covered": coverage.covered}


def _retrieve(
    index: KnowledgeIndex, question: str, tenant: str | None, k: int
) -> tuple[list[Passage], Coverage]:
    passages = index.retrieve_for_tenant(question, tenant, k)
    return passages, judge(index, question, passages, tenant)


def route_after_retrieve(state: QAState) -> Literal["compose", "not_covered"]:
    return "compose" if state.get("covered") else "not_covered"


async def not_covered(state: QAState) -> dict:
    """Say the sources don't cover it (and what is closest) instead of guessing."""
    return {"answer": not_covered_answer(state["passages"])}


async def compose(state: QAState, runtime: Runtime[QAContext]) -> dict:
    """Write the answer; a streaming composer also emits its text deltas as custom stream
    events, which faces that can show partial text (Slack's placeholder) pick up."""
    composer = runtime.context.composer
    question, passages, tenant = state["question"], state["passages"], state.get("tenant")
    history = state.get("history") or ()
    if runtime.context.stream and hasattr(composer, "stream"):
        answer = None
        async for item in composer.stream(question, passages, tenant=tenant, history=history):
            if isinstance(item, Answer):
                answer = item
            else:
                runtime.stream_writer({"delta": item})
        if answer is not None:
            return {"answer": answer}
    return {"answer": await composer.compose(question, passages, tenant=tenant, history=history)}


async def check(state: QAState) -> dict:
    """Drop citations that do not hold; an answer left with none says it is not covered."""
    answer, passages = state["answer"], state["passages"]
    if not answer.covered:
        return {}
    valid = validate_citations(answer.citations, passages, state.get("tenant"))
    if len(valid) == len(answer.citations):
        return {}
    dropped = {c.n for c in answer.citations} - {c.n for c in valid}
    log.warning("dropped %d invalid citation(s): %s", len(dropped), sorted(dropped))
    if not valid:
        fallback = not_covered_answer(passages)
        return {"answer": fallback.model_copy(update={"mode": answer.mode})}
    text = re.sub(
        r"\s?\[(\d+)\]", lambda m: "" if int(m.group(1)) in dropped else m.group(0), answer.answer
    )
    return {"answer": answer.model_copy(update={"answer": text, "citations": valid})}


def validate_citations(
    citations: Sequence[Citation], passages: Sequence[Passage], tenant: str | None
) -> list[Citation]:
    """Citations whose chunk the caller may read — retrieved for them, or the field report
    (which Claude sees whole) — and whose quote is in that chunk."""
    allowed = allowed_tenants(tenant)
    chunks = {c.chunk_id: c for c in field_report_chunks()}
    chunks |= {p.chunk.chunk_id: p.chunk for p in passages}
    valid = []
    for citation in citations:
        chunk = chunks.get(citation.chunk_id)
        if chunk is None or chunk.tenant not in allowed or citation.tenant != chunk.tenant:
            continue
        if citation.quote and _normalise(citation.quote) in _normalise(chunk.text):
            valid.append(citation)
    return valid


def _normalise(text: str) -> str:
    return " ".join(text.split())


def build_qa_graph() -> StateGraph:
    builder = StateGraph(QAState, context_schema=QAContext)
    builder.add_node("contextualise", contextualise)
    builder.add_node("retrieve", retrieve)
    builder.add_node("compose", compose)
    builder.add_node("check", check)
    builder.add_node("not_covered", not_covered)
    builder.add_edge(START, "contextualise")
    builder.add_edge("contextualise", "retrieve")
    builder.add_conditional_edges("retrieve", route_after_retrieve)
    builder.add_edge("not_covered", END)
    builder.add_edge("compose", "check")
    builder.add_edge("check", END)
    return builder


graph = build_qa_graph().compile(name="qa")


def prepare_question(question: str, max_chars: int) -> tuple[str, str | None]:
    """Normalise a question; returns it (maybe truncated) and a notice for the user."""
    cleaned = (question or "").replace("\x00", "").strip()
    if not cleaned:
        raise QuestionError("Ask a question, e.g. “Our pilot stalled after the demo, what now?”")
    if len(cleaned) > max_chars:
        notice = f"Your question was {len(cleaned):,} characters; I used the first {max_chars:,}."
        return cleaned[:max_chars], notice
    return cleaned, None


class Answered(NamedTuple):
    answer: Answer
    follow_up: bool  # read together with the conversation's previous question


async def _run(
    question: str,
    tenant: str | None,
    context: QAContext,
    on_delta: OnDelta | None,
    history: Sequence[Turn],
) -> QAState:
    inputs = {"question": question, "tenant": tenant, "history": list(history)}
    if on_delta is None or not context.stream:
        return await graph.ainvoke(inputs, context=context)  # type: ignore[return-value]
    final: dict = {}
    async for mode, chunk in graph.astream(
        inputs, context=context, stream_mode=["custom", "values"]
    ):
        if mode == "custom":
            await on_delta(chunk["delta"])
        else:
            final = chunk
    return final  # type: ignore[return-value]


async def answer_question(
    question: str,
    tenant: str | None,
    context: QAContext,
    *,
    max_chars: int = 4000,
    on_delta: OnDelta | None = None,
    history: Sequence[Turn] = (),
) -> Answered:
    """The one entry point every face uses to answer a question (with the conversation's
    earlier turns, when there are any)."""
    prepared, notice = prepare_question(question, max_chars)
    final = await _run(prepared, tenant, context, on_delta, history)
    answer = final["answer"]
    if notice:
        joined = f"{notice} {answer.notice}" if answer.notice else notice
        answer = answer.model_copy(update={"notice": joined})
    return Answered(answer, final.get("follow_up", False))
