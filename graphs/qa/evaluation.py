"""Measuring answers on founders' questions: the right section cited, the advice in the text.

Each golden question (tests/golden/questions/{dev,test}.yaml) names the sections that answer it,
the verbatim phrases that carry the advice, and for a decision question the option the report
implies; questions the sources do not cover have none. An answer is scored on what a founder
gets: is the right section cited, is the advice itself in the answer text (not only in a
citation), does a decision question name the option, and is a fair question answered rather
than refused (an off-topic one declined rather than answered).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graphs.assessment.rubric import OPTION_NAMES
from graphs.models import Answer


@dataclass(frozen=True, slots=True)
class GoldenAsk:
    id: str
    question: str
    tenant: str | None
    answerable: bool
    sections: tuple[str, ...]
    phrases: tuple[str, ...]
    decision: str | None
    superseded: tuple[str, ...] = ()  # older notes' statements: only ever labelled superseded
    standing: tuple[str, ...] = ()  # older notes' statements still true: never labelled so


def load_questions(path: Path) -> list[GoldenAsk]:
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [
        GoldenAsk(
            id=i["id"],
            question=i["question"],
            tenant=None if i.get("tenant", "public") == "public" else i["tenant"],
            answerable=bool(i["answerable"]),
            sections=tuple(i.get("expect_sections") or ()),
            phrases=tuple(i.get("key_phrases") or ()),
            decision=i.get("decision"),
            superseded=tuple(i.get("superseded_phrases") or ()),
            standing=tuple(i.get("standing_phrases") or ()),
        )
        for i in items
    ]


def _squash(text: str) -> str:
    return " ".join(re.sub(r"[“”\"‘’']", "'", text).split()).lower()


def cites_section(answer: Answer, sections: tuple[str, ...]) -> bool:
    labels = [" › ".join(p for p in (c.source, c.section) if p) for c in answer.citations]
    return any(label == s or label.startswith(s + " › ") for label in labels for s in sections)


def says_phrase(answer: Answer, phrases: tuple[str, ...]) -> bool:
    text = _squash(answer.answer)
    return any(_squash(p) in text for p in phrases)


def reads_as_timeline(answer: Answer, phrases: tuple[str, ...], older: tuple[str, ...]) -> bool:
    """The newest note's statement leads (a key phrase is in the answer line), and an older
    statement it supersedes is left out or shown on a line that says it was superseded."""
    lead = _squash(answer.lead or answer.answer.strip().split("\n")[0])
    if not any(_squash(p) in lead for p in phrases):
        return False
    for line in answer.answer.splitlines():
        stated = any(_squash(p) in _squash(line) for p in older)
        if stated and "superseded" not in line.lower():
            return False
    return True


def keeps_standing(answer: Answer, standing: tuple[str, ...]) -> bool:
    """No statement that still holds is shown on a line that says it was superseded: labelling
    a true statement as replaced misinforms more than leaving a replaced one unlabelled."""
    return not any(
        "superseded" in line.lower() and any(_squash(p) in _squash(line) for p in standing)
        for line in answer.answer.splitlines()
    )


def names_option(answer: Answer, option: str) -> bool:
    first = answer.answer.strip().splitlines()[0] if answer.answer.strip() else ""
    return OPTION_NAMES[option].lower() in first.lower()


@dataclass(slots=True)
class AnswerReport:
    name: str
    answerable: int = 0
    off_topic: int = 0
    section_cited: int = 0
    phrase_said: int = 0
    fair_refused: int = 0
    off_topic_declined: int = 0
    decisions: int = 0
    decisions_named: int = 0
    timelines: int = 0  # questions on which newer notes supersede older ones
    timelines_read: int = 0
    standings: int = 0  # questions with older statements that still hold
    standings_kept: int = 0
    misses: list[str] = field(default_factory=list)

    def rate(self, hits: int, total: int) -> float:
        return hits / total if total else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "answerable": self.answerable,
            "section_cited": round(self.rate(self.section_cited, self.answerable), 3),
            "phrase_in_answer": round(self.rate(self.phrase_said, self.answerable), 3),
            "fair_refused": self.fair_refused,
            "off_topic": self.off_topic,
            "off_topic_declined": self.off_topic_declined,
            "decisions_named": f"{self.decisions_named}/{self.decisions}",
            "timelines_read": f"{self.timelines_read}/{self.timelines}",
            "standing_unlabelled": f"{self.standings_kept}/{self.standings}",
        }


async def evaluate_answers(
    name: str, questions: list[GoldenAsk], ask: Callable[[str, str | None], Awaitable[Answer]]
) -> AnswerReport:
    report = AnswerReport(name=name)
    for q in questions:
        answer = await ask(q.question, q.tenant)
        if not q.answerable:
            report.off_topic += 1
            report.off_topic_declined += not answer.covered
            if answer.covered:
                report.misses.append(f"{q.id}: off-topic, answered")
            continue
        report.answerable += 1
        if not answer.covered:
            report.fair_refused += 1
            report.misses.append(f"{q.id}: fair question refused")
            continue
        cited, said = cites_section(answer, q.sections), says_phrase(answer, q.phrases)
        report.section_cited += cited
        report.phrase_said += said
        if not cited:
            report.misses.append(f"{q.id}: section not cited")
        elif not said:
            report.misses.append(f"{q.id}: advice not in the text")
        if q.superseded:
            report.timelines += 1
            read = reads_as_timeline(answer, q.phrases, q.superseded)
            report.timelines_read += read
            if not read:
                report.misses.append(f"{q.id}: older note leads or is not marked superseded")
        if q.standing:
            report.standings += 1
            kept = keeps_standing(answer, q.standing)
            report.standings_kept += kept
            if not kept:
                report.misses.append(f"{q.id}: a statement that still holds is labelled replaced")
        if q.decision:
            report.decisions += 1
            named = names_option(answer, q.decision)
            report.decisions_named += named
            if not named:
                report.misses.append(f"{q.id}: does not name {q.decision}")
    return report
