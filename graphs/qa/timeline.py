"""Notes as a timeline: the newest dated note on a subject wins, an older one it supersedes is
marked so, and a question about where things stand reads the newest notes first."""

from __future__ import annotations

import re
from dataclasses import dataclass

from graphs.qa.sentences import Unit
from knowledge.lexical import tokenize
from knowledge.passages import Passage

SUPERSEDED_OVERLAP = 0.3
COMMON_SHARE = 0.3  # a word in more of a client's note chunks names the engagement, not a subject
RECENT_BOOST = 0.3  # "who owns it *now*": the newest notes first


@dataclass(slots=True)
class Candidate:
    passage: Passage
    unit: Unit
    score: float = 0.0
    superseded_by: str | None = None  # the date of a newer note on the same subject

    @property
    def chunk_id(self) -> str:
        return self.passage.chunk.chunk_id


def timeline(chosen: list[Candidate]) -> list[Candidate]:
    """Notes newest first, where the notes lead; the report's quotes keep their order."""
    notes = sorted(
        (c for c in chosen if c.passage.chunk.date),
        key=lambda c: c.passage.chunk.date or "",
        reverse=True,
    )
    report = [c for c in chosen if not c.passage.chunk.date]
    notes_lead = bool(chosen) and chosen[0].passage.chunk.date is not None
    return notes + report if notes_lead else report + notes


_STATE = re.compile(
    r"decid|decision|owner|next step|risk|number|rhythm|open|status|shipped|closed|done", re.I
)


def same_kind(older: Candidate, newer: Candidate) -> bool:
    """Only a statement of where things stand (who owns, what was decided, the numbers) is
    superseded by a newer one; a story of what happened never is."""
    a = older.passage.chunk.section.rsplit(" › ", 1)[-1]
    b = newer.passage.chunk.section.rsplit(" › ", 1)[-1]
    return a == b or bool(_STATE.search(a) and _STATE.search(b))


def subject(text: str) -> set[str]:
    return {t for t in tokenize(text) if len(t) > 2 and not t.isdigit()}


def prefer_recent(candidates: list[Candidate]) -> None:
    """A question about the current state: the newer the note, the higher it ranks."""
    dates = sorted({c.passage.chunk.date for c in candidates if c.passage.chunk.date})
    for c in candidates:
        if c.passage.chunk.date:
            c.score += RECENT_BOOST * (dates.index(c.passage.chunk.date) + 1) / len(dates)


def newest_wins(ranked: list[Candidate], asked: set[str], about: set[str]) -> None:
    """On a subject the question asks about (`about`: its words, less those most of the
    client's notes use), the newest dated note wins: it ranks above an older note sentence
    that shares that subject, and the older one is marked as superseded by it; never by a
    note without the client's own words the question asks about (`asked`)."""
    notes = [c for c in ranked if c.passage.chunk.date]
    for older in notes:
        words = subject(older.unit.text)
        for newer in notes:
            if (newer.passage.chunk.date or "") <= (older.passage.chunk.date or ""):
                continue
            if not same_kind(older, newer):
                continue
            theirs = subject(newer.unit.text)
            if (words & asked) - theirs:
                continue  # asked about Birch: "the Juniper migration" supersedes no Birch note
            shared = words & theirs
            if not shared & about:
                continue  # neither is about what was asked
            if len(shared) / min(len(words), len(theirs)) >= SUPERSEDED_OVERLAP:
                newer.score = max(newer.score, older.score + 0.01)
                older.superseded_by = newer.passage.chunk.date
