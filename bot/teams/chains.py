"""Reply chains in Teams chats: which earlier question a new one may be read with.

A Slack question lives in a thread, and a Teams channel post in its reply chain (the
conversation id carries `;messageid=`): a follow-up is read with the questions before it there.
A 1:1 or group chat is one endless conversation, so without chains every short question was
joined to the one before, however old or unrelated. Here a chat's chain ends when
- the last question is more than `CHAIN_GAP` old (recency),
- something else happened since (a note added, a check, an interview, a digest command), or
- the question shares no word with the last question and answer and does not point back at
  them (a new topic: "What did we decide about the vendor trial?" after a pilot question).
The core still decides whether a question inside a chain is a follow-up.

Chains are kept in this process (bounded): after a restart, or on another replica, the next
question starts a new chain, which is the safe direction (it is answered on its own).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from botbuilder.schema import Activity

from knowledge.lexical import tokenize

CHAIN_GAP = timedelta(minutes=30)
MAX_CHATS = 10_000  # chats remembered at once (least recently used forgotten first)
# Openings and pronouns that point at what was said before (then the question is never a
# new topic, whatever its words).
_POINTS_BACK = re.compile(
    r"^\s*(and|but|so|also|what about|how about|what if|why|then|same|ok|okay)\b"
    r"|\b(it|its|that|this|these|those|they|them|their|there)\b",
    re.IGNORECASE,
)


@dataclass(slots=True)
class _Chain:
    id: str
    at: datetime
    open: bool = True
    terms: frozenset[str] = frozenset()
    answers: list[str] = field(default_factory=list)  # message ids of the chain's answers


def is_reply_chain(activity: Activity) -> bool:
    """A channel conversation id names one post's reply chain already."""
    return ";messageid=" in (activity.conversation.id or "")


def new_topic(question: str, previous: frozenset[str]) -> bool:
    """Whether `question` leaves the chain's topic: two or more words of its own, none used
    in the last question and answer, and nothing pointing back at them."""
    terms = set(tokenize(question))
    if len(terms) < 2 or _POINTS_BACK.search(question):
        return False
    return not (terms & previous)


class ReplyChains:
    """The current chain of each chat, and the answers sent in it."""

    def __init__(self, gap: timedelta = CHAIN_GAP, max_chats: int = MAX_CHATS) -> None:
        self._gap, self._max = gap, max_chats
        self._chains: OrderedDict[str, _Chain] = OrderedDict()

    def key_for_question(
        self, activity: Activity, question: str, now: datetime | None = None
    ) -> str:
        """The conversation key to ask `question` under (a new chain when the last one ended)."""
        base = f"teams:{activity.conversation.id}"
        now = now or datetime.now(UTC)
        chain = self._chains.get(base)
        if is_reply_chain(activity):
            chain = chain or _Chain(id="", at=now)  # a channel post's replies: never rolls over
        elif (
            chain is None
            or not chain.open
            or now - chain.at > self._gap
            or new_topic(question, chain.terms)
        ):
            chain = _Chain(id=activity.id or now.strftime("%Y%m%dT%H%M%S%f"), at=now)
        chain.at, chain.open = now, True
        self._keep(base, chain)
        return f"{base}#{chain.id}" if chain.id else base

    def answered(
        self, activity: Activity, question: str, answer: str, message_id: str | None
    ) -> None:
        """Remember the answer's words (the next question's topic test) and its message id."""
        chain = self._chains.get(f"teams:{activity.conversation.id}")
        if chain is None:
            return
        chain.terms = frozenset(tokenize(f"{question}\n{answer}"))
        if message_id:
            chain.answers = [*chain.answers[-9:], message_id]

    def interrupt(self, activity: Activity) -> None:
        """Something other than a question happened in the chat: its chain ends."""
        chain = self._chains.get(f"teams:{activity.conversation.id}")
        if chain is not None:
            chain.open = False

    def last_answer(self, activity: Activity) -> str | None:
        """The message id of the latest answer in this chat (for a client that does not say
        which message a feedback vote is for)."""
        chain = self._chains.get(f"teams:{activity.conversation.id}")
        return chain.answers[-1] if chain and chain.answers else None

    def _keep(self, base: str, chain: _Chain) -> None:
        previous = self._chains.pop(base, None)
        if previous is not None and previous is not chain:
            chain.answers = previous.answers  # feedback may still come for earlier answers
        self._chains[base] = chain
        while len(self._chains) > self._max:
            self._chains.popitem(last=False)
