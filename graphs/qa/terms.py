"""How much a question's words weigh in a sentence: the report's own sentence frequencies,
and for a client's words, how few of the client's notes use them."""

from __future__ import annotations

import math
from functools import cache

from graphs.qa.sentences import split_sentences
from knowledge.lexical import tokenize


@cache
def report_idf() -> dict[str, float]:
    """Inverse sentence frequency of the report's terms: "cto" and "agency" say little."""
    from knowledge.corpus import field_report_chunks

    sentences = [set(tokenize(u)) for c in field_report_chunks() for u in split_sentences(c.text)]
    counts: dict[str, int] = {}
    for words in sentences:
        for word in words:
            counts[word] = counts.get(word, 0) + 1
    n = len(sentences)
    return {w: math.log(1 + n / k) for w, k in counts.items()}


def weighted_overlap(
    terms: set[str], words: set[str], note_shares: dict[str, float] | None = None
) -> float:
    """The idf-weighted share of the question's terms in a sentence: a term the report
    never uses weighs as a rare one, less the share of the client's notes that use it
    ("Scout", in most of them, tells no two apart)."""
    idf, shares = report_idf(), note_shares or {}
    rare = math.log(1 + len(idf))

    def weight(term: str) -> float:
        return idf[term] if term in idf else rare * (1 - shares.get(term, 0.0))

    total = sum(weight(t) for t in terms)
    return sum(weight(t) for t in terms & words) / total if total else 0.0


def own_words(question: str) -> set[str]:
    """The question's words the report never uses: "Scout", "Brightlane", the client's own."""
    return set(tokenize(question)) - report_vocabulary()


@cache
def report_vocabulary() -> frozenset[str]:
    from knowledge.corpus import field_report_chunks

    return frozenset(t for c in field_report_chunks() for t in tokenize(c.index_text))
