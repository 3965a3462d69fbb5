"""slack tables: threads

Revision ID: 0002_slack
Revises: 0001
Create Date: 2026-11-24 20:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_slack"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slack_threads",
        sa.Column("thread_key", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("question_ts", sa.String(length=32), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("thread_key"),
    )


def downgrade() -> None:
    op.drop_table("slack_threads")
