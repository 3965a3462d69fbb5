"""The assessment interview: one question per interrupt, then the rubric's recommendation.

    START → prefill → ask ⟲ → decide → record → END
                       ↘ (cancel) END

`ask` holds exactly one `interrupt()`; everything before it is recomputed from state on
resume (pure), everything after it only updates state. Side effects (storing the record) live
in their own node, so a resume can never write twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import interrupt
from typing_extensions import TypedDict

from graphs.assessment.answers import UNCLEAR, parse_command, parse_stage, parse_tri
from graphs.assessment.questions import build_question, next_key, planned_total
from graphs.assessment.records import AssessmentRecords
from graphs.assessment.rubric import recommend
from graphs.audit import AuditEvent, AuditLog
from graphs.models import Facts

Status = Literal["asking", "done", "cancelled"]


class AssessmentState(TypedDict, total=False):
    thread_id: str
    run_id: str  # new for every start, so each completed run is recorded once
    tenant: str | None
    user_id: str
    channel: str
    text: str | None  # free text the interview started from
    facts: dict[str, Any]  # Facts.model_dump()
    focus: list[str] | None  # a check going on: ask only these (then what still decides)
    asked: list[str]
    message: str | None  # shown before the next question (e.g. "I didn't get that")
    status: Status
    recommendation: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class AssessmentContext:
    """The live objects the nodes use, in-process (`InterviewService`)."""

    records: AssessmentRecords
    detect: Any  # async (text, tenant) -> Facts: Claude extraction or the offline detector
    audit: AuditLog | None = None


@dataclass(frozen=True, slots=True)
class AssessmentRequest:
    """Who is being interviewed: the run context a LangGraph Server caller passes (plain
    data). The server's context type (graphs/server.py) adds the live objects to it."""

    tenant: str | None = None  # the only tenant this run may read for or record under
    channel: str = "langgraph"
    user_id: str | None = None


async def prefill(state: AssessmentState, runtime: Runtime[AssessmentContext]) -> dict:
    """Learn what we can from the opening text, so the interview skips known answers."""
    facts = Facts.model_validate(state.get("facts") or {})
    if state.get("text"):
        detected = await runtime.context.detect(state["text"], state.get("tenant"))
        facts = facts.merged(detected)
    return {"facts": facts.model_dump(), "asked": state.get("asked") or [], "status": "asking"}


def ask(state: AssessmentState) -> dict:
    """Ask the next unknown question and file the reply (or re-ask when it's unclear)."""
    facts = Facts.model_validate(state["facts"])
    asked = list(state.get("asked") or [])
    focus = state.get("focus")
    key = next_key(facts, asked, focus)
    if key is None:
        return {}
    question = build_question(key, len(asked) + 1, planned_total(facts, asked, focus))
    reply = interrupt({"question": question.model_dump(), "message": state.get("message")})
    text = str(reply or "")
    command = parse_command(text)
    if command == "cancel":
        return {"status": "cancelled", "message": None}
    if command == "restart":
        return {
            "facts": Facts().model_dump(),
            "asked": [],
            "focus": None,
            "message": "Starting over.",
            "run_id": uuid.uuid4().hex,
        }
    value = parse_stage(text) if question.kind == "stage" else parse_tri(text)
    if value is UNCLEAR:
        options = ", ".join(c.label for c in question.choices)
        return {"message": f"Sorry, I didn't catch that. Please answer with one of: {options}."}
    return {
        "facts": _with_answer(facts, question.kind, key, value).model_dump(),
        "asked": [*asked, key],
        "message": None,
    }


def decide(state: AssessmentState) -> dict:
    recommendation = recommend(Facts.model_validate(state["facts"]))
    return {"recommendation": recommendation.model_dump(mode="json"), "status": "done"}


async def record(state: AssessmentState, runtime: Runtime[AssessmentContext]) -> dict:
    """Store the finished assessment once, and leave an audit record of the decision."""
    first_time = runtime.context.records.save(state)
    audit = runtime.context.audit
    if first_time and audit is not None:
        rec = state["recommendation"] or {}
        audit.record(
            AuditEvent(
                kind="recommendation",
                tenant=state.get("tenant"),
                channel=state.get("channel") or "terminal",
                user_id=state.get("user_id"),
                chunk_ids=[c["chunk_id"] for c in rec.get("citations", [])],
                outcome={
                    "recommendation": rec.get("recommendation"),
                    "runner_up": rec.get("runner_up"),
                    "confidence": rec.get("confidence"),
                    "thread_id": state.get("thread_id"),
                },
            )
        )
    return {}


def route_after_ask(state: AssessmentState) -> Literal["ask", "decide", "__end__"]:
    if state.get("status") == "cancelled":
        return END
    facts = Facts.model_validate(state["facts"])
    return "ask" if next_key(facts, state.get("asked") or [], state.get("focus")) else "decide"


def _with_answer(facts: Facts, kind: str, key: str, value: Any) -> Facts:
    if kind == "stage":
        return facts.model_copy(update={"stage": value})
    field = {"signal": "signals", "disqualifier": "disqualifiers", "context": "context"}[kind]
    return facts.model_copy(update={field: {**getattr(facts, field), key: value}})


def build_assessment_graph(context_schema: type = AssessmentContext) -> StateGraph:
    """The interview graph; LangGraph Server builds it with its own context type."""
    builder = StateGraph(AssessmentState, context_schema=context_schema)
    builder.add_node("prefill", prefill)
    builder.add_node("ask", ask)
    builder.add_node("decide", decide)
    builder.add_node("record", record)
    builder.add_edge(START, "prefill")
    builder.add_conditional_edges("prefill", route_after_ask)
    builder.add_conditional_edges("ask", route_after_ask)
    builder.add_edge("decide", "record")
    builder.add_edge("record", END)
    return builder


# Without a checkpointer: InterviewService compiles its own with one; LangGraph Server (and
# Studio) load graphs/server.py:assessment, the server bringing its own checkpointer.
graph = build_assessment_graph().compile(name="assessment")
