"""The graphs on a LangGraph Server deployment (ADVISOR_LANGGRAPH_URL), called as in-process.

`RemoteQA` answers a question through the deployment's `qa` graph; `RemoteInterviewGraph` is the
`assessment` graph as `InterviewService` drives it. Both go through
`langgraph.pregel.remote.RemoteGraph`. The run context sent is plain data (tenant, channel,
user); the deployment (graphs/server.py) enforces the tenant rules at its boundary, and its
refusals come back here as `TenantError`, as they would in-process.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from langgraph.pregel.remote import RemoteException, RemoteGraph
from langgraph.types import StateSnapshot
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.errors import NotFoundError

from graphs.assessment.graph import AssessmentRequest
from graphs.models import Answer
from graphs.qa.conversation import Turn
from graphs.qa.graph import Answered, OnDelta, QARequest, prepare_question
from knowledge.settings import Settings
from knowledge.tenants import TenantError

# Our conversation keys (`slack:T1:C1:1712.5`) name the deployment's threads through this.
THREAD_NAMESPACE = uuid.UUID("9d0c7c8e-5b1f-4a57-9a43-4f0ad7a1c2e1")
_PAGE = 100


class RemoteGraphError(RuntimeError):
    """The deployment could not run the graph; the message is the server's."""


def deployment_client(settings: Settings) -> LangGraphClient:
    """A `langgraph_sdk` client of the deployment (the API key from settings, never the
    environment)."""
    if not settings.langgraph_url:
        raise ValueError("ADVISOR_LANGGRAPH_URL is not set")
    key = settings.langgraph_api_key
    return get_client(
        url=settings.langgraph_url,
        api_key=key.get_secret_value() if key else None,
        timeout=settings.langgraph_timeout_s,
    )


def remote_thread_id(key: str) -> str:
    """The deployment's thread id (a UUID) for one of our conversation keys."""
    return str(uuid.uuid5(THREAD_NAMESPACE, key))


def _raised(exc: RemoteException) -> Exception:
    """The deployment's error as the exception an in-process run would have raised."""
    data = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
    message = str(data.get("message") or exc)
    if data.get("error") in ("TenantError", "TenantMismatchError"):
        return TenantError(message)
    return RemoteGraphError(f"{data.get('error') or 'error'}: {message}")


class RemoteQA:
    """`answer_question` on the deployment's `qa` graph."""

    def __init__(self, client: LangGraphClient) -> None:
        self._client = client
        self._graph = RemoteGraph("qa", client=client)

    async def answer(
        self,
        question: str,
        caller: QARequest,
        *,
        max_chars: int,
        on_delta: OnDelta | None = None,
        history: Sequence[Turn] = (),
    ) -> Answered:
        """Answer for `caller` as in-process (the same notices, the same `QuestionError` for an
        empty question); with `on_delta`, the composer's text deltas are passed on as they come."""
        prepared, notice = prepare_question(question, max_chars)
        history_data = [asdict(t) for t in history]
        inputs = {"question": prepared, "tenant": caller.tenant, "history": history_data}
        context = asdict(caller)
        modes = ["custom", "values"] if on_delta is not None else ["values"]
        final: dict[str, Any] = {}
        try:
            async for part in self._graph.astream(inputs, context=context, stream_mode=modes):
                if part.event == "custom" and on_delta is not None and "delta" in part.data:
                    await on_delta(part.data["delta"])
                elif part.event == "values":
                    final = part.data
        except RemoteException as exc:
            raise _raised(exc) from exc
        if "answer" not in final:
            raise RemoteGraphError(f"the deployment returned no answer: {sorted(final)}")
        answer = Answer.model_validate(final["answer"])
        if notice:
            joined = f"{notice} {answer.notice}" if answer.notice else notice
            answer = answer.model_copy(update={"notice": joined})
        return Answered(answer, bool(final.get("follow_up")))

    async def aclose(self) -> None:
        await self._client.aclose()


class RemoteInterviewGraph:
    """The deployment's `assessment` graph with the calls `InterviewService` makes of a
    compiled graph: our thread keys map to its thread ids, a thread it has never seen has an
    empty state (as with a local checkpointer), and its errors are ours."""

    def __init__(self, client: LangGraphClient) -> None:
        self._client = client
        self._graph = RemoteGraph("assessment", client=client)

    @staticmethod
    def caller(tenant: str | None, channel: str, user_id: str | None) -> dict[str, Any]:
        """The run context the deployment takes: plain data."""
        return asdict(AssessmentRequest(tenant=tenant, channel=channel, user_id=user_id))

    @staticmethod
    def _remote(config: dict[str, Any]) -> dict[str, Any]:
        key = config["configurable"]["thread_id"]
        return {"configurable": {"thread_id": remote_thread_id(key)}}

    async def ainvoke(self, input: Any, config: dict[str, Any], *, context: Any) -> Any:
        try:
            return await self._graph.ainvoke(input, self._remote(config), context=context)
        except RemoteException as exc:
            raise _raised(exc) from exc

    async def aget_state(self, config: dict[str, Any]) -> StateSnapshot:
        try:
            return await self._graph.aget_state(self._remote(config))
        except NotFoundError:
            return StateSnapshot(
                values={},
                next=(),
                config=config,
                metadata=None,
                created_at=None,
                parent_config=None,
                tasks=(),
                interrupts=(),
            )

    async def purge(self, cutoff: datetime) -> int:
        """Delete the deployment's interview threads last updated before `cutoff`."""
        stale: list[str] = []
        offset = 0
        while True:
            page = await self._client.threads.search(
                metadata={"graph_id": "assessment"},
                limit=_PAGE,
                offset=offset,
                sort_by="updated_at",
                sort_order="asc",
            )
            for thread in page:
                if _as_datetime(thread["updated_at"]) < cutoff:
                    stale.append(thread["thread_id"])
            if len(page) < _PAGE or (page and _as_datetime(page[-1]["updated_at"]) >= cutoff):
                break
            offset += _PAGE
        for thread_id in stale:
            await self._client.threads.delete(thread_id)
        return len(stale)

    async def aclose(self) -> None:
        await self._client.aclose()


def _as_datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
