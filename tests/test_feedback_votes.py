"""One feedback vote per user and answer, in the database itself: a second vote updates the
first, and the migration that brings the rule keeps each user's newest earlier vote."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from bot.slack.home_store import HomeStore
from knowledge.db import feedback, make_engine
from knowledge.migrate import MIGRATIONS, upgrade
from knowledge.records import record_feedback

VOTES_REVISION = "0010_feedback_votes"


def test_a_second_vote_replaces_the_first(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    upgrade(engine)
    vote = {"tenant": "acme", "channel": "slack", "user_hash": "u1", "answer_id": "a1"}
    assert record_feedback(engine, **vote, helpful=True) == "new"
    assert record_feedback(engine, **vote, helpful=True) == "same"
    assert record_feedback(engine, **vote, helpful=False) == "changed"
    assert record_feedback(engine, **vote | {"user_hash": "u2"}, helpful=True) == "new"
    with engine.connect() as conn:
        rows = conn.execute(select(feedback.c.user_hash, feedback.c.helpful)).all()
    assert sorted(rows) == [("u1", False), ("u2", True)]
    with pytest.raises(IntegrityError), engine.begin() as conn:  # the database holds the rule
        conn.execute(insert(feedback).values(**vote, helpful=True, created_at=datetime.now(UTC)))


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind the advisor runs on."""
    if request.param == "postgres":
        return request.getfixturevalue("empty_postgres_url")
    return f"sqlite:///{tmp_path / 's.db'}"


def test_the_migration_keeps_each_users_newest_earlier_vote(database_url: str) -> None:
    """A database from before the rule holds several votes of one user on one answer: the
    upgrade keeps the newest (by time, then by id), drops the others, then builds the index."""
    engine = make_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    before = ScriptDirectory.from_config(config).get_revision(VOTES_REVISION)
    upgrade(engine, str(before.down_revision))
    day = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    rows = [  # in insertion (id) order
        ("u1", "a1", True, day + timedelta(hours=2)),  # u1's newest vote on a1, inserted first
        ("u1", "a1", False, day),
        ("u1", "a1", False, day + timedelta(hours=1)),
        ("u2", "a1", False, day),  # a tie in time: the later row wins
        ("u2", "a1", True, day),
        ("u1", "a2", False, day),  # a single vote stays
        ("u1", "a1", False, day),  # the same user and answer in another channel
    ]
    with engine.begin() as conn:
        for i, (user, answer, helpful, at) in enumerate(rows):
            conn.execute(
                insert(feedback).values(
                    tenant="acme",
                    channel="teams" if i == len(rows) - 1 else "slack",
                    user_hash=user,
                    answer_id=answer,
                    helpful=helpful,
                    created_at=at,
                )
            )
    upgrade(engine)
    c = feedback.c
    with engine.connect() as conn:
        kept = conn.execute(select(c.channel, c.user_hash, c.answer_id, c.helpful)).all()
    assert sorted(kept) == [
        ("slack", "u1", "a1", True),
        ("slack", "u1", "a2", False),
        ("slack", "u2", "a1", True),
        ("teams", "u1", "a1", False),
    ]
    assert record_feedback(engine, **_VOTE, helpful=False) == "changed"  # the rule holds now
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(feedback).values(**_VOTE, helpful=True, created_at=day))
    HomeStore(engine).seen(":T1", "U1")  # the other table of the revision is there
    assert HomeStore(engine).viewers(":T1") == ["U1"]
    engine.dispose()


_VOTE = {"tenant": "acme", "channel": "slack", "user_hash": "u1", "answer_id": "a1"}
