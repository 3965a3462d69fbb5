"""The interview as a service: start, reply, pending — what every face calls.

One LangGraph thread per conversation key. A new message on an interrupted thread resumes it
(`Command(resume=…)`); replies on one thread are serialised by a per-thread lock so two
clicks cannot race. With ADVISOR_LANGGRAPH_URL the graph runs on that LangGraph Server
deployment (graphs/remote.py) and is sent only plain data (tenant, channel, user) as its context.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command, StateSnapshot

from graphs.assessment.answers import parse_command
from graphs.assessment.graph import AssessmentContext, build_assessment_graph
from graphs.assessment.records import AssessmentRecords
from graphs.audit import AuditLog
from graphs.models import Facts, InterviewQuestion, InterviewTurn, Recommendation
from graphs.thread_lock import ThreadLocks
from knowledge.settings import Settings

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from graphs.remote import RemoteInterviewGraph

Detector = Callable[[str, str | None], Awaitable[Facts]]

FINISHED = "This assessment is finished. Say “assess” (or press “Start over”) to run a new one."
CANCELLED = "This assessment was cancelled. Say “assess” to start a new one."


class InterviewGraph(Protocol):
    """What the service needs of the graph: a compiled one, or the deployment's."""

    async def ainvoke(self, input: Any, config: Any, *, context: Any) -> Any: ...

    async def aget_state(self, config: Any) -> StateSnapshot: ...


