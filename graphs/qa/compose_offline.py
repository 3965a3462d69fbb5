"""The offline composer: the answer first, then the report's own words, then a next step.

No model writes anything here, so nothing can be invented. The answer line is, for a
decision-shaped question, the rubric's verdict on what the question says about the company
(with its cited rule); for a how or what question, the best section's own prescription,
quoted. Two to four supporting quotes follow, a symptom kept with its prescription; then one
next step. Every sentence from the sources is verbatim and cited; our own words are only the
connectives ("Short answer:", "Next step:"). Notes are read as a timeline: the newest dated
note on a subject comes first, and an older one it supersedes is marked so.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from graphs.models import Answer, Citation, NextStep
from graphs.qa.conversation import Turn, retrieval_query
from graphs.qa.intent import (
    asks_current_state,
    asks_for_signs,
    asks_quantity,
    asks_when,
    asks_when_to,
    counted_terms,
    is_decision,
    mentions_options,
    named_options,
    named_sections,
    options_asked_about,
    time_terms,
    weighs_options,
)
from graphs.qa.options import option_of
from graphs.qa.quotes import MAX_SUPPORT, support_quotes
from graphs.qa.sentences import Unit, split_sentences, units
from graphs.qa.terms import mend_typos, own_words, weighted_overlap
from graphs.qa.timeline import (
    Asked,
    Candidate,
    engagement_words,
    newest_wins,
    note_lead,
    prefer_recent,
    timeline,
)
from knowledge.chunks import PUBLIC_TENANT
from knowledge.embedding import embed
from knowledge.lexical import tokenize
from knowledge.passages import Passage
from knowledge.scope import DataScope
from knowledge.vocabulary import expand_query, expansions

__all__ = ["NOT_COVERED", "OfflineComposer", "not_covered_answer", "split_sentences"]

NOTES_BOOST = 0.5  # "what did *we* decide" is about the client's own notes
CLIENT_NOTE = 0.15  # a client asking about "the pilot" or "the memo" most likely means its own
SECTION_FOCUS = 0.25  # sentences of the best section first: one strong section beats many
_FIRST_PERSON = re.compile(r"\b(we|our|us|we're|we've|i|my)\b", re.IGNORECASE)
_PLAN = re.compile(r"\b(week|30[- ]day|first month|engagement|contract|trial|evaluat)", re.I)
_INTRO_SECTION = "When To Hire a Fractional AI CTO (and When Not To)"
NEXT_SENTENCE = 0.15
NOT_COVERED = (
    "The field report and the engagement notes I can see don't cover this, so I won't guess."
)

Decider = Callable[[str], Any]  # question → a graphs.assessment Decision (or None)
# (the caller's scope, terms) → the share of its client's note chunks each term occurs in
NoteShares = Callable[[DataScope, Sequence[str]], dict[str, float]]


class OfflineComposer:
    """Composes an extractive answer; `decider` reads a decision question (the check's reader
    and rubric) so the answer line can name an option; `note_shares` says how many of a
    client's notes use a word: one in most of them names the engagement, not a subject."""

    def __init__(
        self,
        model_dir: Path,
        decider: Decider | None = None,
        note_shares: NoteShares | None = None,
    ) -> None:
        self._model_dir = model_dir
        self._decider = decider
        self._note_shares = note_shares

    async def compose(
        self,
        question: str,
        passages: Sequence[Passage],
        *,
        tenant: str | None,
        history: Sequence[Turn] = (),
    ) -> Answer:
        """Runs in a worker thread: reading and sentence embedding are CPU work. A follow-up
        picks its sentences for what it means with the question before it."""
        focus = retrieval_query(question, history)
        return await asyncio.to_thread(self.compose_sync, focus, passages, tenant=tenant)

    def compose_sync(
        self, question: str, passages: Sequence[Passage], *, tenant: str | None
    ) -> Answer:
        decision = self._decide(question)
        ex = _explained(decision)
        ranked, asked = self._ranked(question, _with_rule_sections(ex, passages), tenant)
        if not ranked:
            return not_covered_answer(passages)
        if ex is not None:
            _favour_sections(ranked, _rule_sections(ex))
        cites = _Citations()
        choice = options_asked_about(question) if decision is None and _choosing(question) else None
        lead_line, lead_unit = _lead(ex, ranked, cites, asked, choice)
        verdict = decision.recommendation.recommendation if decision is not None else None
        support = support_quotes(ranked, exclude=lead_unit, verdict=verdict)
        rule = _rule_units(ex, ranked)
        if rule:  # the cited rule in the report's own words, first: the line only names it
            shown = {c.unit.text for c in rule}
            support = rule + [c for c in support if c.unit.text not in shown][: MAX_SUPPORT - 1]
        lines = [lead_line] + [_quote_line(c, cites) for c in timeline(support)]
        step = _next_step(question, decision)
        if step is not None:
            lines.append(f"Next step: {step.text}")
        return Answer(
            answer="\n".join(lines), citations=cites.items, lead=lead_line, next_step=step
        )

    def _shares(self, tenant: str | None, terms: set[str]) -> dict[str, float]:
        """How many of the caller's client's notes use each question term (none for no
        client)."""
        if self._note_shares is None or tenant is None:
            return {}
        return self._note_shares(DataScope.of(tenant), sorted(terms))

    def _decide(self, question: str) -> Any:
        """The verdict on what a decision-shaped question says about the company, when the
        reading settles one (a question that only weighs the options counts too)."""
        if self._decider is None or not (is_decision(question) or mentions_options(question)):
            return None
        decision = self._decider(question)
        return decision if decision is not None and decision.decided else None

    def _ranked(
        self, question: str, passages: Sequence[Passage], tenant: str | None = None
    ) -> tuple[list[Candidate], Asked]:
        """The quotable sentences, best first, and what the question asks about."""
        question = mend_typos(question, (p.chunk.text for p in passages))
        every = [Candidate(p, u) for p in passages for u in units(p.chunk.text)]
        candidates = [c for c in every if c.unit.quotable]
        if not candidates:
            return [], Asked(set(), set())
        vectors = embed(self._model_dir, [question] + [c.unit.text for c in every])
        similarity = {id(c): float(v @ vectors[0]) for c, v in zip(every, vectors[1:], strict=True)}
        dense = [similarity[id(c)] for c in candidates]
        _answers_to_own_questions(every, similarity, set(tokenize(question)))
        state = tenant is not None and asks_current_state(question)
        when = time_terms(question) if state else set()  # "now" says when, not what
        terms = set(tokenize(expand_query(question))) - when
        about_us = bool(_FIRST_PERSON.search(question))
        ours = own_words(question) - when
        named = set(named_sections(question))
        when_to = asks_when_to(question)
        signs = _sign_sections(candidates, terms) if asks_for_signs(question) else set()
        asked_options = named_options(question) | {None, "fractional_ai_cto"}
        shares = self._shares(tenant, terms | ours)
        # "tie-breaker" stands for the report's "political compromise": a sentence that says
        # the whole phrase is about what was asked, not one that shares a word of it
        phrases = [x.lower() for x in expansions(question) if " " in x]
        for i, c in enumerate(candidates):
            words = set(tokenize(c.unit.text))
            overlap = weighted_overlap(terms, words, shares)
            note = c.passage.chunk.tenant != PUBLIC_TENANT
            names_ours = bool(ours & words)
            own = (NOTES_BOOST if about_us or names_ours else CLIENT_NOTE) if note else 0.0
            intro = -0.2 if c.passage.chunk.section == _INTRO_SECTION else 0.0
            lead = 0.1 if c.unit.position == 0 else 0.0
            prescribes = 0.1 if c.unit.prescribes else 0.0
            boost = 0.6 if c.passage.chunk.section in named else 0.0
            prior = 0.5 / (1 + c.passage.rank)
            c.score += float(dense[i]) + 0.6 * overlap + prior + own + intro + lead + prescribes
            c.score += boost + (_polarity(c.unit, asked_options) if when_to else 0.0)
            c.score += SIGNS if c.unit.symptoms and c.passage.chunk.section in signs else 0.0
            c.score += PHRASE if any(x in c.unit.text.lower() for x in phrases) else 0.0
        if state:
            prefer_recent(candidates)
        best = max(candidates, key=lambda c: c.score)
        for c in candidates:
            c.own = c.score
            c.score += SECTION_FOCUS if c.passage.chunk.section == best.passage.chunk.section else 0
            if c.chunk_id == best.chunk_id and c.unit.position == best.unit.position + 1:
                c.score += NEXT_SENTENCE  # what the best sentence leads into
        figure = state and asks_quantity(question)
        common = engagement_words(shares, terms) - counted_terms(question)
        asked = Asked(ours - common, terms - common, figure, frozenset(ours), state)
        newest_wins(candidates, asked)
        return sorted(candidates, key=lambda c: -c.score), asked


