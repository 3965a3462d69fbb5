"""Digest subscriptions and their delivery: exactly once per channel per week.

Each subscription has a weekday, time and IANA timezone. A period is the ISO week (in the
subscriber's timezone) of its most recent scheduled time. Before sending, a replica claims
(channel, period) by inserting the delivery row — the primary key lets exactly one replica
win, across restarts and replicas. A time missed while nothing ran is sent once on the next
run, marked late. Failures are retried with backoff, then recorded; one channel never
blocks the others.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from knowledge.db import digest_deliveries, digest_subscriptions

log = logging.getLogger(__name__)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
LATE_AFTER = timedelta(hours=1)
RETRY_DELAYS_S = (1.0, 4.0)


class ScheduleError(ValueError):
    """The schedule text can't be understood; the message shows the expected form."""


class DeliveryError(Exception):
    """Posting failed; `retryable` tells the scheduler whether trying again can help."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True, slots=True)
class Subscription:
    channel_kind: str
    channel_id: str
    tenant: str | None
    weekday: int
    hour: int
    minute: int
    timezone: str
    workspace: str | None = None  # Slack "enterprise:team": whose install posts it (OAuth)

    def last_due(self, now: datetime) -> datetime:
        """The most recent scheduled time at or before `now`."""
        local = now.astimezone(ZoneInfo(self.timezone))
        due = local.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        due -= timedelta(days=(local.weekday() - self.weekday) % 7)
        if due > local:
            due -= timedelta(days=7)
        return due

    def period(self, due: datetime) -> str:
        year, week, _ = due.isocalendar()
        return f"{year}-W{week:02d}"

    def describe(self) -> str:
        return (
            f"{WEEKDAYS[self.weekday].capitalize()}s at {self.hour:02d}:{self.minute:02d} "
            f"({self.timezone})"
        )


class DigestSender(Protocol):
    async def send(self, subscription: Subscription, digest: Any) -> None: ...


def names_timezone(text: str) -> bool:
    """Whether a schedule names its timezone ("… Europe/Amsterdam", "… UTC")."""
    return any(_is_zone_word(word) for word in (text or "").split())


def _is_zone_word(word: str) -> bool:
    return "/" in word or word.upper() == "UTC"


def usable_timezone(name: str | None) -> str | None:
    """`name` if it is an IANA timezone this machine knows, else None."""
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def zone_hint(spec: str, own_zone: str | None, where: str) -> str:
    """For the confirmation: where the timezone came from, when the subscriber named none."""
    if names_timezone(spec):
        return ""
    example = "e.g. monday 9:00 Europe/London"
    if own_zone:
        return f" That is your {where} timezone; name another to change it ({example})."
    return f" I could not read your timezone, so it is UTC; name yours to change it ({example})."


def parse_schedule(text: str, default_tz: str = "UTC") -> tuple[int, int, int, str]:
    """ "monday 9:00 Europe/Amsterdam" → (0, 9, 0, "Europe/Amsterdam"); parts are optional."""
    weekday, hour, minute, tz = 0, 9, 0, default_tz
    for word in (text or "").split():
        low = word.lower()
        if low[:3] in [d[:3] for d in WEEKDAYS] and low.isalpha():
            weekday = [d[:3] for d in WEEKDAYS].index(low[:3])
        elif m := re.fullmatch(r"(\d{1,2})(?::(\d{2}))?", low):
            hour, minute = int(m.group(1)), int(m.group(2) or 0)
            if hour > 23 or minute > 59:
                raise ScheduleError(f"{word!r} is not a time of day (use e.g. 9:00 or 14:30)")
        elif _is_zone_word(word):
            tz = word
        else:
            raise ScheduleError(
                f"I don't understand {word!r}. Use e.g. “monday 9:00 "
                "Europe/Amsterdam” (weekday, 24-hour time, IANA timezone)."
            )
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(f"{tz!r} is not an IANA timezone (e.g. Europe/Amsterdam)") from exc
    return weekday, hour, minute, tz


class DigestStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def subscribe(
        self,
        kind: str,
        channel_id: str,
        tenant: str | None,
        spec: str,
        own_zone: str | None = None,  # the subscriber's timezone: used when `spec` names none
        created_by: str | None = None,
        workspace: str | None = None,
    ) -> Subscription:
        weekday, hour, minute, tz = parse_schedule(spec, own_zone or "UTC")
        row = {
            "channel_kind": kind,
            "channel_id": channel_id,
            "tenant": tenant,
            "workspace": workspace,
            "weekday": weekday,
            "hour": hour,
            "minute": minute,
            "timezone": tz,
            "created_by": created_by,
            "created_at": datetime.now(UTC),
        }
        with self._engine.begin() as conn:
            conn.execute(
                delete(digest_subscriptions).where(
                    digest_subscriptions.c.channel_kind == kind,
                    digest_subscriptions.c.channel_id == channel_id,
                )
            )
            conn.execute(insert(digest_subscriptions).values(**row))
        return _subscription(row)

    def unsubscribe(self, kind: str, channel_id: str) -> bool:
        with self._engine.begin() as conn:
            return bool(
                conn.execute(
                    delete(digest_subscriptions).where(
                        digest_subscriptions.c.channel_kind == kind,
                        digest_subscriptions.c.channel_id == channel_id,
                    )
                ).rowcount
            )

    def subscriptions(self) -> list[Subscription]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(digest_subscriptions).order_by(
                    digest_subscriptions.c.channel_kind, digest_subscriptions.c.channel_id
                )
            ).all()
        return [_subscription(r._mapping) for r in rows]

    def claim(self, sub: Subscription, period: str, *, late: bool) -> bool:
        """True for exactly one caller per (channel, period), in any process."""
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    insert(digest_deliveries).values(
                        channel_kind=sub.channel_kind,
                        channel_id=sub.channel_id,
                        period=period,
                        status="claimed",
                        attempts=0,
                        late=late,
                        claimed_at=datetime.now(UTC),
                    )
                )
        except IntegrityError:
            return False
        return True

    def finish(
        self, sub: Subscription, period: str, status: str, attempts: int, error: str | None = None
    ) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                update(digest_deliveries)
                .where(
                    digest_deliveries.c.channel_kind == sub.channel_kind,
                    digest_deliveries.c.channel_id == sub.channel_id,
                    digest_deliveries.c.period == period,
                )
                .values(
                    status=status, attempts=attempts, error=error, finished_at=datetime.now(UTC)
                )
            )

    def deliveries(self) -> list[dict[str, Any]]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(digest_deliveries).order_by(digest_deliveries.c.claimed_at.desc())
            ).all()
        return [dict(r._mapping) for r in rows]


def _subscription(row: Mapping[str, Any]) -> Subscription:
    return Subscription(
        row["channel_kind"],
        row["channel_id"],
        row["tenant"],
        row["weekday"],
        row["hour"],
        row["minute"],
        row["timezone"],
        row.get("workspace"),
    )


Builder = Callable[[Subscription, datetime, datetime], Any]
Sleep = Callable[[float], Awaitable[None]]


async def run_due(
    store: DigestStore,
    build: Builder,
    senders: Mapping[str, DigestSender],
    now: datetime,
    sleep: Sleep = asyncio.sleep,
) -> list[tuple[str, str, str]]:
    """Send every digest due at `now` that no one has claimed; returns (channel, period,
    outcome) for what this call handled."""
    handled = []
    for sub in store.subscriptions():
        due = sub.last_due(now)
        period = sub.period(due)
        late = now - due > LATE_AFTER
        if sub.channel_kind not in senders or not store.claim(sub, period, late=late):
            continue
        outcome = await _deliver(
            store, build, senders[sub.channel_kind], sub, due, period, late, sleep
        )
        handled.append((f"{sub.channel_kind}:{sub.channel_id}", period, outcome))
    return handled


async def _deliver(
    store: DigestStore,
    build: Builder,
    sender: DigestSender,
    sub: Subscription,
    due: datetime,
    period: str,
    late: bool,
    sleep: Sleep,
) -> str:
    attempts, error = 0, ""
    try:
        digest = build(sub, due - timedelta(days=7), due)
        if inspect.isawaitable(digest):
            digest = await digest
        if late:
            digest = digest.model_copy(update={"late": True})
    except Exception as exc:
        log.exception("digest for %s could not be built", sub.channel_id)
        store.finish(sub, period, "failed", 0, f"build: {type(exc).__name__}")
        return "failed"
    for delay in (*RETRY_DELAYS_S, None):
        attempts += 1
        try:
            await sender.send(sub, digest)
            store.finish(sub, period, "sent", attempts)
            return "sent"
        except DeliveryError as exc:
            error = str(exc)
            if not exc.retryable or delay is None:
                break
            await sleep(delay)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            break
    log.warning(
        "digest to %s for %s failed after %d attempt(s): %s",
        sub.channel_id,
        period,
        attempts,
        error,
    )
    store.finish(sub, period, "failed", attempts, error)
    return "failed"
