"""Slack OAuth state in our database: installations, bot tokens, and install-flow `state`s.

Bolt's own defaults are files in the home directory, which neither survive a redeploy nor are
shared by replicas. These stores use the app's engine (SQLite or PostgreSQL), so an install
started on one replica can finish on another and every replica can answer the workspace.
Tokens are sealed at rest when `ADVISOR_SECRET_KEYS` is set.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt.error import BoltError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import SQLAlchemyError

from knowledge.db import slack_bots, slack_installations, slack_oauth_states, upsert
from knowledge.sealing import SealedValueError, Sealer

log = logging.getLogger(__name__)


def workspace_key(
    enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
) -> tuple[str, str]:
    """(enterprise, team) as stored: an org-wide install is keyed by its enterprise alone."""
    return enterprise_id or "", "" if is_enterprise_install else team_id or ""


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class InstalledWorkspace:
    """What the operator sees in `advisor slack installations` (never a token)."""

    enterprise_id: str | None
    team_id: str | None
    name: str | None
    scopes: tuple[str, ...]
    installed_at: datetime


class InstallRefusedError(BoltError):
    """The operator only admits workspaces mapped to a client, and this one is not."""

    def __init__(self, workspace: str) -> None:
        super().__init__(f"workspace {workspace} is not mapped to a client")
        self.workspace = workspace


class SqlInstallationStore(AsyncInstallationStore):
    """Latest installation per workspace and installer, latest bot per workspace.

    `admit`, when given, decides whether an installation may be stored at all."""

    def __init__(
        self,
        engine: Engine,
        client_id: str,
        sealer: Sealer,
        admit: Callable[[Installation], bool] | None = None,
    ) -> None:
        self._engine, self._client_id, self._sealer = engine, client_id, sealer
        self._admit = admit

    @property
    def logger(self) -> logging.Logger:
        return log

    # --- writes ----------------------------------------------------------------------------
    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self.save_bot, bot)

    def save(self, installation: Installation) -> None:
        if self._admit is not None and not self._admit(installation):
            raise InstallRefusedError(installation.team_id or installation.enterprise_id or "?")
        enterprise, team = workspace_key(
            installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        )
        row = {
            "client_id": self._client_id,
            "enterprise_id": enterprise,
            "team_id": team,
            "user_id": installation.user_id or "",
            "data": self._seal(installation.to_dict_for_copying()),
            "installed_at": _moment(installation.installed_at),
        }
        keys = ["client_id", "enterprise_id", "team_id", "user_id"]
        try:
            with self._engine.begin() as conn:
                upsert(conn, slack_installations, row, keys)
        except SQLAlchemyError as exc:  # Bolt shows its failure page for a BoltError
            raise BoltError(f"could not store the installation: {exc.__class__.__name__}") from exc
        if installation.bot_token:
            self.save_bot(installation.to_bot())

    def save_bot(self, bot: Bot) -> None:
        enterprise, team = workspace_key(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        row = {
            "client_id": self._client_id,
            "enterprise_id": enterprise,
            "team_id": team,
            "data": self._seal(bot.to_dict_for_copying()),
            "installed_at": _moment(bot.installed_at),
        }
        try:
            with self._engine.begin() as conn:
                upsert(conn, slack_bots, row, ["client_id", "enterprise_id", "team_id"])
        except SQLAlchemyError as exc:
            raise BoltError(f"could not store the bot token: {exc.__class__.__name__}") from exc

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(self._delete, slack_bots, enterprise_id, team_id, None)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await asyncio.to_thread(self._delete, slack_installations, enterprise_id, team_id, user_id)

    def _delete(self, table, enterprise_id, team_id, user_id) -> None:  # type: ignore[no-untyped-def]
        where = self._where(table, enterprise_id, team_id, is_enterprise_install=team_id is None)
        if user_id is not None:
            where.append(table.c.user_id == user_id)
        with self._engine.begin() as conn:
            conn.execute(delete(table).where(*where))

    # --- reads -----------------------------------------------------------------------------
    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        return await asyncio.to_thread(self.find_bot, enterprise_id, team_id, is_enterprise_install)

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return await asyncio.to_thread(
            self.find_installation, enterprise_id, team_id, user_id, is_enterprise_install
        )

    def find_bot(
        self,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        where = self._where(slack_bots, enterprise_id, team_id, is_enterprise_install)
        data = self._latest(slack_bots, where)
        return Bot(**data) if data is not None else None

    def find_installation(
        self,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The installer's installation (or the workspace's latest), with the latest bot token:
        a later install by someone else may have replaced the bot token this row holds."""
        where = self._where(slack_installations, enterprise_id, team_id, is_enterprise_install)
        if user_id is not None:
            where.append(slack_installations.c.user_id == user_id)
        data = self._latest(slack_installations, where)
        if data is None:
            return None
        bot = self.find_bot(enterprise_id, team_id, is_enterprise_install)
        if bot is not None:
            data |= {
                k: v
                for k, v in bot.to_dict_for_copying().items()
                if k.startswith("bot_") and k in data
            }
        return Installation(**data)

    def workspaces(self) -> list[InstalledWorkspace]:
        """Every workspace with a bot installed, newest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(slack_bots.c.data, slack_bots.c.installed_at)
                .where(slack_bots.c.client_id == self._client_id)
                .order_by(slack_bots.c.installed_at.desc())
            ).all()
        found = []
        for stored, installed_at in rows:
            data = self._open(stored)
            if data is None:
                continue
            found.append(
                InstalledWorkspace(
                    enterprise_id=data.get("enterprise_id"),
                    team_id=data.get("team_id"),
                    name=data.get("team_name") or data.get("enterprise_name"),
                    scopes=tuple(s for s in (data.get("bot_scopes") or "").split(",") if s),
                    installed_at=installed_at,
                )
            )
        return found

    def _where(self, table, enterprise_id, team_id, is_enterprise_install) -> list[Any]:  # type: ignore[no-untyped-def]
        enterprise, team = workspace_key(enterprise_id, team_id, is_enterprise_install)
        return [
            table.c.client_id == self._client_id,
            table.c.enterprise_id == enterprise,
            table.c.team_id == team,
        ]

    def _latest(self, table, where: list[Any]) -> dict[str, Any] | None:  # type: ignore[no-untyped-def]
        with self._engine.connect() as conn:
            stored = conn.execute(
                select(table.c.data).where(*where).order_by(table.c.installed_at.desc()).limit(1)
            ).scalar()
        return self._open(stored) if stored is not None else None

    def _seal(self, data: dict[str, Any]) -> str:
        return self._sealer.seal(json.dumps(data, default=_json_default))

    def _open(self, stored: str) -> dict[str, Any] | None:
        try:
            return json.loads(self._sealer.open(stored))
        except SealedValueError as exc:
            log.error("a stored Slack installation cannot be read: %s", exc)
            return None


def _moment(timestamp: float | None) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC) if timestamp else datetime.now(UTC)


class SqlOAuthStateStore(AsyncOAuthStateStore):
    """One-time `state` values: issued by `/slack/install`, consumed by the redirect, on any
    replica; a state is good once, and only until it expires."""

    def __init__(self, engine: Engine, expiration_seconds: int = 600) -> None:
        self._engine, self._ttl = engine, timedelta(seconds=expiration_seconds)

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(self.issue)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self.consume, state)

    def issue(self) -> str:
        state, now = secrets.token_urlsafe(32), datetime.now(UTC)
        with self._engine.begin() as conn:
            conn.execute(delete(slack_oauth_states).where(slack_oauth_states.c.expires_at < now))
            conn.execute(insert(slack_oauth_states).values(state=state, expires_at=now + self._ttl))
        return state

    def consume(self, state: str | None) -> bool:
        if not state:
            return False
        with self._engine.begin() as conn:
            deleted = conn.execute(
                delete(slack_oauth_states).where(
                    slack_oauth_states.c.state == state,
                    slack_oauth_states.c.expires_at > datetime.now(UTC),
                )
            )
        return deleted.rowcount == 1
