"""Conversation memory: the last few questions and answers of a thread, so a follow-up such as
"and at seed stage?" is read with the question before it.

Channel-neutral: a conversation is any key a face chooses (a Slack thread, a Teams reply
chain). Turns are kept for `ADVISOR_CONVERSATION_HOURS` and then deleted; a caller only ever
gets turns drawn on material it may read (the field report's, or its own client's), so a
channel that became shared never sees earlier note-based answers again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert, or_, select

from graphs.models import Answer
from knowledge.db import conversation_turns
from knowledge.lexical import tokenize
from knowledge.scope import DataScope, require_scope

MAX_TURNS = 4  # earlier turns a follow-up is read with
ANSWER_CHARS = 800  # of each earlier answer, enough to know what was said

# Openings and words that point back at what was said before.
_REFERS_BACK = re.compile(
    r"^\s*(and|but|so|also|what about|how about|what if|why|then|same|ok|okay)\b"
    r"|\b(it|its|that|this|these|those|they|them|their|there|he|she|him|her)\b",
    re.IGNORECASE,
)

# Everyday verbs that say nothing about the topic; a source not using them proves nothing.
_GENERIC = frozenset(
    tokenize(
        "happen happens look looks like mean means work works go goes get gets think need want "
        "say tell know make take come see use try start stop next now then time thing things"
    )
)


@dataclass(frozen=True, slots=True)
class Turn:
    question: str
    answer: str
    tenant: str | None
    chunk_ids: tuple[str, ...] = ()


def is_follow_up(
    question: str, history: Sequence[Turn], known: Callable[[str], bool] | None = None
) -> bool:
    """A question that points back ("what about…", "does that…") or is too short to stand on
    its own (three content words or fewer), asked after an earlier turn. With `known` (does
    any source use this term?), a question with a word the sources never use is a new topic
    ("what is the capital of Australia?"), not a follow-up, and is judged on its own."""
    if not history:
        return False
    terms = tokenize(question)
    if known is not None and any(not known(t) for t in terms if t not in _GENERIC):
        return False
    return bool(_REFERS_BACK.search(question)) or len(terms) <= 3


def retrieval_query(
    question: str, history: Sequence[Turn], known: Callable[[str], bool] | None = None
) -> str:
    """What retrieval searches for: a follow-up is read together with the question before it."""
    return with_previous(question, history) if is_follow_up(question, history, known) else question


def with_previous(question: str, history: Sequence[Turn]) -> str:
    """A follow-up as retrieval reads it: the question before it, then the follow-up."""
    return f"{history[-1].question}\n{question}"


class ConversationStore:
    def __init__(self, engine: Engine, keep: timedelta) -> None:
        self._engine, self._keep = engine, keep

    def recent(self, conversation: str, scope: DataScope, limit: int = MAX_TURNS) -> list[Turn]:
        """The conversation's latest turns that this caller may see, oldest first: turns
        answered from the field report alone, and turns drawn on the caller's own client."""
        require_scope(scope)
        t = conversation_turns.c
        visible = or_(t.tenant.is_(None), scope.rows(t.tenant))
        query = (
            select(t.question, t.answer, t.tenant, t.chunk_ids)
            .where(t.conversation == conversation, t.at >= self._cutoff(), visible)
            .order_by(t.id.desc())
            .limit(limit)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [Turn(q, a, tn, tuple(ids or ())) for q, a, tn, ids in reversed(rows)]

    def add(self, conversation: str, tenant: str | None, question: str, answer: Answer) -> None:
        """Remember a turn; turns past their keeping time go at the same moment."""
        row = {
            "conversation": conversation,
            "tenant": tenant,
            "question": question,
            "answer": answer.answer[:ANSWER_CHARS],
            "chunk_ids": [c.chunk_id for c in answer.citations],
            "at": datetime.now(UTC),
        }
        with self._engine.begin() as conn:
            conn.execute(insert(conversation_turns).values(**row))
            conn.execute(self._expired())

    def purge(self) -> int:
        """Delete every turn past its keeping time (also done by each `add`)."""
        with self._engine.begin() as conn:
            return conn.execute(self._expired()).rowcount

    def _expired(self):  # type: ignore[no-untyped-def]
        return delete(conversation_turns).where(conversation_turns.c.at < self._cutoff())

    def _cutoff(self) -> datetime:
        return datetime.now(UTC) - self._keep
