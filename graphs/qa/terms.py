"""How much a question's words weigh in a sentence: the report's own sentence frequencies,
and for a client's words, how few of the client's notes use them."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import cache, lru_cache

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


MENDED_LENGTH = 5  # shorter words are too easily one letter from another word
_WORD = re.compile(r"[a-z]+")


def _one_edit(a: str, b: str) -> bool:
    """One letter changed, added or dropped ("releese" / "release")."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


@lru_cache(maxsize=4096)  # the same chunks come back for question after question
def _terms(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


def mend_typos(question: str, texts: Iterable[str]) -> str:
    """The question with a misspelt word ("the releese gate") replaced by the one word of the
    passages it is one letter from; a word the passages or the report use stays as it is."""
    chunks = tuple(texts)
    known = report_vocabulary().union(*(_terms(t) for t in chunks))
    words: set[str] = set()
    text = " ".join(chunks)

    def mend(match: re.Match[str]) -> str:
        word = match.group(0)
        if len(word) < MENDED_LENGTH or set(tokenize(word)) <= known:
            return word
        words.update(words or _WORD.findall(text.lower()))  # read only when a word is unknown
        close = [w for w in words if _one_edit(word.lower(), w)]
        return close[0] if len(close) == 1 else word

    return re.sub(r"[A-Za-z]+", mend, question)
