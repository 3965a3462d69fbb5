"""The weekly digest of one client: what happened, what the notes decided, what comes next.

Built from stored facts only — assessment records, the audit log's questions, the notes added
or changed — so the same period always gives the same digest. Every claim from a note or the
field report is a verbatim quote with a citation; counts are ours.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import select

from graphs.assessment.rubric import OPTION_NAMES
from graphs.assessment.signals import best_sentence, topic_label
from graphs.models import SIGNAL_KEYS, Citation
from graphs.qa.compose_offline import split_sentences
from knowledge.chunks import Chunk
from knowledge.corpus import field_report_section_chunks, section_label
from knowledge.db import sources
from knowledge.scope import DataScope, require_scope

SectionKey = Literal[
    "summary", "assessments", "signals", "questions", "notes", "next_30_days", "quiet"
]
NOTE_KINDS = {
    "decision": re.compile(r"decision|decided|recommendation", re.I),
    "risk": re.compile(r"risk", re.I),
    "owner": re.compile(r"owner|rhythm", re.I),
}
NEXT_KINDS = {
    "What ships": re.compile(r"shipped|next steps|actions|recommendation|follow", re.I),
    "What stops": re.compile(r"what not to do|\bstop\b", re.I),
    "What gets measured": re.compile(r"rhythm|eval|measure", re.I),
    "What gets owned": re.compile(r"owner", re.I),
}


class DigestItem(BaseModel):
    text: str
    citations: list[int] = Field(default_factory=list)


class DigestSection(BaseModel):
    key: SectionKey
    title: str
    items: list[DigestItem]


class Digest(BaseModel):
    tenant: str | None
    period_start: datetime
    period_end: datetime
    quiet: bool
    late: bool = False
    mode: Literal["offline", "llm"] = "offline"
    sections: list[DigestSection]
    citations: list[Citation] = Field(default_factory=list)


class _Cites:
    def __init__(self) -> None:
        self.items: list[Citation] = []

    def quoted(self, chunk: Chunk, quote: str) -> bool:
        return any(c.chunk_id == chunk.chunk_id and c.quote == quote for c in self.items)

    def add(self, chunk: Chunk, quote: str) -> int:
        for c in self.items:
            if c.chunk_id == chunk.chunk_id and c.quote == quote:
                return c.n
        self.items.append(Citation.of(chunk, len(self.items) + 1, quote))
        return len(self.items)


UNMAPPED = (
    "This channel is not mapped to a client, so its digest carries no client's assessments, "
    "questions or notes: only the field report."
)


def build_digest(advisor: Any, scope: DataScope, start: datetime, end: datetime) -> Digest:
    """The digest `scope` may read for [start, end); deterministic for the same stored facts.

    A caller mapped to no client gets the field report's part only: every read below returns
    nothing for it, and it is told why.
    """
    require_scope(scope)
    cites = _Cites()
    records = advisor.records.between(scope, start, end)
    previous = advisor.records.between(scope, start - (end - start), start)
    questions = list(advisor.audit.rows(scope, since=start, until=end, kinds=["answer"]))
    notes = _changed_notes(advisor, scope, start, end)
    sections = [
        _assessments(records),
        _signals(records, previous),
        _questions(advisor, scope, questions),
        _notes(notes, cites),
        _next_30_days(notes, cites),
    ]
    quiet = not records and not questions and not notes
    if quiet:
        why = (
            UNMAPPED if scope.is_public else "No assessments, questions or note changes this week."
        )
        sections = [
            DigestSection(key="quiet", title="Quiet week", items=[DigestItem(text=why)]),
            _next_30_days([], cites),
        ]
    return Digest(
        tenant=scope.tenant,
        period_start=start,
        period_end=end,
        quiet=quiet,
        sections=sections,
        citations=cites.items,
    )


def _assessments(records: list[dict]) -> DigestSection:
    if not records:
        return DigestSection(
            key="assessments",
            title="Assessments",
            items=[DigestItem(text="No assessments this week.")],
        )
    counts = Counter(r["recommendation"] for r in records)
    items = [
        DigestItem(text=f"{n} × {OPTION_NAMES[option]}")
        for option, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return DigestSection(key="assessments", title=f"Assessments ({len(records)})", items=items)


def _signal_counts(records: list[dict]) -> Counter[str]:
    return Counter(
        k
        for r in records
        for k, v in (r["facts"].get("signals") or {}).items()
        if v is True and k in SIGNAL_KEYS
    )


def _signals(records: list[dict], previous: list[dict]) -> DigestSection:
    now, before = _signal_counts(records), _signal_counts(previous)
    items = []
    for key in SIGNAL_KEYS:
        if now[key] or before[key]:
            change = now[key] - before[key]
            items.append(
                DigestItem(
                    text=f"{topic_label(key)}: {now[key]} ({'+' if change >= 0 else ''}{change} "
                    "vs. the week before)"
                )
            )
    return DigestSection(
        key="signals",
        title="Trigger signals reported",
        items=items or [DigestItem(text="No trigger signals reported.")],
    )


def _questions(advisor: Any, scope: DataScope, rows: list[dict]) -> DigestSection:
    themes: dict[str, list[str]] = {}
    for row in rows:
        first = row["chunk_ids"][:1]
        chunks = advisor.index.get_chunks(first, scope) if first else []
        theme = chunks[0].section.split(" › ")[0] if chunks else "Not covered by the sources"
        themes.setdefault(theme, []).append(row["question"] or "(question stored as a hash)")
    items = [
        DigestItem(text=f"{theme} — {len(qs)} question(s), e.g. “{qs[0][:160]}”")
        for theme, qs in sorted(themes.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]
    return DigestSection(
        key="questions",
        title=f"Questions asked ({len(rows)})",
        items=items or [DigestItem(text="No questions this week.")],
    )


def _changed_notes(advisor: Any, scope: DataScope, start: datetime, end: datetime):
    if scope.tenant is None:  # notes belong to one client; the operator's view has none
        return []
    with advisor.engine.connect() as conn:
        rows = conn.execute(
            select(sources.c.chunk_ids)
            .where(
                sources.c.tenant == scope.tenant,
                sources.c.changed_at >= start,
                sources.c.changed_at < end,
            )
            .order_by(sources.c.note_date, sources.c.path)
        ).all()
    return advisor.index.get_chunks([cid for (ids,) in rows for cid in ids], scope)


def _notes(chunks: list[Chunk], cites: _Cites) -> DigestSection:
    items = []
    for kind, pattern in NOTE_KINDS.items():
        for chunk in chunks:
            if pattern.search(chunk.section):
                quote = _first_sentence(chunk)
                items.append(
                    DigestItem(
                        text=f"{kind.capitalize()}: “{quote}”", citations=[cites.add(chunk, quote)]
                    )
                )
    return DigestSection(
        key="notes",
        title="From the engagement notes",
        items=items or [DigestItem(text="No notes added or changed.")],
    )


def _next_30_days(chunks: list[Chunk], cites: _Cites) -> DigestSection:
    items = []
    for kind, pattern in NEXT_KINDS.items():
        # a sentence the digest already quoted above is not news twice
        fresh = (c for c in chunks if pattern.search(c.section))
        match = next((c for c in fresh if not cites.quoted(c, _first_sentence(c))), None)
        if match is not None:
            quote = _first_sentence(match)
            items.append(
                DigestItem(
                    text=f"{kind}: “{quote}”",
                    citations=[cites.add(match, quote)],
                )
            )
    label = section_label("Cost of delay: the quiet part")
    report = field_report_section_chunks(label)
    quote = best_sentence(" ".join(c.text for c in report), "next 30 to 90 days concrete")
    chunk = next(c for c in report if quote in c.text)
    items.append(
        DigestItem(text=f"From the field report: “{quote}”", citations=[cites.add(chunk, quote)])
    )
    return DigestSection(key="next_30_days", title="Next 30 days", items=items)


def _first_sentence(chunk: Chunk) -> str:
    sentences = split_sentences(chunk.text)
    return sentences[0] if sentences else chunk.text.strip()
