"""Answers a founder can act on: the answer first, the report's words behind it, a next step;
real sentences only; the report's structure found by name; notes read as a timeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphs.qa.intent import named_sections
from graphs.qa.sentences import units
from graphs.runtime import Advisor
from knowledge.corpus import field_report_chunks


async def test_every_covered_answer_starts_with_its_answer_line(demo_advisor: Advisor) -> None:
    for question in (
        "our pilot is stuck since the demo, what now?",
        "What should week 1 look like?",
        "whats the difference between an agency and a fractional cto",
    ):
        answer = await demo_advisor.ask(question, None, channel="eval")
        assert answer.covered and answer.lead
        assert answer.answer.splitlines()[0] == answer.lead
        assert answer.next_step is not None and answer.answer.endswith(answer.next_step.text)


async def test_a_decision_question_names_the_option_and_its_cited_rule(
    demo_advisor: Advisor,
) -> None:
    answer = await demo_advisor.ask(
        "our cto is great and already owns all the ai stuff, she just needs more hands for the "
        "next 3 months. is a fractional ai cto the right call?",
        None,
    )
    assert answer.lead is not None and answer.lead.startswith("Short answer: Bring in a specialist")
    assert "[1]" in answer.lead
    # what the verdict rests on is shown in the founder's own words, so a misreading shows
    assert "(you said: “our cto is great and already owns all the ai stuff" in answer.lead
    assert "When not to hire" in answer.citations[0].section
    assert answer.next_step is not None and answer.next_step.kind == "check"


async def test_a_founder_s_word_for_a_report_phrase_finds_the_sentence_that_says_it(
    demo_advisor: Advisor,
) -> None:
    """ "tie-breaker" is the report's "political compromise": the sentence saying that phrase
    answers, not the seed section that only shares "founder" with "co-founder"."""
    answer = await demo_advisor.ask(
        "My co-founder and I keep disagreeing on the AI roadmap. Would a fractional CTO work "
        "as a tie-breaker?",
        None,
    )
    assert answer.lead == "Short answer: Not yet. “Do not hire one as a political compromise.” [1]"
    assert "When not to hire" in answer.citations[0].section


async def test_the_rule_a_verdict_cites_is_quoted_first(demo_advisor: Advisor) -> None:
    """The answer line gives the reason in our words and cites it: the report's own sentence
    behind that citation is the first quote, so the founder can read what the verdict rests on."""
    answer = await demo_advisor.ask(
        "Our CPO and our head of engineering both want to own AI. A board member suggested a "
        "fractional AI CTO to sit between them so nobody loses face. Good idea?",
        None,
    )
    assert (answer.lead or "").startswith("Short answer"), answer.lead
    first = answer.answer.splitlines()[1]
    cited = answer.citations[0]
    assert first.startswith("• “") and first.endswith("” [1]"), first
    assert first[3 : -len("” [1]")] in cited.quote or cited.quote in first


async def test_a_verdict_s_quotes_never_recommend_another_option(demo_advisor: Advisor) -> None:
    from graphs.qa.options import option_of

    for question, verdict in (
        ("Board wants an AI plan by Q3 and we have no one senior. who do i hire first?",
         "fractional_ai_cto"),
        ("our cto already owns all the ai stuff and just needs more hands. do we need a "
         "fractional ai cto?", "specialist"),
    ):  # fmt: skip
        answer = await demo_advisor.ask(question, None)
        assert (answer.lead or "").startswith("Short answer"), question
        bullets = [line.strip("• ") for line in answer.answer.splitlines() if line.startswith("•")]
        quoted = [b.split("” [")[0].strip("“") for b in bullets]
        assert quoted and all(option_of(q) in (None, verdict) for q in quoted), quoted


async def test_a_week_of_the_plan_is_found_by_its_name(demo_advisor: Advisor) -> None:
    answer = await demo_advisor.ask("whats in the first week?", None)
    assert answer.covered
    assert "Week 1: diagnosis and access" in answer.citations[0].section
    assert "Map the real system" in answer.answer


@pytest.mark.parametrize(
    ("question", "week"),
    [
        ("wat happens in wk 2 of the trial month?", "Week 2: one production slice"),
        ("what access does the initial week need, and what comes out of it?",
         "Week 1: diagnosis and access"),
        ("the 3rd wk, what gets installed", "Week 3: operating system"),
    ],
)  # fmt: skip
def test_a_week_typed_short_or_in_words_names_its_section(question: str, week: str) -> None:
    assert [label.rsplit(" › ", 1)[-1] for label in named_sections(question)] == [week]


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("can u explain signal number 4", "4. Vendor lock-in fear is slowing every decision"),
        ("week no. 2 pls", "Week 2: one production slice"),
        ("the ceo of our portco wants ai to cut support costs. where do we begin",
         "PE-backed SMB: find margin, not theater"),
    ],
)  # fmt: skip
def test_a_numbered_part_or_a_stage_in_founders_words_names_its_section(
    question: str, section: str
) -> None:
    assert [label.rsplit(" › ", 1)[-1] for label in named_sections(question)] == [section]


def test_a_span_of_weeks_names_no_week() -> None:
    assert named_sections("we have two weeks before the board meeting, what first?") == []


async def test_a_client_naming_a_signal_in_its_words_gets_the_report_s_remedy_first(
    demo_advisor: Advisor,
) -> None:
    """Notes about the client's own pilot may follow, but the report's prescription for the
    signal the question names leads (the notes alone led with an unrelated vendor decision)."""
    answer = await demo_advisor.ask("Our pilot stalled after the demo, what now?", "northwind")
    assert answer.citations[0].section.endswith("1. Your first AI pilot stalled after the demo")
    assert "shippable slice" in (answer.lead or "")


def _quoted(answer_text: str) -> list[str]:
    """The verbatim sentences of an answer, its answer line first."""
    return [q.split("” [")[0] for q in answer_text.split("“")[1:]]


async def test_when_to_bring_one_in_is_answered_with_the_conditions_for_one(
    demo_advisor: Advisor,
) -> None:
    """'when is the right time' shares words with 'A full-time CTO is right when …'; the
    conditions for the option asked about lead, another option's only when it is named."""
    from graphs.qa.options import option_of

    for question, option in (
        ("when is the right time to bring one in", "fractional_ai_cto"),
        ("How can I know if it is the right moment to take one on? we have 5 devs and me.",
         "fractional_ai_cto"),
        ("when should we go for an agency instead", "agency"),
    ):  # fmt: skip
        answer = await demo_advisor.ask(question, None)
        assert option_of(_quoted(answer.answer)[0]) == option, question


