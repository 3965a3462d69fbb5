"""In-process BM25 (local Chroma has no sparse vectors), with tenant filtering on postings."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Iterable
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
_STEMMER = snowballstemmer.stemmer("english")
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
    stemmed = _STEMMER.stemWord(word)
    return _SAME_AS.get(stemmed, stemmed)


def tokenize(text: str) -> list[str]:
    """Lower-cased, stop-word-free, stemmed terms."""
    words = _WORD.findall(text.lower().replace("’", "'"))
    return [stem(w.replace("'", "")) for w in words if w not in STOPWORDS and len(w) > 1]


class BM25Index:
    """Okapi BM25 over chunk ids; scoring only ever considers chunks of allowed tenants."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self._postings: dict[str, dict[str, int]] = {}
        self._length: dict[str, int] = {}
        self._tenant: dict[str, str] = {}
        self._total_length = 0

    def __len__(self) -> int:
        return len(self._length)

    def add(self, chunk_id: str, tenant: str, text: str) -> None:
        if chunk_id in self._length:
            self.remove(chunk_id)
        terms = Counter(tokenize(text))
        for term, tf in terms.items():
            self._postings.setdefault(term, {})[chunk_id] = tf
        length = sum(terms.values())
        self._length[chunk_id] = length
        self._tenant[chunk_id] = tenant
        self._total_length += length

    def remove(self, chunk_id: str) -> None:
        if chunk_id not in self._length:
            return
        for term in list(self._postings):
            posting = self._postings[term]
            if posting.pop(chunk_id, None) is not None and not posting:
                del self._postings[term]
        self._total_length -= self._length.pop(chunk_id)
        del self._tenant[chunk_id]

    def add_many(self, rows: Iterable[tuple[str, str, str]]) -> None:
        for chunk_id, tenant, text in rows:
            self.add(chunk_id, tenant, text)

    def knows(self, term: str, tenants: Collection[str]) -> bool:
        """Whether any chunk readable by `tenants` contains the term."""
        return any(self._tenant[cid] in tenants for cid in self._postings.get(term, ()))

    def idf(self, term: str) -> float:
        """BM25 idf of a (tokenized) term; unseen terms get the highest possible idf."""
        n = len(self._length)
        df = len(self._postings.get(term, ()))
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def search(self, query: str, tenants: Collection[str], k: int = 20) -> list[tuple[str, float]]:
        """Top `k` (chunk_id, score) among chunks whose tenant is in `tenants`."""
        n = len(self._length)
        if n == 0:
            return []
        avgdl = self._total_length / n
        scores: dict[str, float] = {}
        for term in set(tokenize(query)):
            posting = self._postings.get(term)
            if not posting:
                continue
            idf = math.log(1 + (n - len(posting) + 0.5) / (len(posting) + 0.5))
            for chunk_id, tf in posting.items():
                if self._tenant[chunk_id] not in tenants:
                    continue
                norm = tf + self.k1 * (1 - self.b + self.b * self._length[chunk_id] / avgdl)
                scores[chunk_id] = scores.get(chunk_id, 0.0) + idf * tf * (self.k1 + 1) / norm
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]
