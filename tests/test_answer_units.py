"""Answers are made of real sentences, and decision-shaped questions are told apart: the
units a quote is made of, and the question shapes that ask for a choice."""

from __future__ import annotations

from graphs.qa.intent import is_decision
from graphs.qa.sentences import split_sentences, units
from knowledge.corpus import field_report_chunks


def test_a_quoted_question_does_not_cut_a_sentence() -> None:
    text = (
        "At seed stage, the question is not “Do we need a CTO?” It is “Are technical "
        "decisions now slowing product learning?”\n\nA seed company should hire one."
    )
    first, second = split_sentences(text)
    assert first.endswith("slowing product learning?”")  # one thought, not two fragments
    assert second == "A seed company should hire one."


def test_a_sentence_too_short_to_stand_alone_is_quoted_with_its_neighbour() -> None:
    text = (
        "How much does it cost? It varies. Senior operators are not cheap.\n\n"
        "Do not hire one if you only want a pitch deck. Get an advisor or strategist."
    )
    quoted = [u.text for u in units(text)]
    assert quoted == [
        "How much does it cost?",  # a question is never joined to its answer
        "It varies. Senior operators are not cheap.",
        "Do not hire one if you only want a pitch deck. Get an advisor or strategist.",
    ]
    assert split_sentences(text)[1] == "It varies."  # plain sentences stay as they are


def test_a_short_remark_without_advice_is_never_quoted_alone() -> None:
    text = (
        "Logs are incomplete and staff use personal accounts for client data. "
        "The company says it is early. The risk surface says otherwise.\n\n"
        "Do not hire one if you only want a pitch deck. Get an advisor or strategist."
    )
    assert [u.text for u in units(text)] == [
        "Logs are incomplete and staff use personal accounts for client data.",
        "The company says it is early. The risk surface says otherwise.",  # one remark
        "Do not hire one if you only want a pitch deck. Get an advisor or strategist.",
    ]


def test_a_sentence_about_the_one_before_it_is_quoted_with_it() -> None:
    text = (
        "The memo should include a technical map, shipped evidence and owners. It should also "
        "say what not to do.\n\nThat may be an internal workflow or a data ingestion path."
    )
    assert [u.text for u in units(text)] == [
        "The memo should include a technical map, shipped evidence and owners. It should also "
        "say what not to do.",  # "It" is the memo: alone it would say nothing
        "That may be an internal workflow or a data ingestion path.",  # nothing before it
    ]


def test_decision_shaped_questions_include_is_that_ok() -> None:
    assert is_decision("they only get weekly meetings, no repo access. is that ok?")
    assert is_decision("A board member suggested a fractional CTO between them. Good idea?")
    assert not is_decision("what happens in week 1?")


def test_asking_whether_an_option_would_work_is_a_decision() -> None:
    assert is_decision("We keep disagreeing. Would a fractional CTO work as a tie-breaker?")
    assert is_decision("is an agency the right call for the rebuild?")
    assert is_decision("could an advisor be enough for the board stuff?")
    assert not is_decision("how would a fractional cto work with our team")  # asks how
    assert not is_decision("what would a fractional cto do in week 1")


def test_asking_for_a_choice_without_naming_one_is_a_decision() -> None:
    assert is_decision("three teams bought the same ai tool twice. who fixes it")
    assert is_decision("central IT won't approve anything and teams buy on a card. options?")
    assert not is_decision("pilot died after the demo. what now?")  # asks for the remedy
    assert not is_decision("who owns the data boundary policy?")
    assert not is_decision("what happens in week 1?")


def test_a_question_about_content_that_says_should_is_not_a_decision() -> None:
    assert not is_decision("what fees should we expect for a fractional ai cto")
    assert not is_decision("how should we measure whether the first month worked")
    assert is_decision("what should we do about our stalled pilot")
    assert is_decision("we have 6 devs. should we get a fractional cto? what should we expect")


def test_no_quotable_unit_is_a_question_or_a_link_leftover() -> None:
    quotable = [u for c in field_report_chunks() for u in units(c.text) if u.quotable]
    assert quotable
    assert not [u.text for u in quotable if u.text.rstrip('”"’ ').endswith("?")]
    assert not [u.text for u in quotable if "start with what is" in u.text]


def test_a_sentence_that_frames_a_quoted_question_is_not_an_answer() -> None:
    """'This is the classic answer to “When should…?” The useful version is narrower.' says
    which question comes next; quoted as an answer it filled eight golden answers."""
    text = (
        "This is the classic answer to “When should a company hire one?” The useful version "
        "is narrower.\n\nDo not hire one because full-time feels expensive."
    )
    framing, advice = units(text)
    assert framing.question and not framing.quotable
    assert advice.quotable and not advice.question


def test_asking_whether_to_bring_someone_in_or_who_in_one_word_is_a_decision() -> None:
    assert is_decision("Do we bring in someone senior now or not?")
    assert is_decision("Scope locked, design owned, need throughput. Who?")
    assert is_decision(
        "Is this the kind of thing you'd bring a fractional AI CTO in for, or do I just keep "
        "pushing IT?"
    )
    assert not is_decision("Advisor can also run our delivery or not?")  # asks what one does
    assert not is_decision("and who?")  # a follow-up, not a choice
