"""Do the retrieved passages plausibly answer the question? Decided before anything is written.

Two independent signals: the best dense similarity, and the share of the question's
information (idf-weighted terms) that occurs in the top passages — so matching "good" and
"start" does not make a sourdough question look covered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from knowledge.lexical import tokenize
from knowledge.passages import Passage

# Calibrated on tests/golden (retrieval.yaml against uncovered.yaml).
MIN_DENSE = 0.40
MIN_WEIGHTED_COVERAGE = 0.36
TOP_PASSAGES = 3


@dataclass(frozen=True, slots=True)
class Coverage:
    covered: bool
    best_dense: float
    term_coverage: float  # idf-weighted share of query terms found in the top passages


def assess_coverage(
    question: str, passages: Sequence[Passage], idf: Callable[[str], float]
) -> Coverage:
    best_dense = max((p.dense or 0.0 for p in passages), default=0.0)
    terms = set(tokenize(question))
    found: set[str] = set()
    for passage in passages[:TOP_PASSAGES]:
        found |= terms & set(tokenize(passage.chunk.index_text))
    total = sum(idf(t) for t in terms)
    share = sum(idf(t) for t in found) / total if total else 0.0
    covered = bool(passages) and (best_dense >= MIN_DENSE or share >= MIN_WEIGHTED_COVERAGE)
    return Coverage(covered, best_dense, share)
