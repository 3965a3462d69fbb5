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
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal, NamedTuple, Protocol, Required

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from typing_extensions import TypedDict

from graphs.models import Answer, Citation
from graphs.qa.compose_offline import not_covered_answer
from graphs.qa.conversation import Turn, is_follow_up, with_previous
from graphs.qa.coverage import Coverage, gate, judge
from graphs.qa.intent import asks_current_state, named_sections, parts
from graphs.qa.topic import TopicGate
from knowledge.corpus import field_report_chunks
from knowledge.index import KnowledgeIndex, allowed_tenants
from knowledge.passages import Passage
from knowledge.vocabulary import spelled_out

log = logging.getLogger(__name__)


STATE_WIDER = 2  # times top_k passages for a question about where a client's things stand
STATE_POOL = 4  # times top_k: how deep a newer note than the best matches is looked for
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
    """The live objects the nodes use, in-process (`Advisor.qa_context`)."""

    index: KnowledgeIndex
    composer: Composer
    top_k: int = 6
    stream: bool = False  # emit text deltas when the composer can stream
    topic: TopicGate | None = None  # is the question about what the sources cover at all?
    # Does the check settle this question as a decision about the asker's company? A decision
    # it settles is answered with its cited rule whatever the coverage scores say.
    settles: Callable[[str], bool] | None = None


@dataclass(frozen=True, slots=True)
class QARequest:
    """Who is asking: the run context a LangGraph Server caller passes (plain data). The
    server's context type (graphs/server.py) adds the live objects of QAContext to it."""

    tenant: str | None = None  # selects what retrieval may read: the field report + this client
    channel: str = "langgraph"
    user_id: str | None = None


def as_turns(_previous: list[Turn], new: Sequence[Turn | Mapping[str, Any]]) -> list[Turn]:
    """The history as last written; a caller over HTTP sends each turn as a plain object."""
    return [
        t if isinstance(t, Turn) else Turn(**{**t, "chunk_ids": tuple(t.get("chunk_ids", ()))})
        for t in new
    ]


class QAInput(TypedDict, total=False):
    question: Required[str]
    tenant: str | None
    # earlier turns of this conversation the caller may see
    history: Annotated[list[Turn], as_turns]


class QAOutput(TypedDict, total=False):
    answer: Answer
    follow_up: bool  # read together with the conversation's previous question


class QAState(QAInput, total=False):
    query: str  # what retrieval searches for
    follow_up: bool  # read together with the conversation's previous question
    passages: list[Passage]
    covered: bool
    closeness: str | None  # covered, but only as closely as this says
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
        _retrieve, ctx, query, state.get("tenant"), state["question"]
    )
    return {"passages": passages, "covered": coverage.covered, "closeness": coverage.closeness}


def _retrieve(
    ctx: QAContext, query: str, tenant: str | None, question: str
) -> tuple[list[Passage], Coverage]:
    """Each question of the message is searched; a part of the report named in it ("week 1",
    "the fifth signal", "at seed") is put first, whatever the rankers say."""
    asks = parts(query)
    # "still on the laptop?": the note that settled it may rank below older ones that
    # describe the problem; a wider pool lets the newest notes answer.
    if tenant and asks_current_state(query):
        pool = [ctx.index.retrieve_for_tenant(a, tenant, ctx.top_k * STATE_POOL) for a in asks]
        found = [_with_newer_notes(p, ctx.top_k, ctx.top_k * STATE_WIDER) for p in pool]
    else:
        found = [ctx.index.retrieve_for_tenant(ask, tenant, ctx.top_k) for ask in asks]
    passages = _interleave(found) if len(found) > 1 else found[0]
    named = named_sections(query)
    passages = _named_first(named, passages)
    on_topic = _on_topic(ctx, question)
    lexical = judge(ctx.index, query, passages, tenant)
    coverage = gate(lexical, on_topic, named=bool(named))
    if not coverage.covered and ctx.settles is not None and ctx.settles(question):
        coverage = replace(coverage, covered=True)
    return passages, coverage


def _on_topic(ctx: QAContext, question: str) -> float | None:
    """The topic gate's reading of the question as typed, or with its chat shorthand spelled
    out ("wat do these ppl charge per hr?"), whichever is surer it is on topic: the gate was
    trained on both kinds of wording."""
    if ctx.topic is None:
        return None
    plain = spelled_out(question)
    typed = ctx.topic.on_topic(question)
    return typed if plain == question else max(typed, ctx.topic.on_topic(plain))


def _with_newer_notes(pool: list[Passage], top_k: int, k: int) -> list[Passage]:
    """The best `k` of the pool, and every deeper passage of it from a note as new as the
    newest of the best `top_k` or newer: it may supersede what they say, though it words it
    differently ("248 cases" under "Numbers") and so ranks low."""
    dates = [p.chunk.date for p in pool[:top_k] if p.chunk.date]
    newest = max(dates, default=None)
    if newest is None:
        return pool[:k]
    newer = [p for p in pool[k:] if (p.chunk.date or "") >= newest]
    return pool[:k] + newer


def _interleave(rankings: list[list[Passage]]) -> list[Passage]:
    """The best of each part's passages in turn, each chunk once, ranks renumbered."""
    out: list[Passage] = []
    seen: set[str] = set()
    for rank in range(max(len(r) for r in rankings)):
        for ranking in rankings:
            if rank < len(ranking) and ranking[rank].chunk.chunk_id not in seen:
                seen.add(ranking[rank].chunk.chunk_id)
                out.append(replace(ranking[rank], rank=len(out) + 1))
    return out


def _named_first(labels: list[str], passages: list[Passage]) -> list[Passage]:
    if not labels:
        return passages
    chunks = [c for c in field_report_chunks() if c.section in labels]
    named = [Passage(chunk=c, score=1.0, rank=i + 1) for i, c in enumerate(chunks)]
    ids = {c.chunk_id for c in chunks}
    rest = [p for p in passages if p.chunk.chunk_id not in ids]
    return named + [replace(p, rank=len(named) + i + 1) for i, p in enumerate(rest)]


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
                answer = _with_closeness(item, state.get("closeness"))
            else:
                runtime.stream_writer({"delta": item})
        if answer is not None:
            return {"answer": answer}
    answer = await composer.compose(question, passages, tenant=tenant, history=history)
    return {"answer": _with_closeness(answer, state.get("closeness"))}


def _with_closeness(answer: Answer, closeness: str | None) -> Answer:
    """An answer from the closest advice says so (the topic gate was unsure)."""
    if not closeness or not answer.covered:
        return answer
    notice = f"{closeness} {answer.notice}" if answer.notice else closeness
    return answer.model_copy(update={"notice": notice})


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


def build_qa_graph(context_schema: type = QAContext) -> StateGraph:
    """The answering graph; LangGraph Server builds it with its own context type."""
    builder = StateGraph(
        QAState, context_schema=context_schema, input_schema=QAInput, output_schema=QAOutput
    )
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


graph = build_qa_graph().compile(name="qa")  # in-process; LangGraph Server: graphs/server.py


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
