"""Offline answers quote their sources verbatim, number them, and admit what they don't cover."""

from __future__ import annotations

import pytest

from graphs.models import Citation
from graphs.qa.graph import QuestionError, validate_citations
from graphs.runtime import Advisor
from knowledge.scope import DataScope


async def test_answer_quotes_the_section_that_covers_the_question(advisor: Advisor) -> None:
    answer = await advisor.ask("Our pilot stalled after the demo, what now?", None)
    assert answer.covered and answer.mode == "offline" and not answer.degraded
    assert answer.citations, "a covered answer cites at least one source"
    assert "1. Your first AI pilot stalled after the demo" in answer.citations[0].section
    chunks = {
        c.chunk_id: c
        for c in advisor.index.get_chunks(
            [c.chunk_id for c in answer.citations], DataScope.public()
        )
    }
    for citation in answer.citations:
        assert citation.quote in chunks[citation.chunk_id].text
        assert f"[{citation.n}]" in answer.answer
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))


@pytest.mark.parametrize(
    "question",
    [
        "What's a good sourdough starter ratio?",
        "How do I file VAT returns in Germany?",
        "Which football club won the 1998 cup final?",
    ],
)
async def test_questions_the_sources_do_not_cover_are_not_guessed(
    advisor: Advisor, question: str
) -> None:
    answer = await advisor.ask(question, None)
    assert not answer.covered
    assert answer.citations == []
    assert "don't cover" in answer.answer


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
async def test_blank_question_is_a_usage_error(advisor: Advisor, blank: str) -> None:
    with pytest.raises(QuestionError, match="Ask a question"):
        await advisor.ask(blank, None)


async def test_huge_question_is_truncated_with_a_notice(advisor: Advisor) -> None:
    question = "Our pilot stalled after the demo. " * 3000  # ~100 KB
    answer = await advisor.ask(question, None)
    assert answer.notice and "I used the first 4,000" in answer.notice
    assert answer.citations


async def test_check_drops_citations_that_are_not_in_their_chunk(advisor: Advisor) -> None:
    passages = advisor.index.retrieve_for_tenant("vendor lock-in", None)
    chunk = passages[0].chunk
    good = Citation(
        n=1,
        source=chunk.source,
        section=chunk.section,
        quote=chunk.text[:40],
        tenant=chunk.tenant,
        chunk_id=chunk.chunk_id,
    )
    invented = good.model_copy(update={"n": 2, "quote": "Always hire an agency first."})
    foreign = good.model_copy(update={"n": 3, "tenant": "someone-else"})
    assert validate_citations([good, invented, foreign], passages, None) == [good]
