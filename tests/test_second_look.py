"""A reason not to hire, hinted at and alone: when nothing else the founder wrote points to any
option, the check takes it from the surety a verdict rests on; beside other facts it still
needs the reader's full surety, because read wrongly it would overturn them."""

from __future__ import annotations

from graphs.assessment.check import check_result
from graphs.assessment.decide import MIN_SUPPORT, second_look
from graphs.assessment.reader import FactReading, Reading, Span

TEXT = "Series B. Honestly all we need before the board meeting is a deck about our AI plans."
DECK = "all we need before the board meeting is a deck about our AI plans"


def _reading(*facts: FactReading) -> Reading:
    return Reading(text=TEXT, facts={f.key: f for f in facts})


def _said(words: str) -> Span:
    start = TEXT.index(words)
    return Span(start, start + len(words), words)


def _stage() -> FactReading:
    return FactReading("stage", "series_ab", 0.95, _said("Series B"), "series_ab")


def _deck_hinted(confidence: float) -> FactReading:
    return FactReading("pitch_deck_only", None, confidence, _said(DECK), best_guess=True)


def test_a_lone_reason_not_to_hire_read_surely_enough_settles_the_check() -> None:
    result = check_result(_reading(_stage(), _deck_hinted(MIN_SUPPORT + 0.05)))

    assert result.recommendation is not None
    assert result.recommendation.recommendation == "advisor"
    assert result.detected.disqualifiers == {"pitch_deck_only": True}
    read = {fact.key: fact for fact in result.read}
    assert read["pitch_deck_only"].evidence == DECK  # shown back in the founder's words


def test_a_hint_below_a_verdicts_surety_still_asks() -> None:
    result = check_result(_reading(_stage(), _deck_hinted(MIN_SUPPORT - 0.05)))

    assert result.recommendation is None
    assert result.detected.disqualifiers == {}
    assert result.questions


def test_a_hinted_reason_not_to_hire_never_overturns_what_else_was_read() -> None:
    stalled = FactReading("pilot_stalled", True, 0.9, _said("Series B"), True)
    reading = _reading(_stage(), stalled, _deck_hinted(MIN_SUPPORT + 0.1))

    assert second_look(reading) is reading
    assert check_result(reading).detected.disqualifiers == {}


def test_only_a_reason_not_to_hire_is_taken_from_a_hint() -> None:
    stalled = FactReading("pilot_stalled", None, MIN_SUPPORT + 0.1, _said(DECK), True)
    reading = _reading(_stage(), stalled)

    assert second_look(reading).facts["pilot_stalled"].value is None
