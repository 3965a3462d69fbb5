"""The recommendation: deterministic, explainable, cited. An LLM may phrase it, never decide it.

Every option starts at zero; each rule that fires adds its weight to one option. The top score
wins, ties go to the earlier option in `OPTIONS` order (so the same facts always give the same
answer). Confidence grows with the margin over the runner-up and with how much is known:

    confidence = margin / (margin + 2) × (0.5 + 0.5 × answered / questions)
"""

from __future__ import annotations

from collections.abc import Iterable

from graphs.assessment.rubric_rules import RULES, Rule
from graphs.assessment.signals import STAGE_BY_KEY, best_sentence, topic_label
from graphs.models import (
    CONTEXT_KEYS,
    DISQUALIFIER_KEYS,
    OPTIONS,
    SIGNAL_KEYS,
    AdviceItem,
    Citation,
    Facts,
    PlanWeek,
    Recommendation,
    RuleHit,
)
from knowledge.chunks import Chunk
from knowledge.corpus import field_report_section_chunks, section_label

OPTION_NAMES: dict[str, str] = {
    "fractional_ai_cto": "Hire a fractional AI CTO",
    "advisor": "Get an advisor",
    "agency": "Use an agency",
    "full_time_cto": "Hire a full-time CTO",
    "specialist": "Bring in a specialist (engineer, AI systems architect or vendor)",
    "not_yet": "Not yet",
}
# Our probes pick the report sentence to quote for each option's "what not to do".
_AVOID_PROBES: dict[str, tuple[tuple[str, ...], str]] = {
    "fractional_ai_cto": (
        ("A sample 30-day evaluation contract",),
        "avoid launching a huge transformation program at the start",
    ),
    "full_time_cto": (
        ("Full-time CTO, agency, advisor, or fractional AI CTO?",),
        "relying on fractional help forever instead of making the hire",
    ),
    "agency": (
        ("Full-time CTO, agency, advisor, or fractional AI CTO?",),
        "an agency cannot replace technical judgment",
    ),
    "advisor": (
        ("Full-time CTO, agency, advisor, or fractional AI CTO?",),
        "expecting an advisor to run delivery",
    ),
    "specialist": (
        ("When not to hire a Fractional AI CTO",),
        "strong CTO who owns AI needs extra hands specialist engineer vendor",
    ),
    "not_yet": (
        ("When not to hire a Fractional AI CTO",),
        "business problem undefined nobody can name the workflow",
    ),
}
_STAGE_PROBE = "Fractional AI CTO should hire when work is"
_QUESTIONS = len(SIGNAL_KEYS) + len(DISQUALIFIER_KEYS) + len(CONTEXT_KEYS) + 1


class _Citations:
    """Numbers citations in order of first use, one per (section, quote)."""

    def __init__(self) -> None:
        self.items: list[Citation] = []

    def cite(self, headings: tuple[str, ...], probe: str) -> tuple[int, str]:
        label = section_label(*headings)
        chunks = field_report_section_chunks(label)
        text = " ".join(c.text for c in chunks)
        quote = best_sentence(text, probe)
        chunk = _chunk_with(chunks, quote)
        for existing in self.items:
            if existing.chunk_id == chunk.chunk_id and existing.quote == quote:
                return existing.n, quote
        n = len(self.items) + 1
        self.items.append(Citation.of(chunk, n, quote))
        return n, quote


def _chunk_with(chunks: Iterable[Chunk], quote: str) -> Chunk:
    chunks = list(chunks)
    return next((c for c in chunks if quote in c.text), chunks[0])


def score(facts: Facts) -> tuple[dict[str, float], list[Rule]]:
    """Scores per option and the rules that fired (pure; no citations)."""
    scores = dict.fromkeys(OPTIONS, 0.0)
    fired = [rule for rule in RULES if rule.when(facts)]
    for rule in fired:
        scores[rule.option] += rule.weight
    return scores, fired


