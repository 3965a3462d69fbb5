"""Do the retrieved passages plausibly answer the question? Decided before anything is written.

Three signals, each in [0, 1]:
- vocabulary: the (capped) idf-weighted share of the question's terms the corpus knows at all — a
  question about sourdough or iPhones is mostly words the sources never use;
- overlap: the idf-weighted share of its terms found in the top passages;
- dense: the best cosine similarity of a passage.
Covered when 2·vocabulary + overlap + dense ≥ 1.75: about midway between the lowest golden
retrieval question (1.84) and the highest uncovered one (1.71) on 2026-11-24 (tests/golden: every
retrieval question above, every uncovered question below; see tests/test_eval_suite.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from knowledge.lexical import tokenize
from knowledge.passages import Passage
from knowledge.vocabulary import expand_query

THRESHOLD = 1.75
TOP_PASSAGES = 3
MAX_TERM_WEIGHT = 2.0


@dataclass(frozen=True, slots=True)
class Coverage:
    covered: bool
    score: float
    vocabulary: float
    overlap: float
    best_dense: float


def assess_coverage(
    question: str,
    passages: Sequence[Passage],
    idf: Callable[[str], float],
    known: Callable[[str], bool],
) -> Coverage:
    terms = {t for t in tokenize(question) if not any(ch.isdigit() for ch in t)}
    # Capped idf: one word the sources never use must not outweigh the rest of the question.
    weights = {t: min(idf(t), MAX_TERM_WEIGHT) for t in terms}
    total = sum(weights.values())
    found: set[str] = set()
    for passage in passages[:TOP_PASSAGES]:
        found |= terms & set(tokenize(passage.chunk.index_text))
    vocabulary = sum(w for t, w in weights.items() if known(t)) / total if total else 0.0
    overlap = sum(weights[t] for t in found) / total if total else 0.0
    best_dense = max((p.dense or 0.0 for p in passages), default=0.0)
    score = 2 * vocabulary + overlap + best_dense
    return Coverage(bool(passages) and score >= THRESHOLD, score, vocabulary, overlap, best_dense)


def judge(index: Any, question: str, passages: Sequence[Passage], tenant: str | None) -> Coverage:
    """Whether `passages` plausibly cover `question`, for a caller who may read `tenant`."""
    idf, known = index.term_stats(tenant)
    return assess_coverage(expand_query(question), passages, idf, known)