def test_a_section_close_behind_the_best_one_is_quoted_too(demo_advisor: Advisor) -> None:
    """The best section may fill the answer on its own; one quote from another section that
    ranks close to it still has its say, and there are never more than four after the
    answer line."""
    from knowledge.passages import Passage

    wanted = ("The simple rule", "Full-time CTO, agency", "What good looks like")
    chunks = [c for c in field_report_chunks() if c.section.startswith(wanted)]
    passages = [Passage(chunk=c, score=1.0, rank=i + 1) for i, c in enumerate(chunks)]
    composer = demo_advisor.qa_context.composer
    answer = composer.compose_sync(
        "how do i know it's the right moment to bring in such a person?", passages, tenant=None
    )
    assert {c.section for c in answer.citations} == {c.section for c in chunks}
    assert len([line for line in answer.answer.splitlines() if line.startswith("•")]) <= 4


async def test_warning_signs_of_a_named_problem_quote_that_problem_s_symptoms(
    demo_advisor: Advisor,
) -> None:
    """Every signal lists symptoms; asked for the signs of a bad agency, the answer leads with
    the ones under the agency signal's heading."""
    answer = await demo_advisor.ask("warning signs our dev agency is ripping us off?", None)
    assert answer.citations[0].section.endswith(
        "6. Agencies are burning cash without building capability"
    )
    assert (answer.lead or "").startswith("“Symptoms: beautiful demos")


async def test_a_question_the_report_asks_itself_gets_the_report_s_answer(
    demo_advisor: Advisor,
) -> None:
    answer = await demo_advisor.ask("whats a normal hourly rate for a fracitonal cto", None)
    assert "cheap is the wrong filter" in answer.answer
    assert "charge per hour?" not in answer.answer  # the question is never quoted as an answer


