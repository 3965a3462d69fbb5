"""Golden-set evaluations beyond retrieval: recommendations and citation validity.

These run offline in CI (`advisor eval`) and fail the build below their thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, model_validator

from graphs.assessment.answers_file import parse_answers
from graphs.assessment.detect import detect_facts
from graphs.assessment.rubric import recommend
from graphs.models import OPTIONS, Answer
from knowledge.index import KnowledgeIndex, allowed_tenants
from knowledge.scope import DataScope


class GoldenRecommendation(BaseModel):
    id: str
    expect: str
    text: str | None = None
    answers: dict | None = None

    @model_validator(mode="after")
    def _one_input(self) -> GoldenRecommendation:
        if (self.text is None) == (self.answers is None):
            raise ValueError(f"{self.id}: give exactly one of text / answers")
        if self.expect not in OPTIONS:
            raise ValueError(f"{self.id}: unknown option {self.expect!r}")
        return self


@dataclass(slots=True)
class EvalResult:
    name: str
    score: float
    threshold: float
    total: int
    failures: list[str] = field(default_factory=list)
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.score >= self.threshold


def load_recommendations(path: Path) -> list[GoldenRecommendation]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [GoldenRecommendation.model_validate(row) for row in rows]


def evaluate_recommendations(
    golden: list[GoldenRecommendation], kind: str, threshold: float
) -> EvalResult:
    """Accuracy of the rubric on free text (`kind="text"`) or on answer files."""
    items = [g for g in golden if (g.text if kind == "text" else g.answers) is not None]
    failures = []
    for item in items:
        facts = detect_facts(item.text) if item.text is not None else parse_answers(item.answers)
        got = recommend(facts).recommendation
        if got != item.expect:
            failures.append(f"{item.id}: expected {item.expect}, got {got}")
    score = 1 - len(failures) / len(items) if items else 0.0
    return EvalResult(f"recommendations ({kind})", score, threshold, len(items), failures)


def citation_failures(answer: Answer, tenant: str | None, index: KnowledgeIndex) -> list[str]:
    """Why any citation of `answer` is invalid: missing chunk, wrong tenant, quote not in it."""
    allowed = allowed_tenants(tenant)
    # The operator's view: a citation of another client's chunk must be seen to be reported.
    cited = [c.chunk_id for c in answer.citations]
    chunks = {c.chunk_id: c for c in index.get_chunks(cited, DataScope.operator())}
    problems = []
    for citation in answer.citations:
        chunk = chunks.get(citation.chunk_id)
        if chunk is None:
            problems.append(f"[{citation.n}] cites a chunk that does not exist")
        elif chunk.tenant not in allowed:
            problems.append(f"[{citation.n}] cites tenant {chunk.tenant!r}")
        elif " ".join(citation.quote.split()) not in " ".join(chunk.text.split()):
            problems.append(f"[{citation.n}] quote is not in its chunk")
        if f"[{citation.n}]" not in answer.answer:
            problems.append(f"[{citation.n}] is never referenced in the answer text")
    return problems
