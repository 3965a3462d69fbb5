"""Golden-set evaluations beyond retrieval: recommendations and citation validity.

These run offline in CI (`advisor eval`) and fail the build below their thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, model_validator

from graphs.assessment.answers_file import parse_answers
from graphs.assessment.evaluation import SituationReport
from graphs.assessment.rubric import recommend
from graphs.models import OPTIONS, Answer
from knowledge.index import KnowledgeIndex, allowed_tenants
from knowledge.scope import DataScope


class GoldenRecommendation(BaseModel):
    """An answers file and the option the rubric must choose (free-text situations live in
    tests/golden/situations/, measured by `check_results`)."""

    id: str
    expect: str
    answers: dict

    @model_validator(mode="after")
    def _known_option(self) -> GoldenRecommendation:
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


def evaluate_recommendations(golden: list[GoldenRecommendation], threshold: float) -> EvalResult:
    """The rubric on answer files (structured answers, as the interview collects them)."""
    items = [g for g in golden if g.answers is not None]
    failures = []
    for item in items:
        got = recommend(parse_answers(item.answers)).recommendation
        if got != item.expect:
            failures.append(f"{item.id}: expected {item.expect}, got {got}")
    score = 1 - len(failures) / len(items) if items else 0.0
    return EvalResult("recommendations (answers)", score, threshold, len(items), failures)


@dataclass(frozen=True, slots=True)
class CheckGate:
    """What the check must reach on a half of the situations (0 disables a line)."""

    right: float = 0.0
    wrong: float = 1.0  # the largest share of confidently wrong results allowed
    fact_precision: float = 0.0
    fact_recall: float = 0.0


def check_results(report: SituationReport, gate: CheckGate) -> list[EvalResult]:
    """The check on free-text situations: right, not confidently wrong, and how well it read."""
    n = max(report.total, 1)
    extra = {
        "undecided": report.undecided / n,
        "leaning_right": report.leaning_right / n,
    }
    wrong = [m for m in report.misses if "undecided" not in m]
    return [
        EvalResult(f"check right ({report.name})", report.right / n, gate.right, n,
                   report.misses, extra),
        EvalResult(f"check not confidently wrong ({report.name})", 1 - report.wrong / n,
                   1 - gate.wrong, n, wrong),
        EvalResult(f"facts read: precision ({report.name})", report.precision(),
                   gate.fact_precision, n, _fact_lines(report, "precision")),
        EvalResult(f"facts read: recall ({report.name})", report.recall(),
                   gate.fact_recall, n, _fact_lines(report, "recall")),
    ]  # fmt: skip


def _fact_lines(report: SituationReport, which: str) -> list[str]:
    measure = report.precision if which == "precision" else report.recall
    return [
        f"{key}: {which} {measure(key):.2f} (tp {report.tp[key]}, fp {report.fp[key]}, "
        f"fn {report.fn[key]})"
        for key in report.fact_keys()
        if measure(key) < 1.0
    ]


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
