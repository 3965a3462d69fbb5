"""Notes as a timeline: the newest dated note on a subject wins, an older one it supersedes is
marked so, and a question about where things stand reads the newest notes first."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from graphs.qa.claims import DATE, lower_vocabulary, says_otherwise
from graphs.qa.sentences import Unit
from graphs.qa.terms import report_vocabulary
from knowledge.lexical import tokenize
from knowledge.passages import Passage

SUPERSEDED_OVERLAP = 0.3
COMMON_SHARE = 0.3  # a word in more of a client's note chunks names the engagement, not a subject
RECENT_BOOST = 0.3  # "who owns it *now*": the newest notes first
FIGURE = 0.2  # "how many cases now?": a sentence that gives a number of cases
NOTE_LEADS = 4  # of the best-ranked note sentences, the newest answers a question on notes


@dataclass(slots=True)
class Candidate:
    passage: Passage
    unit: Unit
    score: float = 0.0
    superseded_by: str | None = None  # the date of a newer note on the same subject
    own: float = 0.0  # its score on its own merits, before its section's and neighbour's lift

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
    r"decid|decision|owner|next step|action|risk|number|rhythm|open|status|shipped|closed|done",
    re.I,
)


def same_kind(older: Candidate, newer: Candidate) -> bool:
    """Only a statement of where things stand (who owns, what was decided, the numbers) is
    superseded by a newer one; a story of what happened never is."""
    a = older.passage.chunk.section.rsplit(" › ", 1)[-1]
    b = newer.passage.chunk.section.rsplit(" › ", 1)[-1]
    return a == b or bool(_STATE.search(a) and _STATE.search(b))


@lru_cache(maxsize=8192)  # each pair of sentences is compared: read each once
def subject(text: str) -> frozenset[str]:
    return frozenset(t for t in tokenize(text) if len(t) > 2 and not t.isdigit())


_NAME = re.compile(r"(?:(?<=[\w,;:)`'\"”]\s)|(?<=\())[A-Z][\w-]*")


@lru_cache(maxsize=8192)  # each pair of sentences is compared: read each once
def names(text: str) -> frozenset[str]:
    """The terms of the names in a sentence: words capitalised after its first ("the Birch
    migration", "Tomasz", "ERP"), not words the report happens not to use ("set")."""
    return frozenset(tokenize(" ".join(_NAME.findall(text))))


_NUMBER = re.compile(r"(?:(\w+)\W{1,3})?(?:(\w+)\W{1,3})?\b\d[\d,.]*(%|\s+(\w+))?")


@lru_cache(maxsize=8192)  # each pair of sentences is compared: read each once
def figure_terms(text: str) -> frozenset[str]:
    """What the sentence gives a number of, dates aside: the word after the number ("212
    cases"), or the two before a percentage ("pass rate: 64%", "the run passed 88%")."""
    words: list[str] = []
    for m in _NUMBER.finditer(DATE.sub(" ", text)):
        first, second, unit, after = m.groups()
        words += [first or "", second or ""] if unit == "%" else [after or ""]
    return frozenset(tokenize(" ".join(words)))


@lru_cache(maxsize=8192)  # each pair of sentences is compared: read each once
def states_figure(text: str) -> bool:
    """It gives a number of something ("310 a month", "212 cases"), dates aside."""
    return any(ch.isdigit() for ch in DATE.sub(" ", text))


def prefer_recent(candidates: list[Candidate]) -> None:
    """A question about the current state: the newer the note, the higher it ranks."""
    dates = sorted({c.passage.chunk.date for c in candidates if c.passage.chunk.date})
    for c in candidates:
        if c.passage.chunk.date:
            c.score += RECENT_BOOST * (dates.index(c.passage.chunk.date) + 1) / len(dates)


def engagement_words(shares: dict[str, float], terms: set[str]) -> set[str]:
    """The question's words that many of the client's notes use ("Scout"): they name the
    engagement, not what is asked. None when they would be most of the question: a client
    with a few notes uses its subjects in many of them ("the billing export" in 2 of 4)."""
    common = {t for t, share in shares.items() if share > COMMON_SHARE} & terms
    return set() if 2 * len(common) > len(terms) else common


@dataclass(frozen=True, slots=True)
class Asked:
    """What a question asks about: `ours`, the client's own words in it (less those most of
    its notes use); `about`, all its words less those; `figure`, whether it asks for a number
    ("how many cases now?"), so that a newer figure of the same thing replaces an older one."""

    ours: set[str]
    about: set[str]
    figure: bool = False
    named: frozenset[str] = frozenset()  # the client's own words in it, common or not
    state: bool = False  # it asks where things stand now: any older word on it is the past

    def figure_of(self, c: Candidate) -> bool:
        """The sentence gives a number of what was asked ("248 cases" for "how many cases")."""
        return self.figure and bool(figure_terms(c.unit.text) & self.about)


def newer_on_same_matter(newer: Candidate, older: Candidate, asked: Asked) -> bool:
    """The newer note's sentence speaks of where the older one's matter stands (who owns it,
    what was decided, how many): it ranks above it, and supersedes it only where it says
    otherwise (`claims.says_otherwise`); one that agrees replaces nothing."""
    newer_date, older_date = newer.passage.chunk.date or "", older.passage.chunk.date or ""
    return newer_date > older_date and same_matter(newer, older, asked)


def same_matter(newer: Candidate, older: Candidate, asked: Asked) -> bool:
    """Both say where the same thing stands: they share what the question asks about, and the
    newer note names at least half of the names the question shares with the older sentence
    (a note on "the Juniper migration" says nothing of the Birch one)."""
    words, theirs = subject(older.unit.text), subject(newer.unit.text)
    named = names(older.unit.text) & asked.ours
    if named and 2 * len(named & subject(newer.passage.chunk.text)) < len(named):
        return False
    shared = words & theirs
    if not shared & asked.about:
        return False  # neither is about what was asked
    if asked.figure and figure_terms(older.unit.text) & figure_terms(newer.unit.text) & asked.about:
        return True  # "212 cases", then "248 cases": the newer count of what was asked
    if same_kind(older, newer) and same_subject(older.unit.text, theirs, asked.about):
        return True
    # where things stand now: what an older note said of the asked thing is the past, unless
    # one gives figures and the other none ("310 disputes a month" is no decision on them)
    alike = states_figure(older.unit.text) == states_figure(newer.unit.text)
    return asked.state and alike and names_what_was_asked(older.unit.text, theirs, asked.about)


def names_what_was_asked(older: str, theirs: frozenset[str], about: set[str]) -> bool:
    """The newer sentence names half the question's words that the older one names, and two
    at least ("the quarterly … comparison"; "is Dana still looking after the billing export"
    is answered by "Billing export owner …: Ravi")."""
    asked = subject(older) & about
    return len(asked & theirs) >= 2 and 2 * len(asked & theirs) >= len(asked)


def same_subject(older: str, theirs: frozenset[str], about: set[str]) -> bool:
    """One clause of the older sentence shares enough of its words with the newer, among
    them one the question asks about (a risk list packs several subjects into one sentence:
    "the ERP export is still ownerless; the sales team's promise …")."""
    for clause in older.split(";"):
        words = subject(clause)
        shared = words & theirs
        if shared & about and len(shared) / min(len(words), len(theirs)) >= SUPERSEDED_OVERLAP:
            return True
    return False


def newest_wins(ranked: list[Candidate], asked: Asked) -> None:
    """On a subject the question asks about, the newest dated note wins: it ranks above an
    older note sentence on the same matter, and the older one, where the newer says
    otherwise, is marked as superseded by it. For a figure, a sentence giving a number of
    what was asked ranks first."""
    notes = [c for c in ranked if c.passage.chunk.date]
    for c in notes:
        c.score += FIGURE if asked.figure_of(c) else 0.0
    before = {id(c): c.score for c in notes}  # a lift is never passed on down a chain
    texts = {c.chunk_id: c.passage.chunk.text for c in ranked}
    vocabulary = lower_vocabulary(texts.values()) | report_vocabulary()
    for older in notes:
        for newer in notes:
            if not newer_on_same_matter(newer, older, asked):
                continue
            lifted = before[id(older)] + 0.01 + 0.001 * before[id(newer)]  # ties keep order
            newer.score = max(newer.score, lifted)
            if says_otherwise(older.unit.text, newer.unit.text, asked.about, vocabulary):
                older.superseded_by = max(older.superseded_by or "", newer.passage.chunk.date or "")


def note_lead(ranked: list[Candidate], asked: Asked) -> Candidate:
    """The answer line from the notes: of the best few note sentences not superseded, the
    newest; one that names all of the client's words the question uses before others, and
    for a figure question, one giving a number of what was asked (from a few more)."""
    current = [c for c in ranked if c.passage.chunk.date and not c.superseded_by]
    close = [c for c in ranked[:NOTE_LEADS] if c.passage.chunk.date and not c.superseded_by]
    named = [c for c in close if asked.named <= set(tokenize(c.unit.text))]
    figures = [c for c in current[: 2 * NOTE_LEADS] if asked.figure_of(c)]
    return max(figures or named or close or ranked[:1], key=lambda c: c.passage.chunk.date or "")
