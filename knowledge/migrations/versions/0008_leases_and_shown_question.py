"""leases on processed keys; the question a Slack thread shows

Revision ID: 0008_leases
Revises: 0007_channel_notes
Create Date: 2026-12-01 21:30:00.000000

`processed_keys.status` / `lease_until`: a delivery is "working" under a lease until its work
finishes ("done"), so a retry after a crash takes the work over instead of being dropped.
Rows from before this revision have no status and count as done.
`slack_threads.question_key`: which interview question the thread's open message shows, so
a question that was never posted (a failed call, a crash) is posted on the next action.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_leases"
down_revision = "0007_channel_notes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("processed_keys", sa.Column("status", sa.String(length=16), nullable=True))
    op.add_column(
        "processed_keys", sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("slack_threads", sa.Column("question_key", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("slack_threads") as batch:
        batch.drop_column("question_key")
    with op.batch_alter_table("processed_keys") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("status")
