"""The assembled advisor: settings, state, index and graphs, built once and passed down.

With ADVISOR_LANGGRAPH_URL the graphs (answers, the interview) run on that LangGraph Server
deployment (graphs/remote.py); everything else stays in this process."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from graphs.assessment.decide import decide_text
from graphs.assessment.reader import Reader
from graphs.assessment.records import AssessmentRecords
from graphs.audit import AuditEvent, AuditLog, answer_event, decision_outcome
from graphs.digest import Digest, build_digest
from graphs.digest_schedule import DigestStore
from graphs.models import Answer, CheckResult, Facts, Recommendation
from graphs.qa.compose_offline import OfflineComposer
from graphs.qa.conversation import ConversationStore
from graphs.qa.coverage import judge
from graphs.qa.graph import Composer, OnDelta, QAContext, QARequest, answer_question
from graphs.qa.topic import TopicGate
from knowledge.corpus import ingest_field_report
from knowledge.db import make_engine
from knowledge.index import KnowledgeIndex
from knowledge.ingest import Ingestor, IngestReport
from knowledge.migrate import ensure_schema
from knowledge.notes import add_note
from knowledge.priority import lower_this_thread
from knowledge.scope import DataScope
from knowledge.settings import Settings
from knowledge.tenants import TenantRegistry

if TYPE_CHECKING:
    from graphs.assessment.interview import InterviewService
    from graphs.assessment.reader import Reading
    from graphs.remote import RemoteQA

log = logging.getLogger(__name__)


@dataclass
class Advisor:
    """Everything a face needs. Construct with `Advisor.open(settings)`."""

    settings: Settings
    engine: Engine
    index: KnowledgeIndex
    tenants: TenantRegistry
    ingestor: Ingestor
    offline: OfflineComposer
    reader: Reader  # reads descriptions (the check, the interview's opening, decision questions)
    topic: TopicGate  # is a question about what the sources cover at all?
    # Called after every answer with (answer, seconds, channel): metrics hang off this.
    answer_observers: list[Callable[[Answer, float, str], None]] = field(default_factory=list)

    @classmethod
    def open(cls, settings: Settings) -> Advisor:
        settings.ensure_data_dir()
        engine = make_engine(settings.state_url)
        ensure_schema(engine)
        index = KnowledgeIndex(settings, engine)
        ingestor = Ingestor(index, engine, limits=settings.ingest_limits)
        model_dir = settings.data_dir / "models" / "wordllama"
        reader = Reader(model_dir, cache_dir=settings.cache_dir)
        advisor = cls(
            settings=settings,
            engine=engine,
            index=index,
            tenants=TenantRegistry(engine),
            ingestor=ingestor,
            offline=OfflineComposer(
                model_dir,
                decider=lambda text: decide_text(reader, text),
                note_shares=index.note_term_shares,
            ),
            reader=reader,
            topic=TopicGate(model_dir),
        )
        report = ingest_field_report(ingestor)
        if report.chunks_written:
            log.info("indexed the field report: %s", report.summary())
        return advisor

    async def warm_up(self) -> float:
        """Load what the first request would otherwise load: the embedding model, the lexical
        index, the vector index, the interview graph and its checkpointer, the composer.
        Run before taking traffic, so the first founder does not wait and no ack stalls."""
        started = time.perf_counter()
        await asyncio.to_thread(self.warm_answer_path)
        _ = self.composer
        await self.interviews.pending("warm-up")  # with a deployment: it answers
        seconds = time.perf_counter() - started
        log.info("warmed up in %.0f ms", seconds * 1000)
        return seconds

    def warm_answer_path(self) -> float:
        """Load what answering and reading need (blocking); the seconds it took."""
        started = time.perf_counter()
        import graphs.assessment.extract  # noqa: F401  (the SDK comes with the composer's client)

        self.reader.read("We're a seed startup; our pilot stalled and I debug it at night.")
        question = "Do we need a fractional AI CTO?"
        # the field report alone, and a client's path (two tenants' rows, its own collection)
        for tenant in dict.fromkeys([None, *self.tenants.names()[:1]]):
            passages = self.index.retrieve_for_tenant(question, tenant, self.settings.top_k)
            judge(self.index, question, passages, tenant)
            self.offline.compose_sync(question, passages, tenant=tenant)
        self.topic.on_topic(question)
        return time.perf_counter() - started

    @cached_property
    def llm_client(self) -> Any:
        """The Anthropic client, or None when no API key is configured (offline)."""
        if not self.settings.llm_enabled:
            return None
        from graphs.llm import make_client

        return make_client(self.settings)

    @cached_property
    def composer(self) -> Composer:
        """Claude when an API key is configured, else the offline composer."""
        if self.llm_client is None:
            return self.offline
        from graphs.llm import ClaudeComposer

        return ClaudeComposer(self.settings, self.llm_client, fallback=self.offline)

    @cached_property
    def remote_qa(self) -> RemoteQA | None:
        """The deployment's qa graph when ADVISOR_LANGGRAPH_URL is set, else None."""
        if not self.settings.langgraph_url:
            return None
        from graphs.remote import RemoteQA, deployment_client

        return RemoteQA(deployment_client(self.settings))

    @property
    def qa_context(self) -> QAContext:
        return QAContext(
            index=self.index,
            composer=self.composer,
            top_k=self.settings.top_k,
            stream=self.settings.stream_answers,
            topic=self.topic,
            settles=self.settles,
        )

    def settles(self, question: str) -> bool:
        """Whether the check settles a decision-shaped question from what it says about the
        company ("we need board prep and a few hiring interviews, who is that?"): CPU work,
        called from the retrieval thread, and only for a question coverage would refuse."""
        from graphs.qa.intent import is_decision, mentions_options

        if not (is_decision(question) or mentions_options(question)):
            return False
        return decide_text(self.reader, question).decided

    @cached_property
    def records(self) -> AssessmentRecords:
        return AssessmentRecords(self.engine)

    @cached_property
    def interviews(self) -> InterviewService:
        from graphs.assessment.interview import InterviewService

        return InterviewService(self.settings, self.records, self.detect, self.audit)

    async def read(self, text: str) -> tuple[Reading, str]:
        """What a description states, fact by fact with evidence: Claude when configured,
        else the offline reader; (reading, "llm" | "offline"). Never on the event loop."""
        from graphs.assessment.extract import read_description

        return await read_description(text, self.settings, self.llm_client, self.reader.read)

    async def detect(self, text: str, tenant: str | None = None) -> Facts:
        """The facts a description states (what the interview pre-fills from): what the check
        would read, so the interview that follows a check never asks what it already said."""
        from graphs.assessment.decide import second_look

        reading, _source = await self.read(text)
        return second_look(reading).to_facts()

    def recommend(
        self,
        facts: Facts,
        *,
        tenant: str | None = None,
        channel: str | None = None,
        user_id: str | None = None,
    ) -> Recommendation:
        """The rubric's decision; audited when a channel asked for it (e.g. a Slack form)."""
        from graphs.assessment.rubric import recommend

        rec = recommend(facts)
        if channel is not None:
            self.audit.record(
                AuditEvent(
                    kind="recommendation",
                    tenant=tenant,
                    channel=channel,
                    user_id=user_id,
                    chunk_ids=[c.chunk_id for c in rec.citations],
                    outcome=decision_outcome(rec, facts),
                )
            )
        return rec

    async def check(
        self,
        text: str,
        tenant: str | None,
        *,
        channel: str = "terminal",
        user_id: str | None = None,
        request_id: str | None = None,
    ) -> CheckResult:
        """The quick trigger check on a description of the company (audited): a verdict when
        what was read settles it, else a leaning and the questions that would."""
        from graphs.assessment.check import check_result
        from graphs.qa.graph import prepare_question

        started = time.perf_counter()
        prepared, _notice = prepare_question(text, self.settings.max_question_chars)
        reading, source = await self.read(prepared)
        result = await asyncio.to_thread(check_result, reading, source)  # the rubric, cited
        rec = result.outcome
        outcome = decision_outcome(rec, result.detected)
        outcome["decided"] = result.recommendation is not None
        outcome["asked"] = [q.key for q in result.questions]
        await asyncio.to_thread(
            self.audit.record,
            AuditEvent(
                kind="check",
                tenant=tenant,
                channel=channel,
                user_id=user_id,
                question=prepared,
                chunk_ids=[c.chunk_id for c in rec.citations],
                mode=result.source,
                latency_ms=round((time.perf_counter() - started) * 1000),
                request_id=request_id,
                outcome=outcome,
            ),
        )
        return result

    def add_note(
        self, tenant: str, *, author: str, text: str, title: str | None = None
    ) -> IngestReport:
        self.tenants.require(tenant)
        _path, report = add_note(
            self.ingestor, self.settings.data_dir, tenant, author=author, text=text, title=title
        )
        return report

    async def add_note_in_background(
        self, tenant: str, *, author: str, text: str, title: str | None = None
    ) -> IngestReport:
        """`add_note` from a serving face: on the ingest thread, at the ingest priority, so
        answers being written meanwhile get the CPU first."""
        call = partial(self.add_note, tenant, author=author, text=text, title=title)
        return await asyncio.get_running_loop().run_in_executor(self.ingest_thread, call)

    @cached_property
    def ingest_thread(self) -> ThreadPoolExecutor:
        """One thread for this process's note ingestion, never one that answers use."""
        lower = partial(lower_this_thread, self.settings.ingest_priority, serving=True)
        return ThreadPoolExecutor(1, "advisor-ingest", initializer=lower)

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(
            self.engine,
            hash_questions=self.settings.audit_hash_questions,
            retention_days=self.settings.audit_retention_days,
        )

    @cached_property
    def conversations(self) -> ConversationStore:
        return ConversationStore(self.engine, timedelta(hours=self.settings.conversation_hours))

    @cached_property
    def digests(self) -> DigestStore:
        return DigestStore(self.engine)

    def build_digest(
        self,
        tenant: str | None,
        start: datetime,
        end: datetime,
        *,
        channel: str = "digest",
        user_id: str | None = None,
    ) -> Digest:
        """The digest of `tenant` for [start, end), audited as kind "digest"."""
        digest = build_digest(self, DataScope.of(tenant), start, end)
        self.audit.record(
            AuditEvent(
                kind="digest",
                tenant=tenant,
                channel=channel,
                user_id=user_id,
                chunk_ids=[c.chunk_id for c in digest.citations],
                outcome={
                    "period_start": start.isoformat(),
                    "period_end": end.isoformat(),
                    "quiet": digest.quiet,
                },
            )
        )
        return digest

    async def write_digest(self, digest: Digest) -> Digest:
        """With Claude configured, a cited write-up on top of the offline digest."""
        from graphs.digest_llm import write_summary

        return await write_summary(digest, self.settings, self.llm_client)

    def digest_preview(
        self,
        tenant: str | None,
        *,
        channel: str = "terminal",
        user_id: str | None = None,
        now: datetime | None = None,
    ) -> Digest:
        """The digest of the last seven days, now (for `preview`)."""
        end = now or datetime.now(UTC)
        return self.build_digest(
            tenant, end - timedelta(days=7), end, channel=channel, user_id=user_id
        )

    async def ask(
        self,
        question: str,
        tenant: str | None,
        *,
        channel: str = "terminal",
        user_id: str | None = None,
        request_id: str | None = None,
        on_delta: OnDelta | None = None,
        conversation: str | None = None,
    ) -> Answer:
        """Answer a question for a caller, and leave an audit record of it. With streaming
        on (ADVISOR_STREAM) and Claude configured, `on_delta` gets text as it is written.
        With a `conversation` key (a thread), earlier turns inform follow-ups and this turn
        is remembered for the next one."""
        if tenant:
            self.tenants.require(tenant)
        started = time.perf_counter()
        history = (
            await asyncio.to_thread(self.conversations.recent, conversation, DataScope.of(tenant))
            if conversation
            else []
        )
        limits = {"max_chars": self.settings.max_question_chars, "on_delta": on_delta}
        if self.remote_qa is not None:
            caller = QARequest(tenant=tenant, channel=channel, user_id=user_id)
            answered = self.remote_qa.answer(question, caller, history=history, **limits)
        else:
            answered = answer_question(question, tenant, self.qa_context, history=history, **limits)
        answer, follow_up = await answered
        elapsed = time.perf_counter() - started
        for observe in self.answer_observers:
            observe(answer, elapsed, channel)
        asked = question[: self.settings.max_question_chars]
        if conversation:
            await asyncio.to_thread(self.conversations.add, conversation, tenant, asked, answer)
        event = answer_event(answer, asked, tenant, channel, user_id, request_id)
        event.latency_ms = round((time.perf_counter() - started) * 1000)
        event.outcome["follow_up"] = follow_up
        await asyncio.to_thread(self.audit.record, event)
        return answer

    async def aclose(self) -> None:
        if "interviews" in self.__dict__:
            await self.interviews.aclose()
        if self.__dict__.get("remote_qa") is not None:
            await self.remote_qa.aclose()
        if self.__dict__.get("llm_client") is not None:
            await self.llm_client.close()
        self.close()

    def readiness(self) -> dict[str, str]:
        """What is not reachable right now: {"database": reason, "index": reason}; {} if ready."""
        problems: dict[str, str] = {}
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except Exception as exc:
            problems["database"] = type(exc).__name__
        try:
            self.index.ping()
        except Exception as exc:
            problems["index"] = type(exc).__name__
        return problems

    def close(self) -> None:
        if "ingest_thread" in self.__dict__:
            self.ingest_thread.shutdown(wait=True)
        self.index.close()
        self.engine.dispose()
