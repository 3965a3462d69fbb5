"""The golden sets, run in CI: retrieval, coverage, recommendations, citations."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from graphs.evals import citation_failures, evaluate_recommendations, load_recommendations
from graphs.qa.coverage import judge
from graphs.runtime import Advisor
from knowledge.evaluation import evaluate_all, load_golden

GOLDEN = Path(__file__).parent / "golden"
QUESTIONS = load_golden(GOLDEN / "retrieval.yaml")
UNCOVERED = [row["question"] for row in yaml.safe_load((GOLDEN / "uncovered.yaml").read_text())]


def test_golden_set_is_big_enough_and_covers_both_corpora() -> None:
    public = [q for q in QUESTIONS if q.tenant == "public"]
    notes = [q for q in QUESTIONS if q.tenant != "public"]
    assert len(public) >= 40 and len(notes) >= 10


def test_hybrid_retrieval_meets_threshold_and_beats_both_rankers(demo_advisor: Advisor) -> None:
    metrics = {m.ranker: m for m in evaluate_all(demo_advisor.index, QUESTIONS)}
    hybrid = metrics["hybrid"]
    assert hybrid.recall_at_5 >= 0.90, hybrid.misses
    for other in (metrics["bm25"], metrics["dense"]):
        assert hybrid.mrr > other.mrr
        assert hybrid.recall_at_5 >= other.recall_at_5


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.id for q in QUESTIONS])
def test_golden_questions_are_judged_covered(demo_advisor: Advisor, question) -> None:
    passages = demo_advisor.index.retrieve_for_tenant(question.question, question.caller)
    assert judge(demo_advisor.index, question.question, passages, question.caller).covered


@pytest.mark.parametrize("tenant", [None, "northwind", "acme"])
@pytest.mark.parametrize("question", UNCOVERED)
async def test_uncovered_questions_get_no_guess(
    demo_advisor: Advisor, question: str, tenant: str | None
) -> None:
    answer = await demo_advisor.ask(question, tenant, channel="eval")
    assert not answer.covered and answer.citations == []


async def test_every_citation_of_every_golden_answer_is_valid(demo_advisor: Advisor) -> None:
    problems = []
    for q in QUESTIONS:
        answer = await demo_advisor.ask(q.question, q.caller, channel="eval")
        assert answer.citations, f"{q.id}: no citations"
        problems += [
            f"{q.id}: {p}" for p in citation_failures(answer, q.caller, demo_advisor.index)
        ]
    assert problems == []


def test_every_answers_file_gets_its_recommendation() -> None:
    result = evaluate_recommendations(load_recommendations(GOLDEN / "recommendations.yaml"), 1.0)
    assert result.total >= 6 and result.passed, result.failures


def test_both_halves_of_the_situations_are_big_and_labelled_with_evidence() -> None:
    from graphs.assessment.evaluation import load_situations

    halves = {h: load_situations(GOLDEN / "situations" / f"{h}.yaml") for h in ("dev", "test")}
    assert sum(len(s) for s in halves.values()) >= 150
    assert not {s.text for s in halves["dev"]} & {s.text for s in halves["test"]}
    for half in halves.values():
        assert {s.expect for s in half} == {
            "fractional_ai_cto", "advisor", "agency", "full_time_cto", "specialist", "not_yet"
        }  # fmt: skip
