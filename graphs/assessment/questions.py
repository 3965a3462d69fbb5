"""Which question comes next, and how it is put to the user.

The order is the report's: stage first, then the eight signals, the reasons not to hire, and
the context that separates the options. Questions whose answer cannot change the outcome are
skipped (e.g. whether you can attract a CTO, when technology is not your permanent centre).
"""

from __future__ import annotations

from collections.abc import Sequence

from graphs.assessment.signals import question_text, signal_help, signal_section, stage_label
from graphs.models import (
    CONTEXT_KEYS,
    DISQUALIFIER_KEYS,
    SIGNAL_KEYS,
    STAGES,
    Choice,
    Facts,
    InterviewQuestion,
    QuestionKind,
)

TRI_CHOICES = [
    Choice(value="yes", label="Yes"),
    Choice(value="no", label="No"),
    Choice(value="unsure", label="Not sure"),
]
STAGE_PROMPT = "Which best describes your company?"


def _kind(key: str) -> QuestionKind:
    if key == "stage":
        return "stage"
    if key in SIGNAL_KEYS:
        return "signal"
    if key in DISQUALIFIER_KEYS:
        return "disqualifier"
    return "context"


def _known(facts: Facts, key: str) -> bool:
    if key == "stage":
        return facts.stage is not None
    group = {
        "signal": facts.signals,
        "disqualifier": facts.disqualifiers,
        "context": facts.context,
    }[_kind(key)]
    return key in group


def _relevant(facts: Facts, key: str) -> bool:
    """False for questions whose answer cannot matter given what we know."""
    if key == "can_attract_cto":
        return facts.context.get("tech_permanent_center") is not False
    if key == "architecture_owned":
        return facts.context.get("work_well_scoped") is not False
    return True


def interview_keys() -> tuple[str, ...]:
    return ("stage", *SIGNAL_KEYS, *DISQUALIFIER_KEYS, *CONTEXT_KEYS)


MAX_FOCUSED = 6  # a check that goes on as an interview asks at most this many


def next_key(facts: Facts, asked: Sequence[str], focus: Sequence[str] | None = None) -> str | None:
    """The first question not yet asked, not already known, and still relevant. A focused
    interview (a check going on) asks only its focus, then whatever still decides the outcome,
    up to MAX_FOCUSED questions."""
    remaining = _remaining(facts, asked, focus)
    return remaining[0] if remaining else None


def planned_total(facts: Facts, asked: Sequence[str], focus: Sequence[str] | None = None) -> int:
    """Questions asked so far plus those still to come (an estimate the UI can show)."""
    return len(asked) + len(_remaining(facts, asked, focus))


def _remaining(facts: Facts, asked: Sequence[str], focus: Sequence[str] | None) -> list[str]:
    def open_(key: str) -> bool:
        return key not in asked and not _known(facts, key) and _relevant(facts, key)

    if focus is None:
        return [k for k in interview_keys() if open_(k)]
    left = [k for k in focus if open_(k)]
    if left or len(asked) >= MAX_FOCUSED:
        return left[: max(MAX_FOCUSED - len(asked), 0)]
    from graphs.assessment.decide import decide  # the rubric: still not settled?

    decision = decide(facts)
    if decision.decided:
        return []
    return [k for k in decision.ask if open_(k)][: MAX_FOCUSED - len(asked)]


def build_question(key: str, number: int, total: int) -> InterviewQuestion:
    kind = _kind(key)
    if kind == "stage":
        return InterviewQuestion(
            key=key,
            kind=kind,
            prompt=STAGE_PROMPT,
            number=number,
            total=total,
            choices=[Choice(value=s, label=stage_label(s)) for s in STAGES],
        )
    help_text = signal_help(key) if kind == "signal" else None
    return InterviewQuestion(
        key=key,
        kind=kind,
        prompt=question_text(key),
        number=number,
        total=total,
        help=help_text,
        help_citation=signal_section(key) if help_text else None,
        choices=list(TRI_CHOICES),
    )
