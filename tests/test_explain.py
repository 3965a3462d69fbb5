"""A recommendation explains itself coherently: reasons for it, against the runner-up and
against it kept apart; each with the founder's words; every source listed once and cited."""

from __future__ import annotations

from graphs.assessment.explain import answers_said, explain
from graphs.assessment.rubric import recommend
from graphs.models import Facts

FOUR_SIGNALS = {
    "pilot_stalled": True,
    "strategy_by_tools": True,
    "founders_firefighting": True,
    "no_ai_governance": True,
}


def test_a_reason_against_hiring_is_never_listed_as_a_reason_to_hire() -> None:
    facts = Facts(stage="seed", signals=FOUR_SIGNALS, disqualifiers={"political_compromise": True})
    rec = recommend(facts)
    assert rec.recommendation == "fractional_ai_cto" and rec.runner_up == "not_yet"
    ex = explain(rec, said=answers_said(facts))
    why = [r.text for r in ex.why]
    assert "The role would lack authority over a defined lane." not in why
    assert any("authority" in r.text for r in ex.caveats)  # it is said, under its own heading
    assert all("trigger signal" in t or "stage" in t or "Several" in t for t in why)


def test_reasons_against_the_runner_up_are_kept_apart() -> None:
    facts = Facts(stage="seed", signals={"decisions_cannot_wait": True, "pilot_stalled": True})
    rec = recommend(facts.model_copy(update={"context": {"tech_permanent_center": True}}))
    ex = explain(rec)
    for reason in ex.against_runner_up:
        assert reason not in ex.why


def test_each_reason_carries_the_founders_words() -> None:
    facts = Facts(stage="seed", signals={"pilot_stalled": True})
    said = {"pilot_stalled": "you said: “the demo never went live”", "stage": "you said: seed"}
    ex = explain(recommend(facts), said=said)
    pilot = next(r for r in ex.why if "stalled" in r.text.lower())
    assert pilot.said == "you said: “the demo never went live”"


def test_every_source_is_listed_once_and_every_listed_source_is_cited() -> None:
    facts = Facts(stage="series_ab", signals=FOUR_SIGNALS, disqualifiers={"no_access": True})
    ex = explain(recommend(facts))
    cited = {r.citation for r in (*ex.why, *ex.against_runner_up, *ex.caveats, *ex.advice)}
    cited |= {w.citation for w in ex.plan}
    listed = [c.n for c in ex.citations]
    assert listed == list(range(1, len(listed) + 1))
    assert set(listed) == cited
    assert len({c.chunk_id for c in ex.citations}) == len(ex.citations)


def test_confidence_is_said_in_words_and_a_leaning_is_worded_as_one() -> None:
    rec = recommend(Facts(stage="seed", signals={"pilot_stalled": True}))
    assert explain(rec).confidence_words in ("high", "moderate", "low")
    leaning = explain(rec, verdict=False)
    assert leaning.headline.startswith("Leaning towards") and "leaning" in leaning.strength


def test_a_runner_up_nothing_argues_for_is_not_named() -> None:
    """With only a deck asked for, every other option scores nothing: the first of them is
    no runner-up worth a line on the card."""
    deck_only = explain(recommend(Facts(disqualifiers={"pitch_deck_only": True})))
    assert deck_only.option == "advisor" and not deck_only.runner_up_argued
    contested = Facts(
        stage="seed", signals=FOUR_SIGNALS, disqualifiers={"political_compromise": True}
    )
    close = explain(recommend(contested))
    assert close.runner_up == "not_yet" and close.runner_up_argued


def test_the_report_s_advice_follows_the_reasons_the_rubric_acted_on() -> None:
    """A strong CTO who wants a few hours of input gets an advisor, so the report's "use a
    specialist engineer" is not quoted beside it."""
    facts = Facts(
        disqualifiers={"strong_cto_owns_ai": True}, context={"needs_occasional_input": True}
    )
    ex = explain(recommend(facts))
    assert ex.option == "advisor"
    assert not any("specialist" in a.text for a in ex.advice)
    alone = explain(recommend(Facts(disqualifiers={"strong_cto_owns_ai": True})))
    assert alone.option == "specialist" and any("specialist" in a.text for a in alone.advice)