def _heading_terms(c: Candidate) -> set[str]:
    return set(tokenize(c.passage.chunk.section.rsplit(" › ", 1)[-1]))


def _sign_sections(candidates: list[Candidate], terms: set[str]) -> set[str]:
    """For "warning signs our agency is ripping us off": the symptoms under a heading that
    names what the question names (signal 6, "Agencies are burning cash…"); any symptoms when
    no heading does."""
    listed = [c for c in candidates if c.unit.symptoms]
    named = {c.passage.chunk.section for c in listed if _heading_terms(c) & terms}
    return named or {c.passage.chunk.section for c in listed}


PHRASE = 0.3  # a sentence that says the source phrase a founder's wording stands for
WHEN_TO = 0.25  # "when should I hire one": the report's conditions over its warnings
SIGNS = 0.25  # "red flags that our agency is bad?": the report's symptoms


def _polarity(unit: Unit, asked: set[str | None]) -> float:
    """A "when should I…" question: the report's conditions for what it asks about (a
    fractional AI CTO, unless it names another option) over its warnings."""
    if unit.conditional:
        return WHEN_TO if option_of(unit.text) in asked else -WHEN_TO
    return -WHEN_TO if unit.prohibits else 0.0


OWN_QUESTION = 0.45  # similarity above which a source's own question is the one asked
OWN_ANSWER = 0.4  # for the sentences after it: a strong sign of where the answer is
PRESCRIPTION_SLACK = 0.2  # a prescription may lead over a slightly better-ranked sentence


