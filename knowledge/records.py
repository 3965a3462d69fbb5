"""Small durable primitives every face shares: claim-once keys, leased work, and feedback.

`claim_once` is how duplicate deliveries are made harmless across restarts and replicas: the
first INSERT of a key wins, every later one is told "already seen". `claim_lease` is for work
that must not be lost: the claim holds while its holder renews it and counts as done only when
`finish_lease` says so; a holder that crashed stops renewing, and a retry takes the work over.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from knowledge.db import feedback, processed_keys, upsert

Vote = Literal["new", "changed", "same"]


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


WORKING, DONE = "working", "done"


def claim_lease(engine: Engine, scope: str, key: str, lease: timedelta) -> bool:
    """True when the caller now holds the work for (scope, key): it is the first claim, or the
    last holder's lease ran out before it finished (it crashed). False while another holder
    is at work, and once the work is done."""
    now = datetime.now(UTC)
    row = {"claimed_at": now, "status": WORKING, "lease_until": now + lease}
    try:
        with engine.begin() as conn:
            conn.execute(insert(processed_keys).values(scope=scope, key=key, **row))
        return True
    except IntegrityError:
        pass
    c = processed_keys.c
    with engine.begin() as conn:
        taken = conn.execute(
            update(processed_keys)
            .where(c.scope == scope, c.key == key, c.status == WORKING, c.lease_until < now)
            .values(**row)
        )
    return bool(taken.rowcount)


def renew_lease(engine: Engine, scope: str, key: str, lease: timedelta) -> None:
    """Extend a working claim (the holder is alive)."""
    c = processed_keys.c
    with engine.begin() as conn:
        conn.execute(
            update(processed_keys)
            .where(c.scope == scope, c.key == key, c.status == WORKING)
            .values(lease_until=datetime.now(UTC) + lease)
        )


def finish_lease(engine: Engine, scope: str, key: str) -> None:
    """The work is done: every later delivery of the key is a duplicate."""
    c = processed_keys.c
    with engine.begin() as conn:
        conn.execute(
            update(processed_keys)
            .where(c.scope == scope, c.key == key)
            .values(status=DONE, lease_until=None)
        )


def release_lease(engine: Engine, scope: str, key: str) -> None:
    """The work failed: forget the claim, so a retry of the same delivery is processed."""
    c = processed_keys.c
    with engine.begin() as conn:
        conn.execute(
            delete(processed_keys).where(c.scope == scope, c.key == key, c.status == WORKING)
        )


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
) -> Vote:
    """One vote per user and answer: the first is stored, a later one replaces it. Says
    whether this was the user's first vote on the answer, a change, or the same vote again."""
    c = feedback.c
    key = {"channel": channel, "answer_id": answer_id, "user_hash": user_hash}
    with engine.begin() as conn:
        before = conn.execute(
            select(c.helpful).where(*(c[k] == v for k, v in key.items()))
        ).scalar_one_or_none()
        values = {**key, "tenant": tenant, "helpful": helpful, "comment": comment}
        upsert(conn, feedback, values | {"created_at": datetime.now(UTC)}, tuple(key))
    if before is None:
        return "new"
    return "same" if before == helpful else "changed"