async def test_two_questions_in_one_message_are_both_answered_and_cited(
    demo_advisor: Advisor,
) -> None:
    answer = await demo_advisor.ask(
        "What happens in week 2? And what does the final memo contain?", None
    )
    sections = {c.section.rsplit(" › ", 1)[-1] for c in answer.citations}
    assert {"Week 2: one production slice", "Week 4: decision memo and next contract"} <= sections


async def test_a_client_asking_about_the_pilot_without_saying_our_gets_its_own_notes(
    demo_advisor: Advisor,
) -> None:
    """ "the pilot", asked as Acme, is Acme's quote pilot (its steering note), not the report's
    advice on stalled pilots."""
    answer = await demo_advisor.ask("what's the success metric for the pilot", "acme")
    assert answer.citations[0].date is not None
    assert answer.citations[0].section.startswith("Decisions")


async def test_the_newest_note_on_a_subject_answers_and_older_ones_say_so(
    demo_advisor: Advisor,
) -> None:
    answer = await demo_advisor.ask("who owns the ERP price export?", "northwind")
    assert "rebuild it in-house on 4 November" in answer.lead  # the 11 November note
    assert "superseded" in answer.answer and "2026-11-11" in answer.answer


async def test_a_newer_note_on_another_named_thing_neither_leads_nor_supersedes(
    advisor: Advisor, tmp_path: Path
) -> None:
    """Three weekly notes alike but for the migration they name: asked about Birch, the Birch
    note answers, and no Juniper note marks it superseded."""
    notes = tmp_path / "notes"
    notes.mkdir()
    for day, name in ((2, "Birch"), (9, "Iris"), (10, "Juniper")):
        (notes / f"sync-{day}.md").write_text(
            f"---\ntitle: Weekly sync\ndate: 2026-10-{day:02d}\n---\n## Decisions\n"
            f"The {name} migration is owned by the platform lead; {name} ships in week two.\n",
            encoding="utf-8",
        )
    advisor.tenants.add("acme")
    advisor.ingestor.ingest_path(notes, "acme")
    answer = await advisor.ask("Who owns Birch migration?", "acme")
    assert "The Birch migration" in (answer.lead or "")
    assert not [
        line for line in answer.answer.splitlines() if "superseded" in line and "Birch" in line
    ]


@pytest.mark.parametrize(
    "question",
    [
        "which payroll provider should we use for 6 people in germany?",
        "how do I write a job ad for a senior backend engineer?",
        "What time is it in Tokyo?",
    ],
)
async def test_founder_adjacent_off_topic_questions_are_declined(
    demo_advisor: Advisor, question: str
) -> None:
    answer = await demo_advisor.ask(question, None)
    assert not answer.covered and answer.citations == []


async def test_a_decision_the_check_settles_is_answered_whatever_the_words(
    demo_advisor: Advisor,
) -> None:
    """Few of the report's words, but a situation the check reads: the verdict is the answer."""
    question = (
        "honestly we just need a person to check our board slides and join a couple of hiring "
        "interviews every month. who should we look for?"
    )
    answer = await demo_advisor.ask(question, None)
    assert answer.covered and answer.citations
    assert "advisor" in (answer.lead or "").lower()


async def test_fair_questions_in_few_or_odd_words_are_answered(demo_advisor: Advisor) -> None:
    for question in ("we just closed pre-seed, too early for this?", "tldr when should i hire one"):
        answer = await demo_advisor.ask(question, None)
        assert answer.covered, question


async def test_a_fee_in_other_words_finds_the_report_s_answer_on_rates(
    demo_advisor: Advisor,
) -> None:
    """The report asks "How much does a fractional CTO charge per hour?" itself; a retainer
    or a day rate is the same question."""
    for question in (
        "whats the usual monthly retainer for a fractional cto",
        "what fees should we expect for a fractional ai cto",
    ):
        answer = await demo_advisor.ask(question, None)
        assert "Ask what decision, system, or delivery risk they own." in answer.answer, question


async def test_a_fair_question_without_the_domain_s_words_gets_the_closest_advice(
    demo_advisor: Advisor,
) -> None:
    """No AI or CTO word in it, so the topic gate leans off topic; the sources share most of
    its words, so it is answered, and the answer says it is only the closest advice."""
    answer = await demo_advisor.ask("how much would one cost us per month, roughly", None)
    assert answer.covered and "cheap is the wrong filter" in answer.answer
    assert answer.notice is not None and "closest advice" in answer.notice