def _answers_to_own_questions(
    every: list[Candidate], similarity: dict[int, float], terms: set[str]
) -> None:
    """The report asks some questions itself ("How much does a fractional CTO charge per
    hour?") and answers them in the next sentences: when the founder asks that question,
    those sentences are the answer (the question itself is never quoted as one)."""
    for i, c in enumerate(every):
        if not c.unit.question:
            continue
        shared = len(terms & set(tokenize(c.unit.text))) / len(terms) if terms else 0.0
        if similarity[id(c)] + 0.5 * shared < OWN_QUESTION:
            continue
        for after in every[i + 1 : i + 3]:
            if after.chunk_id == c.chunk_id:
                after.score += OWN_ANSWER


def _explained(decision: Any) -> Any:
    """The verdict's explanation (its reasons and their citations), once per answer."""
    if decision is None:
        return None
    from graphs.assessment.explain import explain

    return explain(decision.recommendation, said=decision.said)


def _first_rule(ex: Any) -> Citation | None:
    """The citation of the verdict's first reason: the rule the answer line rests on."""
    if ex is None or not ex.why:
        return None
    return next(c for c in ex.citations if c.n == ex.why[0].citation)


def _rule_sections(ex: Any) -> set[str]:
    """The report sections (labels without the source) the verdict's reasons cite."""
    cited = {r.citation for r in ex.why}
    return {c.section for c in ex.citations if c.n in cited}


def _with_rule_sections(ex: Any, passages: Sequence[Passage]) -> list[Passage]:
    """The passages, plus the chunks of the sections the verdict rests on."""
    if ex is None:
        return list(passages)
    from knowledge.corpus import field_report_chunks

    have = {p.chunk.chunk_id for p in passages}
    wanted = _rule_sections(ex)
    extra = [c for c in field_report_chunks() if c.section in wanted and c.chunk_id not in have]
    return [*passages, *(Passage(chunk=c, score=0.0, rank=len(passages) + 1) for c in extra)]


def _favour_sections(ranked: list[Candidate], sections: set[str]) -> None:
    """The verdict's own sections supply its quotes first."""
    for c in ranked:
        if c.passage.chunk.section in sections:
            c.score += 0.8
    ranked.sort(key=lambda c: -c.score)


class _Citations:
    """One citation per chunk, numbered in order of first use."""

    def __init__(self) -> None:
        self.items: list[Citation] = []
        self._by_chunk: dict[str, int] = {}

    def cite(self, passage: Passage | None, quote: str, chunk: Any = None) -> int:
        chunk = chunk or passage.chunk  # type: ignore[union-attr]
        if chunk.chunk_id not in self._by_chunk:
            self._by_chunk[chunk.chunk_id] = len(self.items) + 1
            self.items.append(Citation.of(chunk, len(self.items) + 1, quote))
        return self._by_chunk[chunk.chunk_id]


