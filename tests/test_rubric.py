"""The recommendation is deterministic, explained by named rules, and cited to the report."""

from __future__ import annotations

import json

import pytest

from graphs.assessment.rubric import recommend
from graphs.models import DISQUALIFIER_KEYS, OPTIONS, SIGNAL_KEYS, Facts
from knowledge.corpus import field_report_chunks

ALL_SIGNALS = dict.fromkeys(SIGNAL_KEYS, True)
NO_SIGNALS = dict.fromkeys(SIGNAL_KEYS, False)


def facts(stage=None, signals=None, disqualifiers=None, context=None) -> Facts:
    return Facts(
        stage=stage, signals=signals or {}, disqualifiers=disqualifiers or {}, context=context or {}
    )


SCENARIOS = [
    # id, facts, expected winner, expected runner-up (None: not checked)
    (
        "seed-stalled-pilot-firefighting",
        facts(
            "seed",
            {"pilot_stalled": True, "founders_firefighting": True, "decisions_cannot_wait": True},
        ),
        "fractional_ai_cto",
        None,
    ),
    (
        "series-ab-governance-and-prototypes",
        facts(
            "series_ab",
            {"no_ai_governance": True, "prototypes_not_shipping": True, "strategy_by_tools": True},
        ),
        "fractional_ai_cto",
        None,
    ),
    (
        "pe-smb-agency-burning-cash",
        facts("pe_smb", {"agency_dependence": True, "vendor_lock_in_fear": True}),
        "fractional_ai_cto",
        None,
    ),
    ("enterprise-every-signal", facts("enterprise", ALL_SIGNALS), "fractional_ai_cto", None),
    (
        "single-signal-is-enough-to-start",
        facts("seed", {"pilot_stalled": True}),
        "fractional_ai_cto",
        "advisor",
    ),
    ("nothing-applies", facts("seed", NO_SIGNALS), "not_yet", None),
    ("nothing-known", facts(), "not_yet", None),
    (
        "pitch-deck-only",
        facts("seed", {"strategy_by_tools": True}, {"pitch_deck_only": True}),
        "advisor",
        None,
    ),
    (
        "pitch-deck-despite-signals",
        facts(
            "series_ab",
            {"strategy_by_tools": True, "pilot_stalled": True},
            {"pitch_deck_only": True},
        ),
        "advisor",
        None,
    ),
    (
        "strong-cto-owns-ai",
        facts("series_ab", {"prototypes_not_shipping": True}, {"strong_cto_owns_ai": True}),
        "specialist",
        None,
    ),
    (
        "strong-cto-no-signals",
        facts("enterprise", NO_SIGNALS, {"strong_cto_owns_ai": True}),
        "specialist",
        "not_yet",
    ),
    (
        "problem-undefined",
        facts("seed", {"founders_firefighting": True}, {"problem_undefined": True}),
        "not_yet",
        None,
    ),
    (
        "political-compromise",
        facts("enterprise", {"no_ai_governance": True}, {"political_compromise": True}),
        "not_yet",
        None,
    ),
    ("no-access", facts("pe_smb", {"pilot_stalled": True}, {"no_access": True}), "not_yet", None),
    (
        "every-disqualifier",
        facts("seed", ALL_SIGNALS, dict.fromkeys(DISQUALIFIER_KEYS, True)),
        "not_yet",
        None,
    ),
    (
        "tech-core-and-cto-within-reach",
        facts(
            "series_ab",
            {"decisions_cannot_wait": False},
            context={"tech_permanent_center": True, "can_attract_cto": True},
        ),
        "full_time_cto",
        None,
    ),
    (
        "tech-core-cto-within-reach-one-signal",
        facts(
            "series_ab",
            {"pilot_stalled": True},
            context={"tech_permanent_center": True, "can_attract_cto": True},
        ),
        "full_time_cto",
        "fractional_ai_cto",
    ),
    (
        "tech-core-but-cto-out-of-reach",
        facts(
            "seed",
            {"decisions_cannot_wait": True, "pilot_stalled": True},
            context={"tech_permanent_center": True, "can_attract_cto": False},
        ),
        "fractional_ai_cto",
        None,
    ),
    (
        "scoped-work-owned-architecture",
        facts("pe_smb", NO_SIGNALS, context={"work_well_scoped": True, "architecture_owned": True}),
        "agency",
        None,
    ),
    (
        "scoped-work-one-signal",
        facts(
            "series_ab",
            {"vendor_lock_in_fear": True},
            context={"work_well_scoped": True, "architecture_owned": True},
        ),
        "agency",
        "fractional_ai_cto",
    ),
    (
        "agency-dependence-blocks-agency",
        facts(
            "series_ab",
            {"agency_dependence": True, "pilot_stalled": True},
            context={"work_well_scoped": True, "architecture_owned": True},
        ),
        "fractional_ai_cto",
        None,
    ),
    (
        "occasional-input-is-enough",
        facts("seed", NO_SIGNALS, context={"needs_occasional_input": True}),
        "advisor",
        None,
    ),
    (
        "occasional-input-with-one-signal",
        facts("enterprise", {"strategy_by_tools": True}, context={"needs_occasional_input": True}),
        "advisor",
        "fractional_ai_cto",
    ),
    (
        "unowned-architecture-tips-fractional",
        facts(
            "seed",
            {"vendor_lock_in_fear": True},
            context={"architecture_owned": False, "work_well_scoped": True},
        ),
        "fractional_ai_cto",
        None,
    ),
    (
        "other-stage-many-signals",
        facts(
            "other",
            {"pilot_stalled": True, "prototypes_not_shipping": True, "no_ai_governance": True},
        ),
        "fractional_ai_cto",
        None,
    ),
    ("not-sure-everywhere", facts("seed", dict.fromkeys(SIGNAL_KEYS)), "not_yet", None),
]


