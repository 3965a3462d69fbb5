"""The quick trigger check as a reply: what was read (with the founder's words), and the
verdict, or a leaning with the questions that would settle it."""

from __future__ import annotations

from graphs.assessment.decide import decide, second_look
from graphs.assessment.questions import build_question
from graphs.assessment.reader import FactReading, Reading
from graphs.models import CheckResult, ReadFact


def check_result(reading: Reading, source: str = "offline") -> CheckResult:
    reading = second_look(reading)
    facts = reading.to_facts()
    decision = decide(facts, reading)
    questions = [
        build_question(key, number, len(decision.ask)) for number, key in enumerate(decision.ask, 1)
    ]
    return CheckResult(
        detected=facts,
        read=read_facts(reading),
        recommendation=decision.recommendation if decision.decided else None,
        leaning=None if decision.decided else decision.recommendation,
        undecided_because=decision.why,
        hinted=[_as_read(reading.facts[key], guess=True) for key in decision.hinted],
        questions=questions,
        source="llm" if source == "llm" else "offline",
    )


def read_facts(reading: Reading) -> list[ReadFact]:
    """The facts the reading settled, in the interview's order, each with its evidence."""
    from graphs.assessment.questions import interview_keys

    return [
        _as_read(read)
        for key in interview_keys()
        if (read := reading.facts.get(key)) is not None and read.value is not None
    ]


def _as_read(read: FactReading, *, guess: bool = False) -> ReadFact:
    """A fact as shown: its value (or, for a hint, the value it leaned to) and its words."""
    span = read.evidence
    return ReadFact(
        key=read.key,
        value=read.best_guess if guess else read.value,
        confidence=round(read.confidence, 3),
        evidence=span.text if span else None,
        start=span.start if span else None,
    )
