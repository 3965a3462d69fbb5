"""The interview and the other card buttons in Teams: what a click changes, and what it shows.

A click answers with a `CardReply`: the card that replaces the clicked one (or, when that card
should stay as it is, a short note), and the new cards to post below it. The counter's total is
the largest one this interview has shown, so it never jumps from "17/19" to "18/18".
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botbuilder.schema import Activity

from bot.teams import cards, render
from bot.teams.actions import CardAction
from bot.teams.feedback import Vote
from graphs.assessment.questions import build_question, interview_keys
from graphs.models import InterviewQuestion, InterviewTurn
from knowledge.identity import hash_user

if TYPE_CHECKING:
    from bot.teams.bot import AdvisorTeamsBot

OTHER_THREAD = "That card belongs to another conversation's interview."
MAX_THREADS = 10_000


@dataclass(slots=True)
class CardReply:
    card: dict[str, Any] | None = None  # replaces the clicked card
    note: str | None = None  # shown instead, when the clicked card stays
    send: list[dict[str, Any]] = field(default_factory=list)  # new cards, posted below


class Counters:
    """The total each interview's counter has shown (in this process; a restart falls back to
    the interview's own estimate)."""

    def __init__(self) -> None:
        self._shown: OrderedDict[str, int] = OrderedDict()

    def of(self, thread: str, question: InterviewQuestion, shown: int | None = None) -> int:
        total = max(question.total, question.number, shown or 0, self._shown.get(thread, 0))
        self._shown[thread] = total
        self._shown.move_to_end(thread)
        while len(self._shown) > MAX_THREADS:
            self._shown.popitem(last=False)
        return total

    def restart(self, thread: str) -> None:
        self._shown.pop(thread, None)


def turn_card(
    counters: Counters,
    turn: InterviewTurn,
    *,
    shown: int | None = None,
    answered: str | None = None,
) -> dict[str, Any]:
    """What an interview turn shows: the next question, the result, or its message."""
    if turn.status == "asking" and turn.question is not None:
        of = counters.of(turn.thread_id, turn.question, shown)
        return cards.question_card(
            turn.question, turn.thread_id, of=of, message=turn.message, answered=answered
        )
    counters.restart(turn.thread_id)
    if turn.status == "done" and turn.recommendation is not None and not turn.message:
        return cards.recommendation_card(turn.recommendation)
    return render.notice(turn.message or "Done.")


def typed_answer(turn: InterviewTurn) -> str | None:
    """The line that acknowledges a typed answer on the next card ("Stage: Series A/B")."""
    question = turn.answered_question
    if question is None or question.key not in turn.answered:
        return None
    return f"{cards.fact_name(question.key)}: {turn.answered[question.key]}"


async def card_reply(bot: AdvisorTeamsBot, activity: Activity, action: CardAction) -> CardReply:
    """What one click does (Action.Execute or, from older cards, Action.Submit)."""
    if action.do == "answer":
        return await _answer(bot, activity, action)
    if action.do == "assess":
        return await _assess(bot, activity, restart=action.restart)
    if action.do == "resume":
        pending = await bot.advisor.interviews.pending(bot.thread(activity))
        if pending is None:
            return CardReply(render.notice("There is no assessment in progress here."))
        return CardReply(render.notice("Going on below."), send=[turn_card(bot.counters, pending)])
    if action.do == "check":
        if not action.choice:
            return CardReply(note="Describe your situation first.")
        return CardReply(note="Checked below.", send=await bot.check_cards(activity, action.choice))
    return _feedback(bot, activity, action)


async def _answer(bot: AdvisorTeamsBot, activity: Activity, action: CardAction) -> CardReply:
    thread = bot.thread(activity)
    if (action.thread or thread) != thread:
        return CardReply(render.notice(OTHER_THREAD))
    turn = await bot.advisor.interviews.reply(
        thread, action.choice or "", user_id=bot.user(activity), expect=action.question
    )
    asked = turn.answered_question or _clicked_question(action)
    shown = action.of or (asked.total if asked else None)
    if turn.stale:  # a second click, or a card from earlier: nothing changed
        clicked = cards.answered_card(asked, None, of=shown or 0, stale=True) if asked else None
        return CardReply(clicked, send=[turn_card(bot.counters, turn, shown=shown)])
    if turn.answered_question is None:  # no open question: finished, cancelled, or never begun
        return CardReply(render.notice(turn.message or "This assessment is closed."))
    label = "Cancel" if turn.status == "cancelled" else turn.answered.get(asked.key)
    if label is None:  # not understood, asked again: the clicked card stays
        return CardReply(note=turn.message, send=[turn_card(bot.counters, turn, shown=shown)])
    clicked = cards.answered_card(asked, label, of=shown or asked.total)
    return CardReply(clicked, send=[turn_card(bot.counters, turn, shown=shown)])


async def _assess(bot: AdvisorTeamsBot, activity: Activity, *, restart: bool) -> CardReply:
    """A button that starts the interview; on a live one it asks first (a stale card never
    restarts an interview in progress)."""
    thread = bot.thread(activity)
    pending = await bot.advisor.interviews.pending(thread)
    if pending is not None and pending.question is not None and not restart:
        of = bot.counters.of(thread, pending.question)
        return CardReply(
            note="An assessment is already in progress.",
            send=[cards.in_progress_card(pending.question, of)],
        )
    turn = await bot.start_interview(activity)
    first = turn_card(bot.counters, turn)
    if restart:
        return CardReply(render.notice("Started a new assessment below."), send=[first])
    return CardReply(note="The assessment starts below.", send=[first])


def _feedback(bot: AdvisorTeamsBot, activity: Activity, action: CardAction) -> CardReply:
    """👍/👎 buttons on cards sent before Teams' own feedback loop: one vote per user."""
    if action.helpful is None:
        return CardReply(render.notice("That button is not one I know. Type help."))
    bot.votes.vote(
        tenant=bot.tenant(activity),
        user_hash=hash_user("teams", bot.user(activity)),
        answer_id=action.answer or activity.reply_to_id or "answer",
        vote=Vote(action.helpful, None),
    )
    return CardReply(render.notice("Thanks for the feedback!"))


def _clicked_question(action: CardAction) -> InterviewQuestion | None:
    """The question a card showed, rebuilt from its button (for a stale click)."""
    if action.question not in interview_keys():
        return None
    number = action.number or 1
    return build_question(str(action.question), number, max(action.of or 0, number))
