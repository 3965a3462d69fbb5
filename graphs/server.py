"""The graphs on LangGraph Server (`langgraph dev`, Studio, LangGraph Platform): `langgraph.json`
points at the factories here.

A caller passes plain data as the run context (tenant, channel, user_id). The live objects the
nodes use are this process's own, built from `Settings` once, as `advisor serve` builds them:
the same index, state database and composer. The caller's tenant is the only one a run may
read or record for: it must be a registered client, and a state naming another tenant is
refused where it would be read (`TenantMismatchError`), so retrieval stays scoped to the field
report and the caller's own notes.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from langgraph.config import get_config
from langgraph.graph.state import CompiledStateGraph
from langgraph_sdk.runtime import ServerRuntime

from graphs.assessment.graph import AssessmentRequest, build_assessment_graph
from graphs.assessment.interview import Detector
from graphs.assessment.records import AssessmentRecords
from graphs.audit import AuditLog
from graphs.models import Facts
from graphs.qa.graph import Composer, QARequest, build_qa_graph
from graphs.qa.topic import TopicGate
from graphs.runtime import Advisor
from knowledge.index import KnowledgeIndex
from knowledge.passages import Passage
from knowledge.settings import Settings
from knowledge.tenants import TenantError

log = logging.getLogger(__name__)


class TenantMismatchError(TenantError):
    """A run's state names a tenant other than the caller's (the run context's)."""


def _require_caller(caller: str | None, named: str | None) -> None:
    if named != caller:
        raise TenantMismatchError(
            f"this run is for tenant {caller!r}; its state names {named!r}. "
            "Pass the same tenant in the run context and the input."
        )


# --- one Advisor per process ---------------------------------------------------------------
_lock = threading.Lock()
_advisor: Advisor | None = None


def _open() -> Advisor:
    """This process's advisor, opened and warmed on first use (blocking: call off the loop).
    The server never forwards to another deployment, whatever ADVISOR_LANGGRAPH_URL says."""
    global _advisor
    with _lock:
        if _advisor is None:
            settings = Settings().model_copy(update={"langgraph_url": None})
            advisor = Advisor.open(settings)
            seconds = advisor.warm_answer_path()
            log.info("advisor opened for LangGraph Server (warmed in %.0f ms)", seconds * 1000)
            _advisor = advisor
        return _advisor


def _opened() -> Advisor:
    if _advisor is None:
        raise RuntimeError("the advisor is not open: runs go through graphs.server's factories")
    return _advisor


def _open_in_background() -> None:
    if _advisor is None and not _lock.locked():
        threading.Thread(target=_open, name="advisor-open", daemon=True).start()


async def _admit(runtime: ServerRuntime) -> None:
    """Before a run: the advisor is open and the caller's tenant is a registered client. For
    reads (schemas, state, Studio's drawing) nothing is checked; opening starts meanwhile."""
    run = runtime.execution_runtime
    if run is None:
        _open_in_background()
        return
    advisor = await asyncio.to_thread(_open)
    tenant = _caller_tenant(run.context)
    if tenant:
        await asyncio.to_thread(advisor.tenants.require, tenant)


def _caller_tenant(context: Any) -> str | None:
    if isinstance(context, Mapping):
        return context.get("tenant")
    return getattr(context, "tenant", None)


# --- what the nodes read, scoped to the caller ---------------------------------------------
class TenantIndex:
    """The index as one caller may read it: their own tenant's view, no other."""

    def __init__(self, index: KnowledgeIndex, tenant: str | None) -> None:
        self._index, self._tenant = index, tenant

    def retrieve_for_tenant(
        self, question: str, tenant: str | None, k: int | None = None
    ) -> list[Passage]:
        _require_caller(self._tenant, tenant)
        return self._index.retrieve_for_tenant(question, tenant, k)

    def term_known(self, tenant: str | None) -> Callable[[str], bool]:
        _require_caller(self._tenant, tenant)
        return self._index.term_known(tenant)

    def term_stats(self, tenant: str | None, *args: Any, **kwargs: Any) -> Any:
        _require_caller(self._tenant, tenant)
        return self._index.term_stats(tenant, *args, **kwargs)


class TenantRecords:
    """The assessment records as one caller may write them: under their own tenant. A state
    from Studio without our thread and run ids is filed under the server's thread id."""

    def __init__(self, records: AssessmentRecords, tenant: str | None) -> None:
        self._records, self._tenant = records, tenant

    def save(self, state: Mapping[str, Any], *, thread_id: str | None = None) -> bool:
        _require_caller(self._tenant, state.get("tenant"))
        server_thread = str(get_config().get("configurable", {}).get("thread_id") or "")
        thread = thread_id or state.get("thread_id") or server_thread
        filed = {**state, "run_id": state.get("run_id") or thread}
        return self._records.save(filed, thread_id=thread)


@dataclass(frozen=True, slots=True)
class ServerQAContext(QARequest):
    """The qa run context on a server: the caller's plain fields, and this process's objects
    under the names the nodes read (as in `QAContext`)."""

    @property
    def index(self) -> TenantIndex:
        return TenantIndex(_opened().index, self.tenant)

    @property
    def composer(self) -> Composer:
        return _opened().composer

    @property
    def top_k(self) -> int:
        return _opened().settings.top_k

    @property
    def stream(self) -> bool:
        return _opened().settings.stream_answers

    @property
    def topic(self) -> TopicGate:
        return _opened().topic

    @property
    def settles(self) -> Callable[[str], bool]:
        return _opened().settles


@dataclass(frozen=True, slots=True)
class ServerAssessmentContext(AssessmentRequest):
    """The assessment run context on a server: the caller's plain fields, and this process's
    objects under the names the nodes read (as in `AssessmentContext`)."""

    @property
    def records(self) -> TenantRecords:
        return TenantRecords(_opened().records, self.tenant)

    @property
    def detect(self) -> Detector:
        caller = self.tenant

        async def detect(text: str, tenant: str | None) -> Facts:
            _require_caller(caller, tenant)
            return await _opened().detect(text, tenant)

        return detect

    @property
    def audit(self) -> AuditLog:
        return _opened().audit


# --- the entry points langgraph.json names --------------------------------------------------
# Compiled without a checkpointer: the server brings its own.
QA_GRAPH = build_qa_graph(context_schema=ServerQAContext).compile(name="qa")
ASSESSMENT_GRAPH = build_assessment_graph(context_schema=ServerAssessmentContext).compile(
    name="assessment"
)


async def qa(runtime: ServerRuntime) -> CompiledStateGraph:
    """The question-answering graph, for a caller of this deployment."""
    await _admit(runtime)
    return QA_GRAPH


async def assessment(runtime: ServerRuntime) -> CompiledStateGraph:
    """The assessment interview, for a caller of this deployment."""
    await _admit(runtime)
    return ASSESSMENT_GRAPH
