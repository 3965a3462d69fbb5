"""Block Kit for the App Home: a pure function of `HomeFacts`.

Per user and client: the latest assessment with its option and the trigger signals as a small
scoreboard, what changed since the one before, the workspace's digest schedules with their
next send time, buttons to run the trigger check or the assessment, and for operators the
client's notes and the last eval result.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.slack.render import Block, actions, button, context, escape_mrkdwn, mrkdwn, section
from graphs.assessment.explain import Explanation
from graphs.assessment.rubric import OPTION_NAMES
from graphs.assessment.signals import stage_label, topic_label
from graphs.digest_schedule import Subscription
from graphs.models import SIGNAL_KEYS

ACTION_HOME_CHECK = "home_check"
ACTION_HOME_ASSESS = "home_assess"
MAX_FAILED_EVALS = 3
_MARK = {True: "✅", False: "▫️", None: "❔"}
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{1,30}$")


@dataclass(frozen=True, slots=True)
class AssessmentView:
    """One stored assessment, as the Home shows it."""

    option: str
    runner_up: str
    confidence: float
    stage: str | None
    signals: Mapping[str, bool | None]
    at: datetime
    by_viewer: bool


@dataclass(frozen=True, slots=True)
class EvalSummary:
    passed: int
    total: int
    failed: Sequence[str]
    at: datetime


@dataclass(frozen=True, slots=True)
class OperatorFacts:
    notes: int | None  # None: no client, so no notes
    last_note: datetime | None
    eval: EvalSummary | None


@dataclass(frozen=True, slots=True)
class HomeFacts:
    client: str | None
    latest: AssessmentView | None = None
    previous: AssessmentView | None = None
    schedules: Sequence[Subscription] = field(default_factory=tuple)
    for_operator: OperatorFacts | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


def render_home(facts: HomeFacts) -> dict[str, Any]:
    """The Home tab's view (`views.publish`)."""
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Fractional Advisor"}},
        context(_who(facts.client)),
        {"type": "divider"},
        *_assessment(facts),
        actions(
            [
                button("Run the assessment", ACTION_HOME_ASSESS, "home", "primary"),
                button("Run the trigger check", ACTION_HOME_CHECK, "home"),
            ],
            "home_actions",
        ),
        {"type": "divider"},
        *_digest(facts.schedules, facts.now),
    ]
    if facts.for_operator is not None:
        blocks += [{"type": "divider"}, *_operator(facts.client, facts.for_operator)]
    blocks.append(context(f"Updated {_when(facts.now)}"))
    return {"type": "home", "callback_id": "advisor_home", "blocks": blocks}


def _who(client: str | None) -> str:
    if client is None:
        return (
            "This workspace isn't mapped to a client yet: answers come from the field report "
            "only, and no results are kept for it."
        )
    return f"For *{escape_mrkdwn(client)}*. Ask me in the Messages tab, or start here."


def _assessment(facts: HomeFacts) -> list[Block]:
    latest = facts.latest
    if latest is None:
        return [
            section(
                "*No assessment yet.* Run it to see which technical leadership your AI work "
                "needs: a fractional AI CTO, an advisor, an agency, a full-time CTO, a "
                "specialist, or not yet."
            )
        ]
    who = "yours" if latest.by_viewer else "by a teammate"
    strength = Explanation(
        option=latest.option,
        verdict=True,
        confidence=latest.confidence,
        runner_up=latest.runner_up,
    ).strength
    stage = f" · {escape_mrkdwn(stage_label(latest.stage))}" if latest.stage else ""
    head = (
        f"*Latest assessment* · {_day(latest.at)} ({who}){stage}\n"
        f"*{escape_mrkdwn(OPTION_NAMES[latest.option])}*\n"
        f"{escape_mrkdwn(strength)} Runner-up: {escape_mrkdwn(OPTION_NAMES[latest.runner_up])}."
    )
    return [section(head), _scoreboard(latest.signals), context(_changes(latest, facts.previous))]


