"""What a person sees in a real Teams client: the feedback loop, the interview's cards, answers
that read as Teams messages, and follow-ups that stay in their reply chain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from botbuilder.schema import Activity, ConversationAccount
from sqlalchemy import select

from bot.teams import render
from bot.teams.chains import ReplyChains, new_topic
from graphs.models import Answer, Citation, NextStep
from knowledge.db import feedback
from tests import test_teams
from tests.fakes.bot_connector import card_buttons
from tests.test_teams import Teams, activity

teams = test_teams.teams  # the fixture: the real CloudAdapter face, a loopback connector

QUESTION = Citation(
    n=1,
    source="Field report",
    section="Eight trigger signals that mean it is probably time › 1. Your first AI pilot "
    "stalled after the demo",
    quote="A Fractional AI CTO should turn the pilot into a shippable slice with data "
    "boundaries, evals, release gates, and rollback, and then hand it to the team that owns it.",
    tenant="public",
    chunk_id="c1",
)


async def execute(teams: Teams, data: dict[str, Any], **fields: Any) -> dict[str, Any]:
    value = {"action": {"type": "Action.Execute", "verb": "x", "data": data}}
    body = activity(teams.connector, type="invoke", name="adaptiveCard/action", value=value)
    response = await teams.http.post("/api/messages", json=body | fields)
    assert response.status == 200
    return await response.json()


async def vote(teams: Teams, reaction: str, comment: str, reply_to: str) -> int:
    value = {
        "actionName": "feedback",
        "actionValue": {"reaction": reaction, "feedback": f'{{"feedbackText": "{comment}"}}'},
    }
    body = activity(teams.connector, type="invoke", name="message/submitAction", value=value)
    response = await teams.http.post("/api/messages", json=body | {"replyToId": reply_to})
    return response.status


def button(teams: Teams, title: str) -> dict[str, Any]:
    return next(b for b in card_buttons(teams.connector.cards()[-1]) if b["title"] == title)


async def test_a_second_vote_on_an_answer_updates_it_never_adds(teams: Teams) -> None:
    await teams.send(text="Our pilot stalled after the demo, what now?")
    assert await vote(teams, "like", "Clear", "act-1") == 200
    assert await vote(teams, "dislike", "Too long", "act-1") == 200
    with teams.advisor.engine.connect() as conn:
        rows = conn.execute(select(feedback.c.answer_id, feedback.c.helpful, feedback.c.comment))
        assert rows.all() == [("act-1", False, "Too long")]


async def test_a_vote_that_is_not_one_is_a_400(teams: Teams) -> None:
    body = activity(teams.connector, type="invoke", name="message/submitAction", value={"x": 1})
    assert (await teams.http.post("/api/messages", json=body)).status == 400


async def test_an_answered_card_shows_its_question_and_label_with_a_steady_counter(
    teams: Teams,
) -> None:
    await teams.send(text="assess")
    totals, clicked = set(), []
    for _ in range(30):
        card = teams.connector.cards()[-1]
        if "Cancel" not in str(card):
            break
        head = next(b["text"] for b in card["body"] if "·" in b.get("text", ""))
        totals.add(head.split("·")[0].split("/")[1].strip(" *"))
        title = "Series A/B" if "Which best" in head else "No"
        response = await execute(teams, button(teams, title)["data"])
        clicked.append(str(response["value"]))
    assert "Confidence" in str(teams.connector.cards()[-1])
    assert totals == {"19"}  # never "17/19" then "18/18"
    assert "Which best describes your company?" in clicked[0]
    assert "✓ Stage: Series A/B" in clicked[0] and ": No" in clicked[1]


async def test_a_second_click_on_an_answered_question_changes_nothing(teams: Teams) -> None:
    await teams.send(text="assess")
    seed = button(teams, "Seed")["data"]
    await execute(teams, seed)
    again = await execute(teams, seed)
    assert "Already answered" in str(again["value"])
    assert "2/19" in str(teams.connector.cards()[-1])  # the open question, shown again


async def test_a_stale_assessment_button_asks_before_restarting_a_live_interview(
    teams: Teams,
) -> None:
    await teams.send(text="assess")
    await execute(teams, button(teams, "Seed")["data"])
    kept = await execute(teams, {"advisor": {"do": "assess"}})  # from an old answer's card
    assert kept["type"] == "application/vnd.microsoft.activity.message"
    assert "in progress here (question 2/19)" in str(teams.connector.cards()[-1])
    await execute(teams, button(teams, "Go on")["data"])
    assert "2/19" in str(teams.connector.cards()[-1])
    await execute(teams, {"advisor": {"do": "assess", "restart": True}})
    assert "1/19" in str(teams.connector.cards()[-1])


async def test_the_trigger_check_button_under_an_answer_reads_the_typed_situation(
    teams: Teams,
) -> None:
    typed = {"advisor": {"do": "check"}, "advisorText": "Series A, our pilot stalled, no CTO"}
    response = await execute(teams, typed)
    assert response["value"] == "Checked below."
    assert "Trigger check" in str(teams.connector.cards())


async def test_something_not_covered_points_at_help(teams: Teams) -> None:
    await teams.send(text="qwzx blorft")
    assert render.HELP_HINT in teams.connector.texts()[-1]


async def test_a_question_right_after_a_note_is_not_joined_to_the_one_before(
    teams: Teams,
) -> None:
    await teams.send(text="Our pilot stalled after the demo, what now?")
    await teams.send(text="note add Vendor trial: we decided to stop the Parrotly trial.")
    await teams.send(text="What did we decide about the vendor trial?")
    assert "Parrotly" in teams.connector.answers()[-1]


def test_answer_quotes_render_as_list_items_and_markers_stay_bare() -> None:
    answer = Answer(
        answer="“Lead quote.” [1]\n• “Second [quote].” [1]\n• “Third.” [1]\nNext step: run it.",
        lead="“Lead quote.” [1]",
        next_step=NextStep(kind="assessment", text="run it."),
        citations=[QUESTION],
    )
    assert render.answer_text(answer) == (
        "**“Lead quote.”** [1]\n\n- “Second \\[quote\\].” [1]\n\n- “Third.” [1]"
    )


def test_citation_names_and_abstracts_are_cut_at_words_within_teams_limits() -> None:
    [claim] = render.citation_entity(Answer(answer="x [1]", citations=[QUESTION]))["citation"]
    name, abstract = claim["appearance"]["name"], claim["appearance"]["abstract"]
    assert name == "Field report › 1. Your first AI pilot stalled after the demo"
    assert len(abstract) <= render.ABSTRACT_CHARS and abstract.endswith("…")
    assert QUESTION.quote.startswith(abstract[:-1]) and abstract[-2] != " "
    assert QUESTION.quote[len(abstract) - 1] in " ,"  # the cut falls between words


def _chat(message_id: str, conversation: str = "a:chat") -> Activity:
    return Activity(id=message_id, conversation=ConversationAccount(id=conversation))


def test_a_chat_chain_rolls_over_after_a_gap_other_commands_or_a_new_topic() -> None:
    chains, start = ReplyChains(gap=timedelta(minutes=30)), datetime(2026, 11, 2, 9, tzinfo=UTC)
    first = chains.key_for_question(_chat("m1"), "Our pilot stalled, what now?", start)
    chains.answered(_chat("m1"), "Our pilot stalled, what now?", "Ship a slice.", "r1")
    assert chains.key_for_question(_chat("m2"), "why not?", start + timedelta(minutes=5)) == first
    later = start + timedelta(minutes=50)
    assert chains.key_for_question(_chat("m3"), "why not?", later) != first
    chains.interrupt(_chat("m4"))
    assert chains.key_for_question(_chat("m5"), "and then?", later) != first
    channel = _chat("m6", "19:x@thread.tacv2;messageid=17")
    assert chains.key_for_question(channel, "anything", later) == "teams:" + channel.conversation.id


def test_a_new_topic_has_words_of_its_own_and_points_back_at_nothing() -> None:
    pilot = frozenset({"pilot", "stall", "demo", "slice", "ship"})
    assert new_topic("What did we decide about the vendor trial?", pilot)
    assert not new_topic("what about the demo slice?", pilot)
    assert not new_topic("And at seed stage?", pilot)  # points back
    assert not new_topic("why not?", pilot)  # too short to stand alone
