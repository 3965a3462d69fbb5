"""How text becomes search terms: one analysis for indexed chunks, questions and coverage.

Lower-cased words, our stop words, Snowball (Porter2) stems with a few merges and splits of our
own. The lexical store (knowledge/fulltext.py) indexes these terms as they are, so a question
and a chunk always meet on the same terms, whichever database holds them.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "us",
        "also",
        "get",
        "got",
        "im",
        "i'm",
        "we're",
        "we've",
        "what's",
        "it's",
        "don't",
        "dont",
        "let's",
        "lets",
        "really",
        "s",
        "t",
    ]
)
# A Snowball stemmer keeps its working word on itself: two threads stemming at once corrupt
# each other's (IndexError inside find_among_b, seen with two replicas writing at once), and
# retrieval and ingest stem in worker threads. One stemmer per thread.
_STEMMERS = threading.local()


def thread_stemmer() -> snowballstemmer.stemmer:
    """This thread's English Snowball stemmer."""
    if not hasattr(_STEMMERS, "english"):
        _STEMMERS.english = snowballstemmer.stemmer("english")
    return _STEMMERS.english


# Porter2 keeps "decide" and "decision" apart; founders use both for the same thing.
_SAME_AS = {"decis": "decid"}
# ...and merges "retriever" (a dog) with "retrieval" (what RAG systems do): kept apart.
_OWN_STEM = {"retriever": "retriever", "retrievers": "retriever"}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball (Porter2) stem, with a few merges of stems that mean the same here and a few
    splits of stems that do not."""
    if word in _OWN_STEM:
        return _OWN_STEM[word]
    stemmed = thread_stemmer().stemWord(word)
    return _SAME_AS.get(stemmed, stemmed)


def tokenize(text: str) -> list[str]:
    """Lower-cased, stop-word-free, stemmed terms."""
    words = _WORD.findall(text.lower().replace("’", "'"))
    return [stem(w.replace("'", "")) for w in words if w not in STOPWORDS and len(w) > 1]