class InterviewService:
    def __init__(
        self,
        settings: Settings,
        records: AssessmentRecords,
        detect: Detector,
        audit: AuditLog | None = None,
    ) -> None:
        self._settings = settings
        self._context = AssessmentContext(records=records, detect=detect, audit=audit)
        self._stack = AsyncExitStack()
        self._graph: InterviewGraph | None = None
        self._remote: RemoteInterviewGraph | None = None
        self._open_lock = asyncio.Lock()
        self._locks = ThreadLocks(records.engine)

    async def _compiled(self) -> InterviewGraph:
        async with self._open_lock:
            if self._graph is None and self._settings.langgraph_url:
                from graphs.remote import RemoteInterviewGraph, deployment_client

                self._remote = RemoteInterviewGraph(deployment_client(self._settings))
                self._graph = self._remote
            elif self._graph is None:
                from graphs.checkpoint import open_checkpointer

                saver = await open_checkpointer(self._settings, self._stack)
                self._graph = build_assessment_graph().compile(checkpointer=saver)
            return self._graph

    def _run_context(self, tenant: str | None, channel: str, user_id: str | None) -> Any:
        """The live context in-process; plain data (who is asking) for a deployment."""
        if self._remote is not None:
            return self._remote.caller(tenant, channel, user_id)
        return self._context

    async def purge(self, idle: timedelta, *, now: datetime | None = None) -> int:
        """Delete the interview threads whose last step is older than `idle`: their free-text
        answers are working state; a finished result stays in the assessment records."""
        graph = await self._compiled()
        if self._remote is not None:
            return await self._remote.purge((now or datetime.now(UTC)) - idle)
        cutoff = ((now or datetime.now(UTC)) - idle).isoformat()
        saver = getattr(graph, "checkpointer", None)
        assert isinstance(saver, BaseCheckpointSaver)
        latest: dict[str, str] = {}
        async for item in saver.alist(None):
            thread_id = item.config["configurable"]["thread_id"]
            latest[thread_id] = max(latest.get(thread_id, ""), item.checkpoint["ts"])
        stale = [thread_id for thread_id, ts in latest.items() if ts < cutoff]
        for thread_id in stale:
            await saver.adelete_thread(thread_id)
        return len(stale)

    async def aclose(self) -> None:
        if self._remote is not None:
            await self._remote.aclose()
            self._remote = None
        await self._stack.aclose()
        self._graph = None

    @staticmethod
    def _config(thread_id: str) -> dict[str, Any]:
        return {"configurable": {"thread_id": thread_id}}

    async def start(
        self,
        thread_id: str,
        *,
        tenant: str | None,
        user_id: str,
        channel: str,
        text: str | None = None,
        facts: Facts | None = None,
        focus: Sequence[str] | None = None,
    ) -> InterviewTurn:
        """Start (or start over) the interview on `thread_id`; returns the first question.

        From a check: `facts` are what was read, and `focus` the questions that would settle
        it; only those are asked (then anything that still decides the outcome)."""
        graph = await self._compiled()
        state = {
            "thread_id": thread_id,
            "run_id": uuid.uuid4().hex,
            "tenant": tenant,
            "user_id": user_id,
            "channel": channel,
            "text": text,
            "facts": facts.model_dump() if facts is not None else {},
            "focus": list(focus) if focus is not None else None,
            "asked": [],
            "message": None,
            "status": "asking",
            "recommendation": None,
        }
        context = self._run_context(tenant, channel, user_id)
        async with self._locks.hold(thread_id):
            await graph.ainvoke(state, self._config(thread_id), context=context)
            return await self._turn(graph, thread_id)

    async def reply(
        self, thread_id: str, answer: str, *, user_id: str, expect: str | None = None
    ) -> InterviewTurn:
        """Resume the thread with a reply (button value or free text).

        Idempotent: with `expect` (the question the user was answering), the reply is filed
        only while that question is still the open one, checked under the thread's lock; a
        second click, a replayed delivery or an old button get the open question back with
        `stale` set, and nothing changes. "cancel" and "restart" apply whatever is open.
        """
        graph = await self._compiled()
        async with self._locks.hold(thread_id):
            snapshot = await self._finish_cut_run(graph, thread_id)
            if not snapshot.interrupts:
                return _closed(thread_id, (snapshot.values or {}).get("status"))
            asked = snapshot.interrupts[0].value["question"]
            if expect is not None and asked["key"] != expect and parse_command(answer) is None:
                turn = await self._turn(graph, thread_id)
                turn.stale = True
                return turn
            values = snapshot.values or {}
            context = self._run_context(
                values.get("tenant"), values.get("channel") or "terminal", user_id
            )
            await graph.ainvoke(Command(resume=answer), self._config(thread_id), context=context)
            turn = await self._turn(graph, thread_id)
        turn.answered_question = InterviewQuestion.model_validate(asked)
        re_asked = turn.question is not None and turn.question.key == asked["key"]
        if not (re_asked and turn.message and turn.message.startswith("Sorry")):
            turn.answered = _answered(asked, answer)
        return turn

    async def pending(self, thread_id: str) -> InterviewTurn | None:
        """The open question of a thread that is mid-interview, else None."""
        graph = await self._compiled()
        snapshot = await graph.aget_state(self._config(thread_id))
        if self._cut_short(snapshot):  # finished under the thread's lock
            async with self._locks.hold(thread_id):
                snapshot = await self._finish_cut_run(graph, thread_id)
        return await self._turn(graph, thread_id) if snapshot.interrupts else None

    async def facts(self, thread_id: str) -> Facts | None:
        """What the thread's interview has learnt so far (None: no interview there)."""
        graph = await self._compiled()
        values = (await graph.aget_state(self._config(thread_id))).values or {}
        return Facts.model_validate(values["facts"]) if "facts" in values else None

    async def _finish_cut_run(self, graph: InterviewGraph, thread_id: str) -> StateSnapshot:
        """The thread's state, after finishing a run that was cut short: a process killed
        between two steps leaves steps to go and no open question, which would otherwise read
        as a closed interview for good. The steps are recomputed from state, so running them
        again files nothing twice."""
        snapshot = await graph.aget_state(self._config(thread_id))
        if not self._cut_short(snapshot):
            return snapshot
        values = snapshot.values or {}
        context = self._run_context(
            values.get("tenant"), values.get("channel") or "terminal", values.get("user_id")
        )
        log.warning("interview %s: finishing a run that was cut short", thread_id)
        await graph.ainvoke(None, self._config(thread_id), context=context)
        return await graph.aget_state(self._config(thread_id))

    def _cut_short(self, snapshot: StateSnapshot) -> bool:
        """Steps to go and no open question, in-process (a deployment finishes its own runs)."""
        return not snapshot.interrupts and bool(snapshot.next) and self._remote is None

    async def _turn(self, graph: InterviewGraph, thread_id: str) -> InterviewTurn:
        snapshot = await graph.aget_state(self._config(thread_id))
        values = snapshot.values or {}
        if snapshot.interrupts:
            payload = snapshot.interrupts[0].value
            return InterviewTurn(
                thread_id=thread_id,
                status="asking",
                question=InterviewQuestion.model_validate(payload["question"]),
                message=payload.get("message"),
            )
        if values.get("status") == "cancelled":
            return InterviewTurn(
                thread_id=thread_id,
                status="cancelled",
                message="Assessment cancelled. Say “assess” to start again.",
            )
        rec = values.get("recommendation")
        return InterviewTurn(
            thread_id=thread_id,
            status="done",
            recommendation=Recommendation.model_validate(rec) if rec else None,
        )


def _closed(thread_id: str, status: str | None) -> InterviewTurn:
    """What a reply to a thread without an open question gets told."""
    if status is None:
        return InterviewTurn(
            thread_id=thread_id,
            status="cancelled",
            message="There is no assessment here yet. Say “assess” to start one.",
        )
    return InterviewTurn(
        thread_id=thread_id,
        status=status,  # type: ignore[arg-type]
        message=FINISHED if status == "done" else CANCELLED,
    )


def _answered(question: dict[str, Any], answer: str) -> dict[str, str]:
    labels = {c["value"]: c["label"] for c in question["choices"]}
    return {question["key"]: labels.get(answer, answer.strip()[:200])}
