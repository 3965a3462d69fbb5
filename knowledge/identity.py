"""Pseudonymous user ids: records and logs keep a stable hash, never the raw platform id."""

from __future__ import annotations

import hashlib


def hash_user(channel: str, user_id: str | None) -> str:
    """A stable, non-reversible id for `user_id` on `channel` (sha256, hex)."""
    return hashlib.sha256(f"advisor-user\x1f{channel}\x1f{user_id or ''}".encode()).hexdigest()