async def test_when_to_hire_is_answered_with_the_report_s_conditions_not_its_warnings(
    demo_advisor: Advisor,
) -> None:
    """'when should I hire one' shares 'hire one' with every 'Do not hire one if…'; the
    answer is a condition ('… is right when …'), and asking when *not* to gets the warnings."""
    when = await demo_advisor.ask("when is it time to bring in a fractional ai cto?", None)
    assert when.lead is not None and " when " in when.lead
    assert not when.lead.strip("“").startswith("Do not")
    when_not = await demo_advisor.ask("when should we not hire one?", None)
    assert when_not.lead is not None and when_not.lead.strip("“").startswith("Do not hire one")


async def test_a_question_about_warning_signs_is_answered_with_the_symptoms(
    demo_advisor: Advisor,
) -> None:
    answer = await demo_advisor.ask("what are the warning signs that our pilot has stalled?", None)
    assert "Symptoms: the pilot depends on one laptop" in answer.answer


async def test_where_things_stand_is_answered_by_the_note_that_settled_it(
    demo_advisor: Advisor,
) -> None:
    """The notes that settled it rank below older ones describing the problem; a question
    about now searches wider, and only a note on what was asked (the laptop) supersedes
    another, never one that merely names the engagement ('Scout', 'Tomasz')."""
    answer = await demo_advisor.ask("is scout still running off tomasz's laptop?", "northwind")
    first = answer.citations[0]
    assert first.date is not None and first.date >= "2026-10-08"
    quotes = [line for line in answer.answer.splitlines() if "“" in line]
    assert quotes and all("laptop" in line.lower() for line in quotes)


def test_who_owns_it_finds_the_notes_owner_lines(demo_advisor: Advisor) -> None:
    """'own' is a stop word and Porter2 keeps 'owns' apart from 'owner'; the notes say
    'Owner: …'. The question side carries the note's word (the index is left as it is)."""
    passages = demo_advisor.index.retrieve_for_tenant(
        "who owns rollback for scout?", "northwind", 6
    )
    assert any("Owner" in p.chunk.section for p in passages[:3])


def test_a_word_in_most_of_a_client_s_notes_tells_no_note_apart(demo_advisor: Advisor) -> None:
    """'Orca' (the engagement's name) is in nearly every note, so sharing it says little; the
    question's other words say which note answers it."""
    from graphs.qa.compose_offline import OfflineComposer
    from knowledge.chunks import Chunk
    from knowledge.passages import Passage

    def note(rank: int, section: str, text: str) -> Passage:
        chunk = Chunk("orca", "Notes", section, text, "notes.md", date="2026-11-01")
        return Passage(chunk=chunk, score=1.0, rank=rank)

    passages = [
        note(1, "Rhythm", "The Orca team reviews the Orca roadmap with Orca staff on Thursdays."),
        note(2, "Blocked", "Legal must sign off before the tickets are read."),
    ]

    def shares(_scope: object, terms: list[str]) -> dict[str, float]:
        return {t: 0.9 if t == "orca" else 0.1 for t in terms}

    model_dir = demo_advisor.settings.data_dir / "models" / "wordllama"
    question = "can orca use the tickets yet?"
    blind = OfflineComposer(model_dir).compose_sync(question, passages, tenant="orca")
    knowing = OfflineComposer(model_dir, note_shares=shares).compose_sync(
        question, passages, tenant="orca"
    )
    assert "Orca roadmap" in (blind.lead or "")  # without the counts, 'Orca' weighs as rare
    assert "Legal must sign off" in (knowing.lead or "")


def test_every_option_opening_is_the_report_s_own_words() -> None:
    from graphs.qa.options import OPENINGS, option_of

    sentences = [u.text for c in field_report_chunks() for u in units(c.text)]
    for option, openings in OPENINGS.items():
        for opening in openings:
            found = [s for s in sentences if s.startswith(opening)]
            assert found, opening  # the report still says it, word for word
            assert all(option_of(s) == option for s in found)