def _lead(
    ex: Any, ranked: list[Candidate], cites: _Citations, asked: Asked, choice: set[str] | None
) -> tuple[str, Unit | None]:
    """The answer line: the verdict with its rule; for a choice the check cannot settle
    (`choice`: the options it names), a close report sentence that names an option in its own
    words; else the
    best section's prescription; on notes, the newest close match that names what the
    question names (`asked`)."""
    if ex is not None:
        reason = ex.why[0] if ex.why else None
        line = f"Short answer: {ex.name}."
        if ex.confidence_words == "low":  # a narrow win is worded as a leaning
            line = f"Short answer, as a leaning: {ex.name}."
        citation = _first_rule(ex)
        if reason is not None and citation is not None:
            n = cites.cite(None, citation.quote, chunk=_chunk_of(citation))
            line += f" {reason.text} [{n}]"
            if reason.said:  # what it rests on, so a misreading shows
                line += f" ({reason.said})"
        return line, None
    if ranked[0].passage.chunk.date:  # the notes answer: the newest close match leads
        lead = note_lead(ranked, asked)
        n = cites.cite(lead.passage, lead.unit.text)
        return f"“{lead.unit.text}” [{n}] ({lead.passage.chunk.date})", lead.unit
    named = _option_lead(ranked, choice) if choice is not None else None
    if named is not None:
        from graphs.assessment.rubric import OPTION_NAMES

        n = cites.cite(named.passage, named.unit.text)
        name = OPTION_NAMES[option_of(named.unit.text) or ""]
        return f"Short answer: {name}. “{named.unit.text}” [{n}]", named.unit
    best = ranked[0]
    lead = next(
        (c for c in ranked if c.passage.chunk.section == best.passage.chunk.section
         and c.unit.prescribes and c.score >= best.score - PRESCRIPTION_SLACK),
        best,
    )  # fmt: skip
    n = cites.cite(lead.passage, lead.unit.text)
    return f"“{lead.unit.text}” [{n}]", lead.unit


def _rule_units(ex: Any, ranked: list[Candidate]) -> list[Candidate]:
    """The sentences of the verdict's first cited rule, in order: the answer line says the
    reason in our words and cites it, so the quote it cites must be there to read."""
    citation = _first_rule(ex)
    if citation is None:
        return []
    inside = [
        c for c in ranked
        if c.passage.chunk.chunk_id == citation.chunk_id and c.unit.text in citation.quote
    ]  # fmt: skip
    return sorted({c.unit.text: c for c in inside}.values(), key=lambda c: c.unit.position)


def _choosing(question: str) -> bool:
    """A choice between options, not a question about their conditions ("when not to")."""
    return (is_decision(question) or weighs_options(question)) and not asks_when(question)


OPTION_LEADS = 3  # of the best-ranked sentences, one naming an option may lead a choice


def _option_lead(ranked: list[Candidate], asked: set[str]) -> Candidate | None:
    """Of the close sentences that name an option, the one closest to the question on its
    own: a sentence lifted only by following the best one ("Hire it because …" after "Do not
    hire fractional leadership because full-time feels expensive.") is not the answer to
    "can we keep a fractional CTO indefinitely?". Asked about some options (`asked`), only a
    sentence on one of them or one that says not to hire answers: "A full-time CTO is right
    when …" does not tell a founder whether to sign a part-timer."""
    fits = asked | {"not_yet"} if asked else None
    naming = [
        c for c in ranked[:OPTION_LEADS]
        if not c.passage.chunk.date and option_of(c.unit.text)
        and (fits is None or option_of(c.unit.text) in fits)
    ]  # fmt: skip
    return max(naming, key=lambda c: c.own, default=None)


def _chunk_of(citation: Citation) -> Any:
    from knowledge.corpus import field_report_chunks

    return next(c for c in field_report_chunks() if c.chunk_id == citation.chunk_id)


def _quote_line(c: Candidate, cites: _Citations) -> str:
    n = cites.cite(c.passage, c.unit.text)
    date = c.passage.chunk.date
    if c.superseded_by:
        return f"• Earlier ({date}), superseded on {c.superseded_by}: “{c.unit.text}” [{n}]"
    return f"• “{c.unit.text}” [{n}]" + (f" ({date})" if date else "")


def _next_step(question: str, decision: Any) -> NextStep | None:
    if _PLAN.search(question):
        return NextStep(kind="plan", text="start with the report's 30-day evaluation (week 1).")
    if decision is not None or is_decision(question):
        return NextStep(kind="check", text="run the trigger check on your own situation.")
    return NextStep(kind="assessment", text="run the assessment to see which option fits you.")


def not_covered_answer(passages: Sequence[Passage]) -> Answer:
    nearest = list(dict.fromkeys(p.chunk.label for p in passages[:3]))
    text = NOT_COVERED
    if nearest:
        text += "\nThe closest topics I have: " + "; ".join(nearest) + "."
    return Answer(answer=text, citations=[], covered=False, notice="Sources do not cover this.")