@pytest.mark.parametrize(
    ("given", "winner", "runner_up"), [s[1:] for s in SCENARIOS], ids=[s[0] for s in SCENARIOS]
)
def test_scenario(given: Facts, winner: str, runner_up: str | None) -> None:
    rec = recommend(given)
    assert rec.recommendation == winner, rec.summary
    if runner_up:
        assert rec.runner_up == runner_up, rec.summary
    assert 0.0 <= rec.confidence <= 1.0


def test_scenarios_cover_every_option_and_every_disqualifier() -> None:
    assert {s[2] for s in SCENARIOS} == set(OPTIONS)
    fired = {k for s in SCENARIOS for k, v in s[1].disqualifiers.items() if v}
    assert fired == set(DISQUALIFIER_KEYS)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_every_rule_cites_a_verbatim_quote_from_its_section(scenario) -> None:
    rec = recommend(scenario[1])
    texts = {c.chunk_id: c for c in field_report_chunks()}
    by_n = {c.n: c for c in rec.citations}
    assert [c.n for c in rec.citations] == list(range(1, len(rec.citations) + 1))
    for hit in rec.rules:
        citation = by_n[hit.citation]
        assert citation.section == hit.section.removeprefix("Field report › ")
        assert citation.quote in texts[citation.chunk_id].text
    for item in rec.advice:
        assert item.text in texts[by_n[item.citation].chunk_id].text


def test_same_facts_give_byte_identical_results() -> None:
    given = SCENARIOS[1][1]
    first = json.dumps(recommend(given).model_dump(mode="json"), sort_keys=True)
    assert all(
        json.dumps(recommend(given).model_dump(mode="json"), sort_keys=True) == first
        for _ in range(5)
    )


def test_plan_comes_with_a_fractional_cto_only() -> None:
    for _id, given, winner, _ in SCENARIOS:
        rec = recommend(given)
        if winner == "fractional_ai_cto":
            assert rec.plan is not None and [w.week for w in rec.plan] == [1, 2, 3, 4]
        else:
            assert rec.plan is None


def test_a_clear_case_is_more_confident_than_a_borderline_one() -> None:
    clear = recommend(
        facts(
            "seed",
            ALL_SIGNALS,
            dict.fromkeys(DISQUALIFIER_KEYS, False),
            {"tech_permanent_center": True, "can_attract_cto": False},
        )
    )
    borderline = recommend(facts("seed", {"pilot_stalled": True}))
    assert clear.confidence > borderline.confidence + 0.3


def test_stage_advice_quotes_the_stage_section() -> None:
    rec = recommend(facts("pe_smb", {"pilot_stalled": True}))
    stage_advice = [a for a in rec.advice if a.kind == "stage"]
    assert len(stage_advice) == 1
    section = {c.n: c.section for c in rec.citations}[stage_advice[0].citation]
    assert section.endswith("PE-backed SMB: find margin, not theater")


def test_a_signal_reason_keeps_its_acronyms() -> None:
    """A board-ready reason reads "first AI pilot stalled", never "first ai pilot stalled"."""
    rec = recommend(facts("seed", signals=dict.fromkeys(SIGNAL_KEYS, True)))
    reasons = {hit.id: hit.reason for hit in rec.rules if hit.id.startswith("signal.")}
    assert reasons["signal.pilot_stalled"].endswith("first AI pilot stalled.")
    assert reasons["signal.no_ai_governance"].endswith("no AI governance.")
    assert all(" ai " not in reason for reason in reasons.values())


def test_a_strong_cto_who_wants_a_few_hours_of_input_not_hands_gets_an_advisor() -> None:
    """The report sends a strong CTO who owns AI to a specialist when only extra hands are
    needed; asked for board prep and interviewing help a few hours a month, it is advice."""
    strong = {"strong_cto_owns_ai": True}
    assert recommend(facts("series_ab", disqualifiers=strong)).recommendation == "specialist"
    advice = facts("series_ab", disqualifiers=strong, context={"needs_occasional_input": True})
    result = recommend(advice)
    assert result.recommendation == "advisor"
    assert result.scores["fractional_ai_cto"] < 0  # another leader is still not the answer
