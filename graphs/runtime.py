"""The assembled advisor: settings, state, index and graphs, built once and passed down."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Engine

from graphs.compose_offline import OfflineComposer
from graphs.models import Answer
from graphs.qa import Composer, QAContext, answer_question
from knowledge.corpus import ingest_field_report
from knowledge.db import create_schema, make_engine
from knowledge.index import KnowledgeIndex
from knowledge.ingest import Ingestor
from knowledge.settings import Settings
from knowledge.tenants import TenantRegistry

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
    extra: dict[str, object] = field(default_factory=dict)

    @classmethod
    def open(cls, settings: Settings) -> Advisor:
        settings.ensure_data_dir()
        engine = make_engine(settings.state_url)
        create_schema(engine)
        index = KnowledgeIndex(settings, engine)
        ingestor = Ingestor(index, engine)
        advisor = cls(
            settings=settings,
            engine=engine,
            index=index,
            tenants=TenantRegistry(engine),
            ingestor=ingestor,
            offline=OfflineComposer(settings.data_dir / "models" / "wordllama"),
        )
        report = ingest_field_report(ingestor)
        if report.chunks_written:
            log.info("indexed the field report: %s", report.summary())
        return advisor

    @cached_property
    def composer(self) -> Composer:
        """Claude when an API key is configured, else the offline composer."""
        if not self.settings.llm_enabled:
            return self.offline
        from graphs.llm import ClaudeComposer, make_client

        return ClaudeComposer(self.settings, make_client(self.settings), fallback=self.offline)

    @property
    def qa_context(self) -> QAContext:
        return QAContext(index=self.index, composer=self.composer, top_k=self.settings.top_k)

    async def ask(self, question: str, tenant: str | None) -> Answer:
        if tenant:
            self.tenants.require(tenant)
        return await answer_question(
            question, tenant, self.qa_context, max_chars=self.settings.max_question_chars
        )

    def close(self) -> None:
        self.engine.dispose()
