"""Teams' built-in feedback loop: 👍/👎 (and an optional comment) under an answer.

An answer sent with `channelData.feedbackLoopEnabled` gets Teams' own feedback buttons; a vote
arrives as an `invoke` named `message/submitAction` whose `replyToId` is the rated message and
whose value is `{"actionName": "feedback", "actionValue": {"reaction": "like" | "dislike",
"feedback": "{\"feedbackText\": …}"}}`. One vote per user and answer: a second one updates it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, update

from knowledge.db import feedback
from knowledge.records import claim_once, record_feedback

SUBMIT_ACTION = "message/submitAction"
CLAIM_SCOPE = "teams-feedback"
MAX_COMMENT = 2000


class FeedbackError(ValueError):
    """A `message/submitAction` whose value is not a feedback vote; the message says why."""


@dataclass(frozen=True, slots=True)
class Vote:
    helpful: bool
    comment: str | None


def read_vote(value: object) -> Vote:
    """The vote in a `message/submitAction` invoke value, checked by shape."""
    if not isinstance(value, dict) or value.get("actionName") != "feedback":
        raise FeedbackError("invoke value must be a feedback action (actionName 'feedback')")
    action = value.get("actionValue")
    if not isinstance(action, dict) or action.get("reaction") not in ("like", "dislike"):
        raise FeedbackError("feedback actionValue.reaction must be 'like' or 'dislike'")
    return Vote(action["reaction"] == "like", _comment(action.get("feedback")))


def _comment(raw: object) -> str | None:
    """Teams sends the comment as a JSON string `{"feedbackText": …}`; some clients plain."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = raw
    if isinstance(parsed, dict):
        parsed = parsed.get("feedbackText")
    if not isinstance(parsed, str):
        return None
    return parsed.strip()[:MAX_COMMENT] or None


class FeedbackVotes:
    """Feedback rows for Teams answers, one per user and answer (the latest vote counts)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def vote(self, *, tenant: str | None, user_hash: str, answer_id: str, vote: Vote) -> bool:
        """Store `vote`; True when it was this user's first vote on the answer."""
        answer_id = answer_id[:64]
        if self._update(user_hash, answer_id, vote):
            return False
        if claim_once(self._engine, CLAIM_SCOPE, f"{answer_id}:{user_hash}"):
            record_feedback(
                self._engine,
                tenant=tenant,
                channel="teams",
                user_hash=user_hash,
                answer_id=answer_id,
                helpful=vote.helpful,
                comment=vote.comment,
            )
            return True
        self._update(user_hash, answer_id, vote)  # a concurrent first vote won the claim
        return False

    def _update(self, user_hash: str, answer_id: str, vote: Vote) -> bool:
        c = feedback.c
        with self._engine.begin() as conn:
            changed = conn.execute(
                update(feedback)
                .where(c.channel == "teams", c.user_hash == user_hash, c.answer_id == answer_id)
                .values(helpful=vote.helpful, comment=vote.comment, created_at=datetime.now(UTC))
            )
        return bool(changed.rowcount)
