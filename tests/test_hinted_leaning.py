"""With nothing said surely enough to point anywhere, the check leans where the founder's
hints point and asks to confirm those hints first; a hint is never a verdict."""

from __future__ import annotations

from bot.console import check_json
from graphs.assessment.check import check_result
from graphs.assessment.decide import HINT_FLOOR
from graphs.assessment.reader import FactReading, Reading, Span

TEXT = "Series A AI-infra co, tech is everything, CTO candidate ready. Fractional?"


def _said(words: str) -> Span:
    start = TEXT.index(words)
    return Span(start, start + len(words), words)


def _reading(*facts: FactReading) -> Reading:
    stage = FactReading("stage", "series_ab", 0.9, _said("Series A AI-infra co"), "series_ab")
    return Reading(text=TEXT, facts={f.key: f for f in (stage, *facts)})


def _hint(key: str, words: str, confidence: float, guess: bool = True) -> FactReading:
    return FactReading(key, None, confidence, _said(words), best_guess=guess)


def test_hints_give_the_leaning_and_are_the_first_questions() -> None:
    result = check_result(
        _reading(
            _hint("tech_permanent_center", "tech is everything", HINT_FLOOR + 0.1),
            _hint("can_attract_cto", "CTO candidate ready", HINT_FLOOR + 0.05),
        )
    )

    assert result.recommendation is None, "hints alone never make a verdict"
    assert result.leaning is not None and result.leaning.recommendation == "full_time_cto"
    assert [q.key for q in result.questions][:2] == ["tech_permanent_center", "can_attract_cto"]
    assert result.detected.context == {}, "a hint is asked about, not filed as read"
    assert "hints" in (result.undecided_because or "")
    payload = check_json(result)  # `advisor check --json`, and what every face explains
    assert [h["evidence"] for h in payload["hinted"]] == [
        "tech is everything",
        "CTO candidate ready",
    ]
    said = " ".join(r["said"] or "" for r in payload["explanation"]["why"])
    assert "you hinted: “tech is everything”" in said and "you said" not in said


def test_hints_below_the_floor_leave_the_leaning_to_the_facts_read() -> None:
    result = check_result(
        _reading(_hint("tech_permanent_center", "tech is everything", HINT_FLOOR - 0.05))
    )

    assert result.recommendation is None
    assert result.leaning is not None and result.leaning.recommendation != "full_time_cto"
    assert "tech_permanent_center" not in [q.key for q in result.questions][:1]


def test_a_hinted_reason_not_to_hire_does_not_make_the_leaning_not_yet() -> None:
    result = check_result(
        _reading(
            _hint("tech_permanent_center", "tech is everything", HINT_FLOOR + 0.1),
            _hint("can_attract_cto", "CTO candidate ready", HINT_FLOOR + 0.1),
            _hint("no_access", "Fractional?", HINT_FLOOR + 0.1),
        )
    )

    assert result.leaning is not None and result.leaning.recommendation == "full_time_cto"
    assert result.detected.disqualifiers == {}
