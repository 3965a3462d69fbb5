"""Who is asking, for whom: the workspace's client, and whether the channel is Slack Connect.

A Slack Connect channel (`is_ext_shared_channel`) is readable by another company, so answers
there come from the field report only; a client's notes never leave their own workspace.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.workers import describe_api_error
from knowledge.tenants import TenantRegistry

log = logging.getLogger(__name__)

SHARED_NOTICE = (
    "This channel is shared with another organisation (Slack Connect), so I answered from the "
    "field report only, not from your engagement notes."
)
_CACHE_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class Scope:
    """`tenant` is what answers may draw on (None → field report only)."""

    client: str | None  # the workspace's client, whatever the channel
    shared: bool  # Slack Connect channel

    @property
    def tenant(self) -> str | None:
        return None if self.shared else self.client

    @property
    def notices(self) -> tuple[str, ...]:
        return (SHARED_NOTICE,) if self.shared and self.client else ()


class ScopeResolver:
    """Maps team/enterprise ids to tenants, and learns whether channels are externally shared."""

    def __init__(self, tenants: TenantRegistry) -> None:
        self._tenants = tenants
        self._shared: dict[str, tuple[bool, float]] = {}

    def client_for(self, team_id: str | None, enterprise_id: str | None) -> str | None:
        return self._tenants.resolve_slack(team_id, enterprise_id)

    async def resolve(
        self,
        client: AsyncWebClient,
        *,
        team_id: str | None,
        enterprise_id: str | None,
        channel_id: str | None,
        body: dict[str, Any],
    ) -> Scope:
        tenant = self.client_for(team_id, enterprise_id)
        if tenant is None:
            return Scope(client=None, shared=False)  # nothing confidential to protect
        flag = body.get("is_ext_shared_channel")
        if isinstance(flag, bool):
            return Scope(client=tenant, shared=flag)
        return Scope(client=tenant, shared=await self._is_shared(client, channel_id))

    async def _is_shared(self, client: AsyncWebClient, channel_id: str | None) -> bool:
        """conversations.info, cached; when it can't be read, assume shared (fail closed)."""
        if not channel_id:
            return True
        cached = self._shared.get(channel_id)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        try:
            info = (await client.conversations_info(channel=channel_id))["channel"]
        except SlackApiError as exc:
            method, error = describe_api_error(exc)
            log.warning("slack %s failed (%s): treating %s as shared", method, error, channel_id)
            return True
        shared = bool(info.get("is_ext_shared") or info.get("is_pending_ext_shared"))
        self._shared[channel_id] = (shared, time.monotonic() + _CACHE_SECONDS)
        return shared
