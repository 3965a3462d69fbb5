"""The interview: one question at a time, skips what it knows, resumes after a restart."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from sqlalchemy import func, select

from graphs.assessment.graph import build_assessment_graph
from graphs.checkpoint import open_checkpointer
from graphs.runtime import Advisor
from knowledge.db import assessments
from tests.conftest import make_settings


async def answer_all(advisor: Advisor, thread: str, reply: str = "no", stage: str = "seed"):
    turn = await advisor.interviews.start(thread, tenant=None, user_id="U1", channel="terminal")
    while turn.status == "asking":
        assert turn.question is not None
        value = stage if turn.question.kind == "stage" else reply
        turn = await advisor.interviews.reply(thread, value, user_id="U1")
    return turn


async def test_first_question_is_the_stage_with_every_option(advisor: Advisor) -> None:
    turn = await advisor.interviews.start("t1", tenant=None, user_id="U1", channel="terminal")
    assert turn.status == "asking" and turn.question is not None
    assert turn.question.key == "stage" and turn.question.number == 1
    assert [c.value for c in turn.question.choices] == [
        "seed",
        "series_ab",
        "pe_smb",
        "enterprise",
        "other",
    ]
    await advisor.interviews.aclose()


async def test_signal_questions_show_the_reports_symptoms_as_help(advisor: Advisor) -> None:
    await advisor.interviews.start("t1", tenant=None, user_id="U1", channel="terminal")
    turn = await advisor.interviews.reply("t1", "seed", user_id="U1")
    assert turn.question is not None and turn.question.key == "pilot_stalled"
    assert turn.question.help and turn.question.help.startswith("Symptoms:")
    assert turn.answered == {"stage": "Seed"} or "stage" in turn.answered
    await advisor.interviews.aclose()


async def test_every_answer_yes_ends_in_a_recorded_recommendation(advisor: Advisor) -> None:
    turn = await answer_all(advisor, "t-all-yes", reply="yes")
    assert turn.status == "done" and turn.recommendation is not None
    assert turn.recommendation.rules
    with advisor.engine.connect() as conn:
        rows = conn.execute(select(assessments.c.thread_id, assessments.c.recommendation)).all()
    assert rows == [("t-all-yes", turn.recommendation.recommendation)]
    await advisor.interviews.aclose()


async def test_unclear_reply_is_asked_again_with_a_hint(advisor: Advisor) -> None:
    await advisor.interviews.start("t2", tenant=None, user_id="U1", channel="terminal")
    turn = await advisor.interviews.reply("t2", "purple elephants", user_id="U1")
    assert turn.question is not None and turn.question.key == "stage"
    assert turn.message and "didn't catch that" in turn.message
    assert turn.answered == {}
    await advisor.interviews.aclose()


async def test_free_text_answers_are_understood(advisor: Advisor) -> None:
    await advisor.interviews.start("t3", tenant=None, user_id="U1", channel="terminal")
    await advisor.interviews.reply("t3", "we're a seed-stage startup", user_id="U1")
    turn = await advisor.interviews.reply("t3", "yeah, kind of", user_id="U1")
    assert turn.answered == {"pilot_stalled": "yeah, kind of"}
    assert turn.question is not None and turn.question.key == "strategy_by_tools"
    await advisor.interviews.aclose()


async def test_opening_text_skips_questions_already_answered(advisor: Advisor) -> None:
    turn = await advisor.interviews.start(
        "t4",
        tenant=None,
        user_id="U1",
        channel="terminal",
        text="We're a seed startup and our first AI pilot stalled after the demo.",
    )
    assert turn.question is not None
    assert turn.question.key not in ("stage", "pilot_stalled")
    await advisor.interviews.aclose()


async def test_cancel_and_restart_work_at_any_point(advisor: Advisor) -> None:
    await advisor.interviews.start("t5", tenant=None, user_id="U1", channel="terminal")
    await advisor.interviews.reply("t5", "seed", user_id="U1")
    restarted = await advisor.interviews.reply("t5", "restart", user_id="U1")
    assert restarted.question is not None and restarted.question.key == "stage"
    cancelled = await advisor.interviews.reply("t5", "cancel", user_id="U1")
    assert cancelled.status == "cancelled"
    late = await advisor.interviews.reply("t5", "yes", user_id="U1")
    assert late.status == "cancelled" and "start a new one" in (late.message or "")
    await advisor.interviews.aclose()


async def test_reply_to_a_finished_interview_asks_to_start_a_new_one(advisor: Advisor) -> None:
    await answer_all(advisor, "t6")
    late = await advisor.interviews.reply("t6", "yes", user_id="U1")
    assert late.status == "done" and "run a new one" in (late.message or "")
    with advisor.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(assessments)).scalar() == 1
    await advisor.interviews.aclose()


async def test_interview_resumes_in_a_new_process_state(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    first = Advisor.open(settings)
    await first.interviews.start("t7", tenant=None, user_id="U1", channel="terminal")
    await first.interviews.reply("t7", "series_ab", user_id="U1")
    await first.interviews.reply("t7", "yes", user_id="U1")
    await first.aclose()

    second = Advisor.open(settings)
    turn = await second.interviews.pending("t7")
    assert turn is not None and turn.question is not None
    assert turn.question.key == "strategy_by_tools" and turn.question.number == 3
    await second.aclose()


async def test_an_interview_cut_short_between_two_steps_goes_on_at_its_next_question(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path / "data")
    first = Advisor.open(settings)
    await first.interviews.start("t9", tenant=None, user_id="U1", channel="terminal")
    await first.interviews.reply("t9", "series_ab", user_id="U1")
    await first.aclose()
    # What a process killed between two steps leaves: the step that filed an answer is
    # checkpointed, the next question's is not (steps to go, no open question).
    async with AsyncExitStack() as stack:
        graph = build_assessment_graph().compile(
            checkpointer=await open_checkpointer(settings, stack)
        )
        config = {"configurable": {"thread_id": "t9"}}
        await graph.aupdate_state(config, {}, as_node="ask")
        cut = await graph.aget_state(config)
        assert cut.next and not cut.interrupts

    second = Advisor.open(settings)
    turn = await second.interviews.pending("t9")
    assert turn is not None and turn.question is not None
    assert turn.question.key == "pilot_stalled" and turn.question.number == 2
    answered = await second.interviews.reply("t9", "yes", user_id="U1", expect="pilot_stalled")
    assert answered.question is not None and answered.question.number == 3
    await second.aclose()


@pytest.mark.postgres
async def test_interview_state_lives_in_postgres_when_configured(
    tmp_path: Path, postgres_url: str
) -> None:
    settings = make_settings(tmp_path / "data", database_url=postgres_url)
    first = Advisor.open(settings)
    await first.interviews.start("pg1", tenant=None, user_id="U1", channel="terminal")
    await first.interviews.reply("pg1", "enterprise", user_id="U1")
    await first.aclose()
    second = Advisor.open(settings)
    turn = await second.interviews.pending("pg1")
    assert turn is not None and turn.question is not None
    assert turn.question.key == "pilot_stalled"
    await second.aclose()


async def test_starting_over_in_the_same_thread_records_each_completed_run(
    advisor: Advisor,
) -> None:
    first = await answer_all(advisor, "t8", reply="yes")
    second = await answer_all(advisor, "t8", reply="no", stage="enterprise")
    with advisor.engine.connect() as conn:
        rows = conn.execute(
            select(assessments.c.thread_id, assessments.c.run_id, assessments.c.stage).order_by(
                assessments.c.id
            )
        ).all()
    assert [(r.thread_id, r.stage) for r in rows] == [("t8", "seed"), ("t8", "enterprise")]
    assert rows[0].run_id != rows[1].run_id
    assert first.status == second.status == "done"
    await advisor.interviews.aclose()


@pytest.mark.postgres
async def test_replies_on_one_thread_take_turns_across_replicas(
    tmp_path: Path, postgres_url: str
) -> None:
    """Two processes' worth of services on one database: simultaneous replies never race."""
    a = Advisor.open(make_settings(tmp_path / "a", database_url=postgres_url))
    b = Advisor.open(make_settings(tmp_path / "b", database_url=postgres_url))
    await a.interviews.start("race", tenant=None, user_id="U1", channel="terminal")
    await a.interviews.reply("race", "seed", user_id="U1")
    first, second = await asyncio.gather(
        a.interviews.reply("race", "yes", user_id="U1"),
        b.interviews.reply("race", "no", user_id="U2"),
    )
    keys = {first.question.key, second.question.key}  # type: ignore[union-attr]
    # Serialised: one reply answered signal 1, the other signal 2 — no lost update.
    assert keys == {"strategy_by_tools", "prototypes_not_shipping"}
    for adv in (a, b):
        await adv.aclose()


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
async def test_idle_interview_threads_are_purged_and_active_ones_kept(
    request: pytest.FixtureRequest, tmp_path: Path, store: str
) -> None:
    from datetime import UTC, datetime, timedelta

    url = request.getfixturevalue("postgres_url") if store == "postgresql" else None
    advisor = Advisor.open(make_settings(tmp_path / "data", database_url=url))
    await advisor.interviews.start("idle", tenant=None, user_id="U1", channel="terminal")
    between = datetime.now(UTC)
    await advisor.interviews.start("active", tenant=None, user_id="U1", channel="terminal")

    assert await advisor.interviews.purge(timedelta(0), now=between) == 1

    assert await advisor.interviews.pending("idle") is None
    active = await advisor.interviews.pending("active")
    assert active is not None and active.question is not None
    await advisor.aclose()