def _scoreboard(signals: Mapping[str, bool | None]) -> Block:
    present = sum(1 for key in SIGNAL_KEYS if signals.get(key) is True)
    fields = [
        mrkdwn(f"{_MARK[signals.get(key)]} {escape_mrkdwn(topic_label(key))}")
        for key in SIGNAL_KEYS
    ]
    text = f"*Trigger signals: {present} of {len(SIGNAL_KEYS)}*"
    return {"type": "section", "text": mrkdwn(text), "fields": fields}


def _changes(latest: AssessmentView, previous: AssessmentView | None) -> str:
    """What changed since the assessment before, in one line."""
    if previous is None:
        return "_The first assessment: the next one will show what changed._"
    parts = []
    if latest.option != previous.option:
        old, new = OPTION_NAMES[previous.option], OPTION_NAMES[latest.option]
        parts.append(f"option {escape_mrkdwn(old)} → {escape_mrkdwn(new)}")
    if latest.stage != previous.stage and latest.stage:
        parts.append(f"stage now {escape_mrkdwn(stage_label(latest.stage))}")
    was, now = previous.signals, latest.signals
    for words, keys in (
        ("now true", [k for k in SIGNAL_KEYS if now.get(k) is True and was.get(k) is not True]),
        ("no longer", [k for k in SIGNAL_KEYS if was.get(k) is True and now.get(k) is not True]),
    ):
        if keys:
            parts.append(f"{words}: " + ", ".join(escape_mrkdwn(topic_label(k)) for k in keys))
    since = f"*Since {_day(previous.at)}*"
    return f"{since} · " + "; ".join(parts) if parts else f"{since} · nothing changed."


def _digest(schedules: Sequence[Subscription], now: datetime) -> list[Block]:
    if not schedules:
        return [
            section(
                "*Weekly digest* · no channel here gets it yet. Type "
                "`/advisor digest subscribe` in a channel to start one."
            )
        ]
    lines = [
        f"• {_channel(s.channel_id)} {escape_mrkdwn(s.describe())}"
        f" · next {_when(next_send(s, now))}"
        for s in schedules[:20]
    ]
    return [section("*Weekly digest*\n" + "\n".join(lines))]


def next_send(subscription: Subscription, now: datetime) -> datetime:
    """When the subscription's next digest is due (in its own timezone)."""
    return subscription.last_due(now) + timedelta(days=7)


def _operator(client: str | None, op: OperatorFacts) -> list[Block]:
    if client is None or op.notes is None:
        notes = "No client mapped, so no notes."
    elif op.notes == 0:
        notes = f"No notes for {escape_mrkdwn(client)} yet."
    else:
        last = f", the last added {_day(op.last_note)}" if op.last_note else ""
        notes = f"{op.notes} note file{'s' * (op.notes != 1)} for {escape_mrkdwn(client)}{last}."
    if op.eval is None:
        evals = "No eval result on record (`advisor eval --json` into the eval report file)."
    else:
        e = op.eval
        evals = f"Last eval {_when(e.at)}: {e.passed} of {e.total} passed."
        if e.failed:
            shown = ", ".join(escape_mrkdwn(f) for f in e.failed[:MAX_FAILED_EVALS])
            more = len(e.failed) - MAX_FAILED_EVALS
            evals += f" Failing: {shown}" + (f" and {more} more." if more > 0 else ".")
    return [section(f"*Operator*\n{notes}\n{evals}")]


def _channel(channel_id: str) -> str:
    """A channel mention for a Slack channel id; anything else as text."""
    if _CHANNEL_ID.match(channel_id):
        return f"<#{channel_id}>"
    return escape_mrkdwn(channel_id)


def _day(at: datetime) -> str:
    return f"{at.day} {at:%b %Y}"


def _when(at: datetime) -> str:
    return f"{at:%a} {at.day} {at:%b, %H:%M} {at.tzname() or 'UTC'}"
