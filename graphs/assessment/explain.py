"""A recommendation as a founder reads it: the reasons for it, apart from the reasons against
the runner-up and from what speaks against it, each with the founder's own words and the
report's cited rule; the confidence in words; every source listed once and every one cited.

Channel-neutral: Slack, Teams and the terminal render an `Explanation` and nothing else, so
they can never disagree on which reason goes where.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from graphs.assessment.rubric import OPTION_NAMES
from graphs.assessment.signals import question_text, stage_label
from graphs.models import (
    CONTEXT_KEYS,
    DISQUALIFIER_KEYS,
    SIGNAL_KEYS,
    CheckResult,
    Citation,
    Facts,
    PlanWeek,
    ReadFact,
    Recommendation,
    RuleHit,
)

FACT_KEYS = frozenset((*SIGNAL_KEYS, *DISQUALIFIER_KEYS, *CONTEXT_KEYS))
_RULE_FACTS = {
    "context.full_time_fits": ("tech_permanent_center", "can_attract_cto"),
    "context.full_time_fits.against_fractional": ("tech_permanent_center", "can_attract_cto"),
    "context.bridge_to_permanent": ("tech_permanent_center", "can_attract_cto"),
    "context.agency_fits": ("work_well_scoped", "architecture_owned"),
    "context.architecture_unowned": ("architecture_owned",),
    "context.occasional_input": ("needs_occasional_input",),
}
CONFIDENCE_WORDS = ((0.6, "high"), (0.3, "moderate"), (0.0, "low"))


@dataclass(frozen=True, slots=True)
class Reason:
    text: str  # our words, or a verbatim quote of the report (advice)
    citation: int
    said: str | None = None  # the founder's words (or interview answer) it rests on


@dataclass(slots=True)
class Explanation:
    option: str
    verdict: bool  # False: only a leaning (an undecided check)
    confidence: float
    runner_up: str
    runner_up_argued: bool = True  # something speaks for the runner-up: worth naming
    why: list[Reason] = field(default_factory=list)
    against_runner_up: list[Reason] = field(default_factory=list)
    caveats: list[Reason] = field(default_factory=list)
    advice: list[Reason] = field(default_factory=list)
    plan: list[PlanWeek] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)

    @property
    def name(self) -> str:
        return OPTION_NAMES[self.option]

    @property
    def runner_up_name(self) -> str:
        return OPTION_NAMES[self.runner_up]

    @property
    def confidence_words(self) -> str:
        return next(words for floor, words in CONFIDENCE_WORDS if self.confidence >= floor)

    @property
    def headline(self) -> str:
        if not self.verdict:
            return f"Leaning towards: {self.name}"
        return self.name

    @property
    def strength(self) -> str:
        """How sure, in words a board would use."""
        if not self.verdict:
            return "Not decided yet: this is a leaning, and the questions below would settle it."
        if self.confidence_words == "low":
            return f"Confidence is low ({self.confidence:.0%}): treat this as a leaning."
        return f"Confidence: {self.confidence_words} ({self.confidence:.0%})."


def explain(
    rec: Recommendation, *, said: Mapping[str, str] | None = None, verdict: bool = True
) -> Explanation:
    """Sort the fired rules by what they argue, attach the founder's words, renumber sources."""
    said = said or {}
    top, runner_up = rec.recommendation, rec.runner_up
    out = Explanation(
        option=top,
        verdict=verdict,
        confidence=rec.confidence,
        runner_up=runner_up,
        # with nothing for any other option, the "runner-up" is just the first of the rest
        runner_up_argued=rec.scores.get(runner_up, 0.0) > 0,
    )
    numbers = _Renumber(rec.citations)
    for hit in rec.rules:
        if hit.option == top and hit.weight > 0:
            shown = out.why
        elif hit.option == runner_up and hit.weight < 0:
            shown = out.against_runner_up
        elif hit.option == top and hit.weight < 0:
            shown = out.caveats
        else:
            continue  # the case for another option: not a reason for or against this one
        shown.append(Reason(hit.reason, numbers.of(hit.citation), _said_for(hit, said)))
    out.advice = [Reason(a.text, numbers.of(a.citation)) for a in rec.advice]
    out.plan = [w.model_copy(update={"citation": numbers.of(w.citation)}) for w in rec.plan or []]
    out.citations = numbers.used
    return out


def rule_facts(hit: RuleHit) -> tuple[str, ...]:
    """The facts a rule rests on (its id names them: `signal.pilot_stalled`, …)."""
    if hit.id in _RULE_FACTS:
        return _RULE_FACTS[hit.id]
    parts = hit.id.split(".")
    if parts[0] == "stage":
        return ("stage",)
    return tuple(p for p in parts[1:2] if p in FACT_KEYS)


def _said_for(hit: RuleHit, said: Mapping[str, str]) -> str | None:
    words = [said[k] for k in rule_facts(hit) if said.get(k)]
    return " … ".join(dict.fromkeys(words)) or None


def reading_said(read: Iterable[ReadFact], hinted: Iterable[ReadFact] = ()) -> dict[str, str]:
    """For a reading (the check's `read`, and the `hinted` facts a leaning rests on): the
    founder's own words each fact was read from, a hint marked as one."""
    said = {r.key: f"you hinted: “{r.evidence}”" for r in hinted if r.evidence}
    return said | {r.key: f"you said: “{r.evidence}”" for r in read if r.evidence}


def check_said(result: CheckResult) -> dict[str, str]:
    """For a check: the words of what it read, and of the hints its leaning rests on."""
    return reading_said(result.read, result.hinted)


def answers_said(facts: Facts) -> dict[str, str]:
    """For an interview's result: what the founder answered, as they would recognise it."""
    said: dict[str, str] = {}
    if facts.stage:
        said["stage"] = f"you said: {stage_label(facts.stage)}"
    for group in (facts.signals, facts.disqualifiers, facts.context):
        for key, value in group.items():
            if value is not None:
                answer = "yes" if value else "no"
                said[key] = f"you answered {answer} to “{question_text(key)}”"
    return said


class _Renumber:
    """Citations in order of first mention, one per source passage, numbered from 1."""

    def __init__(self, citations: list[Citation]) -> None:
        self._by_n = {c.n: c for c in citations}
        self._new: dict[str, int] = {}  # chunk id → new number
        self.used: list[Citation] = []

    def of(self, n: int) -> int:
        citation = self._by_n[n]
        if citation.chunk_id not in self._new:
            self._new[citation.chunk_id] = len(self.used) + 1
            self.used.append(citation.model_copy(update={"n": len(self.used) + 1}))
        return self._new[citation.chunk_id]
