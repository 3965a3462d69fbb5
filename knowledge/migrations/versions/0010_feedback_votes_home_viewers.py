"""one feedback vote per user and answer; who opened the Slack App Home

Revision ID: 0010_feedback_votes
Revises: 0009_lexical_store
Create Date: 2026-12-02 10:00:00.000000

`feedback`: a unique index on (channel, answer_id, user_hash), so a second vote on the same
answer updates the first (knowledge/records.py upserts). A database that already holds several
votes of one user on one answer keeps the newest of them (by `created_at`) and drops the rest
before the index is built.
`slack_home_viewers`: the users who opened the App Home, per workspace, so a digest run can
refresh what they see.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_feedback_votes"
down_revision = "0009_lexical_store"
branch_labels = None
depends_on = None


# Every vote but the newest of each (channel, answer, user): by time, then by id for votes
# recorded in the same instant. A window function, so that the delete stays one pass over the
# table on SQLite (3.25+) and PostgreSQL alike.
_OLDER_VOTES = """
DELETE FROM feedback WHERE id IN (
    SELECT id FROM (
        SELECT id, ROW_NUMBER() OVER (
            PARTITION BY channel, answer_id, user_hash ORDER BY created_at DESC, id DESC
        ) AS newest_first
        FROM feedback
    ) AS ranked
    WHERE newest_first > 1
)
"""


def upgrade() -> None:
    op.execute(_OLDER_VOTES)
    with op.batch_alter_table("feedback") as batch:
        batch.create_index("uq_feedback_vote", ["channel", "answer_id", "user_hash"], unique=True)
    op.create_table(
        "slack_home_viewers",
        sa.Column("workspace", sa.String(length=80), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("workspace", "user_id"),
    )
    with op.batch_alter_table("slack_home_viewers") as batch:
        batch.create_index(batch.f("ix_slack_home_viewers_opened_at"), ["opened_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("slack_home_viewers") as batch:
        batch.drop_index(batch.f("ix_slack_home_viewers_opened_at"))
    op.drop_table("slack_home_viewers")
    with op.batch_alter_table("feedback") as batch:
        batch.drop_index("uq_feedback_vote")