async def test_a_choice_the_check_cannot_settle_names_the_option_the_report_gives(
    demo_advisor: Advisor,
) -> None:
    """Nothing about the company is read ('agency vs fractional?'), so the rubric has no
    verdict; the report's own sentence for the option still names it, quoted."""
    answer = await demo_advisor.ask("should we go with an agency or a fractional cto?", None)
    assert (answer.lead or "").startswith("Short answer: ")
    assert "“" in (answer.lead or "") and "[1]" in (answer.lead or "")
    explain = await demo_advisor.ask(
        "what's the difference between an agency and an advisor?", None
    )
    assert not (explain.lead or "").startswith("Short answer")


async def test_a_choice_is_named_by_the_close_sentence_that_answers_it_not_its_neighbour(
    demo_advisor: Advisor,
) -> None:
    """ "Hire it because …" ranks high only by following the best sentence ("do not hire
    fractional leadership because full-time feels expensive"); the sentence that answers
    "keep it indefinitely?" in its own right names the option."""
    answer = await demo_advisor.ask(
        "can we just keep a fractional cto indefinitely? cheaper than a full timer and it works",
        None,
    )
    lead = "Short answer: Hire a full-time CTO. “Do not use fractional forever to avoid that hire.”"
    assert answer.lead == f"{lead} [1]"


async def test_a_choice_about_a_part_timer_is_not_answered_with_another_option(
    demo_advisor: Advisor,
) -> None:
    """Nothing about the company is read, so no verdict; the report's sentence on when a
    full-time CTO is right ranks close, but it does not say whether to sign a part-timer."""
    answer = await demo_advisor.ask(
        "should we sign a part-time tech lead for the next few months?", None
    )
    assert answer.covered and "full-time CTO" not in (answer.lead or "").split("“")[0]


async def test_chat_shorthand_is_read_as_the_words_it_stands_for(demo_advisor: Advisor) -> None:
    """ "ppl", "per hr", "rn", "fulltimer": the sources spell words out, so unspelled they
    would count as words the sources never use, and a fair question would be refused."""
    for question in ("wat do these ppl charge per hr?", "a fulltimer is out of budget rn, ideas?"):
        answer = await demo_advisor.ask(question, None)
        assert answer.covered, question
    rates = await demo_advisor.ask("wat do these ppl charge per hr?", None)
    assert "cheap is the wrong filter" in rates.answer


def test_shorthand_is_spelled_out_and_hr_the_department_is_left_alone() -> None:
    from knowledge.vocabulary import spelled_out

    assert spelled_out("wat do these ppl charge per hr?") == "what do these people charge per hour?"
    for kept in ("our HR lead asked", "our RN staff", "the U.S. market", "Mo from sales"):
        assert spelled_out(kept) == kept
    assert spelled_out("3mo, 200 per mo, need it rn") == "3 month, 200 per month, need it right now"


@pytest.mark.parametrize(
    ("question", "report_words"),
    [
        ("could a fractional cto be a neutral middle ground between me and my cofounder?",
         "political compromise"),
        ("we disagree on the stack, would an outsider settle it", "political compromise"),
        ("can we keep a fractional cto indefinitely", "forever"),
        ("is it fine to stay fractional for years", "forever"),
        ("an investor wants a part-time cto to sit between the cofounders", "political compromise"),
        ("legal won't let them near the codebase for two months", "give access"),
    ],
)  # fmt: skip
def test_founders_words_for_the_report_s_warnings_find_its_terms(
    question: str, report_words: str
) -> None:
    """A referee between co-founders is the report's "political compromise"; staying
    fractional "indefinitely" is its "fractional forever"."""
    from knowledge.vocabulary import expand_query

    assert report_words in expand_query(question)


async def test_a_stage_whose_section_prescribes_the_role_names_it(demo_advisor: Advisor) -> None:
    """The enterprise section says what a fractional AI CTO does there; a department asking
    who to bring in is told so, in that sentence."""
    from graphs.assessment.rubric import OPTION_NAMES

    answer = await demo_advisor.ask(
        "We are a department inside a large bank and central IT blocks every AI tool we "
        "propose. Who should we bring in?",
        None,
    )
    assert OPTION_NAMES["fractional_ai_cto"] in (answer.lead or "")
    assert "controlled path" in (answer.lead or "")
