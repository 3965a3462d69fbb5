"""Small durable primitives every face shares: claim-once keys and feedback.

`claim_once` is how retries and duplicate deliveries are made harmless across restarts and
replicas: the first INSERT of a key wins, every later one is told "already seen".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert
from sqlalchemy.exc import IntegrityError

from knowledge.db import feedback, processed_keys


def claim_once(engine: Engine, scope: str, key: str) -> bool:
    """True the first time (scope, key) is claimed, by any process; False ever after."""
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(processed_keys).values(scope=scope, key=key, claimed_at=datetime.now(UTC))
            )
    except IntegrityError:
        return False
    return True


def forget_claims_older_than(engine: Engine, days: int) -> int:
    cutoff = datetime.now(UTC) - timedelta(days=days)
    with engine.begin() as conn:
        return conn.execute(
            delete(processed_keys).where(processed_keys.c.claimed_at < cutoff)
        ).rowcount


def record_feedback(
    engine: Engine,
    *,
    tenant: str | None,
    channel: str,
    user_hash: str,
    answer_id: str,
    helpful: bool,
    comment: str | None = None,
) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(feedback).values(
                tenant=tenant,
                channel=channel,
                user_hash=user_hash,
                answer_id=answer_id,
                helpful=helpful,
                comment=comment,
                created_at=datetime.now(UTC),
            )
        )
