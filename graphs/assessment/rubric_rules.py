"""The rubric's rules as data: each one names an option, a weight, a condition and its source.

Reasons are our words (they restate the user's answers); the section says where in the report
the logic comes from, and the citation quoted to the user is read from that section at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from graphs.assessment.signals import (
    COMPARISON_H2,
    NOT_TO_HIRE_H2,
    SIGNAL_TOPICS,
    STAGE_BY_KEY,
)
from graphs.models import SIGNAL_KEYS, Facts

SIMPLE_RULE = ("The simple rule",)
NOT_TO_HIRE = (NOT_TO_HIRE_H2,)
COMPARISON = (COMPARISON_H2,)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    option: str
    weight: float
    when: Callable[[Facts], bool]
    reason: str
    headings: tuple[str, ...]


def yes(group: str, key: str) -> Callable[[Facts], bool]:
    return lambda f: getattr(f, group).get(key) is True


def signal_count(facts: Facts) -> int:
    return sum(1 for k in SIGNAL_KEYS if facts.signals.get(k) is True)


def hands_wanted(facts: Facts) -> bool:
    """A strong CTO who owns AI calls for a specialist only when extra hands are what is
    wanted: asked for a few hours a month of input instead (board questions, interviewing a
    first head of ML), the same company wants an advisor."""
    strong = facts.disqualifiers.get("strong_cto_owns_ai") is True
    return strong and facts.context.get("needs_occasional_input") is not True


DENIALS_TO_RULE_OUT = 2


def signals_ruled_out(facts: Facts) -> bool:
    """The signals were gone through (every one answered, if only "not sure", as in the
    interview) or several were said not to apply: silence alone never says "no signals"."""
    answered = all(k in facts.signals for k in SIGNAL_KEYS)
    denied = sum(1 for k in SIGNAL_KEYS if facts.signals.get(k) is False)
    return answered or denied >= DENIALS_TO_RULE_OUT


def _in_sentence(label: str) -> str:
    """A label inside a sentence: its first letter lower-cased, its acronyms kept ("first AI
    pilot stalled", "no AI governance")."""
    return label[:1].lower() + label[1:] if not label.split()[0].isupper() else label


def _signal_rules() -> list[Rule]:
    return [
        Rule(
            f"signal.{t.key}",
            "fractional_ai_cto",
            1.0,
            yes("signals", t.key),
            f"You reported this trigger signal: {_in_sentence(t.label)}.",
            t.headings,
        )
        for t in SIGNAL_TOPICS
    ]


def _stage_rules() -> list[Rule]:
    rules = []
    for key in ("seed", "series_ab", "pe_smb", "enterprise"):
        topic = STAGE_BY_KEY[key]
        rules.append(
            Rule(
                f"stage.{key}",
                "fractional_ai_cto",
                0.25,
                lambda f, key=key: f.stage == key and signal_count(f) >= 1,
                f"The report describes the fit at your stage ({topic.label}).",
                topic.headings,
            )
        )
    return rules


RULES: tuple[Rule, ...] = (
    *_signal_rules(),
    *_stage_rules(),
    Rule(
        "signals.none",
        "not_yet",
        2.5,
        lambda f: signal_count(f) == 0 and signals_ruled_out(f),
        "None of the eight trigger signals applies yet.",
        SIMPLE_RULE,
    ),
    Rule(
        "signals.several",
        "fractional_ai_cto",
        1.0,
        lambda f: signal_count(f) >= 3,
        "Several trigger signals apply at once, so slow or unsafe AI execution is costly now.",
        SIMPLE_RULE,
    ),
    Rule(
        "signal.agency_dependence.against_agency",
        "agency",
        -1.5,
        yes("signals", "agency_dependence"),
        "An agency already acts as your architecture owner; more agency work deepens that.",
        (
            "Eight trigger signals that mean it is probably time",
            "6. Agencies are burning cash without building capability",
        ),
    ),
    Rule(
        "signal.decisions_cannot_wait.against_full_time",
        "full_time_cto",
        -1.0,
        yes("signals", "decisions_cannot_wait"),
        "Decisions are due before a permanent CTO could be in the seat.",
        (
            "Eight trigger signals that mean it is probably time",
            "7. You cannot hire a full-time CTO yet, but decisions cannot wait",
        ),
    ),
    # --- when not to hire ---------------------------------------------------------------
    Rule(
        "disqualifier.pitch_deck_only",
        "advisor",
        3.0,
        yes("disqualifiers", "pitch_deck_only"),
        "You mainly want strategy material or a pitch deck, not delivery.",
        NOT_TO_HIRE,
    ),
    Rule(
        "disqualifier.pitch_deck_only.against",
        "fractional_ai_cto",
        -3.0,
        yes("disqualifiers", "pitch_deck_only"),
        "A deck alone does not need senior technical ownership.",
        NOT_TO_HIRE,
    ),
    Rule(
        "disqualifier.strong_cto_owns_ai",
        "specialist",
        3.5,
        hands_wanted,
        "A strong CTO already owns AI and needs extra hands, not another leader.",
        NOT_TO_HIRE,
    ),
    Rule(
        "disqualifier.strong_cto_owns_ai.against",
        "fractional_ai_cto",
        -3.0,
        yes("disqualifiers", "strong_cto_owns_ai"),
        "Technical ownership of AI is already taken by your CTO.",
        NOT_TO_HIRE,
    ),
    Rule(
        "disqualifier.problem_undefined",
        "not_yet",
        3.0,
        yes("disqualifiers", "problem_undefined"),
        "Nobody can yet name the workflow, customer pain or cost centre to work on.",
        NOT_TO_HIRE,
    ),
    Rule(
        "disqualifier.political_compromise",
        "not_yet",
        2.5,
        yes("disqualifiers", "political_compromise"),
        "The role would lack authority over a defined lane.",
        NOT_TO_HIRE,
    ),
    Rule(
        "disqualifier.no_access",
        "not_yet",
        3.0,
        yes("disqualifiers", "no_access"),
        "The role would not get access to the repo, systems, data or decision makers.",
        NOT_TO_HIRE,
    ),
    *(
        Rule(
            f"disqualifier.{key}.against",
            "fractional_ai_cto",
            -2.5,
            yes("disqualifiers", key),
            reason,
            NOT_TO_HIRE,
        )
        for key, reason in (
            ("problem_undefined", "Without a defined problem a fractional AI CTO has no lane."),
            ("political_compromise", "A compromise hire without authority buys meetings."),
            ("no_access", "Without access, a fractional AI CTO cannot do the work."),
        )
    ),
    # --- context that separates the options ---------------------------------------------
    Rule(
        "context.full_time_fits",
        "full_time_cto",
        3.5,
        lambda f: (
            f.context.get("tech_permanent_center") is True
            and f.context.get("can_attract_cto") is True
        ),
        "Technology is your permanent centre and you can attract the CTO you need.",
        COMPARISON,
    ),
    Rule(
        "context.full_time_fits.against_fractional",
        "fractional_ai_cto",
        -1.0,
        lambda f: (
            f.context.get("tech_permanent_center") is True
            and f.context.get("can_attract_cto") is True
        ),
        "Fractional leadership should not stand in for a hire you can make now.",
        COMPARISON,
    ),
    Rule(
        "context.bridge_to_permanent",
        "fractional_ai_cto",
        0.5,
        lambda f: (
            f.context.get("tech_permanent_center") is True
            and f.context.get("can_attract_cto") is False
            and signal_count(f) >= 1
        ),
        "Technology is your core but the permanent CTO is not within reach yet.",
        COMPARISON,
    ),
    Rule(
        "context.agency_fits",
        "agency",
        3.0,
        lambda f: (
            f.context.get("work_well_scoped") is True
            and f.context.get("architecture_owned") is True
        ),
        "The work is well scoped and you already own the architecture.",
        COMPARISON,
    ),
    Rule(
        "context.architecture_unowned",
        "fractional_ai_cto",
        0.5,
        lambda f: f.context.get("architecture_owned") is False and signal_count(f) >= 1,
        "Nobody on your side owns the architecture yet.",
        COMPARISON,
    ),
    Rule(
        "context.occasional_input",
        "advisor",
        2.5,
        yes("context", "needs_occasional_input"),
        "A few hours a month of pattern recognition and board support would be enough.",
        COMPARISON,
    ),
)
