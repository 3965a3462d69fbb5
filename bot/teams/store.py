"""Conversation references for proactive messages, refreshed on every incoming activity
(service URLs change)."""

from __future__ import annotations

from datetime import UTC, datetime

from botbuilder.schema import ConversationReference
from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from knowledge.db import teams_conversations


class ConversationStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def save(
        self, reference: ConversationReference, tenant: str | None, aad_tenant_id: str | None
    ) -> None:
        values = {
            "conversation_id": reference.conversation.id,
            "tenant": tenant,
            "aad_tenant_id": aad_tenant_id,
            "reference": reference.serialize(),
            "updated_at": datetime.now(UTC),
        }
        with self._engine.begin() as conn:
            insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
            statement = insert(teams_conversations).values(**values)
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=["conversation_id"],
                    set_={k: statement.excluded[k] for k in values if k != "conversation_id"},
                )
            )

    def get(self, conversation_id: str) -> ConversationReference | None:
        with self._engine.connect() as conn:
            data = conn.execute(
                select(teams_conversations.c.reference).where(
                    teams_conversations.c.conversation_id == conversation_id
                )
            ).scalar()
        return ConversationReference().deserialize(data) if data else None
