"""Where a fact can be stated: sentences, and the clauses inside them, with their offsets.

People put several facts in one sentence ("seed, the pilot is stuck and I still debug it at
night") and one fact across a sentence's clauses, so the reader looks at both levels and lets
each fact take the span that states it best. Offsets point into the founder's own text, so
the evidence shown back is exactly what they wrote.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

_SENTENCE = re.compile(r"(?<=[.!?])[\"”’)]?\s+|\n+|;\s*|\s+[-–—]{1,2}\s+|\s*•\s*")
# A comma ends a clause, except inside a number ("a 12,000-person telco").
_CLAUSE = re.compile(
    r",?\s+(?:but|however|although|though|whereas|while|plus|and also|and)\s+"
    r"|(?<!\d),\s*|,(?!\d{3}\b)\s*",
    re.IGNORECASE,
)
MIN_WORDS = 2
# Terse messages put one fact across short sentences ("for what? no clue."): a sentence of
# fewer words than this is also read together with its neighbour.
SHORT_WORDS = 5


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str


def spans(text: str) -> list[Span]:
    """Every sentence of `text`, the clauses of each sentence that has several, and each
    short sentence joined with the next."""
    found: list[Span] = []
    sentences = _pieces(text, _SENTENCE, 0, len(text))
    for sentence in sentences:
        found.append(sentence)
        clauses = _pieces(text, _CLAUSE, sentence.start, sentence.end)
        if len(clauses) > 1:
            found.extend(c for c in clauses if len(c.text.split()) >= MIN_WORDS)
    for a, b in itertools.pairwise(sentences):
        if min(len(a.text.split()), len(b.text.split())) < SHORT_WORDS:
            found.append(Span(a.start, b.end, text[a.start : b.end]))
    return found


def _pieces(text: str, separator: re.Pattern[str], start: int, end: int) -> list[Span]:
    pieces: list[Span] = []
    cursor = start
    for match in separator.finditer(text, start, end):
        pieces.extend(_trimmed(text, cursor, match.start()))
        cursor = match.end()
    pieces.extend(_trimmed(text, cursor, end))
    return pieces


def _trimmed(text: str, start: int, end: int) -> list[Span]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return [Span(start, end, text[start:end])] if end > start else []
