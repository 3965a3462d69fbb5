"""Every message and view the app can send passes slack_sdk's validators and Slack's limits.

The renderers are walked over real reply models: offline answers to every golden question
(both halves), the check on every golden situation (dev half), the rubric on every golden
answers file, every interview question (asked and answered), digests, every App Home state,
the trigger-check form, and every fixed text the faces post, with hostile text mixed in. The
loopback Web API applies the same validators to every call the Slack tests make.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_sdk.models.views import View

from bot.slack import actions, assistant, commands, interview, tenancy, turn
from bot.slack.digest import render_digest
from bot.slack.render import (
    APOLOGY,
    THINKING,
    answer_tail,
    feedback_block,
    render_answer,
    render_text,
)
from bot.slack.render_assessment import (
    render_answered,
    render_check_modal,
    render_question,
    render_recommendation,
    render_shared,
)
from bot.slack.render_check import render_check
from bot.slack.render_home import (
    AssessmentView,
    EvalSummary,
    HomeFacts,
    OperatorFacts,
    render_home,
)
from graphs.assessment.answers_file import parse_answers
from graphs.assessment.questions import build_question
from graphs.digest_schedule import Subscription
from graphs.models import (
    CONTEXT_KEYS,
    DISQUALIFIER_KEYS,
    OPTIONS,
    SIGNAL_KEYS,
    Answer,
    Citation,
    Facts,
    NextStep,
)
from graphs.runtime import Advisor
from tests.fakes.slack_validation import MAX_VIEW_BLOCKS, message_problems, view_problems

GOLDEN = Path(__file__).parent / "golden"
HOSTILE = (
    "Ping <!channel> and <@U123>, see evil.example/x or http://evil.example & email "
    "ceo@corp.example; *bold* _it_ ~s~ `code` > quote @here"
)
MAX_NOTIFICATION_CHARS = 4_000  # the text a notification shows (Slack's guidance)


def _load(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((GOLDEN / name).read_text(encoding="utf-8")) or []


def _mrkdwn(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            yield node
        for value in node.values():
            yield from _mrkdwn(value)
    elif isinstance(node, list):
        for value in node:
            yield from _mrkdwn(value)


def _assert_message(message: dict[str, Any], what: str) -> None:
    assert not message_problems(message), (what, message_problems(message))
    assert 0 < len(message["text"]) <= MAX_NOTIFICATION_CHARS, what
    # Slack never pre-parses our text: no auto-linked URLs, channel names or mentions
    assert all(t.get("verbatim") is True for t in _mrkdwn(message["blocks"])), what


def _assert_view(view: dict[str, Any], what: str) -> None:
    assert not view_problems(view), (what, view_problems(view))
    View(**view).validate_json()
    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS
    assert all(t.get("verbatim") is True for t in _mrkdwn(view["blocks"])), what


@pytest.fixture(scope="module")
def answers(demo_advisor: Advisor) -> list[tuple[str, Answer, str | None]]:
    """Offline answers to every golden question, as each caller would get them."""
    asked = [
        (q["id"], q["question"], q.get("tenant"))
        for half in ("dev", "test")
        for q in _load(f"questions/{half}.yaml")
    ]
    asked.append(("hostile", HOSTILE, None))

    async def run() -> list[tuple[str, Answer, str | None]]:
        out = []
        for name, question, tenant in asked:
            caller = None if tenant in (None, "public") else tenant
            out.append((name, await demo_advisor.ask(question, caller, channel="eval"), caller))
        return out

    return asyncio.run(run())


def _answers_shapes(answers: list[tuple[str, Answer, str | None]]) -> Iterator[tuple[str, Any]]:
    for name, answer, _tenant in answers:
        for notices in ((), (tenancy.SHARED_NOTICE,)):
            for page in render_answer(answer, answer_id="req-" + name, notices=notices):
                yield f"answer {name}", page
        yield f"tail {name}", {"text": "t", "blocks": answer_tail(answer, answer_id=name)}


def _made_up_answers() -> Iterator[Answer]:
    cites = [
        Citation(n=i, source=HOSTILE, section=HOSTILE, quote="q", tenant="public", chunk_id=f"c{i}")
        for i in range(1, 13)
    ]
    long = "\n\n".join([HOSTILE * 12] * 30)
    for step in (None, "plan", "check", "assessment"):
        next_step = NextStep(kind=step, text="Next step: " + HOSTILE) if step else None
        yield Answer(
            answer=f"{HOSTILE}\n{long}\nNext step: x",
            lead=HOSTILE,
            next_step=next_step,
            citations=cites,
            notice=HOSTILE,
        )
    yield Answer(answer="&amp;" * 2000, covered=False)


def _checks(demo_advisor: Advisor) -> Iterator[tuple[str, Any]]:
    texts = [s["text"] for s in _load("situations/dev.yaml")] + [HOSTILE, "x"]

    async def run() -> list[Any]:
        return [await demo_advisor.check(t, None, channel="eval") for t in texts]

    for i, result in enumerate(asyncio.run(run())):
        for asking_next in (False, True):
            for page in render_check(result, asking_next=asking_next):
                yield f"check {i}", page


def _recommendations(demo_advisor: Advisor) -> Iterator[tuple[str, Any]]:
    facts = [parse_answers(item["answers"]) for item in _load("recommendations.yaml")]
    facts += [Facts(), Facts(stage="seed", signals=dict.fromkeys(SIGNAL_KEYS, True))]
    for i, fact in enumerate(facts):
        rec = demo_advisor.recommend(fact)
        for restart in (True, False):
            for page in render_recommendation(rec, restart=restart):
                yield f"recommendation {i}", page
        for user in ("U123", None, "<!channel>"):
            for page in render_shared(rec, user):
                yield f"shared {i}", page


def _questions() -> Iterator[tuple[str, Any]]:
    keys = ["stage", *SIGNAL_KEYS, *DISQUALIFIER_KEYS, *CONTEXT_KEYS]
    for n, key in enumerate(keys, 1):
        question = build_question(key, n, len(keys))
        yield f"question {key}", render_question(question)
        yield f"question {key} resumed", render_question(question, interview.RESUMED)
        for shown in (question.choices[0].label, None, HOSTILE, "Cancelled"):
            yield f"answered {key}", render_answered(question, shown)


def _texts() -> Iterator[tuple[str, Any]]:
    fixed = [
        THINKING,
        APOLOGY,
        HOSTILE,
        commands.USAGE,
        commands.SHARED_REFUSAL,
        commands.FORM_UNREADABLE,
        commands.INVITE,
        actions.STALE,
        actions.INVITE,
        actions.OUTDATED,
        *actions.VOTED.values(),
        assistant.GREETING,
        turn.CHECK_HELP,
        interview.INTRO,
        interview.FOCUSED_INTRO,
        interview.RESUMED,
        tenancy.SHARED_NOTICE,
        "\n".join([assistant.GREETING, ""] + [f"• {p['message']}" for p in assistant.PROMPTS]),
        HOSTILE * 300,
    ]
    for text in fixed:
        yield f"text {text[:20]}", render_text(text)


def _homes() -> Iterator[tuple[str, dict[str, Any]]]:
    now = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    signals = {k: (True, False, None)[i % 3] for i, k in enumerate(SIGNAL_KEYS)}
    for i, option in enumerate(OPTIONS):
        latest = AssessmentView(option, OPTIONS[i - 1], i / 6, "seed", signals, now, bool(i % 2))
        previous = AssessmentView(
            OPTIONS[i - 2], option, 0.4, None, {}, now - timedelta(days=9), True
        )
        schedules = [
            Subscription("slack", f"C{n:04d}", "acme", n % 7, 9, 0, "Europe/Amsterdam", ":T1")
            for n in range(i * 5)
        ] + [Subscription("slack", "<!channel>", None, 0, 9, 0, "UTC", ":T1")]
        op = OperatorFacts(notes=i, last_note=now, eval=EvalSummary(3, 5, [HOSTILE] * 4, now))
        for facts in (
            HomeFacts(client=None, now=now),
            HomeFacts(client="acme", latest=latest, now=now, schedules=schedules),
            HomeFacts(
                client=HOSTILE,
                latest=latest,
                previous=previous,
                schedules=schedules,
                for_operator=op,
                now=now,
            ),
            HomeFacts(client=None, for_operator=OperatorFacts(None, None, None), now=now),
        ):
            yield f"home {option}", render_home(facts)


def test_every_message_and_view_the_app_can_send_is_one_slack_accepts(
    demo_advisor: Advisor, answers: list[tuple[str, Answer, str | None]]
) -> None:
    messages = [
        *_answers_shapes(answers),
        *(("made-up", p) for a in _made_up_answers() for p in render_answer(a, answer_id="a")),
        *_checks(demo_advisor),
        *_recommendations(demo_advisor),
        *_questions(),
        *_texts(),
        *(
            ("digest", p)
            for t in (None, "acme", "northwind")
            for p in render_digest(demo_advisor.digest_preview(t))
        ),
        ("feedback", {"text": "t", "blocks": [feedback_block("x" * 200)]}),
    ]
    for what, message in messages:
        _assert_message(message, what)
    views = [*_homes(), ("modal", render_check_modal('{"channel": "C1", "response_url": ""}'))]
    for what, view in views:
        _assert_view(view, what)
    print(f"\nvalidated {len(messages)} messages and {len(views)} views")
    assert len(messages) > 500 and len(views) > 20