def ranked(scores: dict[str, float]) -> list[str]:
    """Options by score; when nothing argues for any option, "Not yet" leads (no reason to
    bring anyone in has been given), with a confidence of zero."""
    ranked = sorted(OPTIONS, key=lambda o: (-scores[o], OPTIONS.index(o)))
    if scores[ranked[0]] <= 0:
        ranked.remove("not_yet")
        ranked.insert(0, "not_yet")
    return ranked


def _confidence(scores: dict[str, float], top: str, runner_up: str, facts: Facts) -> float:
    margin = max(scores[top] - scores[runner_up], 0.0)
    answered = (facts.stage is not None) + sum(
        1
        for group in (facts.signals, facts.disqualifiers, facts.context)
        for v in group.values()
        if v is not None
    )
    known = 0.5 + 0.5 * min(answered, _QUESTIONS) / _QUESTIONS
    return round(margin / (margin + 2.0) * known, 3)


def recommend(facts: Facts) -> Recommendation:
    """The recommendation for `facts`, with every fired rule cited to the report."""
    scores, fired = score(facts)
    top, runner_up = ranked(scores)[:2]
    cites = _Citations()
    hits = []
    for rule in fired:
        n, _quote = cites.cite(rule.headings, rule.reason)
        hits.append(
            RuleHit(
                id=rule.id,
                option=rule.option,
                weight=rule.weight,
                reason=rule.reason,
                section=section_label(*rule.headings),
                citation=n,
            )
        )
    advice = _advice(facts, top, cites, {rule.id for rule in fired})
    plan = _plan(cites) if top == "fractional_ai_cto" else None
    confidence = _confidence(scores, top, runner_up, facts)
    summary = (
        f"Recommendation: {OPTION_NAMES[top]} (confidence {confidence:.0%}); "
        f"runner-up: {OPTION_NAMES[runner_up]}; {len(hits)} rule(s) fired."
    )
    return Recommendation(
        recommendation=top,
        runner_up=runner_up,
        confidence=confidence,
        scores=scores,
        rules=hits,
        advice=advice,
        plan=plan,
        citations=cites.items,
        summary=summary,
        facts=facts,
    )


def _advice(facts: Facts, top: str, cites: _Citations, fired: set[str]) -> list[AdviceItem]:
    """The stage's advice, the report's words on each reason not to hire that the rubric acted
    on (a strong CTO who wants a few hours of input is not sent to "use a specialist"), and
    what to avoid with the option chosen."""
    items: list[AdviceItem] = []
    stage = STAGE_BY_KEY.get(facts.stage or "")
    if stage is not None and stage.headings:
        n, quote = cites.cite(stage.headings, _STAGE_PROBE)
        items.append(AdviceItem(kind="stage", text=quote, citation=n))
    for key in DISQUALIFIER_KEYS:
        if facts.disqualifiers.get(key) is True and f"disqualifier.{key}" in fired:
            n, quote = cites.cite(("When not to hire a Fractional AI CTO",), topic_label(key))
            if all(i.text != quote for i in items):
                items.append(AdviceItem(kind="avoid", text=quote, citation=n))
    headings, probe = _AVOID_PROBES[top]
    n, quote = cites.cite(headings, probe)
    if all(i.text != quote for i in items):
        items.append(AdviceItem(kind="avoid", text=quote, citation=n))
    return items


def _plan(cites: _Citations) -> list[PlanWeek]:
    weeks = []
    contract = "A sample 30-day evaluation contract"
    for chunk in field_report_section_chunks(section_label(contract)):
        title = chunk.section.rsplit(" › ", 1)[-1]
        if not title.startswith("Week "):
            continue
        first_paragraph = chunk.text.split("\n\n")[0]
        n, _ = cites.cite((contract, title), first_paragraph)
        weeks.append(
            PlanWeek(
                week=int(title.split()[1].rstrip(":")),
                title=title,
                text=first_paragraph,
                citation=n,
            )
        )
    return weeks
