"""Clients (tenants) and the channel identities that map to them.

`public` is the field report's tenant and cannot be registered. A caller whose workspace or
Teams tenant is not mapped is nobody's client: they see the field report only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import Engine, insert, select

from knowledge.chunks import PUBLIC_TENANT
from knowledge.db import tenant_identities, tenants

Channel = Literal["slack", "teams"]
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class TenantError(ValueError):
    """A tenant name is invalid, unknown or reserved; the message says which are known."""


@dataclass(slots=True)
class Tenant:
    name: str
    slack_teams: list[str] = field(default_factory=list)
    teams_tenants: list[str] = field(default_factory=list)


class TenantRegistry:
    """Reads and writes the tenant tables; the only place tenant names are validated."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(
        self,
        name: str,
        *,
        slack_team: str | None = None,
        teams_tenant: str | None = None,
    ) -> Tenant:
        """Register `name` (idempotent) and add any given channel identity to it."""
        validate_name(name)
        with self._engine.begin() as conn:
            exists = conn.execute(select(tenants.c.name).where(tenants.c.name == name)).first()
            if not exists:
                conn.execute(insert(tenants).values(name=name, created_at=datetime.now(UTC)))
            for channel, external in (("slack", slack_team), ("teams", teams_tenant)):
                if external:
                    self._map(conn, channel, external.strip(), name)
        return self.get(name)

    @staticmethod
    def _map(conn, channel: str, external_id: str, name: str) -> None:  # type: ignore[no-untyped-def]
        owner = conn.execute(
            select(tenant_identities.c.tenant).where(
                tenant_identities.c.channel == channel,
                tenant_identities.c.external_id == external_id,
            )
        ).scalar()
        if owner and owner != name:
            raise TenantError(f"{channel} id {external_id} already belongs to tenant {owner!r}")
        if not owner:
            conn.execute(
                insert(tenant_identities).values(
                    channel=channel, external_id=external_id, tenant=name
                )
            )

    def names(self) -> list[str]:
        with self._engine.connect() as conn:
            return list(conn.execute(select(tenants.c.name).order_by(tenants.c.name)).scalars())

    def get(self, name: str) -> Tenant:
        with self._engine.connect() as conn:
            if not conn.execute(select(tenants.c.name).where(tenants.c.name == name)).first():
                raise TenantError(unknown_tenant_message(name, self.names()))
            rows = conn.execute(
                select(tenant_identities.c.channel, tenant_identities.c.external_id)
                .where(tenant_identities.c.tenant == name)
                .order_by(tenant_identities.c.external_id)
            ).all()
        tenant = Tenant(name)
        for channel, external in rows:
            (tenant.slack_teams if channel == "slack" else tenant.teams_tenants).append(external)
        return tenant

    def all(self) -> list[Tenant]:
        return [self.get(name) for name in self.names()]

    def require(self, name: str) -> str:
        """`name` if it is a registered tenant (or `public`), else a `TenantError`."""
        if name == PUBLIC_TENANT or name in self.names():
            return name
        raise TenantError(unknown_tenant_message(name, self.names()))

    def resolve(self, channel: Channel, external_id: str | None) -> str | None:
        """The tenant mapped to a Slack team / Teams tenant id, or None (field report only)."""
        if not external_id:
            return None
        with self._engine.connect() as conn:
            return conn.execute(
                select(tenant_identities.c.tenant).where(
                    tenant_identities.c.channel == channel,
                    tenant_identities.c.external_id == external_id,
                )
            ).scalar()

    def resolve_slack(self, team_id: str | None, enterprise_id: str | None) -> str | None:
        """A Slack workspace's client: mapped by its team id, else by its Enterprise Grid org."""
        return self.resolve("slack", team_id) or self.resolve("slack", enterprise_id)


def validate_name(name: str) -> str:
    if name == PUBLIC_TENANT:
        raise TenantError("'public' is reserved for the field report")
    if not _NAME.match(name):
        raise TenantError(
            f"invalid tenant name {name!r}: use lower-case letters, digits, '-' or '_' "
            "(at most 63 characters, starting with a letter or digit)"
        )
    return name


def unknown_tenant_message(name: str, known: list[str]) -> str:
    listed = ", ".join(known) if known else "none yet (add one with `advisor tenants add NAME`)"
    return f"unknown tenant {name!r}; known tenants: {listed}"
