"""Follow-ups keep the conversation: a short or referring question in a thread is read with the
question before it; memory is scoped to what the caller may see and expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from graphs.models import Answer
from graphs.qa.conversation import ConversationStore, Turn, is_follow_up, retrieval_query
from graphs.runtime import Advisor
from knowledge.db import audit_log, conversation_turns
from knowledge.scope import DataScope
from tests.test_eval_suite import UNCOVERED

EARLIER = [Turn("Should we hire a full-time CTO?", "…", None)]


@pytest.mark.parametrize(
    "question",
    ["why not?", "What would that cost us?", "and at seed stage?", "How about an agency?"],
)
def test_questions_that_point_back_are_follow_ups(question: str) -> None:
    assert is_follow_up(question, EARLIER)
    assert retrieval_query(question, EARLIER) == f"{EARLIER[0].question}\n{question}"


def test_a_question_that_stands_on_its_own_is_searched_alone() -> None:
    question = "Our pilot stalled after the demo; do we need a fractional AI CTO now?"
    assert not is_follow_up(question, EARLIER)
    assert retrieval_query(question, EARLIER) == question
    assert not is_follow_up("why not?", [])  # nothing to follow up on


async def test_a_follow_up_in_a_conversation_is_answered_from_what_it_refers_to(
    demo_advisor: Advisor,
) -> None:
    alone = await demo_advisor.ask("why not?", None)
    await demo_advisor.ask("Should we hire a full-time CTO?", None, conversation="t-why")
    follow_up = await demo_advisor.ask("why not?", None, conversation="t-why")

    assert not alone.covered
    assert follow_up.covered
    assert any("full-time CTO" in c.section for c in follow_up.citations)


async def test_the_next_step_of_a_plan_is_found_from_the_plan_asked_about(
    demo_advisor: Advisor,
) -> None:
    question = "What happens in week 1?"
    alone = await demo_advisor.ask(question, None)
    await demo_advisor.ask(
        "What does the 30-day evaluation contract look like?", None, conversation="t-plan"
    )
    follow_up = await demo_advisor.ask(question, None, conversation="t-plan")

    # a week of the plan is found by its name, alone or as a follow-up
    for answer in (alone, follow_up):
        assert answer.covered
        assert any("Week 1" in c.section for c in answer.citations)


@pytest.mark.parametrize("question", UNCOVERED)
async def test_an_off_topic_question_in_a_thread_is_still_not_covered(
    demo_advisor: Advisor, question: str
) -> None:
    """Short, or with "it" ("what time is it in Tokyo?"): words the sources never use make it
    a new question, judged on its own, never answered from the previous topic."""
    await demo_advisor.ask("Should we hire a full-time CTO?", None, conversation=f"t-{question}")
    answer = await demo_advisor.ask(question, None, conversation=f"t-{question}")
    assert not answer.covered


def test_a_word_the_sources_never_use_marks_a_new_topic() -> None:
    known = {"cost", "week", "seed", "stage"}.__contains__
    assert is_follow_up("What would that cost us?", EARLIER, known)
    assert is_follow_up("and at seed stage?", EARLIER, known)
    assert not is_follow_up("What is the capital of Australia?", EARLIER, known)


async def test_conversations_do_not_share_memory(demo_advisor: Advisor) -> None:
    await demo_advisor.ask("Should we hire a full-time CTO?", None, conversation="t-one")
    other = await demo_advisor.ask("why not?", None, conversation="t-two")
    assert not other.covered


async def test_follow_ups_are_marked_in_the_audit_trail(advisor: Advisor) -> None:
    await advisor.ask("Should we hire a full-time CTO?", None, conversation="t-audit")
    await advisor.ask("why not?", None, conversation="t-audit")

    with advisor.engine.connect() as conn:
        outcomes = conn.execute(select(audit_log.c.outcome).order_by(audit_log.c.id)).scalars()
        assert [o["follow_up"] for o in outcomes] == [False, True]


def _answer(text: str) -> Answer:
    return Answer(answer=text, citations=[])


def test_memory_holds_only_turns_the_caller_may_see(advisor: Advisor) -> None:
    store = ConversationStore(advisor.engine, timedelta(hours=1))
    store.add("thread", None, "public question", _answer("from the report"))
    store.add("thread", "northwind", "notes question", _answer("from northwind's notes"))

    assert [t.question for t in store.recent("thread", DataScope.of("northwind"))] == [
        "public question",
        "notes question",
    ]
    # the same thread seen with report-only scope (say it became a Slack Connect channel)
    assert [t.question for t in store.recent("thread", DataScope.public())] == ["public question"]
    assert [t.question for t in store.recent("thread", DataScope.of("acme"))] == ["public question"]


def test_memory_keeps_the_latest_turns_and_forgets_after_its_time(advisor: Advisor) -> None:
    store = ConversationStore(advisor.engine, timedelta(hours=1))
    for n in range(6):
        store.add("thread", None, f"question {n}", _answer(f"answer {n}"))
    assert [t.question for t in store.recent("thread", DataScope.public(), limit=4)] == [
        "question 2",
        "question 3",
        "question 4",
        "question 5",
    ]

    _age_every_turn(advisor, timedelta(hours=2))
    assert store.recent("thread", DataScope.public()) == []
    assert store.purge() == 6  # what `advisor audit purge` does

    store.add("stale", None, "old", _answer("old"))
    _age_every_turn(advisor, timedelta(hours=2))
    store.add("other", None, "fresh", _answer("new"))  # adding purges what has expired
    with advisor.engine.connect() as conn:
        kept = conn.execute(select(conversation_turns.c.conversation)).scalars().all()
    assert kept == ["other"]


def _age_every_turn(advisor: Advisor, by: timedelta) -> None:
    with advisor.engine.begin() as conn:
        conn.execute(update(conversation_turns).values(at=datetime.now(UTC) - by))
